"""Visits (走访/民情日记) through HTTP: SPEC §5 and R8.

Covered: every kind (a `phone` visit is stored but never direct, R8), client-UUID idempotency,
`received_at`, validation (422), who may log (403), the scanned heart-link card code, the
supervisor flags, demands carried by a visit, corrections within 24 hours, list filters and
read scope.

The `world` fixture: unit A holds village a (36.1 N, 113.2 E), unit B holds village b; cadres
a1 (general) and a2 (section_chief) in A, b1 in B; households a1, a2 in village a, b1 in
village b; pairings a1 → household a1 and b1 → household b1, started 2026-01-01. The cadre
account is cadre a1; the unit admin belongs to unit A.

Dates: visit times are county-local (Asia/Shanghai) at fixed hours on days counted back from
the clock's today (`local`), so flags such as `night_time` and `too_many_today` do not depend on
which day NOW is. The two tests about particular dates (the pairing's first night, the months
of early 2026) set the clock to a moment just after them. The 24-hour correction window is
tested by moving the clock on after the visit is received, never by back-dating received_at.
"""

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from service.demands.models import Demand
from service.pairings.models import Pairing
from service.ratelimit import reset_limits
from service.visits.models import Visit, VisitRevision
from tests import factories
from tests.clock import CLOCK

API = "/api/v1"
VISITS = f"{API}/visits"
PROBLEM = "application/problem+json"
CST = ZoneInfo("Asia/Shanghai")
KINDS = ("home_visit", "stay_overnight", "shared_labor", "heart_to_heart", "reception", "phone")
# Village a sits at 36.1 N, 113.2 E; one degree of latitude is about 111.2 km.
TEN_KM_NORTH = {"latitude": 36.19, "longitude": 113.2, "accuracy_m": 15.0}
ONE_KM_NORTH = {"latitude": 36.109, "longitude": 113.2, "accuracy_m": 15.0}


# --- helpers -----------------------------------------------------------------------------


def local(days_ago: int, hour: int, minute: int = 0) -> datetime:
    """A county-local wall-clock time on a day `days_ago` before today."""
    day = CLOCK.local().date() - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CST)


def visit_body(world, household: str = "a1", at: datetime | None = None, **kw) -> dict:
    body = {"id": str(uuid.uuid4()), "household_id": world.households[household].id,
            "visited_at": (at or local(1, 10)).isoformat(), "kind": "home_visit",
            "diary": "了解家中种植情况"}
    body.update(kw)
    return body


def log(api, world, **kw) -> dict:
    """Log a visit that must be accepted; return the stored record."""
    response = api.post(VISITS, json=visit_body(world, **kw))
    assert response.status_code == 201, response.json
    return response.json


def ids(response) -> set[str]:
    assert response.status_code == 200, response.json
    assert response.json["total"] == len(response.json["items"])
    return {v["id"] for v in response.json["items"]}


def stored_visits(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Visit))


def assert_problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.json
    assert response.content_type.startswith(PROBLEM)
    if code is not None:
        assert response.json["code"] == code
    return response.json


@pytest.fixture
def cadre_b(world, login_as, session):
    """Cadre b1 (unit B), paired with household b1."""
    user = factories.user(session, "cadre", cadre_=world.cadres["b1"])
    session.commit()
    return login_as(user)


@pytest.fixture
def fresh_card_limiter(app):
    """Wrong card codes are counted in process memory; start and end with a clean count."""
    with app.app_context():
        reset_limits()
    yield
    with app.app_context():
        reset_limits()


# --- kinds and direct contact (R8) ---------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_accepted_and_only_phone_is_not_direct_contact(world, cadre, kind):
    response = cadre.post(VISITS, json=visit_body(world, kind=kind))
    assert response.status_code == 201, response.json
    assert response.headers["Location"] == f"{VISITS}/{response.json['id']}"
    assert response.json["kind"] == kind
    assert response.json["direct"] is (kind != "phone")
    stored = cadre.get(f"{VISITS}/{response.json['id']}").json
    assert stored["kind"] == kind and stored["direct"] is (kind != "phone")


