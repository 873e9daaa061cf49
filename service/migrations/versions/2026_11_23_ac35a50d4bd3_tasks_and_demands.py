"""tasks and demands

Revision ID: ac35a50d4bd3
Revises: 1d7f2ed55388
Create Date: 2026-11-23 19:05:38.670391
"""

import sqlalchemy as sa
from alembic import op

revision = 'ac35a50d4bd3'
down_revision = '1d7f2ed55388'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('demands',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.String(length=36), nullable=True),
    sa.Column('cadre_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('fake_seeds', 'harvest_help', 'housing_repair', 'winter_heating', 'tuition', 'dispute_mediation', 'sick_care', 'left_behind_children', 'unpaid_wages', 'road_repair', 'water_supply', 'other', name='demand_category', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('open', 'in_progress', 'resolved', 'confirmed', name='demand_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('in_progress_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('body_hash', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_demands_cadre_id_cadres'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_demands_created_by_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_demands_household_id_households'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demands'))
    )
    with op.batch_alter_table('demands', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demands_cadre_id'), ['cadre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_demands_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_demands_household_id'), ['household_id'], unique=False)
        batch_op.create_index('ix_demands_status_opened', ['status', 'opened_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_demands_updated_at'), ['updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_demands_visit_id'), ['visit_id'], unique=False)

    op.create_table('tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('low_income', 'school_dropout', 'unemployed_labor', 'entrepreneurship', 'skills_training', 'large_grower', 'college_grad_official', name='task_category', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('target', sa.String(length=500), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'in_progress', 'done', 'verified', name='task_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('source', sa.Enum('generated', 'manual', name='task_source', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closed_reason', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_tasks_household_id_households'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks'))
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasks_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_household_id'), ['household_id'], unique=False)
        batch_op.create_index('ix_tasks_status_due', ['status', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_updated_at'), ['updated_at'], unique=False)
        batch_op.create_index('uq_tasks_live_generated', ['household_id', 'category'], unique=True, sqlite_where=sa.text("closed_on IS NULL AND source = 'generated'"), postgresql_where=sa.text("closed_on IS NULL AND source = 'generated'"))

    op.create_table('demand_transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('demand_id', sa.String(length=36), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=False),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['demand_id'], ['demands.id'], name=op.f('fk_demand_transitions_demand_id_demands'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_demand_transitions_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demand_transitions'))
    )
    with op.batch_alter_table('demand_transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demand_transitions_demand_id'), ['demand_id'], unique=False)

    op.create_table('task_transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=False),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_transitions_task_id_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_task_transitions_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_transitions'))
    )
    with op.batch_alter_table('task_transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_transitions_task_id'), ['task_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('task_transitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_transitions_task_id'))

    op.drop_table('task_transitions')
    with op.batch_alter_table('demand_transitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demand_transitions_demand_id'))

    op.drop_table('demand_transitions')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('uq_tasks_live_generated', sqlite_where=sa.text("closed_on IS NULL AND source = 'generated'"), postgresql_where=sa.text("closed_on IS NULL AND source = 'generated'"))
        batch_op.drop_index(batch_op.f('ix_tasks_updated_at'))
        batch_op.drop_index('ix_tasks_status_due')
        batch_op.drop_index(batch_op.f('ix_tasks_household_id'))
        batch_op.drop_index(batch_op.f('ix_tasks_category'))

    op.drop_table('tasks')
    with op.batch_alter_table('demands', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demands_visit_id'))
        batch_op.drop_index(batch_op.f('ix_demands_updated_at'))
        batch_op.drop_index('ix_demands_status_opened')
        batch_op.drop_index(batch_op.f('ix_demands_household_id'))
        batch_op.drop_index(batch_op.f('ix_demands_category'))
        batch_op.drop_index(batch_op.f('ix_demands_cadre_id'))

    op.drop_table('demands')
