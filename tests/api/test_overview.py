"""SPEC §15 "Overview": GET /api/v1/reports/overview?month= — the county's figures in total,
per unit and per township, counted exactly on a small hand-built county; who may read it and
for what scope; hostile months and ids; and a fixed number of statements however many units.

The county (built here, not the `world` fixture), with LAST the last complete month and PREV
the one before it (tests/months.py, so any clock):

    township T1: village v1 (unit U), village v2 (unit W)
    township T2: village v3 (unit U), village v4 (no unit)
    unit X holds nothing.

    cadres   U: u1 general, u2 section chief, u3 general   W: w1 deputy section chief,
             w2 general                                     X: x1 general
    households v1: h1 (paired u1), h2 (paired u2), h3 (needs, no cadre), h4 (no needs)
               v2: h5, h6 (both paired w1)      v3: h7 (needs, no cadre now)
               v4: h8 (needs, no cadre)
    pairings since PREV's first day; u3 was paired with h3 for PREV's first days and with h7
    from then until LAST's tenth day.
    visits   LAST: u1–h1 direct, u2–h2 a phone call (R8: not direct), w1–h5 direct, u3–h7
             direct (before its end); PREV: w1–h6 direct.
    overdue  tasks: h1 (open), h8 (in progress) — not h2 (due later), h5 (done), h3 (closed);
             demands: h2 (open 20 days), h7 (in progress 16 days) — not h5 (3 days), h6
             (resolved).
    published: v1 for LAST, v2 for PREV.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

import pytest

from service.demands.models import Demand
from service.disclosures import services as disclosures
from service.reports.disclosure import month_of
from service.tasks.models import Task
from service.visits.models import Visit
from service.visits.rules import is_direct
from tests import factories
from tests.api.test_cadre_load import statements
from tests.clock import CST
from tests.months import LAST_FIRST, PREV_FIRST

OVERVIEW = "/api/v1/reports/overview"
LAST, PREV = LAST_FIRST.strftime("%Y-%m"), PREV_FIRST.strftime("%Y-%m")
FIGURES = ("needy_households", "paired_households", "unpaired_households", "cadres",
           "cadres_without_households", "cadres_below_quota", "pairings",
           "pairings_with_direct_visit", "overdue_tasks", "overdue_demands", "villages",
           "villages_published")


def at(day, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), CST)


@dataclass
class County:
    townships: dict = field(default_factory=dict)
    villages: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    cadres: dict = field(default_factory=dict)
    households: dict = field(default_factory=dict)
    pairings: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)


def visit(session, pairing, kind: str, when: datetime, user) -> None:
    session.add(Visit(id=str(uuid.uuid4()), cadre_id=pairing.cadre_id,
                      household_id=pairing.household_id, pairing_id=pairing.id,
                      visited_at=when, received_at=when, kind=kind, direct=is_direct(kind),
                      created_by=user.id, body_hash="-", flags=[]))


def task(session, household, due_on, status="open", closed_on=None) -> None:
    session.add(Task(household_id=household.id, category="low_income", description="增收",
                     due_on=due_on, status=status, source="manual", closed_on=closed_on))


def demand(session, household, opened_at: datetime, status: str, user) -> None:
    session.add(Demand(id=str(uuid.uuid4()), household_id=household.id,
                       created_by=user.id, category="road_repair", description="路坏了",
                       status=status, opened_at=opened_at, received_at=opened_at,
                       body_hash="0" * 64))


@pytest.fixture
def county(session, clock) -> County:
    c = County()
    f = factories
    c.townships = {"T1": f.township(session), "T2": f.township(session)}
    c.villages = {"v1": f.village(session, c.townships["T1"]),
                  "v2": f.village(session, c.townships["T1"]),
                  "v3": f.village(session, c.townships["T2"]),
                  "v4": f.village(session, c.townships["T2"])}
    c.units = {k: f.unit(session) for k in ("U", "W", "X")}
    for unit, village in (("U", "v1"), ("U", "v3"), ("W", "v2")):
        f.assign(session, c.units[unit], c.villages[village], started_on=PREV_FIRST)
    for key, unit, rank in (("u1", "U", "general"), ("u2", "U", "section_chief"),
                            ("u3", "U", "general"), ("w1", "W", "deputy_section_chief"),
                            ("w2", "W", "general"), ("x1", "X", "general")):
        c.cadres[key] = f.cadre(session, c.units[unit], rank=rank)
    for key, village, extra in (("h1", "v1", {}), ("h2", "v1", {"difficulty": "harder"}),
                                ("h3", "v1", {}), ("h4", "v1", {"needs": []}),
                                ("h5", "v2", {"difficulty": "harder"}),
                                ("h6", "v2", {"difficulty": "harder"}),
                                ("h7", "v3", {}), ("h8", "v4", {})):
        c.households[key] = f.household(session, c.villages[village], **extra)
    for cadre, household in (("u1", "h1"), ("u2", "h2"), ("w1", "h5"), ("w1", "h6")):
        c.pairings[household] = f.pair(session, c.cadres[cadre], c.households[household],
                                       started_on=PREV_FIRST)
    c.pairings["h3"] = f.pair(session, c.cadres["u3"], c.households["h3"], PREV_FIRST)
    c.pairings["h3"].ended_on = PREV_FIRST + timedelta(days=4)
    session.flush()
    c.pairings["h7"] = f.pair(session, c.cadres["u3"], c.households["h7"],
                              PREV_FIRST + timedelta(days=5))
    c.pairings["h7"].ended_on = LAST_FIRST + timedelta(days=9)
    c.users = {"county_admin": f.user(session, "county_admin"),
               "inspector": f.user(session, "inspector"),
               "unit_admin": f.user(session, "unit_admin", unit_=c.units["U"]),
               "cadre": f.user(session, "cadre", cadre_=c.cadres["u1"])}
    admin = c.users["county_admin"]
    p = c.pairings
    visit(session, p["h1"], "home_visit", at(LAST_FIRST + timedelta(days=3)), admin)
    visit(session, p["h2"], "phone", at(LAST_FIRST + timedelta(days=4)), admin)
    visit(session, p["h5"], "heart_to_heart", at(LAST_FIRST + timedelta(days=19)), admin)
    visit(session, p["h7"], "home_visit", at(LAST_FIRST + timedelta(days=2)), admin)
    visit(session, p["h6"], "home_visit", at(PREV_FIRST + timedelta(days=1)), admin)
    today, now = clock.today(), clock.now()
    h = c.households
    task(session, h["h1"], today - timedelta(days=1))
    task(session, h["h8"], today - timedelta(days=30), status="in_progress")
    task(session, h["h2"], today + timedelta(days=10))
    task(session, h["h5"], today - timedelta(days=30), status="done")
    task(session, h["h3"], today - timedelta(days=30), closed_on=today - timedelta(days=2))
    demand(session, h["h2"], now - timedelta(days=20), "open", admin)
    demand(session, h["h7"], now - timedelta(days=16), "in_progress", admin)
    demand(session, h["h5"], now - timedelta(days=3), "open", admin)
    demand(session, h["h6"], now - timedelta(days=30), "resolved", admin)
    session.flush()
    ctx = factories.context(session, admin)
    disclosures.publish(ctx, c.villages["v1"].id, month_of(ctx, LAST), None)
    disclosures.publish(ctx, c.villages["v2"].id, month_of(ctx, PREV), None)
    session.commit()
    return c


def figures(**given) -> dict:
    out = dict.fromkeys(FIGURES, 0)
    out.update(given)
    return out


def overview(api, query: str) -> dict:
    response = api.get(f"{OVERVIEW}?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.json
    for row in [body["totals"], *body["units"], *body["townships"]]:
        assert row["unpaired_households"] == row["needy_households"] - row["paired_households"]
    return body


def rows(body: dict, kind: str, county: County) -> dict:
    """The rows of a kind ("unit", "township") by the county's names for them."""
    source = county.units if kind == "unit" else county.townships
    names = {record.id: key for key, record in source.items()}
    return {names[r[f"{kind}_id"]]: {f: r[f] for f in FIGURES} for r in body[f"{kind}s"]}


