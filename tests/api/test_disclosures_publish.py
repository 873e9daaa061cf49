"""Publishing a village's month (SPEC §6): frozen, hashed, chained, never changed afterwards.

Covered: what is published is the live disclosure of that moment; `sha256` is the SHA-256 of the
canonical JSON of the returned `document` (recomputed here independently); the county's chain
(`previous_sha256` of one publication is the `sha256` of the one before, the first's is null);
publishing again is 409 `already_published` and writes nothing; a correction becomes revision 2
linked by `corrects_id`; an unfinished month, a correction with nothing to correct, an unknown
village; who may publish and who may read; frozen content does not follow later changes; the
database trigger refuses an UPDATE of a published row; what `/verify` says after someone who can
bypass the trigger alters a row (the document, `sha256`, `previous_sha256`, a deleted row); the
CSV and HTML of a published disclosure.

The `world` fixture: unit A holds village a, unit B holds village b; cadre a1 (the cadre
account) is paired with household a1, cadre b1 with household b1, since 2026-01-01. Every test
runs in one rolled-back transaction, so the county's chain starts empty (seq 1) in each test;
the trigger dropped or disabled by a tampering test comes back with the rollback.

Dates: the tests run at the suite's clock (NOW, tests/clock.py) and publish the last complete
month (LAST) and the one before it (PREV), both read from tests/months.py, so they pass whatever
NOW is. A record that stands for an earlier moment (unit A's new head, a task created the month
before, a transition last month) is made through the API with the clock set to that moment
(`CLOCK.at`), never back-dated afterwards.
"""

import csv
import hashlib
import io
import json
import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError

from service.disclosures.models import Disclosure
from service.reports import render
from tests.clock import CLOCK
from tests.months import LAST_FIRST, PREV_FIRST, THIS_FIRST, first_of

API = "/api/v1"
PUBLISH = f"{API}/disclosures"
PROBLEM = "application/problem+json"
CST = ZoneInfo("Asia/Shanghai")


# --- months and helpers --------------------------------------------------------------------

THIS = THIS_FIRST.strftime("%Y-%m")  # the current month: not over yet
LAST = LAST_FIRST.strftime("%Y-%m")  # the last complete month (2026-10 when this was written)
PREV = PREV_FIRST.strftime("%Y-%m")  # the month before it
NEXT = first_of(THIS_FIRST + timedelta(days=31)).strftime("%Y-%m")


def in_last_month(day: int, hour: int = 10) -> datetime:
    return datetime.combine(LAST_FIRST + timedelta(days=day - 1), time(hour), CST)


def in_prev_month(day: int, hour: int = 10) -> datetime:
    return datetime.combine(PREV_FIRST + timedelta(days=day - 1), time(hour), CST)


