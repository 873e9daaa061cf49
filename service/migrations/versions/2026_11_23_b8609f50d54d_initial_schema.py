"""initial schema

Revision ID: b8609f50d54d
Revises:
Create Date: 2026-11-23 18:14:39.573223
"""

import sqlalchemy as sa
from alembic import op

revision = 'b8609f50d54d'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('townships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=9), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_townships')),
    sa.UniqueConstraint('code', name=op.f('uq_townships_code'))
    )
    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('head_cadre_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('name', name=op.f('uq_units_name'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_head_cadre_id'), ['head_cadre_id'], unique=False)

    op.create_table('cadres',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Enum('county_level', 'section_chief', 'deputy_section_chief', 'general', name='cadre_rank', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_cadres_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cadres'))
    )
    with op.batch_alter_table('cadres', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cadres_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_cadres_rank'), ['rank'], unique=False)
        batch_op.create_index(batch_op.f('ix_cadres_unit_id'), ['unit_id'], unique=False)

    # units and cadres point at each other: the head's key is added once both tables exist.
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_units_head_cadre_id_cadres'), 'cadres',
                                    ['head_cadre_id'], ['id'], ondelete='SET NULL')

    op.create_table('villages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('latitude IS NULL OR (latitude BETWEEN -90 AND 90)', name=op.f('ck_villages_latitude')),
    sa.CheckConstraint('longitude IS NULL OR (longitude BETWEEN -180 AND 180)', name=op.f('ck_villages_longitude')),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_villages_township_id_townships'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_villages')),
    sa.UniqueConstraint('code', name=op.f('uq_villages_code'))
    )
    with op.batch_alter_table('villages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_villages_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_villages_township_id'), ['township_id'], unique=False)

    op.create_table('households',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('head_name', sa.String(length=50), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=True),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('difficulty', sa.Enum('hardest', 'harder', 'easier', name='difficulty', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('income_per_capita', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('card_code', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('income_per_capita IS NULL OR income_per_capita >= 0', name=op.f('ck_households_income')),
    sa.CheckConstraint('members BETWEEN 1 AND 30', name=op.f('ck_households_members')),
    sa.ForeignKeyConstraint(['village_id'], ['villages.id'], name=op.f('fk_households_village_id_villages'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_households')),
    sa.UniqueConstraint('card_code', name=op.f('uq_households_card_code')),
    sa.UniqueConstraint('id_number', name=op.f('uq_households_id_number'))
    )
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_households_difficulty'), ['difficulty'], unique=False)
        batch_op.create_index(batch_op.f('ix_households_head_name'), ['head_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_households_updated_at'), ['updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_households_village_id'), ['village_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=50), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('county_admin', 'unit_admin', 'cadre', 'inspector', name='user_role', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('cadre_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('token_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_users_cadre_id_cadres'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_users_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_cadre_id'), ['cadre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_unit_id'), ['unit_id'], unique=False)

    op.create_table('village_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.CheckConstraint('ended_on IS NULL OR ended_on >= started_on', name=op.f('ck_village_assignments_dates')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_village_assignments_unit_id_units'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['village_id'], ['villages.id'], name=op.f('fk_village_assignments_village_id_villages'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_village_assignments'))
    )
    with op.batch_alter_table('village_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_village_assignments_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_village_assignments_village_id'), ['village_id'], unique=False)
        batch_op.create_index('uq_village_assignments_active_village', ['village_id'], unique=True, sqlite_where=sa.text('ended_on IS NULL'), postgresql_where=sa.text('ended_on IS NULL'))

    op.create_table('household_needs',
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('need', sa.Enum('low_income', 'school_dropout', 'unemployed_labor', 'entrepreneurship', 'skills_training', 'large_grower', 'college_grad_official', name='need', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_household_needs_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('household_id', 'need', name=op.f('pk_household_needs'))
    )
    with op.batch_alter_table('household_needs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_needs_need'), ['need'], unique=False)

    op.create_table('pairings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cadre_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=200), nullable=True),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.CheckConstraint('ended_on IS NULL OR ended_on >= started_on', name=op.f('ck_pairings_dates')),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_pairings_cadre_id_cadres'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_pairings_household_id_households'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pairings'))
    )
    with op.batch_alter_table('pairings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pairings_cadre_id'), ['cadre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairings_household_id'), ['household_id'], unique=False)
        batch_op.create_index('uq_pairings_active_household', ['household_id'], unique=True, sqlite_where=sa.text('ended_on IS NULL'), postgresql_where=sa.text('ended_on IS NULL'))



def downgrade() -> None:
    with op.batch_alter_table('pairings', schema=None) as batch_op:
        batch_op.drop_index('uq_pairings_active_household', sqlite_where=sa.text('ended_on IS NULL'), postgresql_where=sa.text('ended_on IS NULL'))
        batch_op.drop_index(batch_op.f('ix_pairings_household_id'))
        batch_op.drop_index(batch_op.f('ix_pairings_cadre_id'))

    op.drop_table('pairings')
    with op.batch_alter_table('household_needs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_needs_need'))

    op.drop_table('household_needs')
    with op.batch_alter_table('village_assignments', schema=None) as batch_op:
        batch_op.drop_index('uq_village_assignments_active_village', sqlite_where=sa.text('ended_on IS NULL'), postgresql_where=sa.text('ended_on IS NULL'))
        batch_op.drop_index(batch_op.f('ix_village_assignments_village_id'))
        batch_op.drop_index(batch_op.f('ix_village_assignments_unit_id'))

    op.drop_table('village_assignments')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_unit_id'))
        batch_op.drop_index(batch_op.f('ix_users_cadre_id'))

    op.drop_table('users')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_households_village_id'))
        batch_op.drop_index(batch_op.f('ix_households_updated_at'))
        batch_op.drop_index(batch_op.f('ix_households_head_name'))
        batch_op.drop_index(batch_op.f('ix_households_difficulty'))

    op.drop_table('households')
    with op.batch_alter_table('villages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_villages_township_id'))
        batch_op.drop_index(batch_op.f('ix_villages_name'))

    op.drop_table('villages')
    with op.batch_alter_table('cadres', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cadres_unit_id'))
        batch_op.drop_index(batch_op.f('ix_cadres_rank'))
        batch_op.drop_index(batch_op.f('ix_cadres_name'))

    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_units_head_cadre_id_cadres'), type_='foreignkey')

    op.drop_table('cadres')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_head_cadre_id'))

    op.drop_table('units')
    op.drop_table('townships')
