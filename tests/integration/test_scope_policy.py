"""The one scope policy (service/scope.py), walked for every model and every role against a
county with a record of each kind on both sides of two units; the records are made through the
services with contexts of their own, no request around them (the command line's way).

World: unit A holds village a, unit B village b; cadres a1, a2 (A) and b1 (B); households a1,
a2 (village a) and b1 (village b); a1 and b1 are paired. The unit admin is A's, the cadre
account is cadre a1's.
"""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from service import scope
from service.assignments.models import VillageAssignment
from service.audit.models import AuditEvent
from service.contacts import services as contacts
from service.context import ANONYMOUS, Caller
from service.demands import services as demands
from service.disclosures import services as disclosures
from service.exceptions import Forbidden, NotFound
from service.inspections import services as inspections
from service.pairings.models import Pairing
from service.reports.disclosure import month_of
from service.tasks import services as tasks
from service.users.models import User
from service.visits import services as visits
from tests import factories
from tests.clock import CLOCK

ROLES = ("county_admin", "unit_admin", "cadre", "inspector")


def caller_of(user) -> Caller:
    return Caller(user.id, user.username, user.role, user.unit_id, user.cadre_id)


@pytest.fixture
def county(session, world):
    """The world, and one record of every other kind on each side, made by the services."""
    w = world
    cadre_b1 = factories.user(session, "cadre", cadre_=w.cadres["b1"])
    admin = factories.context(session, w.users["county_admin"])
    as_a1 = factories.context(session, w.users["cadre"])
    as_b1 = factories.context(session, cadre_b1)
    names: dict[str, dict[str, object]] = {}

    names["Task"] = {k: tasks.create_task(admin, {
        "household_id": w.households[k].id, "category": "low_income",
        "description": "增收", "due_on": CLOCK.today() + timedelta(days=30)}).id
        for k in ("a1", "a2", "b1")}
    names["Demand"] = {}
    names["Visit"] = {}
    for key, ctx in (("a1", as_a1), ("b1", as_b1)):
        household = w.households[key]
        names["Demand"][key] = demands.create_demand(ctx, {
            "id": uuid.uuid4(), "household_id": household.id, "category": "road_repair",
            "description": "路坏了"})[0].id
        names["Visit"][key] = visits.log_visit(ctx, {
            "id": uuid.uuid4(), "household_id": household.id, "kind": "home_visit",
            "visited_at": CLOCK.now() - timedelta(days=1)}).id
    organization = contacts.create_organization(admin, {
        "name": "a村党支部", "kind": "village_branch", "weak": True,
        "village_id": w.villages["a"].id})
    names["PartyOrganization"] = {"o": organization.id}
    names["ContactPoint"] = {k: contacts.create_contact_point(admin, {
        "cadre_id": w.cadres[k].id, "organization_id": organization.id})["id"]
        for k in ("a1", "b1")}
    names["Inspection"] = {"a": inspections.create_inspection(
        factories.context(session, w.users["inspector"]), {
            "village_id": w.villages["a"].id, "inspected_on": CLOCK.today(),
            "household_checks": [{"household_id": w.households["a1"].id, "knows_cadre": True,
                                  "has_contact_card": True, "visit_confirmed": True,
                                  "satisfaction": "satisfied"}]}).id}
    last_month = (CLOCK.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    names["Disclosure"] = {"a": disclosures.publish(
        admin, w.villages["a"].id, month_of(admin, last_month), None).id}

    names["Township"] = {"t": w.township.id}
    names["Village"] = {k: v.id for k, v in w.villages.items()}
    names["Unit"] = {k: u.id for k, u in w.units.items()}
    names["Cadre"] = {k: c.id for k, c in w.cadres.items()}
    names["Household"] = {k: h.id for k, h in w.households.items()}
    names["VillageAssignment"] = {k: session.scalar(select(VillageAssignment.id).where(
        VillageAssignment.unit_id == u.id)) for k, u in w.units.items()}
    names["Pairing"] = {k: session.scalar(select(Pairing.id).where(
        Pairing.cadre_id == w.cadres[k].id)) for k in ("a1", "b1")}
    names["User"] = {**{role: u.id for role, u in w.users.items()}, "cadre_b1": cadre_b1.id}
    session.flush()
    # Each event keyed by whose record it is about: "A…" unit A's (the policy's
    # unit_events, restated here as the records of unit A named above), "O…" any other.
    unit_a = {(kind, str(names[model][key])) for kind, model, keys in (
        ("unit", "Unit", ("a",)), ("village", "Village", ("a",)),
        ("disclosure", "Disclosure", ("a",)), ("village_assignment", "VillageAssignment", ("a",)),
        ("cadre", "Cadre", ("a1", "a2")), ("pairing", "Pairing", ("a1",)),
        ("contact_point", "ContactPoint", ("a1",)), ("household", "Household", ("a1", "a2")),
        ("task", "Task", ("a1", "a2")), ("demand", "Demand", ("a1",)),
        ("visit", "Visit", ("a1",)), ("user", "User", ("unit_admin", "cadre")))
        for key in keys}
    names["AuditEvent"] = {
        ("A" if (e.record_type, e.record_id) in unit_a else "O") + str(e.id): e.id
        for e in session.scalars(select(AuditEvent))}
    w.names = names
    return w


EVERYTHING = object()
NOTHING: set = set()
STAFF = dict.fromkeys(ROLES, EVERYTHING) | {"public": NOTHING}

# What each role sees, by the names of the county fixture: the policy restated as facts.
SEES = {
    "Township": STAFF, "Village": STAFF, "Unit": STAFF, "PartyOrganization": STAFF,
    "Disclosure": dict.fromkeys((*ROLES, "public"), EVERYTHING),
    "Cadre": {**STAFF, "unit_admin": {"a1", "a2"}, "cadre": {"a1"}},
    "Household": {**STAFF, "unit_admin": {"a1", "a2"}, "cadre": {"a1"}},
    "VillageAssignment": {**STAFF, "unit_admin": {"a"}, "cadre": {"a"}},
    "Pairing": {**STAFF, "unit_admin": {"a1"}, "cadre": {"a1"}},
    "ContactPoint": {**STAFF, "unit_admin": {"a1"}, "cadre": {"a1"}},
    "Task": {**STAFF, "unit_admin": {"a1", "a2"}, "cadre": {"a1"}},
    "Demand": {**STAFF, "unit_admin": {"a1"}, "cadre": {"a1"}},
    "Visit": {**STAFF, "unit_admin": {"a1"}, "cadre": {"a1"}},
    "Inspection": {"county_admin": EVERYTHING, "inspector": EVERYTHING, "unit_admin": NOTHING,
                   "cadre": NOTHING, "public": NOTHING},
    "AuditEvent": {"county_admin": EVERYTHING, "inspector": EVERYTHING,
                   "unit_admin": lambda key: key.startswith("A"), "cadre": NOTHING,
                   "public": NOTHING},
    "User": {"county_admin": EVERYTHING, "unit_admin": {"unit_admin"}, "cadre": {"cadre"},
             "inspector": {"inspector"}, "public": NOTHING},
}
# What each role may change where it differs from what it sees.
MANAGES = {
    "Unit": {"county_admin": EVERYTHING, "unit_admin": {"a"}, "cadre": NOTHING,
             "inspector": NOTHING, "public": NOTHING},
    "Village": {"county_admin": EVERYTHING, "unit_admin": {"a"}, "cadre": NOTHING,
                "inspector": NOTHING, "public": NOTHING},
}


def callers(world) -> dict[str, Caller]:
    return {**{role: caller_of(world.users[role]) for role in ROLES}, "public": ANONYMOUS}


def seen(session, caller, model, condition_of) -> set:
    condition = condition_of(caller, model)
    stmt = select(model.id)
    return set(session.scalars(stmt if condition is None else stmt.where(condition)))


def expected(names: dict, wanted) -> set:
    if wanted is EVERYTHING:
        return set(names.values())
    if callable(wanted):  # the names that pass
        return {v for k, v in names.items() if wanted(k)}
    return {names[k] for k in wanted}


def test_the_policy_covers_every_model_and_role():
    assert {m.__name__ for m in scope.SEE} == set(SEES)
    for model, by_role in scope.SEE.items():
        assert set(by_role) == set(scope.ROLES), model.__name__
    for model, by_role in scope.MANAGE.items():
        assert set(by_role) == set(scope.ROLES), model.__name__
    assert {m.__name__ for m in scope.MANAGE} == set(MANAGES)
    assert set(scope.SEES_PERSONAL) == set(scope.ROLES)


@pytest.mark.parametrize("model", sorted(SEES))
def test_each_role_sees_exactly_its_rows(session, county, model):
    mapped = next(m for m in scope.SEE if m.__name__ == model)
    names = county.names[model]
    assert len(names) >= 1
    for role, caller in callers(county).items():
        assert seen(session, caller, mapped, scope.visible) == expected(
            names, SEES[model][role]), (model, role)
    # The command line sees everything.
    assert seen(session, None, mapped, scope.visible) == set(names.values())


@pytest.mark.parametrize("model", sorted(SEES))
def test_each_role_changes_exactly_its_rows(session, county, model):
    mapped = next(m for m in scope.SEE if m.__name__ == model)
    names = county.names[model]
    policy = MANAGES.get(model, SEES[model])
    for role, caller in callers(county).items():
        assert seen(session, caller, mapped, scope.manageable) == expected(
            names, policy[role]), (model, role)


@pytest.mark.parametrize("model", sorted(SEES))
def test_a_record_out_of_scope_is_found_like_one_that_does_not_exist(session, county, model):
    mapped = next(m for m in scope.SEE if m.__name__ == model)
    names = county.names[model]
    missing = str(uuid.uuid4()) if model in ("Visit", "Demand") else 2_000_000_000
    for role, caller in callers(county).items():
        visible = seen(session, caller, mapped, scope.visible)
        for record_id in set(names.values()) - visible:
            with pytest.raises(NotFound) as hidden:
                scope.find(session, caller, mapped, record_id, "thing")
            with pytest.raises(NotFound) as absent:
                scope.find(session, caller, mapped, missing, "thing")
            assert str(hidden.value).replace(str(record_id), "N") == str(
                absent.value).replace(str(missing), "N"), (model, role)
        for record_id in visible:
            assert scope.find(session, caller, mapped, record_id, "thing").id == record_id


def test_personal_fields_by_role(county):
    shown = {role: scope.personal_fields(caller) for role, caller in callers(county).items()}
    assert shown == {
        "county_admin": {"card_code", "id_number", "income_per_capita", "phone"},
        "unit_admin": {"id_number", "income_per_capita", "phone"},
        "cadre": {"income_per_capita", "phone"},
        "inspector": set(), "public": set()}
    assert scope.personal_fields(None) == set(scope.PERSONAL)


def test_a_unit_admins_reports_are_pinned_to_its_unit(county):
    unit_admin = caller_of(county.users["unit_admin"])
    own = county.units["a"].id
    assert scope.pinned_to_own_unit(unit_admin, {}, "no")["unit_id"] == own
    with pytest.raises(Forbidden):
        scope.pinned_to_own_unit(unit_admin, {"unit_id": county.units["b"].id}, "no")
    inspector = caller_of(county.users["inspector"])
    assert scope.pinned_to_own_unit(inspector, {"unit_id": 7}, "no") == {"unit_id": 7}
    with pytest.raises(Forbidden):
        scope.pinned_to_own_unit(ANONYMOUS, {}, "no")


def test_a_unit_admin_reads_events_of_its_own_units_records_only(county):
    """The walk above compares sets; here, that both sides are there to compare: events of
    unit A's tasks, demands, visits, contact points and publication, and of unit B's."""
    events = county.names["AuditEvent"]
    own = {k for k in events if k.startswith("A")}
    assert len(own) >= 6 and len(events) - len(own) >= 6


def test_every_account_of_the_county_is_in_the_users_walk(session, county):
    assert set(session.scalars(select(User.id))) == set(county.names["User"].values())