def canonical(document: dict) -> bytes:
    """The hashed bytes, written out here from the published rule, not imported."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def sha256(document: dict) -> str:
    return hashlib.sha256(canonical(document)).hexdigest()


def assert_problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.content_type.startswith(PROBLEM)
    if code is not None:
        assert response.json["code"] == code, response.json
    return response.json


def publish(api, village, month=LAST, **kw) -> dict:
    response = api.post(PUBLISH, json={"village_id": village.id, "month": month, **kw})
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    return response.json


def live(api, village, month=LAST) -> dict:
    response = api.get(f"{API}/reports/disclosure?village_id={village.id}&month={month}")
    assert response.status_code == 200, response.json
    return response.json


def without_generated_at(content: dict) -> dict:
    return {k: v for k, v in content.items() if k != "generated_at"}


def stored_count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Disclosure))


def stored_row(session, disclosure_id: int):
    return session.execute(select(Disclosure.__table__).where(
        Disclosure.id == disclosure_id)).one()


def log_visit(api, world, at: datetime, kind="home_visit", household="a1", diary="了解种植情况"):
    body = {"id": str(uuid.uuid4()), "household_id": world.households[household].id,
            "visited_at": at.isoformat(), "kind": kind, "diary": diary}
    response = api.post(f"{API}/visits", json=body)
    assert response.status_code == 201, response.json
    return response.json


def api_ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.json


@pytest.fixture
def october(world, cadre, admin):
    """Last month in village a: two direct visits and a phone call by cadre a1; a task of
    household a1 (created the month before) moved to in_progress; a demand raised and resolved;
    cadre a2 has headed unit A since the month before, so is its team leader. The head, the task,
    the demand and their transitions are made through the API with the clock at their moments."""
    log_visit(cadre, world, in_last_month(5), diary="日记不公开")
    log_visit(cadre, world, in_last_month(12), kind="stay_overnight")
    log_visit(cadre, world, in_last_month(20), kind="phone")
    household = world.households["a1"].id
    with CLOCK.at(in_prev_month(1, 9)):
        api_ok(admin.patch(f"{API}/units/{world.units['a'].id}",
                           json={"head_cadre_id": world.cadres["a2"].id}))
        task = api_ok(admin.post(f"{API}/tasks", json={
            "household_id": household, "category": "low_income", "description": "发展养殖增收",
            "due_on": (LAST_FIRST + timedelta(days=60)).isoformat()}), 201)
    with CLOCK.at(in_last_month(8)):
        api_ok(admin.post(f"{API}/tasks/{task['id']}/transition", json={"to": "in_progress"}))
    with CLOCK.at(in_last_month(6)):
        demand = api_ok(admin.post(f"{API}/demands", json={
            "id": str(uuid.uuid4()), "household_id": household, "category": "housing_repair",
            "description": "房屋漏雨"}), 201)
    with CLOCK.at(in_last_month(9)):
        for step in ({"to": "in_progress"}, {"to": "resolved", "resolution": "已修好"}):
            api_ok(admin.post(f"{API}/demands/{demand['id']}/transition", json=step))
    return world


@pytest.fixture
def chain(october, admin):
    """Three publications in order: village a last month, village b last month, a the month
    before."""
    return [publish(admin, october.villages["a"]), publish(admin, october.villages["b"]),
            publish(admin, october.villages["a"], PREV)]


# --- tampering as someone who can bypass the trigger -----------------------------------------


def bypass_trigger(session) -> None:
    """Let this transaction change published rows, as the database owner could: the triggers
    are dropped (SQLite) or disabled (PostgreSQL), and the test's rollback restores them."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ALTER TABLE disclosures DISABLE TRIGGER disclosures_immutable"))
    else:
        session.execute(text("DROP TRIGGER IF EXISTS disclosures_immutable_update"))
        session.execute(text("DROP TRIGGER IF EXISTS disclosures_immutable_delete"))


def tamper(session, disclosure_id: int, **values) -> None:
    """Change a published row behind the service's back."""
    bypass_trigger(session)
    result = session.execute(update(Disclosure.__table__)
                             .where(Disclosure.id == disclosure_id).values(**values))
    assert result.rowcount == 1
    session.commit()


def verify(api, disclosure_id: int) -> dict:
    response = api.get(f"{PUBLISH}/{disclosure_id}/verify")
    assert response.status_code == 200, response.json
    return response.json


def trigger_present(session) -> bool:
    if session.get_bind().dialect.name == "postgresql":
        sql = ("SELECT count(*) FROM pg_trigger WHERE tgname = 'disclosures_immutable' "
               "AND tgenabled <> 'D'")
    else:
        sql = ("SELECT count(*) = 2 FROM sqlite_master WHERE type = 'trigger' "
               "AND name IN ('disclosures_immutable_update', 'disclosures_immutable_delete')")
    return bool(session.execute(text(sql)).scalar())


# --- what is published ---------------------------------------------------------------------