# --- the figures, exactly -------------------------------------------------------------------

LAST_TOTALS = figures(needy_households=7, paired_households=4, unpaired_households=3, cadres=6,
                      cadres_without_households=3, cadres_below_quota=1, pairings=5,
                      pairings_with_direct_visit=3, overdue_tasks=2, overdue_demands=2,
                      villages=4, villages_published=1)
LAST_UNITS = {
    "U": figures(needy_households=4, paired_households=2, unpaired_households=2, cadres=3,
                 cadres_without_households=1, cadres_below_quota=1, pairings=3,
                 pairings_with_direct_visit=2, overdue_tasks=1, overdue_demands=2, villages=2,
                 villages_published=1),
    "W": figures(needy_households=2, paired_households=2, cadres=2, cadres_without_households=1,
                 pairings=2, pairings_with_direct_visit=1, villages=1),
    "X": figures(cadres=1, cadres_without_households=1),
}
LAST_TOWNSHIPS = {
    # U's cadres count in both townships it holds villages in; W's in T1.
    "T1": figures(needy_households=5, paired_households=4, unpaired_households=1, cadres=5,
                  cadres_without_households=2, cadres_below_quota=1, pairings=4,
                  pairings_with_direct_visit=2, overdue_tasks=1, overdue_demands=1, villages=2,
                  villages_published=1),
    "T2": figures(needy_households=2, unpaired_households=2, cadres=3,
                  cadres_without_households=1, cadres_below_quota=1, pairings=1,
                  pairings_with_direct_visit=1, overdue_tasks=1, overdue_demands=1,
                  villages=2),
}


