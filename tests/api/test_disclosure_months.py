"""SPEC §15 "A month published in one call": POST /api/v1/disclosures/months/{month} publishes
every village a unit held in the month and not yet published, each as the single publication
would (same document, same chain); a second call publishes nothing new; a call cut short by its
time budget lists what it did not reach and the next call continues there; a refused village
costs the others nothing. GET …/months/{month} lists every village of the caller's scope with
its status. Who may do which, hostile months and ids.

The `world` fixture (unit A holds village a, unit B village b, both since 2026-01-01) and, here,
a second township with village c (held by B) and village d (no unit). LAST is the last
complete month (tests/months.py), so the tests pass on any day.
"""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from service import heavy
from service.assignments.models import VillageAssignment
from service.cadres.models import Cadre
from service.disclosures import months as months_service
from service.exceptions import Conflict
from service.reports.disclosure import build_disclosure, build_disclosures, month_of
from tests import factories
from tests.months import LAST_FIRST, PREV_FIRST, THIS_FIRST

API = "/api/v1"
LAST = LAST_FIRST.strftime("%Y-%m")
THIS = THIS_FIRST.strftime("%Y-%m")
MONTHS = f"{API}/disclosures/months"


@pytest.fixture
def county(world, session):
    """The world with a second township: village c held by unit B, village d held by none."""
    t2 = factories.township(session, code="149999999")
    world.townships = {"t": world.township, "t2": t2}
    world.villages["c"] = factories.village(session, t2)
    world.villages["d"] = factories.village(session, t2)
    factories.assign(session, world.units["b"], world.villages["c"])
    session.commit()
    return world


def ids(county, *keys) -> list[int]:
    return [county.villages[k].id for k in keys]


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:600]
    return response.json


def problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:600]
    assert response.content_type == "application/problem+json"
    if code is not None:
        assert response.json["code"] == code, response.json
    return response.json


def villages_of(items: list[dict]) -> list[int]:
    return [item["village_id"] for item in items]


def chain_holds(anonymous, disclosure_ids: list[int]) -> dict:
    """The county's chain checked from its first publication up to the newest of these."""
    verified = ok(anonymous.get(f"{API}/disclosures/{max(disclosure_ids)}/verify"))
    assert verified["valid"] is True and verified["broken_at"] is None, verified
    return verified


# --- publishing a month ----------------------------------------------------------------------


def test_a_month_is_published_village_by_village_and_the_chain_holds(county, admin, anonymous):
    body = ok(admin.post(f"{MONTHS}/{LAST}"))  # no body: the whole county
    assert body["month"] == LAST
    assert villages_of(body["published"]) == ids(county, "a", "b", "c")  # d had no unit
    assert body["already"] == body["failed"] == body["pending"] == []
    verified = chain_holds(anonymous, [p["disclosure_id"] for p in body["published"]])
    assert verified["checked"] == 3

    # Each is what the single publication makes: the village's disclosure of the month, in
    # the chain's order.
    listed = ok(anonymous.get(f"{API}/disclosures?month={LAST}"))["items"]
    assert sorted(d["id"] for d in listed) == sorted(p["disclosure_id"] for p in body["published"])
    for item in body["published"]:
        published = ok(anonymous.get(f"{API}/disclosures/{item['disclosure_id']}"))
        assert published["village_id"] == item["village_id"] and published["revision"] == 1
        live = ok(anonymous.get(f"{API}/reports/disclosure?village_id={item['village_id']}"
                                f"&month={LAST}"))
        frozen = published["document"]["content"]
        assert {k: v for k, v in frozen.items() if k != "generated_at"} == {
            k: v for k, v in live.items() if k != "generated_at"}


def test_a_second_call_publishes_nothing_new(county, admin, anonymous):
    first = ok(admin.post(f"{MONTHS}/{LAST}"))
    second = ok(admin.post(f"{MONTHS}/{LAST}", json={}))
    assert second["published"] == [] and second["failed"] == []
    assert second["already"] == first["published"]
    assert ok(anonymous.get(f"{API}/disclosures?month={LAST}"))["total"] == 3