def test_published_content_is_the_live_disclosure_of_that_moment(october, admin, anonymous):
    village = october.villages["a"]
    response = admin.post(PUBLISH, json={"village_id": village.id, "month": LAST})
    assert response.status_code == 201, response.json
    published = response.json
    now_live = live(anonymous, village)

    assert response.headers["Location"] == f"{PUBLISH}/{published['id']}"
    assert without_generated_at(published["document"]["content"]) == without_generated_at(
        now_live)
    content = published["document"]["content"]
    assert content["village"]["id"] == village.id and content["month"] == LAST
    assert content["complete"] is True
    (item,) = content["pairings"]
    assert item["cadre"] == october.cadres["a1"].name
    assert item["direct_visits"] == 2  # the phone call does not count (R8)
    assert content["summary"]["direct_visits"] == 2
    assert (item["demands_opened"], item["demands_resolved"]) == (1, 1)
    assert [(t["category"], t["status"], t["closed"]) for t in item["tasks"]] == [
        ("low_income", "in_progress", False)]
    (holder,) = content["holding_units"]
    assert holder["unit"] == october.units["a"].name
    assert holder["team_leader"] == october.cadres["a2"].name
    assert (published["village_id"], published["month"], published["revision"]) == (
        village.id, LAST, 1)
    assert published["corrects_id"] is None and "correction_reason" not in published
    document = published["document"]
    assert (document["village_id"], document["month"], document["revision"]) == (
        village.id, LAST, 1)
    assert document["correction"] is None
    published_at = datetime.fromisoformat(published["published_at"])
    assert datetime.fromisoformat(document["published_at"]) == published_at.replace(
        microsecond=0)


def test_the_published_document_carries_no_personal_data(october, admin):
    household = october.households["a1"]
    published = publish(admin, october.villages["a"])
    text_ = json.dumps(published, ensure_ascii=False)
    for secret in (household.id_number, household.phone, household.head_name, "日记不公开",
                   str(household.income_per_capita)):
        assert secret not in text_
    (item,) = published["document"]["content"]["pairings"]
    assert item["household"] == household.head_name[0] + "*" * (len(household.head_name) - 1)


def test_sha256_is_the_hash_of_the_canonical_json_of_the_returned_document(october, admin,
                                                                           session):
    published = publish(admin, october.villages["a"])
    assert published["sha256"] == sha256(published["document"])
    # ... and of exactly the stored text, which is that canonical JSON.
    row = stored_row(session, published["id"])
    assert row.document.encode("utf-8") == canonical(published["document"])
    assert hashlib.sha256(row.document.encode("utf-8")).hexdigest() == row.sha256
    # Reading it back gives the same document and hash.
    again = admin.get(f"{PUBLISH}/{published['id']}").json
    assert again["document"] == published["document"] and again["sha256"] == published["sha256"]


def test_publications_form_one_chain_for_the_county(chain):
    first, second, third = chain
    assert [p["seq"] for p in chain] == [1, 2, 3]
    assert first["previous_sha256"] is None
    assert first["document"]["previous_sha256"] is None
    assert second["previous_sha256"] == second["document"]["previous_sha256"] == first["sha256"]
    assert third["previous_sha256"] == third["document"]["previous_sha256"] == second["sha256"]
    for p in chain:
        assert p["sha256"] == sha256(p["document"])
    assert len({p["sha256"] for p in chain}) == 3


def test_publishing_the_same_village_and_month_again_is_409_and_writes_nothing(
        october, admin, session):
    first = publish(admin, october.villages["a"])
    before = stored_count(session)
    problem = assert_problem(admin.post(PUBLISH, json={
        "village_id": october.villages["a"].id, "month": LAST}), 409, "already_published")
    assert str(first["id"]) in problem["detail"]
    assert stored_count(session) == before == 1
    listed = admin.get(f"{PUBLISH}?village_id={october.villages['a'].id}&month={LAST}").json
    assert [p["id"] for p in listed["items"]] == [first["id"]]


def test_a_correction_becomes_revision_2_linked_to_the_first_and_both_stay_visible(
        october, admin, cadre, anonymous):
    village = october.villages["a"]
    first = publish(admin, village)
    log_visit(cadre, october, in_last_month(26))  # entered late: the first was short by one
    second = publish(admin, village, correction_reason="补录一次漏记的走访")

    assert second["revision"] == 2 and second["seq"] == first["seq"] + 1
    assert second["corrects_id"] == first["id"]
    assert second["document"]["revision"] == 2
    # The reason is staff free text: kept for the county's file, never published (SPEC §9).
    assert second["document"]["correction"] == {"of_sha256": first["sha256"]}
    assert "补录一次漏记的走访" not in json.dumps(second, ensure_ascii=False)
    assert second["previous_sha256"] == first["sha256"]
    assert second["sha256"] == sha256(second["document"])
    assert second["document"]["content"]["summary"]["direct_visits"] == 3
    assert first["document"]["content"]["summary"]["direct_visits"] == 2

    listed = anonymous.get(f"{PUBLISH}?village_id={village.id}&month={LAST}").json
    assert listed["total"] == 2
    assert [(p["id"], p["revision"], p["corrects_id"]) for p in listed["items"]] == [
        (second["id"], 2, first["id"]), (first["id"], 1, None)]  # newest first
    assert anonymous.get(f"{PUBLISH}/{first['id']}").json == first
    assert anonymous.get(f"{PUBLISH}/{second['id']}").json == second
    # A third publication without a reason is still refused; with one it is revision 3.
    assert_problem(admin.post(PUBLISH, json={"village_id": village.id, "month": LAST}), 409,
                   "already_published")
    third = publish(admin, village, correction_reason="再次更正")
    assert (third["revision"], third["corrects_id"]) == (3, second["id"])
    assert verify(anonymous, third["id"])["valid"] is True


