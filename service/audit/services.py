"""Reading the audit trail: newest first, filtered, in the caller's scope; and a household's
story told by it (SPEC §15)."""

from sqlalchemy import String, and_, cast, literal, or_, select, union_all

from service import scope
from service.audit.models import AuditEvent
from service.context import Context
from service.demands.models import Demand
from service.households.models import Household
from service.listing import Listing
from service.pairings.models import Pairing
from service.tasks.models import Task
from service.visits.models import Visit


def list_events(ctx: Context, args: dict) -> Listing:
    """Events, newest first, by record, user, action, request and time."""
    stmt = scope.within(select(AuditEvent), ctx.caller, AuditEvent).order_by(
        AuditEvent.id.desc())
    for key in ("record_type", "record_id", "user_id", "action", "request_id"):
        if args.get(key) is not None:
            stmt = stmt.where(getattr(AuditEvent, key) == args[key])
    if args.get("since") is not None:
        stmt = stmt.where(AuditEvent.at >= args["since"])
    if args.get("until") is not None:
        stmt = stmt.where(AuditEvent.at < args["until"])
    return Listing(stmt)


# The records a household's story is made of, besides the household itself.
ABOUT_A_HOUSEHOLD = {"pairing": Pairing, "task": Task, "demand": Demand, "visit": Visit}


def household_timeline(ctx: Context, household_id: int) -> Listing:
    """A household's story, newest first: the events of the household and of its pairings,
    tasks, demands and visits. The household is found as its GET finds it (404 outside the
    caller's scope); each kind of record around it is kept to what the caller may see of that
    kind (a cadre: its own pairings and visits, never its predecessor's). Personal data is
    never in an event (service/audit/rules.py): every role reads it as "[redacted]", no more
    than it reads elsewhere."""
    session, caller = ctx.session, ctx.caller
    household = scope.find(session, caller, Household, household_id, "household")
    parts = [scope.within(select(literal(kind).label("kind"),
                                 cast(model.id, String).label("record_id"))
                          .where(model.household_id == household.id), caller, model)
             for kind, model in ABOUT_A_HOUSEHOLD.items()]
    records: dict[str, list[str]] = {"household": [str(household.id)]}
    for kind, record_id in session.execute(union_all(*parts)):
        records.setdefault(kind, []).append(record_id)
    return Listing(select(AuditEvent).where(or_(*(
        and_(AuditEvent.record_type == kind, AuditEvent.record_id.in_(ids))
        for kind, ids in records.items()))).order_by(AuditEvent.id.desc()))
