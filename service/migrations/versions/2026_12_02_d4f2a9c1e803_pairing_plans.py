"""pairing plans: proposed pairings, stored to be read and applied

Revision ID: d4f2a9c1e803
Revises: c3e1f0a7b912
Create Date: 2026-12-02 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'd4f2a9c1e803'
down_revision = 'c3e1f0a7b912'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pairing_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('scope', sa.JSON(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('stamps', sa.JSON(), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'],
                            name=op.f('fk_pairing_plans_created_by_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pairing_plans'))
    )


def downgrade() -> None:
    op.drop_table('pairing_plans')