def test_direct_filter_leaves_phone_visits_out(world, cadre):
    home = log(cadre, world, at=local(1, 8), kind="home_visit")
    phone = log(cadre, world, at=local(1, 11), kind="phone")
    labor = log(cadre, world, at=local(1, 14), kind="shared_labor")
    assert ids(cadre.get(f"{VISITS}?direct=true")) == {home["id"], labor["id"]}
    assert ids(cadre.get(f"{VISITS}?direct=false")) == {phone["id"]}
    assert ids(cadre.get(VISITS)) == {home["id"], phone["id"], labor["id"]}


# --- idempotency on the client UUID --------------------------------------------------------


def test_resending_the_same_visit_returns_the_stored_record_and_creates_nothing(
        world, cadre, session):
    body = visit_body(world, demands=[{"id": str(uuid.uuid4()), "category": "water_supply",
                                       "description": "自来水不通"}])
    first = cadre.post(VISITS, json=body)
    assert first.status_code == 201, first.json
    again = cadre.post(VISITS, json=body)
    assert again.status_code == 200, again.json
    assert again.json == first.json
    assert stored_visits(session) == 1
    assert session.scalar(select(func.count()).select_from(Demand)) == 1
    assert cadre.get(VISITS).json["total"] == 1


def test_same_id_with_a_different_body_is_id_conflict_and_keeps_the_original(world, cadre):
    body = visit_body(world, diary="原来的日记")
    assert cadre.post(VISITS, json=body).status_code == 201
    for change in ({"diary": "别的内容"}, {"kind": "phone"},
                   {"visited_at": local(2, 10).isoformat()}):
        assert_problem(cadre.post(VISITS, json={**body, **change}), 409, "id_conflict")
    stored = cadre.get(f"{VISITS}/{body['id']}").json
    assert stored["diary"] == "原来的日记" and stored["kind"] == "home_visit"
    assert cadre.get(VISITS).json["total"] == 1


def test_stored_visit_shows_when_the_server_received_it(world, cadre):
    before = CLOCK.now()
    visit = log(cadre, world, at=local(2, 10))
    after = CLOCK.now()
    received = datetime.fromisoformat(visit["received_at"])
    assert received.tzinfo is not None
    assert before - timedelta(seconds=1) <= received <= after + timedelta(seconds=1)
    assert datetime.fromisoformat(visit["visited_at"]) == local(2, 10)
    assert visit["flags"] == []
    stored = cadre.get(f"{VISITS}/{visit['id']}").json
    assert datetime.fromisoformat(stored["received_at"]) == received


# --- validation (422) ----------------------------------------------------------------------


def _in_an_hour():
    return (CLOCK.now() + timedelta(hours=1)).isoformat()


@pytest.mark.parametrize("change, field", [
    pytest.param(lambda: {"visited_at": _in_an_hour()}, "visited_at", id="future"),
    pytest.param(lambda: {"visited_at": datetime(2025, 12, 31, 10, tzinfo=CST).isoformat()},
                 "visited_at", id="before-pairing-started"),
    pytest.param(lambda: {"diary": "记" * 5001}, "diary", id="diary-5001-chars"),
    pytest.param(lambda: {"kind": "video_call"}, "kind", id="unknown-kind"),
    pytest.param(lambda: {"location": {"latitude": 91, "longitude": 113.2}},
                 "location.latitude", id="latitude-91"),
    pytest.param(lambda: {"location": {"latitude": 36.1, "longitude": 181}},
                 "location.longitude", id="longitude-181"),
    pytest.param(lambda: {"visited_at": local(1, 10).replace(tzinfo=None).isoformat()},
                 "visited_at", id="naive-time"),
    pytest.param(lambda: {"id": "not-a-uuid"}, "id", id="id-not-uuid"),
])
def test_invalid_visit_is_422_naming_the_field_and_stores_nothing(
        world, cadre, session, change, field):
    response = cadre.post(VISITS, json=visit_body(world, **change()))
    problem = assert_problem(response, 422)
    assert field in problem["errors"], problem
    assert stored_visits(session) == 0


