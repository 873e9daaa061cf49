"""Every request is bounded (issue 26): a wall-clock budget with the database's own timeout
behind it, heavy work in a few slots, answers to bad input capped, the spec built once, names
that cannot reorder or hide what a notice prints, and diaries that stay with their unit."""

import io
import json
import time
import uuid
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import text

from service import create_app, deadline, heavy
from service.db import make_engine
from service.errors import MAX_LISTED, is_cancelled_for_time
from tests import factories
from tests.clock import CLOCK

HOUSEHOLDS = "/api/v1/households"


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data()[:500])
    assert response.content_type == "application/problem+json"
    assert response.json["code"] == code, response.json
    return response.json


# --- the request's budget -------------------------------------------------------------------


def test_a_request_past_its_budget_answers_503_and_the_next_one_is_served(
        app, admin, monkeypatch):
    monkeypatch.setitem(app.config, "REQUEST_SECONDS", 0.0)
    body = problem(admin.get(HOUSEHOLDS), 503, "request_timeout")
    assert "时间限额" in body["detail"]
    # Work that sends no statement is not stopped.
    assert admin.client.get("/healthz").status_code == 200
    monkeypatch.setitem(app.config, "REQUEST_SECONDS", 30.0)
    assert admin.get(HOUSEHOLDS).status_code == 200


def test_a_write_past_its_budget_keeps_nothing(app, admin, world, session, monkeypatch):
    before = admin.get(HOUSEHOLDS).json["total"]
    monkeypatch.setitem(app.config, "REQUEST_SECONDS", 0.0)
    problem(admin.post("/api/v1/units", json={"name": "超时单位"}), 503, "request_timeout")
    monkeypatch.setitem(app.config, "REQUEST_SECONDS", 30.0)
    assert admin.get(HOUSEHOLDS).json["total"] == before
    names = [u["name"] for u in admin.get("/api/v1/units?per_page=500").json["items"]]
    assert "超时单位" not in names


def test_outside_a_request_there_is_no_budget():
    assert deadline.remaining() is None
    deadline.check()  # nothing to stop
    assert deadline.within(20.0, reserve=5.0) == 20.0


def test_work_within_a_budget_is_given_what_is_left():
    token = deadline.start(3.0)
    try:
        assert 0 < deadline.within(20.0, reserve=1.0) <= 2.0
        assert deadline.within(0.5) == 0.5
    finally:
        deadline.stop(token)
    token = deadline.start(0.0)
    try:
        assert deadline.within(20.0) == 0.0
        with pytest.raises(deadline.RequestTimedOut):
            deadline.check()
    finally:
        deadline.stop(token)


def _slow_statement(dialect: str) -> str:
    if dialect == "postgresql":
        return "SELECT pg_sleep(20)"
    # About a billion steps of SQLite's virtual machine: tens of seconds unless interrupted.
    return ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
            "WHERE x < 1000000000) SELECT count(*) FROM c")


def test_the_database_stops_a_statement_that_runs_past_the_budget(database_url):
    """PostgreSQL's statement_timeout (set per transaction from what is left of the budget),
    SQLite's progress handler: either way the statement ends with the budget."""
    engine = make_engine(database_url)
    token = deadline.start(0.5)
    started = time.perf_counter()
    try:
        with engine.connect() as conn, pytest.raises(Exception) as stopped:
            conn.execute(text(_slow_statement(engine.dialect.name)))
    finally:
        deadline.stop(token)
        engine.dispose()
    took = time.perf_counter() - started
    print(f"stopped after {took:.2f} s")
    assert is_cancelled_for_time(stopped.value), repr(stopped.value)
    assert took < 10


def test_a_pooled_connection_forgets_the_budget_of_the_request_that_used_it(database_url):
    engine = make_engine(database_url)
    try:
        token = deadline.start(0.5)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        finally:
            deadline.stop(token)
        time.sleep(0.6)
        with engine.connect() as conn:  # the same pooled connection, no budget now
            assert conn.execute(text("SELECT 1")).scalar() == 1
            if engine.dialect.name == "postgresql":
                assert conn.execute(text("SHOW statement_timeout")).scalar() == "0"
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_statement_outside_any_transaction_has_the_connections_timeout(database_url):
    """The visit fast path sends statements without BEGIN (no transaction to SET LOCAL in):
    the service's connections carry REQUEST_SECONDS as their own statement_timeout."""
    if not database_url.startswith("postgresql"):
        pytest.skip("statement_timeout is PostgreSQL's")
    engine = make_engine(database_url, statement_seconds=0.5)
    started = time.perf_counter()
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn, \
                pytest.raises(Exception) as stopped:
            conn.execute(text("SELECT pg_sleep(20)"))
    finally:
        engine.dispose()
    assert is_cancelled_for_time(stopped.value)
    assert time.perf_counter() - started < 10