def test_the_correction_reason_is_kept_for_staff_in_the_audit_trail(october, admin):
    village = october.villages["a"]
    publish(admin, village)
    second = publish(admin, village, correction_reason="补录一次漏记的走访")
    events = api_ok(admin.get(f"{API}/audit?record_type=disclosure&record_id={second['id']}"
                              "&action=publish"))["items"]
    (event,) = events
    assert event["changes"]["correction_reason"] == [None, "补录一次漏记的走访"]


def test_a_correction_needs_a_reason_that_is_not_blank(october, admin, session):
    publish(admin, october.villages["a"])
    problem = assert_problem(admin.post(PUBLISH, json={
        "village_id": october.villages["a"].id, "month": LAST,
        "correction_reason": "   "}), 422)
    assert "correction_reason" in problem["errors"]
    assert stored_count(session) == 1


def test_a_correction_with_nothing_published_is_422_and_writes_nothing(world, admin, session):
    problem = assert_problem(admin.post(PUBLISH, json={
        "village_id": world.villages["a"].id, "month": LAST,
        "correction_reason": "更正一下"}), 422)
    assert "correction_reason" in problem["errors"]
    assert stored_count(session) == 0


@pytest.mark.parametrize("month", [THIS, NEXT])
def test_a_month_that_is_not_over_cannot_be_published(world, admin, session, month):
    problem = assert_problem(admin.post(PUBLISH, json={
        "village_id": world.villages["a"].id, "month": month}), 422)
    assert "month" in problem["errors"]
    assert stored_count(session) == 0


@pytest.mark.parametrize("body", [
    {"month": LAST}, {"village_id": 1}, {"village_id": 1, "month": "2026-13"},
    {"village_id": 1, "month": "202610"}, {"village_id": 1, "month": LAST, "extra": 1},
    {"village_id": 1, "month": LAST, "correction_reason": "x"},
], ids=["no-village", "no-month", "month-13", "month-format", "unknown-field", "reason-short"])
def test_an_invalid_publish_body_is_422(world, admin, session, body):
    body = {**body, "village_id": world.villages["a"].id} if "village_id" in body else body
    assert_problem(admin.post(PUBLISH, json=body), 422)
    assert stored_count(session) == 0


def test_publishing_an_unknown_village_is_404_and_writes_nothing(world, admin, session):
    assert_problem(admin.post(PUBLISH, json={"village_id": 999_999, "month": LAST}), 404)
    assert stored_count(session) == 0


# --- who may publish, who may read ---------------------------------------------------------


@pytest.mark.parametrize("role", ["unit_admin", "cadre", "inspector"])
def test_only_a_county_admin_publishes(world, login_as, session, role):
    api = login_as(world.users[role])
    assert_problem(api.post(PUBLISH, json={"village_id": world.villages["a"].id,
                                           "month": LAST}), 403)
    assert stored_count(session) == 0


def test_publishing_without_a_token_is_401(world, anonymous, session):
    assert_problem(anonymous.post(PUBLISH, json={"village_id": world.villages["a"].id,
                                                 "month": LAST}), 401)
    assert stored_count(session) == 0