def test_the_county_in_figures_for_last_month(county, login_as):
    body = overview(login_as(county.users["county_admin"]), f"month={LAST}")
    assert body["month"] == LAST
    assert body["totals"] == LAST_TOTALS
    assert rows(body, "unit", county) == LAST_UNITS
    assert rows(body, "township", county) == LAST_TOWNSHIPS
    named = {r["unit_id"]: r["unit_name"] for r in body["units"]}
    assert named == {u.id: u.name for u in county.units.values()}
    assert {r["township_id"]: r["township_name"] for r in body["townships"]} == {
        t.id: t.name for t in county.townships.values()}


def test_a_month_changes_only_its_own_figures(county, login_as):
    """The month before: its pairings (u3's two), its visits, its publication; the rest is
    the record as it stands today, the same for any month."""
    body = overview(login_as(county.users["county_admin"]), f"month={PREV}")
    assert body["totals"] == {**LAST_TOTALS, "pairings": 6, "pairings_with_direct_visit": 1,
                              "villages_published": 1}
    units = rows(body, "unit", county)
    assert (units["U"]["pairings"], units["U"]["pairings_with_direct_visit"],
            units["U"]["villages_published"]) == (4, 0, 0)
    assert (units["W"]["pairings"], units["W"]["pairings_with_direct_visit"],
            units["W"]["villages_published"]) == (2, 1, 1)


def test_the_inspector_reads_the_county_too(county, login_as):
    body = overview(login_as(county.users["inspector"]), f"month={LAST}")
    assert body["totals"] == LAST_TOTALS


def test_a_township_keeps_its_records_and_the_units_holding_there(county, login_as):
    t2 = county.townships["T2"].id
    body = overview(login_as(county.users["county_admin"]), f"month={LAST}&township_id={t2}")
    assert body["totals"] == LAST_TOWNSHIPS["T2"]
    assert rows(body, "township", county) == {"T2": LAST_TOWNSHIPS["T2"]}
    assert rows(body, "unit", county) == {"U": figures(
        needy_households=1, unpaired_households=1, cadres=3, cadres_without_households=1,
        cadres_below_quota=1, pairings=1, pairings_with_direct_visit=1, overdue_demands=1,
        villages=1)}


def test_a_unit_filter_keeps_the_units_records(county, login_as):
    u = county.units["U"].id
    body = overview(login_as(county.users["county_admin"]), f"month={LAST}&unit_id={u}")
    assert body["totals"] == LAST_UNITS["U"]
    assert rows(body, "unit", county) == {"U": LAST_UNITS["U"]}
    assert rows(body, "township", county) == {
        "T1": figures(needy_households=3, paired_households=2, unpaired_households=1,
                      cadres=3, cadres_without_households=1, cadres_below_quota=1, pairings=2,
                      pairings_with_direct_visit=1, overdue_tasks=1, overdue_demands=1,
                      villages=1, villages_published=1),
        "T2": figures(needy_households=1, unpaired_households=1, cadres=3,
                      cadres_without_households=1, cadres_below_quota=1, pairings=1,
                      pairings_with_direct_visit=1, overdue_demands=1, villages=1)}


# --- scope -----------------------------------------------------------------------------------


def test_a_unit_admin_reads_its_own_unit_only(county, login_as):
    api = login_as(county.users["unit_admin"])
    own = overview(api, f"month={LAST}")
    assert own["totals"] == LAST_UNITS["U"]
    assert [r["unit_id"] for r in own["units"]] == [county.units["U"].id]
    asked = overview(api, f"month={LAST}&unit_id={county.units['U'].id}")
    assert asked["totals"] == own["totals"]
    for other in (county.units["W"].id, 2_000_000_000):  # another unit, or none: alike
        refused = api.get(f"{OVERVIEW}?month={LAST}&unit_id={other}")
        assert refused.status_code == 403, refused.json
        assert refused.content_type == "application/problem+json"
        assert str(other) not in refused.json["detail"]


