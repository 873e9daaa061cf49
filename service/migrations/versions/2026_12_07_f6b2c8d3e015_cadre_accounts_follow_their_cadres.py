"""cadre accounts follow their cadres: an account's unit_id set to its cadre's unit, for
cadres moved before update_cadre kept the two together

Revision ID: f6b2c8d3e015
Revises: e5a1b7c2d904
Create Date: 2026-12-07 19:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'f6b2c8d3e015'
down_revision = 'e5a1b7c2d904'
branch_labels = None
depends_on = None


def upgrade() -> None:
    users = sa.table('users', sa.column('unit_id', sa.Integer()),
                     sa.column('cadre_id', sa.Integer()))
    cadres = sa.table('cadres', sa.column('id', sa.Integer()), sa.column('unit_id', sa.Integer()))
    unit = sa.select(cadres.c.unit_id).where(cadres.c.id == users.c.cadre_id).scalar_subquery()
    op.execute(users.update().where(users.c.cadre_id.is_not(None)).values(unit_id=unit))


def downgrade() -> None:
    """Nothing to undo: the units set are the cadres' own."""