def test_the_pairing_start_is_compared_with_the_county_local_date(world, cadre, clock):
    clock.set("2026-01-01T10:00:00+08:00")  # the morning after the first night
    # 00:30 on 2026-01-01 in the county is still 2025-12-31 in UTC: the pairing had started.
    first_night = log(cadre, world, at=datetime(2026, 1, 1, 0, 30, tzinfo=CST))
    assert datetime.fromisoformat(first_night["visited_at"]).date() == date(2025, 12, 31)
    # 23:30 on 2025-12-31 in the county is 15:30 UTC the same day: before the pairing.
    eve = cadre.post(VISITS, json=visit_body(world, at=datetime(2025, 12, 31, 23, 30,
                                                                 tzinfo=CST)))
    assert "visited_at" in assert_problem(eve, 422)["errors"]


def test_diary_of_exactly_5000_characters_is_accepted(world, cadre):
    visit = log(cadre, world, diary="记" * 5000)
    assert len(visit["diary"]) == 5000


# --- who may log (403) ---------------------------------------------------------------------


@pytest.mark.parametrize("household", ["a2", "b1"])
def test_cadre_may_not_log_a_visit_to_a_household_it_is_not_paired_with(
        world, cadre, session, household):
    response = cadre.post(VISITS, json=visit_body(world, household=household))
    assert_problem(response, 403)
    assert stored_visits(session) == 0


@pytest.mark.parametrize("role", ["county_admin", "unit_admin", "inspector"])
def test_only_cadres_log_visits(world, login_as, session, role):
    response = login_as(world.users[role]).post(VISITS, json=visit_body(world))
    assert_problem(response, 403)
    assert stored_visits(session) == 0


def test_visit_dated_after_the_pairing_ended_is_403_but_an_earlier_one_still_syncs(
        world, cadre, admin, session):
    pairing_id = session.scalar(select(Pairing.id).where(
        Pairing.household_id == world.households["a1"].id, Pairing.ended_on.is_(None)))
    ended_on = CLOCK.local().date() - timedelta(days=3)
    ended = admin.post(f"{API}/pairings/{pairing_id}/end",
                       json={"reason": "工作调动", "ended_on": ended_on.isoformat()})
    assert ended.status_code == 200, ended.json
    today = cadre.post(VISITS, json=visit_body(
        world, at=CLOCK.local() - timedelta(minutes=1)))
    assert_problem(today, 403)
    after_end = cadre.post(VISITS, json=visit_body(world, at=local(2, 10)))
    assert_problem(after_end, 403)
    # Logged offline before the handover, sent afterwards: still accepted.
    before_end = log(cadre, world, at=local(5, 10))
    assert before_end["pairing_id"] == pairing_id
    assert stored_visits(session) == 1


# --- the heart-link card code --------------------------------------------------------------


def test_the_right_card_code_marks_the_visit_card_scanned_in_any_case(
        world, cadre, fresh_card_limiter):
    code = world.households["a1"].card_code
    exact = log(cadre, world, at=local(1, 8), card_code=code)
    lower = log(cadre, world, at=local(1, 11), card_code=code.lower())
    without = log(cadre, world, at=local(1, 14))
    assert exact["card_scanned"] is True
    assert lower["card_scanned"] is True
    assert without["card_scanned"] is False


def test_a_wrong_card_code_is_422_naming_card_code_and_stores_nothing(
        world, cadre, session, fresh_card_limiter):
    # Household b1's real code is not household a1's.
    for code in ("WRONGCODE2345678", world.households["b1"].card_code):
        body = visit_body(world, card_code=code)
        problem = assert_problem(cadre.post(VISITS, json=body), 422)
        assert "card_code" in problem["errors"]
        assert cadre.get(f"{VISITS}/{body['id']}").status_code == 404
    assert stored_visits(session) == 0


def test_after_five_wrong_card_codes_the_cadre_is_refused_even_with_the_right_one(
        world, cadre, cadre_b, session, fresh_card_limiter):
    for attempt in range(5):
        response = cadre.post(VISITS, json=visit_body(world, card_code=f"WRONG{attempt}"))
        assert_problem(response, 422)
    right = visit_body(world, card_code=world.households["a1"].card_code)
    assert_problem(cadre.post(VISITS, json=right), 429, "too_many_wrong_cards")
    assert stored_visits(session) == 0
    # The count belongs to that cadre: another cadre's scan still goes through.
    other = cadre_b.post(VISITS, json=visit_body(
        world, household="b1", card_code=world.households["b1"].card_code))
    assert other.status_code == 201, other.json
    assert other.json["card_scanned"] is True


