"""The demo county is alive on any day (SPEC §15): loaded with the clock on some day, its
history runs up to yesterday — every month of the year so far with visits, the current month
logged up to yesterday, nothing on or after today — and the previous month is published, its
chain valid. The clock is set to far-apart days; nothing here reads the wall clock."""

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import migrate
from service.assignments.models import VillageAssignment
from service.audit.models import AuditEvent
from service.db import make_engine
from service.demands.models import Demand, DemandTransition
from service.demo import HISTORY_USERNAME, DemoSizes, demo_span, load_demo, previous_month
from service.disclosures.models import Disclosure
from service.disclosures.services import verify
from service.households.models import Household
from service.inspections.models import Inspection
from service.pairings.models import Pairing
from service.tasks.models import TaskTransition
from service.visits.models import Visit
from tests import factories
from tests.clock import CST

# Enough pairings (about 150) that every day has a visit somewhere in the county.
SIZES = DemoSizes(townships=2, villages=10, units=4, cadres=200, households=300)

DAYS = ["2026-12-07T10:00:00+08:00",  # December: November published, 1–6 December logged
        "2027-01-02T00:05:00+08:00",  # just after midnight on 2 January: last year whole
        "2028-03-01T10:00:00+08:00",  # the 1st, after a leap February: nothing yet in March
        "2026-02-01T09:00:00+08:00",  # the shortest history: January alone
        None]  # the day the suite runs on (TEST_NOW: .ci/run's far-apart days)


def _instant(day: date) -> datetime:
    return datetime.combine(day, time(), CST)


def _months(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


@pytest.mark.parametrize("now", DAYS, ids=lambda day: day or "TEST_NOW")
def test_the_demo_is_alive_on_any_day(session, clock, now):
    if now is not None:
        clock.set(now)
    today = clock.today()
    ctx = factories.context(session)
    counts = load_demo(ctx, SIZES, 2026, progress=False)
    first, yesterday = demo_span(today)
    assert first == date((today.replace(day=1) - timedelta(days=1)).year, 1, 1)
    assert yesterday == today - timedelta(days=1)

    visited = [v.astimezone(CST) for v in session.scalars(select(Visit.visited_at))]
    # Nothing on or after today, nothing before the history began.
    assert max(visited).date() == yesterday
    assert min(visited).date() >= first
    # Every month of the history has visits, the previous one and this one up to yesterday.
    by_month = {(v.year, v.month) for v in visited}
    assert by_month == {(m.year, m.month) for m in _months(first, yesterday)}
    this_month = [v for v in visited if v.date() >= today.replace(day=1)]
    assert bool(this_month) == (today.day > 1)

    # Nothing of the history is stamped after now: visits received, tasks and demands moved,
    # pairings begun, inspections made.
    now_utc = clock.now()
    assert session.scalar(select(func.max(Visit.received_at))) < now_utc
    assert session.scalar(select(func.max(TaskTransition.at))) < now_utc
    assert session.scalar(select(func.max(DemandTransition.at))) < now_utc
    assert session.scalar(select(func.max(Demand.received_at))) < now_utc
    assert session.scalar(select(func.max(Pairing.started_on))) < today
    inspected = session.scalar(select(func.max(Inspection.inspected_on)))
    assert inspected is None or inspected < today.replace(day=1)

    # The previous month published for every village a unit holds, one chain that verifies.
    month = previous_month(today)
    held = set(session.scalars(select(VillageAssignment.village_id)))
    published = session.execute(select(Disclosure.village_id, Disclosure.month,
                                       Disclosure.revision)).all()
    assert sorted(published) == sorted((v, month, 1) for v in held)
    assert counts[f"disclosures of {month}"] == len(held)
    last = session.scalar(select(Disclosure.id).order_by(Disclosure.seq.desc()).limit(1))
    check = verify(ctx, last)
    assert check["valid"] and check["checked"] == len(held), check
    # Signed by the history's account, like the rest of the demo's history.
    signers = session.execute(select(AuditEvent.actor, func.count())
                              .where(AuditEvent.action == "publish")
                              .group_by(AuditEvent.actor)).all()
    assert signers == [(HISTORY_USERNAME, len(held))]


def test_the_same_seed_gives_the_same_county_on_any_day(tmp_path, clock):
    """Only the history moves with the day: households, cadres and pairings stay the same."""

    def county(name: str, now: str) -> list:
        clock.set(now)
        url = f"sqlite:///{tmp_path / name}"
        migrate.upgrade(url)
        engine = make_engine(url)
        with Session(engine) as session:
            load_demo(factories.context(session), SIZES, 7, progress=False)
            rows = session.execute(
                select(Household.id_number, Household.head_name, Household.village_id,
                       Pairing.cadre_id).join(Pairing, isouter=True).order_by(Household.id)).all()
        engine.dispose()
        return rows

    assert county("december.db", DAYS[0]) == county("march.db", DAYS[2])
