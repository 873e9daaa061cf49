"""Visits: log one or a batch, read them in scope, correct within a day."""

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import DataError, IntegrityError

from service import names, scope
from service.cadres.models import Cadre
from service.context import Context
from service.dates import month_bounds
from service.deadline import RequestTimedOut
from service.demands.models import Demand
from service.exceptions import Conflict, DomainError, Forbidden
from service.households.models import Household
from service.idempotency import IdConflict
from service.listing import Listing
from service.messages import _
from service.records import Precondition
from service.visits import rules
from service.visits.intake import Intake, Outcome, Rejected, Unconfirmed
from service.visits.models import Visit, VisitRevision


def present_many(session, visits: list, known: dict | None = None) -> list[dict]:
    """Visits with their household's head and cadre by name, their demand ids and number of
    corrections (four queries for a page; two when `known` gives the demand ids of a visit
    just created)."""
    ids = [v.id for v in visits]
    households = names.heads_and_villages(session, [v.household_id for v in visits])
    cadres = names.of_cadres(session, [v.cadre_id for v in visits])
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
        data["household_head_name"] = households.get(v.household_id, (None,))[0]
        data["cadre_name"] = cadres.get(v.cadre_id)
        data["demand_ids"] = demands.get(v.id, [])
        data["revisions"] = revisions.get(v.id, 0)
        out.append(data)
    return out


def list_visits(ctx: Context, args: dict) -> Listing:
    """Visits in scope, newest first, with filters."""
    stmt = scope.within(select(Visit), ctx.caller, Visit).order_by(Visit.visited_at.desc(),
                                                                   Visit.id)
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
        zone = ctx.settings.county_zone
        first, last = month_bounds(args["month"])
        start = datetime(first.year, first.month, first.day, tzinfo=zone)
        end = datetime(last.year, last.month, last.day, tzinfo=zone) + timedelta(days=1)
        stmt = stmt.where(Visit.visited_at >= start, Visit.visited_at < end)
    return Listing(stmt, present=lambda items: present_many(ctx.session, items),
                   sorts={"household_head_name": names.household_head_of(Visit.household_id),
                          "cadre_name": names.cadre_name_of(Visit.cadre_id)})


def get_visit(ctx: Context, visit_id: str) -> Visit:
    """One visit in scope, or 404."""
    return scope.find(ctx.session, ctx.caller, Visit, visit_id, _("visit"))


def _intake(ctx: Context, items: list[dict], sender: Unconfirmed | None = None) -> Intake:
    intake = Intake(ctx, sender)
    intake.prepare(items)
    return intake


def log_visit(ctx: Context, data: dict, sender: Unconfirmed | None = None) -> Outcome:
    """Store one visit; a replay of the same body returns the stored visit (created=False).
    `sender`: a token whose account the intake's first read confirms (the fast path)."""
    session = ctx.session
    for attempt in (1, 2):
        intake = _intake(ctx, [data], sender)
        outcome = intake.take(data)
        try:
            intake.write()
            if outcome.visit is None:
                outcome.visit = session.get(Visit, outcome.id)
            return outcome
        except IntegrityError:
            # The same id arrived twice at once (a phone retrying): look again, once.
            session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def log_batch(ctx: Context, items: list[dict | Rejected]) -> list[dict]:
    """Store up to 500 visits (validated data, or what was already refused on reading it);
    each gets its own answer ({id, status, error?}) and the good ones are kept."""
    session = ctx.session
    results: list[dict] = []
    valid: list[tuple[int, dict]] = []
    for item in items:
        if isinstance(item, Rejected):
            results.append({"id": item.id, "status": "rejected", "error": item.error})
            continue
        valid.append((len(results), item))
        results.append({"id": str(item["id"])})
    if not valid:
        return results
    intake = _intake(ctx, [d for _, d in valid])
    try:
        _take_all(intake, valid, results, savepoints=False)
        session.flush()
    except (IntegrityError, DataError):
        # The database refused a row the checks let through (another request stored one of
        # these ids meanwhile, or a constraint the checks do not know): redo one by one, each
        # in a savepoint, so the refused one is rejected and the rest still lands.
        session.rollback()
        intake = _intake(ctx, [d for _, d in valid])
        _take_all(intake, valid, results, savepoints=True)
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
        except RequestTimedOut:
            raise  # the whole batch answers 503 and the phone sends it again: no item is "bad"
        except DomainError as error:
            results[index] = {"id": str(data["id"]), "status": "rejected", "error": error}
        except (IntegrityError, DataError) as error:
            results[index] = {"id": str(data["id"]), "status": "rejected",
                              "error": _refusal(intake, data, error)}
    if not savepoints:
        intake.write()


def _refusal(intake: Intake, data: dict, error: Exception) -> DomainError:
    """One item the database refused, as its problem (never the database's message: it may
    quote the values)."""
    visit_id = str(data["id"])
    if isinstance(error, IntegrityError) and intake.session.get(Visit, visit_id) is not None:
        return IdConflict(_("Sent twice at once; send it again."), id=visit_id)
    return Conflict(_("The database refused this visit; correct it or discard it."))


def correct_visit(ctx: Context, visit_id: str, changes: dict,
                  precondition: Precondition = None) -> Visit:
    """The cadre who logged a visit may correct it for 24 hours; the old version is kept."""
    session, caller, now = ctx.session, ctx.caller, ctx.clock.now()
    visit = get_visit(ctx, visit_id)
    if precondition is not None:
        precondition(visit)
    if visit.created_by != caller.user_id:
        raise Forbidden(_("Only the cadre who logged a visit may correct it."))
    rules.check_correction_window(now, visit.received_at)
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
    intake = _intake(ctx, [{"id": visit.id, "household_id": visit.household_id,
                            "visited_at": visit.visited_at}])
    location = None if visit.latitude is None else {"latitude": visit.latitude,
                                                    "longitude": visit.longitude}
    visit.set_flags(intake.flags(visit.id, visit.household_id, visit.visited_at,
                                 visit.received_at, visit.direct, location,
                                 intake.households[visit.household_id]))
    session.flush()
    return visit