# --- flags a supervisor sees ---------------------------------------------------------------


def flagged(api, flag: str) -> set[str]:
    return ids(api.get(f"{VISITS}?flag={flag}"))


def test_a_visit_received_more_than_seven_days_late_is_kept_and_flagged_late_entry(
        world, cadre):
    old = log(cadre, world, at=local(8, 10))
    recent = log(cadre, world, at=local(6, 10))
    assert old["flags"] == ["late_entry"]
    assert recent["flags"] == []
    assert cadre.get(f"{VISITS}/{old['id']}").json["flags"] == ["late_entry"]
    assert flagged(cadre, "late_entry") == {old["id"]}


def test_a_visit_far_from_the_village_is_kept_and_flagged_far_from_village(
        world, cadre, app, monkeypatch):
    far = log(cadre, world, at=local(1, 10), location=TEN_KM_NORTH)
    near = log(cadre, world, at=local(2, 10), location=ONE_KM_NORTH)
    nowhere = log(cadre, world, at=local(3, 10))
    assert far["flags"] == ["far_from_village"]
    assert far["location"] == TEN_KM_NORTH
    assert near["flags"] == []
    assert nowhere["flags"] == [] and nowhere["location"] is None
    assert flagged(cadre, "far_from_village") == {far["id"]}

    monkeypatch.setitem(app.config, "VISIT_MAX_DISTANCE_KM", 20)
    allowed = log(cadre, world, at=local(4, 10), location=TEN_KM_NORTH)
    assert allowed["flags"] == []
    assert flagged(cadre, "far_from_village") == {far["id"]}


def test_a_second_visit_to_the_same_household_within_an_hour_is_flagged_duplicate_suspect(
        world, cadre):
    first = log(cadre, world, at=local(1, 10, 0))
    second = log(cadre, world, at=local(1, 10, 30))
    apart_1 = log(cadre, world, at=local(2, 10))
    apart_2 = log(cadre, world, at=local(2, 12))
    # Synced out of order: the earlier visit arrives second and is still a near-duplicate.
    later = log(cadre, world, at=local(3, 10, 30))
    earlier = log(cadre, world, at=local(3, 10, 0))
    assert first["flags"] == []
    assert second["flags"] == ["duplicate_suspect"]
    assert apart_1["flags"] == [] and apart_2["flags"] == []
    assert later["flags"] == []
    assert earlier["flags"] == ["duplicate_suspect"]
    assert flagged(cadre, "duplicate_suspect") == {second["id"], earlier["id"]}


@pytest.mark.parametrize("days_ago, hour, minute, night", [
    (1, 5, 59, True),
    (2, 22, 0, True),
    (3, 23, 0, True),
    (4, 5, 0, True),
    (5, 6, 0, False),
    (6, 21, 59, False),
])
def test_night_time_is_22_to_6_county_local(world, cadre, days_ago, hour, minute, night):
    visit = log(cadre, world, at=local(days_ago, hour, minute))
    assert visit["flags"] == (["night_time"] if night else [])
    assert flagged(cadre, "night_time") == ({visit["id"]} if night else set())


def test_night_time_flags_only_night_visits_in_a_list(world, cadre):
    night = [log(cadre, world, at=local(d, h))["id"] for d, h in ((2, 23), (3, 5))]
    day = [log(cadre, world, at=local(d, h))["id"] for d, h in ((4, 6), (5, 21))]
    assert flagged(cadre, "night_time") == set(night)
    assert not flagged(cadre, "night_time") & set(day)