@pytest.mark.postgres
def test_a_request_waiting_on_a_lock_answers_503_within_its_budget(database_url, engine):
    """A statement that waits (here on a table another session locked) is cancelled by
    PostgreSQL when the budget runs out; the worker answers and serves the next request."""
    if engine.dialect.name != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's; SQLite's bound is tested above")
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "REQUEST_SECONDS": 1.5,
                      "RATELIMIT_STORAGE_URI": "memory://",
                      "SECRET_KEY": "test-secret-key-not-for-production"})
    client = app.test_client()
    try:
        with engine.connect() as locker:
            locker.execute(text("LOCK TABLE disclosures IN ACCESS EXCLUSIVE MODE"))
            started = time.perf_counter()
            response = client.get("/api/v1/disclosures")
            took = time.perf_counter() - started
            locker.rollback()
        print(f"answered {response.status_code} after {took:.2f} s")
        problem(response, 503, "request_timeout")
        assert took < 5
        assert client.get("/api/v1/disclosures").status_code == 200
    finally:
        app.extensions["db"].engine.dispose()


# --- heavy work takes a slot ------------------------------------------------------------------


@pytest.fixture
def one_slot(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "HEAVY_REQUESTS", 1)
    monkeypatch.setitem(app.config, "HEAVY_DIR", str(tmp_path))
    return tmp_path


def test_heavy_work_past_the_slots_is_refused_at_once_and_cheap_work_goes_on(
        admin, one_slot, monkeypatch):
    from service import exports

    with heavy.slot(one_slot, 1):  # another worker's export, say
        # A short list is written at once, slot or none ...
        assert admin.get(f"{HOUSEHOLDS}?format=xlsx").status_code == 200
        # ... a long one waits for a slot, as imports and plans do.
        monkeypatch.setattr(exports, "SMALL_EXPORT_ROWS", 0)
        started = time.perf_counter()
        response = admin.get(f"{HOUSEHOLDS}?format=xlsx")
        assert time.perf_counter() - started < 2
        body = problem(response, 503, "busy")
        assert response.headers["Retry-After"] == str(heavy.RETRY_AFTER_SECONDS)
        assert "1" in body["detail"]
        problem(admin.post("/api/v1/pairing-plans", json={}), 503, "busy")
        roster = io.BytesIO("村代码,户主姓名\n".encode())
        problem(admin.post("/api/v1/imports/households?dry_run=true",
                           data={"file": (roster, "roster.csv")},
                           content_type="multipart/form-data"), 503, "busy")
        assert admin.get(HOUSEHOLDS).status_code == 200  # a page is not heavy
    response = admin.get(f"{HOUSEHOLDS}?format=xlsx")
    assert response.status_code == 200
    assert admin.post("/api/v1/pairing-plans", json={}).status_code == 201


def test_a_slot_is_given_back_when_its_holder_fails(one_slot):
    with pytest.raises(RuntimeError), heavy.slot(one_slot, 1):
        raise RuntimeError("the export broke")
    with heavy.slot(one_slot, 1):
        with pytest.raises(heavy.Busy), heavy.slot(one_slot, 1):
            pass


# --- exports past the API's size go through the command line -----------------------------------


def test_an_export_too_long_for_a_request_points_to_the_command_line(admin, monkeypatch):
    from service import exports

    monkeypatch.setattr(exports, "MAX_ROWS", 1)
    body = problem(admin.get(f"{HOUSEHOLDS}?format=xlsx"), 422, "export_too_large")
    assert body["limit_name"] == "rows" and body["limit"] == 1
    assert "flask --app service export households" in body["detail"]


def test_the_command_line_exports_what_the_api_refuses(app, world, tmp_path, monkeypatch):
    from service import exports

    monkeypatch.setattr(exports, "MAX_ROWS", 1)
    out = tmp_path / "households.xlsx"
    village = world.villages["a"].id
    result = app.test_cli_runner().invoke(
        args=["export", "households", str(out), "--query", f"village_id={village}"])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out, read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    book.close()
    assert rows[0][:2] == ("村代码", "户主姓名")
    assert sorted(r[1] for r in rows[1:]) == sorted(
        h.head_name for h in world.households.values() if h.village_id == village)
    bad = app.test_cli_runner().invoke(args=["export", "visits", str(out), "--query",
                                             "month=2026-13"])
    assert bad.exit_code != 0 and "month" in bad.output


