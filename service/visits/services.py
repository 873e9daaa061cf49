"""Visits: log one or a batch, read them in scope, correct within a day, and sync down."""

from datetime import datetime, timedelta

from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from service.api import paginate
from service.auth import Claim
from service.cadres.models import Cadre
from service.context import Caller
from service.dates import month_bounds
from service.db import commit
from service.demands.models import Demand
from service.errors import Conflict, Forbidden, problem_body
from service.exceptions import DomainError, ValidationFailed
from service.households.models import Household
from service.scope import hidden
from service.visits import rules
from service.visits.intake import Intake
from service.visits.models import Visit, VisitRevision
from service.visits.schemas import VisitIn


class CorrectionWindowClosed(Conflict):
    code, title = "correction_window_closed", "Visits can be corrected for 24 hours"


def _visible(stmt, caller: Caller):
    if caller.role == "cadre":
        return stmt.where(Visit.cadre_id == caller.cadre_id)
    if caller.role == "unit_admin":
        return stmt.where(Visit.cadre_id.in_(select(Cadre.id).where(
            Cadre.unit_id == caller.unit_id)))
    return stmt


def present_many(session, visits: list[Visit], known: dict | None = None) -> list[dict]:
    """Visits with their demand ids and number of corrections (two queries for a page;
    none when `known` gives the demand ids of a visit just created)."""
    ids = [v.id for v in visits]
    demands: dict[str, list[str]] = {}
    revisions: dict[str, int] = {}
    if known is not None:
        demands = known
    else:
        for demand_id, visit_id in session.execute(
                select(Demand.id, Demand.visit_id).where(Demand.visit_id.in_(ids))
                .order_by(Demand.id)):
            demands.setdefault(visit_id, []).append(demand_id)
        revisions = dict(session.execute(
            select(VisitRevision.visit_id, func.count()).where(VisitRevision.visit_id.in_(ids))
            .group_by(VisitRevision.visit_id)).all())
    out = []
    for v in visits:
        data = {c: getattr(v, c) for c in (
            "id", "cadre_id", "household_id", "pairing_id", "visited_at", "received_at",
            "kind", "direct", "diary", "help_given", "card_scanned", "flags", "updated_at")}
        data["location"] = None if v.latitude is None else {
            "latitude": v.latitude, "longitude": v.longitude, "accuracy_m": v.accuracy_m}
        data["demand_ids"] = demands.get(v.id, [])
        data["revisions"] = revisions.get(v.id, 0)
        out.append(data)
    return out


def list_visits(session, caller: Caller, args: dict, zone) -> dict:
    """Visits in scope, newest first, with filters."""
    stmt = _visible(select(Visit), caller).order_by(Visit.visited_at.desc(), Visit.id)
    for key in ("cadre_id", "household_id", "kind", "direct"):
        if args.get(key) is not None:
            stmt = stmt.where(getattr(Visit, key) == args[key])
    if args.get("village_id") is not None:
        stmt = stmt.where(Visit.household_id.in_(
            select(Household.id).where(Household.village_id == args["village_id"])))
    if args.get("unit_id") is not None:
        stmt = stmt.where(Visit.cadre_id.in_(select(Cadre.id).where(
            Cadre.unit_id == args["unit_id"])))
    if args.get("flag"):
        stmt = stmt.where(getattr(Visit, f"flag_{args['flag']}").is_(True))
    if args.get("month"):
        first, last = month_bounds(args["month"])
        start = datetime(first.year, first.month, first.day, tzinfo=zone)
        end = datetime(last.year, last.month, last.day, tzinfo=zone) + timedelta(days=1)
        stmt = stmt.where(Visit.visited_at >= start, Visit.visited_at < end)
    page = paginate(session, stmt, args)
    page["items"] = present_many(session, page["items"])
    return page


def get_visit(session, caller: Caller, visit_id: str) -> Visit:
    """One visit in scope, or 404."""
    visit = session.scalar(_visible(select(Visit).where(Visit.id == visit_id), caller))
    if visit is None:
        raise hidden("visit", visit_id)
    return visit


def _intake(session, sender: Caller | Claim, items: list[dict], now, zone, max_km) -> Intake:
    intake = Intake(session, sender, now, zone, max_km)
    intake.prepare(items)
    return intake