def test_the_ninth_direct_visit_of_a_local_day_is_flagged_too_many_today(world, cadre):
    # Twelve visits to one household on one county-local day, 70 minutes apart (08:00–20:50),
    # so none is a duplicate suspect and none is at night. All of 08:00–20:50 local is one UTC
    # day too, but the check below at 07:00 the next local morning is the previous UTC day.
    day = local(3, 8)
    slots = [day + timedelta(minutes=70 * i) for i in range(12)]
    kinds = ["home_visit"] * 7 + ["phone", "phone"] + ["home_visit", "heart_to_heart", "phone"]
    visits = [log(cadre, world, at=at, kind=kind) for at, kind in zip(slots, kinds, strict=True)]
    for visit in visits[:9]:
        assert visit["flags"] == [], visit
    eighth_direct, ninth_direct, late_phone = visits[9], visits[10], visits[11]
    assert eighth_direct["flags"] == []
    assert ninth_direct["flags"] == ["too_many_today"]
    assert late_phone["flags"] == []
    next_morning = log(cadre, world, at=local(2, 7))
    assert next_morning["flags"] == []
    assert flagged(cadre, "too_many_today") == {ninth_direct["id"]}


# --- demands heard on a visit --------------------------------------------------------------


def test_demands_in_a_visit_are_stored_with_it_under_their_own_ids(world, cadre, admin):
    demand_ids = sorted(str(uuid.uuid4()) for _ in range(2))
    visit = log(cadre, world, demands=[
        {"id": demand_ids[0], "category": "water_supply", "description": "自来水不通"},
        {"id": demand_ids[1], "category": "housing_repair", "description": "房屋漏雨"}])
    assert sorted(visit["demand_ids"]) == demand_ids
    assert sorted(cadre.get(f"{VISITS}/{visit['id']}").json["demand_ids"]) == demand_ids
    for api in (cadre, admin):
        for demand_id in demand_ids:
            demand = api.get(f"{API}/demands/{demand_id}")
            assert demand.status_code == 200, demand.json
            assert demand.json["visit_id"] == visit["id"]
            assert demand.json["household_id"] == world.households["a1"].id
            assert demand.json["status"] == "open"


def test_a_visit_reusing_a_demand_id_is_409_and_stores_neither_visit_nor_demand(
        world, cadre, session):
    used = str(uuid.uuid4())
    raised = cadre.post(f"{API}/demands", json={
        "id": used, "household_id": world.households["a1"].id, "category": "tuition",
        "description": "孩子学费困难"})
    assert raised.status_code == 201, raised.json
    fresh = str(uuid.uuid4())
    body = visit_body(world, demands=[
        {"id": fresh, "category": "water_supply", "description": "自来水不通"},
        {"id": used, "category": "tuition", "description": "孩子学费困难"}])
    assert_problem(cadre.post(VISITS, json=body), 409, "id_conflict")
    assert cadre.get(f"{VISITS}/{body['id']}").status_code == 404
    assert cadre.get(f"{API}/demands/{fresh}").status_code == 404
    assert cadre.get(f"{API}/demands/{used}").json["visit_id"] is None
    assert stored_visits(session) == 0


def test_a_visit_whose_demand_id_came_with_an_earlier_visit_is_409(world, cadre, session):
    demand = {"id": str(uuid.uuid4()), "category": "sick_care", "description": "老人看病难"}
    first = log(cadre, world, at=local(2, 10), demands=[demand])
    body = visit_body(world, at=local(1, 10), demands=[demand])
    assert_problem(cadre.post(VISITS, json=body), 409, "id_conflict")
    assert cadre.get(f"{VISITS}/{body['id']}").status_code == 404
    assert cadre.get(f"{API}/demands/{demand['id']}").json["visit_id"] == first["id"]
    assert stored_visits(session) == 1


def test_a_visit_repeating_one_demand_id_twice_is_409_and_stores_nothing(world, cadre, session):
    demand = {"id": str(uuid.uuid4()), "category": "sick_care", "description": "老人看病难"}
    body = visit_body(world, demands=[demand, demand])
    assert_problem(cadre.post(VISITS, json=body), 409, "id_conflict")
    assert cadre.get(f"{API}/demands/{demand['id']}").status_code == 404
    assert stored_visits(session) == 0


# --- corrections within 24 hours -----------------------------------------------------------


def etag(api, visit_id: str) -> str:
    response = api.get(f"{VISITS}/{visit_id}")
    assert response.status_code == 200, response.json
    return response.headers["ETag"]