def test_publications_are_read_without_a_token(chain, anonymous):
    first, second, third = chain
    listed = anonymous.get(PUBLISH)
    assert listed.status_code == 200
    assert listed.json["total"] == 3
    assert [p["id"] for p in listed.json["items"]] == [third["id"], second["id"], first["id"]]
    assert all("document" not in p for p in listed.json["items"])
    assert listed.json["items"][0] == {k: v for k, v in third.items() if k != "document"}
    one = anonymous.get(f"{PUBLISH}/{second['id']}")
    assert one.status_code == 200 and one.json == second
    assert anonymous.get(f"{PUBLISH}/{second['id']}?format=csv").status_code == 200
    assert anonymous.get(f"{PUBLISH}/{second['id']}?format=html").status_code == 200
    assert verify(anonymous, second["id"])["valid"] is True
    assert_problem(anonymous.get(f"{PUBLISH}/999999"), 404)
    assert_problem(anonymous.get(f"{PUBLISH}/999999/verify"), 404)


def test_the_list_filters_by_village_and_month_and_pages(chain, october, anonymous):
    first, second, third = chain
    a, b = october.villages["a"].id, october.villages["b"].id

    def ids(query):
        response = anonymous.get(f"{PUBLISH}?{query}")
        assert response.status_code == 200, response.json
        return [p["id"] for p in response.json["items"]]

    assert ids(f"village_id={a}") == [third["id"], first["id"]]
    assert ids(f"village_id={b}") == [second["id"]]
    assert ids(f"month={LAST}") == [second["id"], first["id"]]
    assert ids(f"village_id={a}&month={PREV}") == [third["id"]]
    assert ids(f"village_id={b}&month={PREV}") == []
    page = anonymous.get(f"{PUBLISH}?per_page=1&page=2").json
    assert (page["total"], page["page"], page["per_page"]) == (3, 2, 1)
    assert [p["id"] for p in page["items"]] == [second["id"]]
    assert_problem(anonymous.get(f"{PUBLISH}?month=2026-1"), 422)


# --- frozen --------------------------------------------------------------------------------


def test_published_content_does_not_follow_later_changes(october, admin, cadre, anonymous):
    village = october.villages["a"]
    published = publish(admin, village)
    csv_before = anonymous.get(f"{PUBLISH}/{published['id']}?format=csv").get_data(as_text=True)

    log_visit(cadre, october, in_last_month(28))  # a late diary entry for last month
    now_live = live(anonymous, village)
    assert now_live["summary"]["direct_visits"] == 3  # the live report moved on ...
    assert now_live["pairings"][0]["direct_visits"] == 3

    again = anonymous.get(f"{PUBLISH}/{published['id']}")
    assert again.status_code == 200
    assert again.json == published  # ... the publication did not
    assert again.json["document"]["content"]["summary"]["direct_visits"] == 2
    assert anonymous.get(f"{PUBLISH}/{published['id']}?format=csv").get_data(
        as_text=True) == csv_before
    assert verify(anonymous, published["id"])["valid"] is True


# --- the chain checked (/verify) -----------------------------------------------------------


def test_verify_of_an_untouched_chain_is_valid(chain, anonymous):
    for place, p in enumerate(chain, start=1):
        assert verify(anonymous, p["id"]) == {"id": p["id"], "valid": True, "checked": place,
                                              "sha256": p["sha256"], "broken_at": None}


def test_tampering_with_a_stored_document_is_caught_at_that_row(chain, session, anonymous):
    first, second, third = chain
    document = json.loads(stored_row(session, second["id"]).document)
    document["content"]["summary"]["direct_visits"] += 5  # a number quietly raised
    tamper(session, second["id"], document=canonical(document).decode("utf-8"))

    assert anonymous.get(f"{PUBLISH}/{second['id']}").json["document"] == document
    report = verify(anonymous, second["id"])
    assert report["valid"] is False and report["checked"] == 2
    assert report["broken_at"]["id"] == second["id"] and report["broken_at"]["seq"] == 2
    assert "sha256" in report["broken_at"]["reason"]
    later = verify(anonymous, third["id"])
    assert later["valid"] is False
    assert (later["broken_at"]["id"], later["broken_at"]["seq"]) == (second["id"], 2)
    assert verify(anonymous, first["id"])["valid"] is True  # the row before is still sound