# --- answers to bad input are capped ----------------------------------------------------------


def test_a_body_naming_hundreds_of_unknown_fields_hears_of_the_first_hundred(admin, world):
    body = {f"unknown_{i}": i for i in range(900)}
    response = admin.post(HOUSEHOLDS, json=body)
    answer = problem(response, 422, "validation_failed")
    assert len(answer["errors"]) == MAX_LISTED
    assert answer["errors_total"] >= 900
    assert len(response.get_data()) < 30_000


def test_an_object_with_thousands_of_members_is_refused_as_it_is_parsed(admin):
    data = json.dumps({f"k{i}": 1 for i in range(600_000)}, separators=(",", ":")).encode()
    assert 7_000_000 < len(data) < 8 * 1024 * 1024
    started = time.perf_counter()
    response = admin.client.post(HOUSEHOLDS, data=data, content_type="application/json",
                                 headers={"Authorization": f"Bearer {admin.token}"})
    took = time.perf_counter() - started
    print(f"{len(data):,} bytes refused in {took:.2f} s")
    body = problem(response, 400, "malformed_body")
    assert "成员超过 1000 个" in body["detail"]
    assert len(response.get_data()) < 2_000


@pytest.mark.parametrize("body,why", [
    ("[" + ",".join(["1"] * 4_000_000) + "]", "超过 1000 项"),
    (json.dumps({"visits": [[0] * 999] * 999}), "超过 200000 个"),
])
def test_a_body_of_millions_of_tiny_values_is_refused_before_it_is_walked(admin, body, why):
    started = time.perf_counter()
    response = admin.client.post(HOUSEHOLDS, data=body.encode(), content_type="application/json",
                                 headers={"Authorization": f"Bearer {admin.token}"})
    print(f"{len(body):,} bytes refused in {time.perf_counter() - started:.2f} s")
    assert why in problem(response, 400, "malformed_body")["detail"]


def test_a_long_key_is_named_short_in_the_answer(admin):
    body = {"k" * 5_000 + str(i): "a\u0000" for i in range(900)}
    response = admin.post(HOUSEHOLDS, json=body)
    answer = problem(response, 422, "validation_failed")
    assert all(len(name) <= 70 for name in answer["errors"])
    assert len(response.get_data()) < 30_000


def test_a_thousand_members_still_parse():
    from service.edges import MAX_MEMBERS, parse_json

    assert len(parse_json(json.dumps({f"k{i}": i for i in range(MAX_MEMBERS)}).encode())) \
        == MAX_MEMBERS


# --- the spec is built once ------------------------------------------------------------------


def test_the_spec_is_built_once_per_process(anonymous, app, monkeypatch):
    api = app.extensions["api"]
    first_yaml = anonymous.get("/openapi.yaml").get_data()
    first_json = anonymous.get("/openapi.json").get_data()
    calls = []
    monkeypatch.setattr(api.spec, "to_dict", lambda: calls.append(1) or {})
    assert anonymous.get("/openapi.yaml").get_data() == first_yaml
    assert anonymous.get("/openapi.json").get_data() == first_json
    assert calls == []
    assert json.loads(first_json)["info"]["title"]


def test_the_docs_page_keeps_no_token_in_local_storage(anonymous):
    page = anonymous.get("/docs").get_data(as_text=True)
    assert '"persistAuthorization": false' in page or "persistAuthorization: false" in page


# --- names that print as typed --------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "\u202e三张",  # right-to-left override: prints reversed
    "张\u2066三",  # isolate
    "\u200b",  # zero-width space alone
    "\u200b\u200d\ufeff",  # only invisible characters
    "\u3164",  # Hangul filler: looks empty
    "\u1680\u2800\ufe0f",  # Ogham space, braille blank, a variation selector
    "张\u2028三",  # line separator
    "张\n三",  # a line break inside
    "张\x07三",  # bell
    "张\x1b[31m三",  # terminal escape
    "张\u0085三",  # next line (C1)
])
def test_a_name_that_hides_or_reorders_what_is_printed_is_refused(admin, world, name):
    before = admin.get(HOUSEHOLDS).json["total"]
    payload = {"village_id": world.villages["a"].id, "head_name": name,
               "id_number": factories.valid_id_number(), "members": 3, "difficulty": "easier",
               "needs": []}
    response = admin.post(HOUSEHOLDS, json=payload)
    assert "head_name" in problem(response, 422, "validation_failed")["errors"]
    assert admin.get(HOUSEHOLDS).json["total"] == before
    assert "name" in problem(admin.post("/api/v1/units", json={"name": name}), 422,
                             "validation_failed")["errors"]


