"""visits

Revision ID: bd14df74b806
Revises: ac35a50d4bd3
Create Date: 2026-11-23 19:29:33.067781
"""

import sqlalchemy as sa
from alembic import op

revision = 'bd14df74b806'
down_revision = 'ac35a50d4bd3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows get the migration time; new and changed rows keep their own.
    op.add_column('pairings', sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False,
                                        server_default=sa.func.now()))
    op.create_index(op.f('ix_pairings_updated_at'), 'pairings', ['updated_at'], unique=False)
    op.create_table('visits',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('cadre_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('pairing_id', sa.Integer(), nullable=False),
    sa.Column('visited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.Enum('home_visit', 'stay_overnight', 'shared_labor', 'heart_to_heart', 'reception', 'phone', name='visit_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('direct', sa.Boolean(), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('diary', sa.Text(), nullable=True),
    sa.Column('help_given', sa.Text(), nullable=True),
    sa.Column('card_scanned', sa.Boolean(), nullable=False),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('flag_late_entry', sa.Boolean(), nullable=False),
    sa.Column('flag_far_from_village', sa.Boolean(), nullable=False),
    sa.Column('flag_duplicate_suspect', sa.Boolean(), nullable=False),
    sa.Column('flag_night_time', sa.Boolean(), nullable=False),
    sa.Column('flag_too_many_today', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('body_hash', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_visits_cadre_id_cadres'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_visits_created_by_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_visits_household_id_households'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['pairing_id'], ['pairings.id'], name=op.f('fk_visits_pairing_id_pairings'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visits'))
    )
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index('ix_visits_cadre_visited', ['cadre_id', 'visited_at'], unique=False)
        batch_op.create_index('ix_visits_household_visited', ['household_id', 'visited_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_visits_pairing_id'), ['pairing_id'], unique=False)

    op.create_table('visit_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('revised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_visit_revisions_user_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_visit_revisions_visit_id_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_revisions'))
    )
    with op.batch_alter_table('visit_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_revisions_visit_id'), ['visit_id'], unique=False)



def downgrade() -> None:
    op.drop_index(op.f('ix_pairings_updated_at'), table_name='pairings')
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite 3.35+ drops a column in place, which keeps the pairing triggers.
        op.execute('ALTER TABLE pairings DROP COLUMN updated_at')
    else:
        op.drop_column('pairings', 'updated_at')
    with op.batch_alter_table('visit_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_revisions_visit_id'))

    op.drop_table('visit_revisions')
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visits_pairing_id'))
        batch_op.drop_index('ix_visits_household_visited')
        batch_op.drop_index('ix_visits_cadre_visited')

    op.drop_table('visits')