def test_tampering_with_a_document_and_its_sha256_is_caught_at_the_next_row(
        chain, session, anonymous):
    first, second, third = chain
    document = json.loads(stored_row(session, second["id"]).document)
    document["content"]["pairings"] = []  # a pairing made to disappear, its hash recomputed
    tamper(session, second["id"], document=canonical(document).decode("utf-8"),
           sha256=sha256(document))

    # The row itself is self-consistent and linked to the one before it ...
    assert verify(anonymous, second["id"])["valid"] is True
    # ... but the next publication was chained to the original hash.
    report = verify(anonymous, third["id"])
    assert report["valid"] is False and report["checked"] == 3
    assert (report["broken_at"]["id"], report["broken_at"]["seq"]) == (third["id"], 3)
    assert "previous_sha256" in report["broken_at"]["reason"]
    assert verify(anonymous, first["id"])["valid"] is True


def test_tampering_with_previous_sha256_is_caught_at_that_row(chain, session, anonymous):
    first, second, third = chain
    forged = hashlib.sha256(b"another chain").hexdigest()
    tamper(session, second["id"], previous_sha256=forged)

    report = verify(anonymous, third["id"])
    assert report["valid"] is False
    assert (report["broken_at"]["id"], report["broken_at"]["seq"]) == (second["id"], 2)
    assert "previous_sha256" in report["broken_at"]["reason"]
    assert verify(anonymous, first["id"])["valid"] is True


def test_relinking_a_row_to_a_forged_predecessor_is_caught_at_that_row(
        chain, session, anonymous):
    """The document's and the column's previous_sha256 both forged, sha256 recomputed: the
    row no longer follows the publication before it."""
    first, second, third = chain
    forged = hashlib.sha256(b"another chain").hexdigest()
    document = json.loads(stored_row(session, second["id"]).document)
    document["previous_sha256"] = forged
    tamper(session, second["id"], document=canonical(document).decode("utf-8"),
           sha256=sha256(document), previous_sha256=forged)

    report = verify(anonymous, second["id"])
    assert report["valid"] is False
    assert (report["broken_at"]["id"], report["broken_at"]["seq"]) == (second["id"], 2)
    assert verify(anonymous, third["id"])["broken_at"]["id"] == second["id"]
    assert verify(anonymous, first["id"])["valid"] is True


def test_a_publication_deleted_from_the_middle_breaks_the_chain(chain, session, anonymous):
    first, second, third = chain
    bypass_trigger(session)
    session.execute(delete(Disclosure).where(Disclosure.id == second["id"]))
    session.commit()
    report = verify(anonymous, third["id"])
    assert report["valid"] is False and report["checked"] == 2
    assert report["broken_at"]["seq"] == 3
    assert verify(anonymous, first["id"])["valid"] is True


def test_the_database_refuses_to_delete_a_published_row(chain, session):
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(delete(Disclosure).where(Disclosure.id == chain[2]["id"]))
    assert session.get(Disclosure, chain[2]["id"]) is not None


def test_the_database_refuses_to_update_a_published_row(chain, session, anonymous):
    first, second, _ = chain
    assert trigger_present(session)  # also: the tampering tests' changes were rolled back
    for values in ({"document": "{}"}, {"sha256": "0" * 64}, {"correction_reason": "x"},
                   {"month": PREV}):
        with pytest.raises(IntegrityError), session.begin_nested():
            session.execute(update(Disclosure).where(Disclosure.id == second["id"])
                            .values(**values))
    # Through the ORM as well.
    with pytest.raises(IntegrityError), session.begin_nested():
        row = session.get(Disclosure, first["id"])
        row.previous_sha256 = "f" * 64
        session.flush()
    session.rollback()
    session.expire_all()
    assert anonymous.get(f"{PUBLISH}/{second['id']}").json == second
    assert anonymous.get(f"{PUBLISH}/{first['id']}").json == first
    assert verify(anonymous, second["id"])["valid"] is True


# --- CSV and HTML --------------------------------------------------------------------------