@pytest.mark.parametrize("name,stored", [
    ("张三", "张三"), ("\u3000欧阳 明华\u00a0\n", "欧阳 明华"), ("Zoë\u200dX", "Zoë\u200dX")])
def test_names_with_blanks_around_or_joiners_inside_are_taken(admin, name, stored):
    response = admin.post("/api/v1/units", json={"name": name})
    assert response.status_code == 201, response.json
    assert response.json["name"] == stored


# --- diaries stay with the unit whose households they are about ------------------------------


def test_a_cadre_who_moves_does_not_take_its_diaries_to_the_new_unit(
        world, cadre, admin, unit_admin, login_as, session):
    household = world.households["a1"]
    day = CLOCK.local() - timedelta(days=1)
    visit_id = str(uuid.uuid4())
    response = cadre.post("/api/v1/visits", json={
        "id": visit_id, "household_id": household.id, "visited_at": day.isoformat(),
        "kind": "home_visit", "diary": "家中老人腿脚不便"})
    assert response.status_code == 201, response.json
    # The cadre's pairing ends and the cadre moves to unit B.
    pairing = admin.get(f"/api/v1/pairings?cadre_id={world.cadres['a1'].id}").json["items"][0]
    assert admin.post(f"/api/v1/pairings/{pairing['id']}/end",
                      json={"reason": "调动"}).status_code == 200
    cadre_url = f"/api/v1/cadres/{world.cadres['a1'].id}"
    etag = admin.get(cadre_url).headers["ETag"]
    moved = admin.patch(cadre_url, json={"unit_id": world.units["b"].id},
                        headers={"If-Match": etag})
    assert moved.status_code == 200, moved.json
    admin_b = login_as(factories.user(session, "unit_admin", unit_=world.units["b"]))
    assert visit_id not in {v["id"] for v in admin_b.get("/api/v1/visits").json["items"]}
    assert admin_b.get(f"/api/v1/visits/{visit_id}").status_code == 404
    assert visit_id in {v["id"] for v in unit_admin.get("/api/v1/visits").json["items"]}
    assert unit_admin.get(f"/api/v1/visits/{visit_id}").json["diary"] == "家中老人腿脚不便"


def test_a_plan_searches_only_as_long_as_the_request_has_left(app, admin, monkeypatch):
    """PLANNER_SECONDS is the search's own bound; the request's budget may leave less (a busy
    machine, a slow load of the county), and the plan keeps time to be stored and sent."""
    from service.planner import services

    given = []
    real = services.solve
    monkeypatch.setattr(services, "solve",
                        lambda cadres, households, seconds: given.append(seconds)
                        or real(cadres, households, seconds))
    monkeypatch.setitem(app.config, "PLANNER_SECONDS", 20.0)
    monkeypatch.setitem(app.config, "REQUEST_SECONDS", 8.0)
    assert admin.post("/api/v1/pairing-plans", json={}).status_code == 201
    assert 0 < given[-1] <= 8.0 - services.PLAN_RESERVE_SECONDS
    monkeypatch.setitem(app.config, "REQUEST_SECONDS", 60.0)
    assert admin.post("/api/v1/pairing-plans", json={}).status_code == 201
    assert given[-1] == 20.0


def test_a_batch_of_bad_visits_answers_each_item_briefly(world, cadre):
    """500 items, each naming 300 unknown fields (within the body's 200,000 values): every item
    is rejected with its problem, which lists five fields and says how many there were; the
    answer stays small."""
    items = [{"id": str(uuid.uuid4()), **{f"x{i}": 0 for i in range(300)}} for _ in range(500)]
    data = json.dumps({"visits": items}, separators=(",", ":")).encode()
    assert len(data) < 8 * 1024 * 1024
    response = cadre.client.post("/api/v1/visits/batch", data=data,
                                 content_type="application/json",
                                 headers={"Authorization": f"Bearer {cadre.token}"})
    assert response.status_code == 200, response.get_data()[:300]
    results = response.json["results"]
    assert len(results) == 500 and {r["status"] for r in results} == {"rejected"}
    first = results[0]["problem"]
    assert len(first["errors"]) == 5 and first["errors_total"] >= 300
    print(f"answer: {len(response.get_data()):,} bytes")
    assert len(response.get_data()) < 500_000
