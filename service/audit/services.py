"""Reading the audit trail: newest first, filtered, in the caller's scope."""

from sqlalchemy import select

from service import scope
from service.audit.models import AuditEvent
from service.context import Context
from service.listing import Listing


def list_events(ctx: Context, args: dict) -> Listing:
    """Events, newest first, by record, user, action and time."""
    stmt = scope.within(select(AuditEvent), ctx.caller, AuditEvent).order_by(
        AuditEvent.id.desc())
    for key in ("record_type", "record_id", "user_id", "action"):
        if args.get(key) is not None:
            stmt = stmt.where(getattr(AuditEvent, key) == args[key])
    if args.get("since") is not None:
        stmt = stmt.where(AuditEvent.at >= args["since"])
    if args.get("until") is not None:
        stmt = stmt.where(AuditEvent.at < args["until"])
    return Listing(stmt)
