"""SPEC §5/§9: in a batch, a bad visit is rejected with its problem and never costs the good
ones. For each class of bad item (refused by the edge, by validation, by a rule, by the
database itself), a batch of 99 good visits and that one bad visit, at the front, in the
middle or at the end, answers 200 with 99 created and 1 rejected, and the 99 are stored.

Also the body limit: what a batch of 500 visits of the largest size a phone writes weighs, and
the 413 that a heavier body hears (SPEC §9: oversized bodies are refused whole, nothing
written; the field client splits its outbox by size as well as by count).
"""

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from service.visits.models import Visit
from tests.clock import CLOCK

BATCH = "/api/v1/visits/batch"
REFUSED_BY_THE_DATABASE = "这条日记被数据库拒绝"


def good_visits(household, count: int) -> list[dict]:
    """`count` valid visits, 61 minutes apart going back from yesterday 20:00 county time."""
    start = (CLOCK.local() - timedelta(days=1)).replace(hour=20, minute=0, second=0,
                                                         microsecond=0)
    return [{"id": str(uuid.uuid4()), "household_id": household.id,
             "visited_at": (start - timedelta(minutes=61 * i)).isoformat(),
             "kind": "home_visit", "diary": "了解家中种植情况"} for i in range(count)]


def bad_visits(world) -> dict[str, dict]:
    """One bad visit per class, each otherwise like a good one."""
    ha1, hb1 = world.households["a1"], world.households["b1"]

    def bad(**change):
        return {**good_visits(ha1, 1)[0], **change}

    deep: object = 1.0
    for _ in range(40):
        deep = [deep]
    return {
        "year 1": bad(visited_at="0001-01-01T00:00:00+00:00"),
        "year 9999": bad(visited_at="9999-12-31T23:59:59+00:00"),
        "year 9999 behind UTC": bad(visited_at="9999-12-31T23:59:59-12:00"),
        "NUL in the diary": bad(diary="今天\u0000走访"),
        "lone surrogate in the diary": bad(diary="\ud800"),
        "NUL in a field name": bad(**{"di\u0000ary": "x"}),
        "nested too deep": bad(location={"latitude": deep, "longitude": 1}),
        "id past 64 bits": bad(household_id=2**64),
        "id past 31 bits": bad(household_id=2**40),
        "id not a UUID": bad(id="not-a-uuid"),
        "unknown field": bad(mood="good"),
        "diary too long": bad(diary="记" * 5001),
        "another cadre's household": bad(household_id=hb1.id),
        "in the future": bad(visited_at=(CLOCK.now() + timedelta(days=2)).isoformat()),
        "wrong card code": bad(card_code="WRONG-CODE"),
        "refused by the database": bad(diary=REFUSED_BY_THE_DATABASE),
    }


@pytest.fixture
def database_refuses_a_diary(connection):
    """A trigger, inside the test's transaction, that refuses one diary text: a constraint
    the service's own checks do not know."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(
            "CREATE FUNCTION refuse_diary() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.diary = '{REFUSED_BY_THE_DATABASE}' THEN RAISE EXCEPTION 'refused' "
            "USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$"))
        connection.execute(text("CREATE TRIGGER refuse_diary BEFORE INSERT ON visits "
                                "FOR EACH ROW EXECUTE FUNCTION refuse_diary()"))
    else:
        connection.execute(text(
            "CREATE TRIGGER refuse_diary BEFORE INSERT ON visits "
            f"WHEN NEW.diary = '{REFUSED_BY_THE_DATABASE}' "
            "BEGIN SELECT RAISE(ABORT, 'refused'); END"))


def texts(value) -> list[str]:
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in [k, *texts(v)]]
    if isinstance(value, list):
        return [t for v in value for t in texts(v)]
    return [value] if isinstance(value, str) else []


def stored(session) -> int:
    return session.scalar(select(func.count()).select_from(Visit))


@pytest.mark.parametrize("position", ["first", "middle", "last"])
def test_one_bad_visit_never_costs_the_99_good_ones(cadre, world, session, position,
                                                    database_refuses_a_diary):
    for kind, bad in bad_visits(world).items():
        before = stored(session)
        visits = good_visits(world.households["a1"], 99)
        where = {"first": 0, "middle": 50, "last": 99}[position]
        visits.insert(where, bad)
        response = cadre.post(BATCH, data=json.dumps({"visits": visits}, ensure_ascii=True),
                              headers={"Content-Type": "application/json"})
        assert response.status_code == 200, (kind, response.get_json())
        results = response.get_json()["results"]
        statuses = [r["status"] for r in results]
        assert statuses.count("created") == 99 and statuses[where] == "rejected", (kind, statuses)
        problem = results[where]["problem"]
        assert problem["status"] in (400, 403, 409, 422, 429) and problem["code"], (kind, problem)
        assert not any("\u0000" in t for t in texts(problem)), kind
        assert stored(session) == before + 99, kind
        # Resent as a phone would after a lost answer: the 99 are duplicates, nothing doubles.
        again = cadre.post(BATCH, data=json.dumps({"visits": visits}, ensure_ascii=True),
                           headers={"Content-Type": "application/json"}).get_json()["results"]
        assert [r["status"] for r in again].count("duplicate") == 99, kind
        assert stored(session) == before + 99, kind


def test_a_database_refusal_answers_without_the_databases_words(cadre, world,
                                                                 database_refuses_a_diary):
    visits = good_visits(world.households["a1"], 2)
    visits[1]["diary"] = REFUSED_BY_THE_DATABASE
    results = cadre.post(BATCH, json={"visits": visits}).get_json()["results"]
    assert [r["status"] for r in results] == ["created", "rejected"]
    assert results[1]["problem"]["code"] == "conflict"
    assert "refused" not in results[1]["problem"]["detail"].lower().replace("database refused",
                                                                           "")


def test_five_hundred_visits_of_the_largest_diary_fit_the_body_limit(cadre, world, session,
                                                                     app):
    """500 visits with 5,000-character diaries in Chinese (UTF-8, as a browser sends JSON):
    about 7.6 MB, within the 8 MiB limit, all stored."""
    visits = good_visits(world.households["a1"], 500)
    for v in visits:
        v["diary"] = "记" * 5000
    data = json.dumps({"visits": visits}, ensure_ascii=False).encode()
    assert len(data) < app.config["MAX_CONTENT_LENGTH"]
    response = cadre.post(BATCH, data=data, headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert [r["status"] for r in response.get_json()["results"]] == ["created"] * 500


def test_a_heavier_body_is_refused_whole_with_413_naming_the_limit(cadre, world, session, app):
    visits = good_visits(world.households["a1"], 500)
    for v in visits:
        v["diary"] = "记" * 5000
        v["help_given"] = "帮" * 2000
    data = json.dumps({"visits": visits}, ensure_ascii=False).encode()
    assert len(data) > app.config["MAX_CONTENT_LENGTH"]
    response = cadre.post(BATCH, data=data, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["code"] == "payload_too_large"
    assert str(app.config["MAX_CONTENT_LENGTH"]) in body["detail"]
    assert stored(session) == 2 - 2  # nothing of it was written (the world has no visits)