def test_a_cadre_and_an_anonymous_caller_are_refused(county, login_as, anonymous):
    cadre = login_as(county.users["cadre"]).get(f"{OVERVIEW}?month={LAST}")
    assert cadre.status_code == 403 and cadre.json["code"] == "forbidden"
    assert anonymous.get(f"{OVERVIEW}?month={LAST}").status_code == 401


# --- hostile input ---------------------------------------------------------------------------


@pytest.mark.parametrize("query, field", [
    ("month=2026-13", "month"), ("month=9999-99", "month"), ("month=0000-00", "month"),
    ("month=2026-1", "month"), ("month=%00", "month"), ("", "month"),
    (f"month={LAST}&unit_id={2**63}", "unit_id"),
    (f"month={LAST}&township_id={2**63}", "township_id"),
    (f"month={LAST}&unit_id=-1", "unit_id"), (f"month={LAST}&unit_id=1.5", "unit_id"),
])
def test_hostile_months_and_ids_are_422_naming_the_field(county, login_as, query, field):
    response = login_as(county.users["county_admin"]).get(f"{OVERVIEW}?{query}")
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    if response.status_code == 422:
        assert field in response.json["errors"], response.json


def test_a_month_not_begun_is_422(county, login_as, clock):
    later = (clock.today().replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    response = login_as(county.users["county_admin"]).get(f"{OVERVIEW}?month={later}")
    assert response.status_code == 422 and "month" in response.json["errors"]


# --- statements --------------------------------------------------------------------------------


def _grow(session, n: int) -> None:
    """n more units, each holding a village of a new township with a cadre, a paired
    household, a task and a visit."""
    admin = factories.user(session, "county_admin")
    for _ in range(n):
        unit, village = factories.unit(session), factories.village(session)
        factories.assign(session, unit, village, started_on=PREV_FIRST)
        cadre = factories.cadre(session, unit)
        household = factories.household(session, village)
        pairing = factories.pair(session, cadre, household, started_on=PREV_FIRST)
        task(session, household, LAST_FIRST)
        visit(session, pairing, "home_visit", at(LAST_FIRST + timedelta(days=1)), admin)
    session.commit()


def test_the_statements_do_not_grow_with_the_units(county, session, connection, login_as):
    api = login_as(county.users["county_admin"])
    with statements(connection) as small:
        assert api.get(f"{OVERVIEW}?month={LAST}").status_code == 200
    _grow(session, 12)
    with statements(connection) as large:
        body = overview(api, f"month={LAST}")
    assert len(body["units"]) == 15 and len(body["townships"]) == 14
    assert body["totals"]["pairings"] == LAST_TOTALS["pairings"] + 12
    print(f"statements: 3 units {len(small)}, 15 units {len(large)}")
    assert len(large) == len(small) <= 12


# --- the same figures as the reports and lists they summarise ---------------------------------


def test_the_totals_agree_with_the_coverage_report_lists_and_bulletin(county, login_as):
    api = login_as(county.users["county_admin"])
    totals = overview(api, f"month={LAST}")["totals"]
    coverage = api.get("/api/v1/coverage").json["summary"]
    assert totals["unpaired_households"] == coverage["households_with_needs_without_cadre"]
    assert totals["cadres_without_households"] == coverage["cadres_without_pairing"]
    assert totals["cadres_below_quota"] == coverage["cadres_below_quota"]
    assert totals["overdue_tasks"] == api.get("/api/v1/tasks?overdue=true").json["total"]
    assert totals["overdue_demands"] == api.get("/api/v1/demands?overdue=true").json["total"]
    assert totals["villages"] == api.get("/api/v1/villages").json["total"]
    assert totals["cadres"] == api.get("/api/v1/cadres").json["total"]
    published = api.get(f"/api/v1/disclosures?month={LAST}").json["items"]
    assert totals["villages_published"] == len({d["village_id"] for d in published})
    bulletin = api.get(f"/api/v1/reports/bulletin?month={LAST}").json["units"]
    assert totals["pairings"] == sum(u["pairings"] for u in bulletin)
    assert totals["pairings_with_direct_visit"] == sum(u["pairings_visited"] for u in bulletin)