def test_the_logging_cadre_corrects_a_visit_and_the_old_version_is_kept(
        world, cadre, session):
    visit = log(cadre, world, kind="home_visit", diary="原文", help_given=None)
    response = cadre.patch(f"{VISITS}/{visit['id']}",
                           json={"kind": "phone", "diary": "改后", "help_given": "送去化肥"},
                           headers={"If-Match": etag(cadre, visit["id"])})
    assert response.status_code == 200, response.json
    assert response.json["kind"] == "phone" and response.json["direct"] is False
    assert response.json["diary"] == "改后" and response.json["help_given"] == "送去化肥"
    assert response.json["revisions"] == 1
    assert response.json["visited_at"] == visit["visited_at"]
    assert response.json["received_at"] == visit["received_at"]
    stored = cadre.get(f"{VISITS}/{visit['id']}").json
    assert stored["revisions"] == 1 and stored["direct"] is False and stored["diary"] == "改后"
    assert ids(cadre.get(f"{VISITS}?direct=true")) == set()

    session.expire_all()
    revisions = session.scalars(select(VisitRevision).where(
        VisitRevision.visit_id == visit["id"])).all()
    assert len(revisions) == 1
    assert revisions[0].user_id == world.users["cadre"].id
    assert revisions[0].before["kind"] == "home_visit"
    assert revisions[0].before["diary"] == "原文"
    assert revisions[0].before["help_given"] is None


def test_correcting_the_location_adds_and_removes_far_from_village(world, cadre, session):
    visit = log(cadre, world, location=ONE_KM_NORTH)
    assert visit["flags"] == []
    moved = cadre.patch(f"{VISITS}/{visit['id']}", json={"location": TEN_KM_NORTH})
    assert moved.status_code == 200, moved.json
    assert moved.json["flags"] == ["far_from_village"]
    assert moved.json["location"] == TEN_KM_NORTH
    assert flagged(cadre, "far_from_village") == {visit["id"]}

    back = cadre.patch(f"{VISITS}/{visit['id']}", json={"location": ONE_KM_NORTH})
    assert back.status_code == 200, back.json
    assert back.json["flags"] == [] and back.json["revisions"] == 2
    assert flagged(cadre, "far_from_village") == set()

    far_again = cadre.patch(f"{VISITS}/{visit['id']}", json={"location": TEN_KM_NORTH})
    assert far_again.json["flags"] == ["far_from_village"]
    cleared = cadre.patch(f"{VISITS}/{visit['id']}", json={"location": None})
    assert cleared.status_code == 200, cleared.json
    assert cleared.json["location"] is None and cleared.json["flags"] == []
    assert cleared.json["revisions"] == 4

    session.expire_all()
    befores = [r.before for r in session.scalars(select(VisitRevision).where(
        VisitRevision.visit_id == visit["id"]).order_by(VisitRevision.id))]
    assert [b["latitude"] for b in befores] == [36.109, 36.19, 36.109, 36.19]
    assert [b["flags"] for b in befores] == [[], ["far_from_village"], [],
                                             ["far_from_village"]]


def test_a_correction_with_a_stale_if_match_is_412_and_changes_nothing(world, cadre):
    visit = log(cadre, world, diary="原文")
    old_etag = etag(cadre, visit["id"])
    first = cadre.patch(f"{VISITS}/{visit['id']}", json={"diary": "第一次改"},
                        headers={"If-Match": old_etag})
    assert first.status_code == 200, first.json
    assert first.headers["ETag"] != old_etag
    stale = cadre.patch(f"{VISITS}/{visit['id']}", json={"diary": "第二次改"},
                        headers={"If-Match": old_etag})
    assert_problem(stale, 412)
    stored = cadre.get(f"{VISITS}/{visit['id']}").json
    assert stored["diary"] == "第一次改" and stored["revisions"] == 1


def test_another_cadre_cannot_see_or_correct_the_visit(world, cadre, cadre_b, session):
    visit = log(cadre, world, diary="原文")
    assert_problem(cadre_b.patch(f"{VISITS}/{visit['id']}", json={"diary": "篡改"}), 404)
    assert cadre.get(f"{VISITS}/{visit['id']}").json["diary"] == "原文"
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(VisitRevision)) == 0


