"""Versions of cadres, households and units: written on every change of a field reports show,
and read back as they stood at a moment (service/history).

Dates: a version is stamped with the suite's clock (tests/clock.py) when its change is flushed;
a test about particular moments makes the change with the clock set to them (`CLOCK.at`).
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

from service.history.asof import load_versions, pick
from service.history.models import CadreVersion, HouseholdVersion, UnitVersion
from service.history.tracking import FIRST_KNOWN, seed_versions
from tests import factories
from tests.clock import CLOCK


def _versions(session, model, key, record_id):
    return session.scalars(select(model).where(getattr(model, key) == record_id)
                           .order_by(model.valid_from, model.id)).all()


def test_a_new_cadre_gets_its_first_version(session):
    unit = factories.unit(session)
    cadre = factories.cadre(session, unit, name="李明", rank="section_chief")
    (version,) = _versions(session, CadreVersion, "cadre_id", cadre.id)
    assert (version.name, version.unit_id, version.rank) == ("李明", unit.id, "section_chief")


def test_changing_a_shown_field_adds_a_version_and_other_fields_do_not(session):
    unit, other = factories.unit(session), factories.unit(session)
    cadre = factories.cadre(session, unit, name="李明")
    cadre.phone = "13700000000"  # not shown in reports
    session.flush()
    assert len(_versions(session, CadreVersion, "cadre_id", cadre.id)) == 1
    cadre.unit_id = other.id
    session.flush()
    versions = _versions(session, CadreVersion, "cadre_id", cadre.id)
    assert [v.unit_id for v in versions] == [unit.id, other.id]


def test_households_and_units_are_versioned_too(session):
    village, elsewhere = factories.village(session), factories.village(session)
    household = factories.household(session, village, head_name="张三", difficulty="easier")
    household.difficulty, household.village_id = "hardest", elsewhere.id
    unit = factories.unit(session, name="县农业局")
    head = factories.cadre(session, unit)
    unit.head_cadre_id = head.id
    session.flush()
    assert [(v.village_id, v.difficulty) for v in _versions(
        session, HouseholdVersion, "household_id", household.id)] == [
        (village.id, "easier"), (elsewhere.id, "hardest")]
    assert [v.head_cadre_id for v in _versions(session, UnitVersion, "unit_id", unit.id)] == [
        None, head.id]


def test_as_of_picks_the_version_in_force_and_falls_back_to_the_first_known(session):
    march, june = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)
    with CLOCK.at(march):
        unit = factories.unit(session)
        cadre = factories.cadre(session, unit, name="旧名")
    with CLOCK.at(june):
        cadre.name = "新名"
        session.flush()
    first, second = _versions(session, CadreVersion, "cadre_id", cadre.id)
    # Each version is stamped with the moment of its change (the clock moves a microsecond a
    # reading).
    assert march <= first.valid_from < march + timedelta(seconds=1)
    assert june <= second.valid_from < june + timedelta(seconds=1)
    versions = load_versions(session, CadreVersion, [cadre.id])[cadre.id]
    assert pick(versions, datetime(2026, 5, 31, tzinfo=UTC)).name == "旧名"
    assert pick(versions, second.valid_from - timedelta(microseconds=1)).name == "旧名"
    assert pick(versions, second.valid_from).name == "新名"  # in force from its first moment
    assert pick(versions, datetime(2026, 6, 2, tzinfo=UTC)).name == "新名"
    assert pick(versions, datetime(2026, 1, 1, tzinfo=UTC)).name == "旧名"  # first known
    assert pick([], CLOCK.now()) is None


def test_seeding_fills_only_records_without_a_version(session):
    unit = factories.unit(session)
    kept = factories.cadre(session, unit)
    bare = factories.cadre(session, unit)
    session.execute(delete(CadreVersion).where(CadreVersion.cadre_id == bare.id))
    seed_versions(session)
    assert len(_versions(session, CadreVersion, "cadre_id", kept.id)) == 1
    (seeded,) = _versions(session, CadreVersion, "cadre_id", bare.id)
    assert seeded.valid_from == FIRST_KNOWN and seeded.name == bare.name
    assert session.scalar(select(func.count()).select_from(CadreVersion).where(
        CadreVersion.valid_from > CLOCK.now() + timedelta(minutes=1))) == 0
