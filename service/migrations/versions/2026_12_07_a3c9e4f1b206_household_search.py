"""household search: trigram indexes (PostgreSQL) on the head's name, the ID number and the
phone, so a fragment anywhere in them is found without reading every household

Revision ID: a3c9e4f1b206
Revises: f6b2c8d3e015
Create Date: 2026-12-07 19:45:00
"""

from alembic import op

revision = 'a3c9e4f1b206'
down_revision = 'f6b2c8d3e015'
branch_labels = None
depends_on = None

COLUMNS = ('head_name', 'id_number', 'phone')


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for column in COLUMNS:
        op.create_index(f'ix_households_{column}_trgm', 'households', [column],
                        postgresql_using='gin', postgresql_ops={column: 'gin_trgm_ops'})


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for column in COLUMNS:
        op.drop_index(f'ix_households_{column}_trgm', table_name='households')