@pytest.mark.parametrize("role", ["county_admin", "unit_admin", "inspector"])
def test_admins_and_inspectors_cannot_correct_a_visit(world, cadre, login_as, role):
    visit = log(cadre, world, diary="原文")
    response = login_as(world.users[role]).patch(f"{VISITS}/{visit['id']}",
                                                 json={"diary": "改"})
    assert_problem(response, 403)
    stored = cadre.get(f"{VISITS}/{visit['id']}").json
    assert stored["diary"] == "原文" and stored["revisions"] == 0


@pytest.mark.parametrize("change", [
    {"visited_at": "2026-01-05T10:00:00+08:00"},
    {"household_id": 1},
    {"diary": "记" * 5001},
    {"kind": "video_call"},
    {"location": {"latitude": 91, "longitude": 113.2}},
])
def test_a_correction_is_validated_and_cannot_move_the_visit(world, cadre, change):
    visit = log(cadre, world)
    assert_problem(cadre.patch(f"{VISITS}/{visit['id']}", json=change), 422)
    stored = cadre.get(f"{VISITS}/{visit['id']}").json
    assert stored["revisions"] == 0 and stored["visited_at"] == visit["visited_at"]


def test_corrections_close_24_hours_after_the_visit_was_received(world, cadre, clock):
    visit = log(cadre, world, diary="原文")

    clock.advance(hours=23)  # 23 hours after it was received
    still_open = cadre.patch(f"{VISITS}/{visit['id']}", json={"diary": "23小时后改"})
    assert still_open.status_code == 200, still_open.json

    clock.advance(hours=2)  # 25 hours after it was received
    closed = cadre.patch(f"{VISITS}/{visit['id']}", json={"diary": "25小时后改"})
    assert_problem(closed, 409, "correction_window_closed")
    stored = cadre.get(f"{VISITS}/{visit['id']}").json
    assert stored["diary"] == "23小时后改" and stored["revisions"] == 1


# --- filters and scope ---------------------------------------------------------------------


@pytest.fixture
def two_units(world, cadre, cadre_b):
    """Visits by cadre a1 (unit A, village a) and cadre b1 (unit B, village b)."""
    return {
        "a_home": log(cadre, world, at=local(2, 10), kind="home_visit")["id"],
        "a_phone": log(cadre, world, at=local(3, 10), kind="phone")["id"],
        "a_night": log(cadre, world, at=local(4, 23), kind="heart_to_heart")["id"],
        "b_home": log(cadre_b, world, household="b1", at=local(2, 10))["id"],
    }


def test_visits_filter_by_cadre_household_village_unit_kind_flag_and_direct(
        world, admin, two_units):
    v = two_units
    a_all, b_all = {v["a_home"], v["a_phone"], v["a_night"]}, {v["b_home"]}
    cases = {
        f"cadre_id={world.cadres['a1'].id}": a_all,
        f"cadre_id={world.cadres['b1'].id}": b_all,
        f"cadre_id={world.cadres['a2'].id}": set(),
        f"household_id={world.households['a1'].id}": a_all,
        f"household_id={world.households['b1'].id}": b_all,
        f"household_id={world.households['a2'].id}": set(),
        f"village_id={world.villages['a'].id}": a_all,
        f"village_id={world.villages['b'].id}": b_all,
        f"unit_id={world.units['a'].id}": a_all,
        f"unit_id={world.units['b'].id}": b_all,
        "kind=phone": {v["a_phone"]},
        "kind=home_visit": {v["a_home"], v["b_home"]},
        "kind=reception": set(),
        "flag=night_time": {v["a_night"]},
        "flag=late_entry": set(),
        "direct=true": {v["a_home"], v["a_night"], v["b_home"]},
        "direct=false": {v["a_phone"]},
        f"unit_id={world.units['a'].id}&kind=home_visit": {v["a_home"]},
        f"cadre_id={world.cadres['a1'].id}&direct=true": {v["a_home"], v["a_night"]},
    }
    assert ids(admin.get(VISITS)) == a_all | b_all
    for query, expected in cases.items():
        assert ids(admin.get(f"{VISITS}?{query}")) == expected, query