def test_a_village_published_alone_before_is_already_published(county, admin):
    single = ok(admin.post(f"{API}/disclosures", json={"village_id": county.villages["b"].id,
                                                       "month": LAST}), 201)
    body = ok(admin.post(f"{MONTHS}/{LAST}"))
    assert body["already"] == [{"village_id": county.villages["b"].id,
                                "disclosure_id": single["id"]}]
    assert villages_of(body["published"]) == ids(county, "a", "c")


def test_a_township_at_a_time(county, admin, anonymous):
    t2 = county.townships["t2"].id
    body = ok(admin.post(f"{MONTHS}/{LAST}", json={"township_id": t2}))
    assert villages_of(body["published"]) == ids(county, "c")
    rest = ok(admin.post(f"{MONTHS}/{LAST}"))
    assert villages_of(rest["published"]) == ids(county, "a", "b")
    assert villages_of(rest["already"]) == ids(county, "c")
    chain_holds(anonymous, [p["disclosure_id"] for p in rest["published"]])


def test_only_villages_a_unit_held_in_the_month_are_due(county, admin, session):
    """Village d is taken by unit A only after the month, and village b's unit left it before
    the month began: neither is due; c was held for part of the month: it is."""
    factories.assign(session, county.units["a"], county.villages["d"], started_on=THIS_FIRST)
    b_held = session.scalar(select(VillageAssignment).where(
        VillageAssignment.village_id == county.villages["b"].id))
    b_held.ended_on = PREV_FIRST + timedelta(days=3)
    c_held = session.scalar(select(VillageAssignment).where(
        VillageAssignment.village_id == county.villages["c"].id))
    c_held.ended_on = LAST_FIRST + timedelta(days=1)
    session.commit()
    body = ok(admin.post(f"{MONTHS}/{LAST}"))
    assert villages_of(body["published"]) == ids(county, "a", "c")
    statuses = {v["village_id"]: v["status"]
                for v in ok(admin.get(f"{MONTHS}/{LAST}"))["villages"]}
    assert statuses == dict(zip(ids(county, "a", "b", "c", "d"),
                                ("published", "no_unit", "published", "no_unit"), strict=True))


def test_a_call_cut_short_by_its_budget_lists_the_rest_and_the_next_call_goes_on(
        county, admin, anonymous, monkeypatch):
    """The budget is read before each batch of villages and each village; here it runs out
    after two villages (no wall clock: the remaining time is what the test says)."""
    left = iter([100.0, 100.0, 100.0])  # the batch, village a, village b
    monkeypatch.setattr(months_service.deadline, "remaining", lambda: next(left, 0.0))
    first = ok(admin.post(f"{MONTHS}/{LAST}"))
    assert villages_of(first["published"]) == ids(county, "a", "b")
    assert first["pending"] == [{"village_id": county.villages["c"].id}]
    monkeypatch.undo()
    second = ok(admin.post(f"{MONTHS}/{LAST}"))
    assert villages_of(second["published"]) == ids(county, "c")
    assert second["already"] == first["published"] and second["pending"] == []
    assert chain_holds(anonymous, [second["published"][0]["disclosure_id"]])["checked"] == 3


