"""Importing the household roster (建档立卡户, SPEC §10): every row checked by the rules the API
applies, every bad row reported with its row number, column and a Chinese message, and then all
rows written in one transaction, or none.

Households are matched by ID number: a new one is created, an existing one updated (its new
needs generate their tasks, as a PATCH would) or counted unchanged. Each change goes through the
household services, so it is scoped, versioned and audited like one made through the API; the
import itself is one more audit event with its counts.
"""

import re
from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import insert, select, text

from service import scope
from service.assignments.models import VillageAssignment
from service.audit import recorder
from service.audit import rules as audit_rules
from service.audit.models import AuditEvent
from service.clock import utcnow
from service.context import AUDIT_ACTOR, Context
from service.history.models import HouseholdVersion
from service.households import services as households
from service.households.models import Household, HouseholdNeed, new_card_code
from service.households.rules import (
    HEAD_NAME_MAX,
    INCOME_MAX,
    MEMBERS_MAX,
    MEMBERS_MIN,
    MOBILE,
    NEEDS,
    id_number_problem,
)
from service.imports import rules
from service.imports.reading import Sheet
from service.imports.rows import Row, read_rows, refuse_if_any, write
from service.imports.rows import problem as _problem
from service.messages import _
from service.places.models import Village
from service.tasks import rules as task_rules
from service.tasks.models import Task

_BATCH = 2_000  # id numbers looked up per statement
_CHUNK = 2_000  # new households per round of INSERTs
_ANALYZE_AFTER = 5_000  # new households after which PostgreSQL's statistics are renewed


# How each column's cell becomes a value, and each field's header (for the messages).
_READERS: dict[str, Callable] = {
    "village_code": lambda c: rules.digits(c, "村代码"),
    "head_name": rules.name,
    "id_number": rules.id_number,
    "phone": lambda c: rules.digits(c, "联系电话"),
    "members": lambda c: rules.whole_number(c, "家庭人口"),
    "difficulty": lambda c: rules.coded(c, rules.DIFFICULTY_WORDS, "困难程度"),
    "needs": lambda c: rules.coded_list(c, rules.NEED_WORDS, "帮扶需求"),
    "income_per_capita": lambda c: rules.amount(c, "人均纯收入"),
}
_HEADERS = {c.field: c.header for c in rules.HOUSEHOLD_COLUMNS}


def _check(row: Row, today, problems: list[dict]) -> None:
    """The API's rules for a household (HouseholdIn), in the office's words (an ID number's
    problems are the API's own)."""
    v, headers = row.values, _HEADERS
    name = v.get("head_name")
    if name and len(name) > HEAD_NAME_MAX:
        problems.append(_problem(row.number, headers["head_name"],
                                 _("at most %(most)s characters", most=HEAD_NAME_MAX)))
    number = v.get("id_number")
    if number:
        why = id_number_problem(number, today)
        if why:
            problems.append(_problem(row.number, headers["id_number"], why))
    phone = v.get("phone")
    if phone and not re.fullmatch(MOBILE, phone):
        problems.append(_problem(row.number, headers["phone"],
                                 _("should be an 11-digit mobile number")))
    members = v.get("members")
    if members is not None and not MEMBERS_MIN <= members <= MEMBERS_MAX:
        problems.append(_problem(row.number, headers["members"],
                                 _("should be from %(min)s to %(max)s", min=MEMBERS_MIN,
                                   max=MEMBERS_MAX)))
    income = v.get("income_per_capita")
    if income is not None and income > INCOME_MAX:
        problems.append(_problem(row.number, headers["income_per_capita"],
                                 _("at most %(most)s yuan", most=INCOME_MAX)))


def _villages(ctx: Context, codes: set[str]) -> dict[str, int]:
    """Village ids by code, among the villages the caller may register households in."""
    stmt = select(Village.code, Village.id).where(Village.code.in_(codes))
    condition = scope.manageable(ctx.caller, Village)
    if condition is not None:
        stmt = stmt.where(condition)
    return dict(ctx.session.execute(stmt).all()) if codes else {}


_COMPARED = ("id", "id_number", "village_id", "head_name", "phone", "members", "difficulty",
             "income_per_capita")


def _existing(ctx: Context, numbers: list[str]) -> dict[str, dict]:
    """The stored households these ID numbers name, as plain values to compare (rows, not
    mapped objects: 100,000 of those, with their needs, would cost memory and the garbage
    collector's time over again)."""
    found: dict[str, dict] = {}
    columns = [getattr(Household, c) for c in _COMPARED]
    for start in range(0, len(numbers), _BATCH):
        chunk = numbers[start:start + _BATCH]
        rows = {r.id: {**r._mapping, "needs": []} for r in ctx.session.execute(
            select(*columns).where(Household.id_number.in_(chunk)))}
        for household_id, need in ctx.session.execute(
                select(HouseholdNeed.household_id, HouseholdNeed.need)
                .where(HouseholdNeed.household_id.in_(rows))):
            rows[household_id]["needs"].append(need)
        found.update((r["id_number"], r) for r in rows.values())
    return found


