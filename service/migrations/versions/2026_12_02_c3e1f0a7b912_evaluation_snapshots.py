"""evaluation snapshots: the annual evaluation's rows as last computed, a page one read

Revision ID: c3e1f0a7b912
Revises: a8e194a588e4
Create Date: 2026-12-02 18:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'c3e1f0a7b912'
down_revision = 'a8e194a588e4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('evaluation_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('through', sa.Date(), nullable=False),
    sa.Column('weights_key', sa.String(length=200), nullable=False),
    sa.Column('audit_mark', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cadres', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_snapshots'))
    )
    with op.batch_alter_table('evaluation_snapshots', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_snapshots_key', ['year', 'through', 'weights_key'],
                              unique=False)
    op.create_table('evaluation_rows',
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('cadre_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('township_id', sa.Integer(), nullable=True),
    sa.Column('row', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['evaluation_snapshots.id'],
                            name=op.f('fk_evaluation_rows_snapshot_id_evaluation_snapshots'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('snapshot_id', 'position', name=op.f('pk_evaluation_rows'))
    )
    with op.batch_alter_table('evaluation_rows', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_rows_township',
                              ['snapshot_id', 'township_id', 'position'], unique=False)
        batch_op.create_index('ix_evaluation_rows_unit', ['snapshot_id', 'unit_id', 'position'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('evaluation_rows', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_rows_unit')
        batch_op.drop_index('ix_evaluation_rows_township')
    op.drop_table('evaluation_rows')
    with op.batch_alter_table('evaluation_snapshots', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_snapshots_key')
    op.drop_table('evaluation_snapshots')