def test_a_published_disclosure_as_csv(october, admin, cadre, anonymous):
    village = october.villages["a"]
    published = publish(admin, village)
    log_visit(cadre, october, in_last_month(27))  # after publishing: not in the CSV
    response = anonymous.get(f"{PUBLISH}/{published['id']}?format=csv")
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="disclosure-{village.id}-{LAST}-r1.csv"')
    body = response.get_data().decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert tuple(rows[0]) == render.DISCLOSURE_COLUMNS
    content = published["document"]["content"]
    assert len(rows) == 1 + len(content["pairings"]) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    (item,) = content["pairings"]
    assert row["村"] == village.name and row["月份"] == LAST
    assert row["干部"] == item["cadre"] == october.cadres["a1"].name
    assert row["联系户"] == item["household"]
    assert row["本月直接走访次数"] == "2" and row["本月无直接走访"] == "否"
    assert row["包扶任务及进度"] == "完成增收任务(进行中)"
    assert (row["本月新增诉求"], row["本月解决诉求"]) == ("1", "1")
    assert october.households["a1"].head_name not in body


def test_a_published_disclosure_as_html(october, admin, cadre, anonymous):
    village = october.villages["a"]
    published = publish(admin, village)
    log_visit(cadre, october, in_last_month(27))
    response = anonymous.get(f"{PUBLISH}/{published['id']}?format=html")
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    page = response.get_data(as_text=True)
    content = published["document"]["content"]
    assert "双包双联工作每月公示" in page
    assert village.name in page and LAST in page
    frozen = content["generated_at"]
    assert f"{frozen[:10]} {frozen[11:16]}" in page  # the frozen page, not a fresh build
    assert content["pairings"][0]["household"] in page
    assert "直接走访 2 次" in page
    assert "完成增收任务(进行中)" in page
    assert f"工作队长：{october.cadres['a2'].name}" in page
    household = october.households["a1"]
    for secret in (household.head_name, household.id_number, household.phone, "日记不公开"):
        assert secret not in page


def html_of(api, disclosure_id: int, **kw) -> str:
    response = api.get(f"{PUBLISH}/{disclosure_id}?format=html", **kw)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_a_printed_publication_shows_its_hash_and_the_public_address_that_verifies_it(
        october, admin, anonymous, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://gongshi.huguan.example")
    published = publish(admin, october.villages["a"])
    page = html_of(anonymous, published["id"], headers={"Host": "evil.example"})
    prefix = published["sha256"][:16]
    assert f"校验码（SHA-256 前16位）：<code>{prefix}</code>" in page
    verify_url = f"https://gongshi.huguan.example{PUBLISH}/{published['id']}/verify"
    assert f"在 {verify_url} 可核验" in page
    assert f"公示编号：{published['id']}（第1版）" in page
    assert "evil.example" not in page
    assert "更正" not in page  # a first publication is no correction
    # The address printed is the one that answers, with the hash the page starts.
    answer = verify(anonymous, published["id"])
    assert answer["valid"] is True and answer["sha256"].startswith(prefix)
    # The live report is no publication: it has no hash to print.
    live_page = anonymous.get(f"{API}/reports/disclosure?village_id={october.villages['a'].id}"
                              f"&month={LAST}&format=html").get_data(as_text=True)
    assert "校验码" not in live_page and "/verify" not in live_page


def test_a_printed_correction_is_marked_with_its_revision_date_and_a_reason_statement(
        october, admin, cadre, anonymous):
    village = october.villages["a"]
    first = publish(admin, village)
    log_visit(cadre, october, in_last_month(26))
    with CLOCK.at(CLOCK.now() + timedelta(days=3)):
        second = publish(admin, village, correction_reason="补录漏记走访ZK9")
    corrected_on = datetime.fromisoformat(second["published_at"]).astimezone(CST).date()
    page = html_of(anonymous, second["id"])
    assert "双包双联工作每月公示（更正）" in page
    assert (f"更正：本公示为第2版，于{corrected_on.isoformat()}更正第1版"
            f"（校验码 {first['sha256'][:16]}）；更正原因已存档备查") in page
    assert f"公示编号：{second['id']}（第2版）" in page
    assert second["sha256"][:16] in page
    assert "ZK9" not in page  # the reason itself is staff free text
    assert "ZK9" not in anonymous.get(f"{PUBLISH}/{second['id']}?format=csv").get_data(
        as_text=True)
    # The first stays as it was printed: no correction mark on it.
    assert "更正" not in html_of(anonymous, first["id"])


def test_an_unknown_format_is_422(chain, anonymous):
    assert_problem(anonymous.get(f"{PUBLISH}/{chain[0]['id']}?format=pdf"), 422)