def test_a_refused_village_costs_the_others_nothing(county, admin, anonymous, monkeypatch):
    real = months_service.publish
    b = county.villages["b"].id

    def refusing(ctx, village_id, *rest):
        if village_id == b:
            real(ctx, village_id, *rest)  # written, then refused: rolled back
            raise Conflict("Refused for the test.")
        return real(ctx, village_id, *rest)

    monkeypatch.setattr(months_service, "publish", refusing)
    body = ok(admin.post(f"{MONTHS}/{LAST}"))
    assert villages_of(body["published"]) == ids(county, "a", "c")
    [failed] = body["failed"]
    assert failed["village_id"] == b
    assert failed["problem"]["code"] == "conflict" and failed["problem"]["status"] == 409
    chain_holds(anonymous, [p["disclosure_id"] for p in body["published"]])
    assert ok(anonymous.get(f"{API}/disclosures?village_id={b}"))["total"] == 0
    monkeypatch.undo()
    again = ok(admin.post(f"{MONTHS}/{LAST}"))
    assert villages_of(again["published"]) == [b]
    chain_holds(anonymous, [again["published"][0]["disclosure_id"]])


def test_a_village_another_publisher_took_meanwhile_is_already_published(
        county, admin, session, monkeypatch):
    """Between reading the statuses and publishing, a clerk publishes village b alone."""
    real = months_service.month_villages
    single = ok(admin.post(f"{API}/disclosures", json={"village_id": county.villages["b"].id,
                                                       "month": LAST}), 201)

    def stale(ctx, month, args):
        return [{**v, "status": "unpublished"} if v["village_id"] == county.villages["b"].id
                else v for v in real(ctx, month, args)]

    monkeypatch.setattr(months_service, "month_villages", stale)
    body = ok(admin.post(f"{MONTHS}/{LAST}"))
    assert body["already"] == [{"village_id": county.villages["b"].id,
                                "disclosure_id": single["id"]}]
    assert villages_of(body["published"]) == ids(county, "a", "c") and body["failed"] == []


def test_it_is_heavy_work_and_waits_for_no_slot(county, admin, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "HEAVY_REQUESTS", 1)
    monkeypatch.setitem(app.config, "HEAVY_DIR", str(tmp_path))
    with heavy.slot(tmp_path, 1):
        problem(admin.post(f"{MONTHS}/{LAST}"), 503, "busy")
        assert ok(admin.get(f"{MONTHS}/{LAST}"))["totals"]["published"] == 0
    assert len(ok(admin.post(f"{MONTHS}/{LAST}"))["published"]) == 3


def test_a_month_not_over_is_refused_whole(county, admin, anonymous):
    problem(admin.post(f"{MONTHS}/{THIS}"), 422, "validation_failed")
    later = (THIS_FIRST + timedelta(days=32)).strftime("%Y-%m")
    assert "month" in problem(admin.post(f"{MONTHS}/{later}"), 422)["errors"]
    assert ok(anonymous.get(f"{API}/disclosures"))["total"] == 0


@pytest.mark.parametrize("month", ["2026-13", "9999-99", "0000-00", "2026-1", "26-10",
                                   "2026-10-01", "x" * 300, str(2**63)])
def test_hostile_months_are_422_naming_the_month(county, admin, month):
    for response in (admin.post(f"{MONTHS}/{month}"), admin.get(f"{MONTHS}/{month}")):
        assert "month" in problem(response, 422, "validation_failed")["errors"]


@pytest.mark.parametrize("body, status", [
    ({"township_id": 2**63}, 422), ({"township_id": 2_000_000_000}, 422),
    ({"township_id": -1}, 422), ({"township_id": None}, 422), ({"village_id": 1}, 422),
    ([], 422), ("x", 422)])
def test_hostile_bodies_are_refused_and_publish_nothing(county, admin, anonymous, body, status):
    answer = admin.post(f"{MONTHS}/{LAST}", json=body)
    problem(answer, status)
    assert ok(anonymous.get(f"{API}/disclosures"))["total"] == 0


def test_a_township_that_does_not_exist_is_named(county, admin):
    errors = problem(admin.post(f"{MONTHS}/{LAST}", json={"township_id": 2_000_000_000}),
                     422)["errors"]
    assert list(errors) == ["township_id"]


# --- where every village stands --------------------------------------------------------------