def log_visit(session, sender: Caller | Claim, data: dict, now, zone, max_km):
    """Store one visit; a replay of the same body returns the stored visit (created=False).
    `sender` may be a token's claim: its account is confirmed by the intake's read."""
    for attempt in (1, 2):
        intake = _intake(session, sender, [data], now, zone, max_km)
        outcome = intake.take(data)
        try:
            intake.write()
            commit(session)
            if outcome.visit is None:
                outcome.visit = session.get(Visit, outcome.id)
            return outcome
        except IntegrityError:
            # The same id arrived twice at once (a phone retrying): look again, once.
            session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _problem(error: DomainError) -> dict:
    return problem_body(error.status, error.code, error.title, error.detail, **error.extra)


_ITEM = VisitIn()  # one instance for every batch item: building a schema deep-copies its fields


def log_batch(session, caller: Caller, raw_items: list[dict], now, zone, max_km) -> list[dict]:
    """Store up to 500 visits; each gets its own answer and the good ones are kept."""
    results: list[dict] = []
    valid: list[tuple[int, dict]] = []
    for raw in raw_items:
        try:
            data = _ITEM.load(raw)
        except ValidationError as exc:
            problem = ValidationFailed({k: v if isinstance(v, list) else [str(v)]
                                        for k, v in exc.messages.items()})
            results.append({"id": raw.get("id") if isinstance(raw.get("id"), str) else None,
                            "status": "rejected", "problem": _problem(problem)})
            continue
        valid.append((len(results), data))
        results.append({"id": str(data["id"])})
    if not valid:
        return results
    intake = _intake(session, caller, [d for _, d in valid], now, zone, max_km)
    try:
        _take_all(intake, valid, results, savepoints=False)
        session.commit()
    except IntegrityError:
        # Another request stored one of these ids meanwhile: redo one by one, each in a
        # savepoint, so the rest still lands.
        session.rollback()
        intake = _intake(session, caller, [d for _, d in valid], now, zone, max_km)
        _take_all(intake, valid, results, savepoints=True)
        session.commit()
    return results


def _take_all(intake: Intake, valid, results, savepoints: bool) -> None:
    for index, data in valid:
        try:
            if savepoints:
                with intake.session.begin_nested():
                    outcome = intake.take(data)
                    intake.write()
            else:
                outcome = intake.take(data)
            results[index] = {"id": outcome.id, "status": outcome.status}
        except DomainError as error:
            results[index] = {"id": str(data["id"]), "status": "rejected",
                              "problem": _problem(error)}
        except IntegrityError:
            results[index] = {"id": str(data["id"]), "status": "rejected",
                              "problem": {"status": 409, "code": "id_conflict",
                                          "title": "Sent twice at once; send it again",
                                          "type": "https://shuangbao.example/problems/id_conflict"}}
    if not savepoints:
        intake.write()


def correct_visit(session, caller: Caller, visit_id: str, changes: dict, now, zone,
                  max_km) -> Visit:
    """The cadre who logged a visit may correct it for 24 hours; the old version is kept."""
    visit = get_visit(session, caller, visit_id)
    if visit.created_by != caller.user_id:
        raise Forbidden("Only the cadre who logged a visit may correct it.")
    if now - visit.received_at > rules.CORRECTION_WINDOW:
        raise CorrectionWindowClosed("The 24 hours for corrections have passed.")
    before = {c: getattr(visit, c) for c in ("kind", "diary", "help_given", "latitude",
                                             "longitude", "accuracy_m", "flags")}
    session.add(VisitRevision(visit_id=visit.id, user_id=caller.user_id, before=before))
    if "kind" in changes:
        visit.kind, visit.direct = changes["kind"], rules.is_direct(changes["kind"])
    for key in ("diary", "help_given"):
        if key in changes:
            setattr(visit, key, changes[key])
    if "location" in changes:
        loc = changes["location"] or {}
        visit.latitude, visit.longitude = loc.get("latitude"), loc.get("longitude")
        visit.accuracy_m = loc.get("accuracy_m")
    intake = _intake(session, caller, [{"id": visit.id, "household_id": visit.household_id,
                                        "visited_at": visit.visited_at}], now, zone, max_km)
    location = None if visit.latitude is None else {"latitude": visit.latitude,
                                                    "longitude": visit.longitude}
    visit.set_flags(intake.flags(visit.id, visit.household_id, visit.visited_at,
                                 visit.received_at, visit.direct, location,
                                 intake.households[visit.household_id]))
    session.commit()
    return visit
