"""pairing plans listed: the unit a plan is for and its totals, as columns a list can filter
and show without reading each plan's pairings

Revision ID: e5a1b7c2d904
Revises: d4f2a9c1e803
Create Date: 2026-12-07 18:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'e5a1b7c2d904'
down_revision = 'd4f2a9c1e803'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('pairing_plans') as batch:
        batch.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('totals', sa.JSON(), nullable=True))
        batch.create_foreign_key(op.f('fk_pairing_plans_unit_id_units'), 'units', ['unit_id'],
                                 ['id'], ondelete='RESTRICT')
        batch.create_index(op.f('ix_pairing_plans_unit_id'), ['unit_id'])
    # Plans made before: their unit and totals from the stored scope and body.
    plans = sa.table('pairing_plans', sa.column('id', sa.Integer()),
                     sa.column('scope', sa.JSON()), sa.column('body', sa.JSON()),
                     sa.column('unit_id', sa.Integer()), sa.column('totals', sa.JSON()))
    connection = op.get_bind()
    for plan_id, scope, body in connection.execute(
            sa.select(plans.c.id, plans.c.scope, plans.c.body)).all():
        connection.execute(plans.update().where(plans.c.id == plan_id).values(
            unit_id=(scope or {}).get('unit_id'), totals=(body or {}).get('totals', {})))
    with op.batch_alter_table('pairing_plans') as batch:
        batch.alter_column('totals', existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('pairing_plans') as batch:
        batch.drop_index(op.f('ix_pairing_plans_unit_id'))
        batch.drop_constraint(op.f('fk_pairing_plans_unit_id_units'), type_='foreignkey')
        batch.drop_column('totals')
        batch.drop_column('unit_id')