def test_every_village_with_its_status_and_names(county, admin, inspector):
    published = ok(admin.post(f"{MONTHS}/{LAST}", json={"township_id": county.townships["t"].id}))
    by_village = {p["village_id"]: p["disclosure_id"] for p in published["published"]}
    for api in (admin, inspector):
        body = ok(api.get(f"{MONTHS}/{LAST}"))
        assert body["month"] == LAST
        assert body["totals"] == {"villages": 4, "published": 2, "unpublished": 1,
                                  "no_unit": 1}
        rows = {v["village_id"]: v for v in body["villages"]}
        assert list(rows) == ids(county, "a", "b", "c", "d")
        for key in ("a", "b"):
            row = rows[county.villages[key].id]
            assert row["status"] == "published"
            assert row["disclosure_id"] == by_village[county.villages[key].id]
            assert len(row["sha256"]) == 64 and row["revision"] == 1
        c, d = rows[county.villages["c"].id], rows[county.villages["d"].id]
        assert (c["status"], c["disclosure_id"], c["sha256"]) == ("unpublished", None, None)
        assert d["status"] == "no_unit"
        assert (d["village_name"], d["township_id"], d["township_name"]) == (
            county.villages["d"].name, county.townships["t2"].id, county.townships["t2"].name)


def test_a_correction_shows_the_latest_revision(county, admin):
    first = ok(admin.post(f"{API}/disclosures", json={"village_id": county.villages["a"].id,
                                                      "month": LAST}), 201)
    second = ok(admin.post(f"{API}/disclosures", json={
        "village_id": county.villages["a"].id, "month": LAST,
        "correction_reason": "走访次数录入有误"}), 201)
    row = ok(admin.get(f"{MONTHS}/{LAST}"))["villages"][0]
    assert (row["disclosure_id"], row["sha256"], row["revision"]) == (
        second["id"], second["sha256"], 2)
    assert first["id"] != second["id"]
    again = ok(admin.post(f"{MONTHS}/{LAST}"))
    assert {"village_id": county.villages["a"].id, "disclosure_id": second["id"]} in \
        again["already"]


def test_filters_by_township_and_unit(county, admin):
    t2 = county.townships["t2"].id
    assert villages_of(ok(admin.get(f"{MONTHS}/{LAST}?township_id={t2}"))["villages"]) == \
        ids(county, "c", "d")
    b = county.units["b"].id
    assert villages_of(ok(admin.get(f"{MONTHS}/{LAST}?unit_id={b}"))["villages"]) == \
        ids(county, "b", "c")


def test_a_unit_admin_sees_the_villages_its_unit_held_and_no_other(county, unit_admin):
    body = ok(unit_admin.get(f"{MONTHS}/{LAST}"))
    assert villages_of(body["villages"]) == ids(county, "a")
    assert body["totals"] == {"villages": 1, "published": 0, "unpublished": 1, "no_unit": 0}
    for other in (county.units["b"].id, 2_000_000_000):
        problem(unit_admin.get(f"{MONTHS}/{LAST}?unit_id={other}"), 403, "forbidden")


def test_the_current_month_is_listed_all_unpublished(county, admin):
    body = ok(admin.get(f"{MONTHS}/{THIS}"))
    assert body["totals"]["unpublished"] == 3 and body["totals"]["published"] == 0


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role, publish, read", [
    ("county_admin", 200, 200), ("unit_admin", 403, 200), ("inspector", 403, 200),
    ("cadre", 403, 403)])
def test_who_may_publish_a_month_and_read_its_statuses(county, login_as, anonymous, role,
                                                       publish, read):
    api = login_as(county.users[role])
    answer = api.post(f"{MONTHS}/{LAST}")
    assert answer.status_code == publish, answer.json
    assert api.get(f"{MONTHS}/{LAST}").status_code == read
    if publish != 200:
        assert ok(anonymous.get(f"{API}/disclosures"))["total"] == 0
    problem(anonymous.post(f"{MONTHS}/{LAST}"), 401)
    problem(anonymous.get(f"{MONTHS}/{LAST}"), 401)


