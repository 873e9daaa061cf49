"""Pairing plans applied at once (SPEC §14): real commits, real threads.

Several clerks each make a plan of the same county, then all press 应用 together: one plan's
pairings are created, every other plan is refused whole (409 plan_out_of_date), and no
household ends up with two cadres nor a cadre beyond its quota. On PostgreSQL the refusal
the database itself makes — a second plan that passed its checks before the first committed —
is driven step by step.
"""

import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from service.audit.models import AuditEvent
from service.pairings.models import Pairing
from service.planner import services
from service.planner.models import PairingPlan
from tests import factories
from tests.integration.racing import admin_token, race

CLERKS = 6


def _county(session) -> list:
    """One unit holding two villages: three section chiefs (two places each) and five harder
    households; two general cadres and three easier households."""
    unit = factories.unit(session)
    villages = [factories.village(session) for _ in range(2)]
    for village in villages:
        factories.assign(session, unit, village)
    for _ in range(3):
        factories.cadre(session, unit, rank="section_chief")
    for _ in range(2):
        factories.cadre(session, unit)
    households = [factories.household(session, villages[n % 2], difficulty="harder")
                  for n in range(5)]
    households += [factories.household(session, villages[n % 2]) for n in range(3)]
    session.commit()
    return households


def _active(session) -> list[tuple[int, int]]:
    session.expire_all()
    return session.execute(select(Pairing.household_id, Pairing.cadre_id)
                           .where(Pairing.ended_on.is_(None))).all()


def _assert_one_plan_applied(session, plan: dict) -> None:
    """Exactly the plan's pairings, each household once, each cadre within its quota, and
    one audit event per pairing."""
    active = _active(session)
    assert sorted(active) == sorted((p["household_id"], p["cadre_id"])
                                    for p in plan["pairings"])
    assert max(Counter(h for h, _ in active).values()) == 1
    assert max(Counter(c for _, c in active).values()) <= 2
    created = session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.record_type == "pairing", AuditEvent.action == "create"))
    assert created == len(plan["pairings"])


def test_plans_of_the_same_county_applied_at_once_create_one_plans_pairings(
        app, committed, monkeypatch):
    # Every apply races in the database here: none may wait its turn for a heavy-work slot
    # (service/heavy.py, tested on its own).
    monkeypatch.setitem(app.config, "HEAVY_REQUESTS", CLERKS)
    s = committed
    _county(s)
    token = admin_token(app, s)
    client = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    plans = [client.post("/api/v1/pairing-plans", json={}, headers=auth).get_json()
             for _ in range(CLERKS)]
    assert {p["totals"]["covered"] for p in plans} == {7}  # 5 harder of 6 places, 2 easier

    results = race(app, token, [(f"/api/v1/pairing-plans/{p['id']}/apply", None)
                                for p in plans])

    assert Counter((status, code) for status, code, _ in results) == {
        (200, None): 1, (409, "plan_out_of_date"): CLERKS - 1}
    winner = next(plans[i] for i, (status, _, _) in enumerate(results) if status == 200)
    _assert_one_plan_applied(s, winner)
    applied = s.scalars(select(PairingPlan.id).where(PairingPlan.applied_at.is_not(None))).all()
    assert applied == [winner["id"]]


def _waiting_on_a_lock(session, timeout: float = 30) -> None:
    """Return once another connection waits for a row lock (PostgreSQL)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = session.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()"))
        session.rollback()
        if waiting:
            return
        time.sleep(0.05)
    raise AssertionError("the second apply never waited for the first")


def test_a_plan_that_passed_its_checks_is_refused_whole_by_the_database(app, committed, engine):
    """Plan B is applied while plan A's pairings are written but not committed: B's checks
    cannot see them, so B reaches its INSERT, waits on the database's unique index for the
    households A holds, and is refused once A commits — 409 plan_out_of_date, nothing of B
    kept."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes one writer at a time (BEGIN IMMEDIATE): a second apply "
                    "waits before its checks, never between them and its INSERT")
    s = committed
    _county(s)
    a_session, b_session = Session(engine), Session(engine)
    a, b = factories.context(a_session), factories.context(b_session)
    plan_a = services.propose(a, {})
    a_session.commit()
    plan_b = services.propose(b, {})
    b_session.commit()
    services.apply_plan(a, plan_a["id"])  # written, not committed
    outcome: dict = {}

    def apply_b():
        try:
            services.apply_plan(b, plan_b["id"])
            b_session.commit()
            outcome["b"] = "applied"
        except services.PlanOutOfDate as refused:
            outcome["b"] = refused

    thread = threading.Thread(target=apply_b)
    thread.start()
    try:
        _waiting_on_a_lock(s)
    finally:
        a_session.commit()
        thread.join(timeout=60)
    a_session.close()
    b_session.close()

    assert isinstance(outcome["b"], services.PlanOutOfDate)
    assert "database refused" in outcome["b"].detail
    _assert_one_plan_applied(s, plan_a)
    assert s.get(PairingPlan, plan_b["id"]).applied_at is None
