"""contact points, pairing rules in the database

Pairings get a trigger that re-checks R1 (quota) and R3 (the cadre's unit holds the village)
inside the database, so concurrent requests cannot slip past the service's own checks. The
quota (1 for `general`, 2 otherwise) mirrors service/cadres/rules.py.

SQLite note: a later batch_alter_table on pairings recreates the table and drops these
triggers; such a migration must create them again.

Revision ID: 1d7f2ed55388
Revises: b8609f50d54d
Create Date: 2026-11-23 18:37:07.017704
"""

import sqlalchemy as sa
from alembic import op

revision = '1d7f2ed55388'
down_revision = 'b8609f50d54d'
branch_labels = None
depends_on = None


_PG_FUNCTION = """
CREATE FUNCTION pairings_enforce_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    cadre_rank text;
    cadre_unit integer;
    quota integer;
    active integer;
BEGIN
    IF NEW.ended_on IS NOT NULL THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.ended_on IS NULL AND OLD.cadre_id = NEW.cadre_id THEN
        RETURN NEW;
    END IF;
    -- The row lock makes concurrent pairings of one cadre take turns; the count that follows
    -- sees every pairing committed before the lock was granted.
    SELECT rank, unit_id INTO cadre_rank, cadre_unit FROM cadres WHERE id = NEW.cadre_id FOR UPDATE;
    quota := CASE WHEN cadre_rank = 'general' THEN 1 ELSE 2 END;
    SELECT count(*) INTO active FROM pairings
     WHERE cadre_id = NEW.cadre_id AND ended_on IS NULL AND id <> NEW.id;
    IF active >= quota THEN
        RAISE EXCEPTION 'quota_exceeded: cadre % holds % of %', NEW.cadre_id, active, quota
              USING ERRCODE = 'check_violation';
    END IF;
    -- Share locks: ending the assignment or moving the household (both lock those rows
    -- first) waits for this pairing, or this pairing sees them ended/moved.
    PERFORM 1 FROM households h
       JOIN village_assignments va ON va.village_id = h.village_id
      WHERE h.id = NEW.household_id AND va.unit_id = cadre_unit AND va.ended_on IS NULL
        FOR SHARE OF h, va;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'village_not_held_by_unit: household %', NEW.household_id
              USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$
"""

_SQLITE_CHECKS = """
    SELECT RAISE(ABORT, 'quota_exceeded')
     WHERE (SELECT count(*) FROM pairings
             WHERE cadre_id = NEW.cadre_id AND ended_on IS NULL AND id IS NOT NEW.id)
           >= (SELECT CASE rank WHEN 'general' THEN 1 ELSE 2 END FROM cadres WHERE id = NEW.cadre_id);
    SELECT RAISE(ABORT, 'village_not_held_by_unit')
     WHERE NOT EXISTS (SELECT 1 FROM households h
                         JOIN village_assignments va ON va.village_id = h.village_id
                         JOIN cadres c ON c.unit_id = va.unit_id
                        WHERE h.id = NEW.household_id AND c.id = NEW.cadre_id
                          AND va.ended_on IS NULL);
"""

PAIRING_TRIGGERS = {
    "postgresql": [
        _PG_FUNCTION,
        "CREATE TRIGGER pairings_enforce_rules BEFORE INSERT OR UPDATE OF cadre_id, ended_on "
        "ON pairings FOR EACH ROW EXECUTE FUNCTION pairings_enforce_rules()",
    ],
    "sqlite": [
        "CREATE TRIGGER pairings_enforce_rules_insert BEFORE INSERT ON pairings "
        "WHEN NEW.ended_on IS NULL BEGIN" + _SQLITE_CHECKS + "END",
        "CREATE TRIGGER pairings_enforce_rules_update BEFORE UPDATE OF cadre_id, ended_on "
        "ON pairings WHEN NEW.ended_on IS NULL "
        "AND NOT (OLD.ended_on IS NULL AND OLD.cadre_id = NEW.cadre_id) BEGIN"
        + _SQLITE_CHECKS + "END",
    ],
}

DROP_PAIRING_TRIGGERS = {
    "postgresql": ["DROP TRIGGER IF EXISTS pairings_enforce_rules ON pairings",
                   "DROP FUNCTION IF EXISTS pairings_enforce_rules()"],
    "sqlite": ["DROP TRIGGER IF EXISTS pairings_enforce_rules_insert",
               "DROP TRIGGER IF EXISTS pairings_enforce_rules_update"],
}


def upgrade() -> None:
    op.create_table('party_organizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.Enum('village_branch', 'non_public_economic', 'social_organization', name='organization_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('weak', sa.Boolean(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['village_id'], ['villages.id'], name=op.f('fk_party_organizations_village_id_villages'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_party_organizations')),
    sa.UniqueConstraint('name', name=op.f('uq_party_organizations_name'))
    )
    with op.batch_alter_table('party_organizations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_party_organizations_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_party_organizations_village_id'), ['village_id'], unique=False)

    op.create_table('contact_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cadre_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=200), nullable=True),
    sa.CheckConstraint('ended_on IS NULL OR ended_on >= started_on', name=op.f('ck_contact_points_dates')),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_contact_points_cadre_id_cadres'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organization_id'], ['party_organizations.id'], name=op.f('fk_contact_points_organization_id_party_organizations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_points'))
    )
    with op.batch_alter_table('contact_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_points_cadre_id'), ['cadre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_points_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('uq_contact_points_active', ['cadre_id', 'organization_id'], unique=True, sqlite_where=sa.text('ended_on IS NULL'), postgresql_where=sa.text('ended_on IS NULL'))

    op.add_column('village_assignments', sa.Column('end_reason', sa.String(length=200), nullable=True))
    for statement in PAIRING_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)



def downgrade() -> None:
    for statement in DROP_PAIRING_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)
    with op.batch_alter_table('village_assignments', schema=None) as batch_op:
        batch_op.drop_column('end_reason')

    with op.batch_alter_table('contact_points', schema=None) as batch_op:
        batch_op.drop_index('uq_contact_points_active', sqlite_where=sa.text('ended_on IS NULL'), postgresql_where=sa.text('ended_on IS NULL'))
        batch_op.drop_index(batch_op.f('ix_contact_points_organization_id'))
        batch_op.drop_index(batch_op.f('ix_contact_points_cadre_id'))

    op.drop_table('contact_points')
    with op.batch_alter_table('party_organizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_party_organizations_village_id'))
        batch_op.drop_index(batch_op.f('ix_party_organizations_kind'))

    op.drop_table('party_organizations')