# --- a batch builds each village's disclosure as the village alone would -----------------------


def test_a_batch_builds_each_village_as_it_would_be_built_alone(county, admin, session, clock,
                                                                login_as):
    """Household a2 moves from village a to village b in the middle of LAST, with a cadre,
    a visit and a demand on each side: its pairings belong to two villages of one batch, each
    village shows its own. Built together or one by one, the documents are the same."""

    def at(days: int, hour: int = 10) -> str:
        return f"{(LAST_FIRST + timedelta(days=days)).isoformat()}T{hour:02d}:00:00+08:00"

    household = county.households["a2"]  # harder: a section chief's
    with clock.at(at(-20)):
        first = ok(admin.post(f"{API}/pairings", json={
            "cadre_id": county.cadres["a2"].id, "household_id": household.id,
            "started_on": (LAST_FIRST - timedelta(days=20)).isoformat()}), 201)
        chief_a = login_as(factories.user(session, "cadre", cadre_=county.cadres["a2"]))
        session.commit()
    with clock.at(at(2)):
        ok(chief_a.post(f"{API}/visits", json={
            "id": str(uuid.uuid4()), "household_id": household.id, "kind": "home_visit",
            "visited_at": at(2, 9)}), 201)
        ok(chief_a.post(f"{API}/demands", json={
            "id": str(uuid.uuid4()), "household_id": household.id,
            "category": "road_repair", "description": "修路"}), 201)
    with clock.at(at(5)):
        ok(admin.post(f"{API}/pairings/{first['id']}/end", json={
            "reason": "搬迁", "ended_on": (LAST_FIRST + timedelta(days=4)).isoformat()}))
        etag = admin.get(f"{API}/households/{household.id}").headers["ETag"]
        ok(admin.patch(f"{API}/households/{household.id}",
                       json={"village_id": county.villages["b"].id}, headers={"If-Match": etag}))
        chief_b = ok(admin.post(f"{API}/cadres", json={
            "name": "乙单位副科", "unit_id": county.units["b"].id,
            "rank": "deputy_section_chief"}), 201)
        ok(admin.post(f"{API}/pairings", json={"cadre_id": chief_b["id"],
                                               "household_id": household.id}), 201)
        chief_b_api = login_as(factories.user(session, "cadre",
                                              cadre_=session.get(Cadre, chief_b["id"])))
        session.commit()
    with clock.at(at(8)):
        ok(chief_b_api.post(f"{API}/visits", json={
            "id": str(uuid.uuid4()), "household_id": household.id, "kind": "heart_to_heart",
            "visited_at": at(8, 9)}), 201)
        ok(chief_b_api.post(f"{API}/demands", json={
            "id": str(uuid.uuid4()), "household_id": household.id,
            "category": "water_supply", "description": "通水"}), 201)

    ctx = factories.context(session, county.users["county_admin"])
    month = month_of(ctx, LAST)
    villages = ids(county, "a", "b", "c", "d")
    together = build_disclosures(ctx, villages, month)
    alone = {v: build_disclosure(ctx, v, month) for v in villages}
    assert together == alone
    a, b = together[villages[0]], together[villages[1]]
    moved = [p for p in a["pairings"] + b["pairings"]
             if p["household"].startswith(household.head_name[0]) and p["rank"] != "general"]
    assert len(moved) == 2  # once in each village, for the days it was there
    assert a["summary"]["direct_visits"] == 1 and b["summary"]["direct_visits"] == 1
    # And the month published in one call froze exactly those.
    published = ok(admin.post(f"{MONTHS}/{LAST}"))["published"]
    for item in published:
        frozen = ok(admin.get(f"{API}/disclosures/{item['disclosure_id']}"))["document"]
        assert {k: v for k, v in frozen["content"].items() if k != "generated_at"} == {
            k: v for k, v in alone[item["village_id"]].items() if k != "generated_at"}