def _changes(stored: dict, values: dict) -> dict:
    """What the row would change on the stored household (only the columns the file has)."""
    changes = {}
    for key, value in values.items():
        now = stored[key]
        if key == "needs":
            now, value = sorted(now), sorted(value)
        if key == "income_per_capita" and now is not None:
            now = Decimal(now).quantize(Decimal("0.01"))
        if now != value:
            changes[key] = values[key]
    return changes


def _create_all(ctx: Context, creates: list[dict],
                progress: Callable[[int], None]) -> list[int]:
    """New households, _CHUNK at a time, written as the ORM's create would write them (the
    household, its needs, its version row, the tasks its needs generate and an audit event
    for each record) but as a few multi-row INSERTs per chunk: a county's roster of 100,000
    is a load, not 100,000 units of work. Uniqueness was checked before (the file, the
    database); the constraints still refuse a household another request registered
    meanwhile."""
    session, today = ctx.session, ctx.clock.today()
    actor = session.info[AUDIT_ACTOR]
    villages = {values["village_id"] for values in creates}
    if villages:  # as tasks.hold_village does for one household, for all of them at once
        session.execute(select(VillageAssignment.id).where(
            VillageAssignment.village_id.in_(villages), VillageAssignment.ended_on.is_(None))
            .with_for_update(read=True, of=VillageAssignment))
    households = Household.__table__
    returning = insert(households).returning(households.c.id, sort_by_parameter_order=True)
    created: list[int] = []
    for start in range(0, len(creates), _CHUNK):
        chunk = creates[start:start + _CHUNK]
        now = utcnow()
        rows = [{"village_id": v["village_id"], "head_name": v["head_name"],
                 "id_number": v["id_number"], "phone": v.get("phone"), "members": v["members"],
                 "difficulty": v["difficulty"], "income_per_capita": v.get("income_per_capita"),
                 "card_code": new_card_code(), "created_at": now, "updated_at": now,
                 "version": 1} for v in chunk]
        ids = session.execute(returning, rows).scalars().all()
        created += ids
        needs, versions, tasks, events = [], [], [], []
        for household_id, row, values in zip(ids, rows, chunk, strict=True):
            wanted = [n for n in NEEDS if n in set(values.get("needs") or ())]
            needs += [{"household_id": household_id, "need": n} for n in wanted]
            versions.append({"household_id": household_id, "valid_from": now,
                             **{f: row[f] for f in ("village_id", "head_name", "difficulty")}})
            changes = audit_rules.created({"id": household_id, **row})
            changes["needs"] = [None, wanted]
            events.append(recorder.event_row(actor, "create", "household", household_id,
                                             changes, now))
            for category in task_rules.needs_to_open(wanted, set()):
                tasks.append({"household_id": household_id, "source": "generated",
                              "status": "open", "created_at": now, "updated_at": now,
                              "version": 1, **task_rules.template_for(category, today)})
        if needs:
            session.execute(insert(HouseholdNeed.__table__), needs)
        session.execute(insert(HouseholdVersion.__table__), versions)
        if tasks:
            task_ids = session.execute(
                insert(Task.__table__).returning(Task.__table__.c.id,
                                                 sort_by_parameter_order=True),
                tasks).scalars().all()
            events += [recorder.event_row(actor, "create", "task", task_id,
                                          audit_rules.created(task), now)
                       for task_id, task in zip(task_ids, tasks, strict=True)]
        session.execute(insert(AuditEvent.__table__), events)
        progress(start + len(chunk))
    if len(creates) >= _ANALYZE_AFTER and session.get_bind().dialect.name == "postgresql":
        # A large load leaves PostgreSQL's statistics saying the tables are small: until
        # autovacuum catches up, the planner would scan all of households for each lookup of
        # the next import (a re-import of 100,000 rows: 315 s instead of seconds).
        for table in ("households", "household_needs", "household_versions", "tasks"):
            session.execute(text(f"ANALYZE {table}"))
    return created


def import_households(ctx: Context, sheet: Sheet, dry_run: bool = False,
                      progress: Callable[[int], None] | None = None) -> dict:
    """Check every row; refuse them all when any is bad (ImportRowsInvalid), otherwise write
    them all (unless `dry_run`): {dry_run, rows, created, updated, unchanged}. `progress` is
    told how many rows are written so far."""
    rows, problems = read_rows(sheet, rules.HOUSEHOLD_COLUMNS, _READERS)
    first_seen: dict[str, int] = {}
    today = ctx.clock.today()
    for row in rows:
        _check(row, today, problems)
        id_number = row.values.get("id_number")
        if id_number:
            if id_number in first_seen:
                problems.append(_problem(row.number, "身份证号",
                                         _("repeats row %(row)s", row=first_seen[id_number])))
            else:
                first_seen[id_number] = row.number
    codes = {r.values["village_code"] for r in rows if r.values.get("village_code")}
    villages = _villages(ctx, codes)
    for row in rows:
        code = row.values.pop("village_code", None)
        if code is not None:
            if code in villages:
                row.values["village_id"] = villages[code]
            else:
                problems.append(_problem(row.number, "村代码", _(
                    "village code %(code)s does not exist or is outside your scope",
                    code=rules.quoted(code))))
    refuse_if_any(problems)
    existing = _existing(ctx, list(first_seen))
    matches = [(row, existing.get(row.values["id_number"])) for row in rows]
    return write(ctx, "household", matches, dry_run, _changes, households.update_household,
                 _create_all, progress)