@pytest.mark.parametrize("query", ["kind=video_call", "flag=suspicious", "month=2026-13",
                                   "month=2026-2", "cadre_id=abc", "direct=maybe"])
def test_a_bad_filter_is_422(admin, query):
    assert_problem(admin.get(f"{VISITS}?{query}"), 422)


def test_month_filter_uses_county_local_time(world, cadre, admin, clock):
    # Early March 2026: every visit below is past. The pairing started on 2026-01-01.
    clock.set("2026-03-01T10:00:00+08:00")
    start_of_feb = log(cadre, world, at=datetime(2026, 2, 1, 0, 30, tzinfo=CST))
    end_of_feb = log(cadre, world, at=datetime(2026, 2, 28, 23, 30, tzinfo=CST))
    start_of_march = log(cadre, world, at=datetime(2026, 3, 1, 0, 30, tzinfo=CST))
    end_of_jan = log(cadre, world, at=datetime(2026, 1, 31, 23, 30, tzinfo=CST))
    # 2026-02-28 23:30 in the county is 15:30 UTC the same day; 2026-02-01 00:30 is still
    # January in UTC, and 2026-03-01 00:30 is still February in UTC.
    assert datetime.fromisoformat(end_of_feb["visited_at"]) == datetime(
        2026, 2, 28, 15, 30, tzinfo=UTC)
    for api in (cadre, admin):
        assert ids(api.get(f"{VISITS}?month=2026-02")) == {start_of_feb["id"], end_of_feb["id"]}
        assert ids(api.get(f"{VISITS}?month=2026-03")) == {start_of_march["id"]}
        assert ids(api.get(f"{VISITS}?month=2026-01")) == {end_of_jan["id"]}
        assert ids(api.get(f"{VISITS}?month=2025-12")) == set()


def test_a_cadre_sees_only_its_own_visits(world, cadre, cadre_b, two_units):
    v = two_units
    assert ids(cadre.get(VISITS)) == {v["a_home"], v["a_phone"], v["a_night"]}
    assert ids(cadre_b.get(VISITS)) == {v["b_home"]}
    assert ids(cadre.get(f"{VISITS}?cadre_id={world.cadres['b1'].id}")) == set()
    assert ids(cadre.get(f"{VISITS}?unit_id={world.units['b'].id}")) == set()
    assert_problem(cadre.get(f"{VISITS}/{v['b_home']}"), 404)
    assert_problem(cadre_b.get(f"{VISITS}/{v['a_home']}"), 404)
    assert cadre.get(f"{VISITS}/{v['a_home']}").status_code == 200


def test_a_unit_admin_sees_its_own_units_cadres_visits_only(world, login_as, two_units):
    v = two_units
    unit_admin = login_as(world.users["unit_admin"])
    assert ids(unit_admin.get(VISITS)) == {v["a_home"], v["a_phone"], v["a_night"]}
    assert ids(unit_admin.get(f"{VISITS}?unit_id={world.units['b'].id}")) == set()
    assert ids(unit_admin.get(f"{VISITS}?household_id={world.households['b1'].id}")) == set()
    assert unit_admin.get(f"{VISITS}/{v['a_home']}").status_code == 200
    assert_problem(unit_admin.get(f"{VISITS}/{v['b_home']}"), 404)


@pytest.mark.parametrize("role", ["county_admin", "inspector"])
def test_county_admin_and_inspector_see_every_visit(world, login_as, two_units, role):
    reader = login_as(world.users[role])
    assert ids(reader.get(VISITS)) == set(two_units.values())
    for visit_id in two_units.values():
        assert reader.get(f"{VISITS}/{visit_id}").status_code == 200


def test_an_unknown_visit_is_404(cadre, admin):
    for api in (cadre, admin):
        assert_problem(api.get(f"{VISITS}/{uuid.uuid4()}"), 404)


def test_visits_need_a_token(anonymous, world):
    assert_problem(anonymous.get(VISITS), 401)
    assert_problem(anonymous.post(VISITS, json=visit_body(world)), 401)
