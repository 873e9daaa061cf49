"""SPEC §16 逾期 ("overdue tasks and demands with names and days overdue, by unit"): each task
and demand row names the unit holding its household's village now (`unit_id`, `unit_name`),
the unit `unit_id=` filters by and the overview counts it under; `sort=unit_name` groups the
overdue work by unit on the server, and `sort=due_on` / `sort=opened_at` puts the longest
overdue first.

The `world` fixture: unit A holds village a (households a1, a2), unit B village b (b1)."""

import uuid
from datetime import UTC, timedelta

import pytest

from service.assignments.models import VillageAssignment
from service.demands.models import Demand
from service.tasks.models import Task
from tests import factories
from tests.clock import CLOCK


def items(response) -> list[dict]:
    assert response.status_code == 200, response.json
    return response.json["items"]


@pytest.fixture
def late(session, world):
    """One overdue task and one overdue demand per household of the world, the older the
    further down the alphabet of its key; a household in a village no unit holds, too."""
    today, now = CLOCK.today(), CLOCK.now()
    creator = world.users["county_admin"]
    loose_village = factories.village(session, world.township)
    loose = factories.household(session, loose_village)
    made = {}
    for n, (key, household) in enumerate([*world.households.items(), ("loose", loose)]):
        task = Task(household_id=household.id, category="low_income", description="增收",
                    due_on=today - timedelta(days=3 + n), source="manual")
        demand = Demand(id=str(uuid.uuid4()), household_id=household.id, cadre_id=None,
                        created_by=creator.id, category="other", description="修路",
                        opened_at=(now - timedelta(days=20 + n)).astimezone(UTC),
                        body_hash="0" * 64)
        session.add_all([task, demand])
        session.flush()
        made[key] = (task.id, demand.id)
    return made


def test_each_overdue_task_and_demand_names_the_unit_holding_its_village(admin, world, late):
    for path, position in (("tasks", 0), ("demands", 1)):
        rows = {r["id"]: r for r in items(admin.get(f"/api/v1/{path}?overdue=true"))}
        for key, unit in (("a1", "a"), ("a2", "a"), ("b1", "b")):
            row = rows[late[key][position]]
            assert (row["unit_id"], row["unit_name"]) == (
                world.units[unit].id, world.units[unit].name), (path, key)
            assert row["days_overdue"] >= 1
        assert (rows[late["loose"][position]]["unit_id"],
                rows[late["loose"][position]]["unit_name"]) == (None, None)


def test_the_unit_named_is_the_one_unit_id_filters_by(admin, world, late):
    for path in ("tasks", "demands"):
        for unit in world.units.values():
            rows = items(admin.get(f"/api/v1/{path}?overdue=true&unit_id={unit.id}"))
            assert rows and {r["unit_name"] for r in rows} == {unit.name}, path


def test_sorting_by_unit_groups_the_overdue_work_with_the_longest_overdue_first(
        admin, world, late):
    for path, first in (("tasks", "due_on"), ("demands", "opened_at")):
        rows = items(admin.get(f"/api/v1/{path}?overdue=true&sort=unit_name,{first}"))
        units = [r["unit_name"] for r in rows]
        assert units[:-1] == sorted(units[:-1]) and units[-1] is None, path  # none last
        for unit in world.units.values():
            days = [r["days_overdue"] for r in rows if r["unit_name"] == unit.name]
            assert days == sorted(days, reverse=True), path
        backwards = [r["unit_name"] for r in items(admin.get(
            f"/api/v1/{path}?overdue=true&sort=-unit_name"))]
        assert backwards[:-1] == sorted(backwards[:-1], reverse=True) and backwards[-1] is None


def test_a_village_handed_to_another_unit_takes_its_overdue_work_along(
        admin, session, world, late, clock):
    """The unit is the one holding the village now, not the one that held it then."""
    held = session.query(VillageAssignment).filter_by(
        village_id=world.villages["b"].id, ended_on=None).one()
    held.ended_on = clock.today()
    session.add(VillageAssignment(unit_id=world.units["a"].id, village_id=world.villages["b"].id,
                                  started_on=clock.today()))
    session.flush()
    (row,) = [r for r in items(admin.get("/api/v1/tasks?overdue=true"))
              if r["id"] == late["b1"][0]]
    assert row["unit_name"] == world.units["a"].name


def test_a_unit_admin_sees_its_own_units_overdue_work_only(unit_admin, world, late):
    for path in ("tasks", "demands"):
        rows = items(unit_admin.get(f"/api/v1/{path}?overdue=true&sort=unit_name"))
        assert {r["unit_name"] for r in rows} == {world.units["a"].name}
        assert len(rows) == 2
