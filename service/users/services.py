"""Accounts, managed by the county admin (and opened from the command line)."""

from sqlalchemy import select

from service import scope
from service.audit.models import AuditEvent
from service.cadres.models import Cadre
from service.context import Context
from service.demands.models import Demand, DemandTransition
from service.exceptions import ValidationFailed
from service.listing import Listing
from service.messages import _
from service.passwords import hash_password
from service.records import Precondition, apply_changes, delete_unless_used
from service.tasks.models import TaskTransition
from service.unique import flush_unique
from service.units.models import Unit
from service.users.models import User
from service.users.rules import password_problems, revokes_tokens, role_link_problems
from service.visits.models import Visit


def list_users(ctx: Context, args: dict) -> Listing:
    """Accounts, with filters."""
    stmt = scope.within(select(User), ctx.caller, User).order_by(User.username)
    for key in ("role", "unit_id", "active"):
        if args.get(key) is not None:
            stmt = stmt.where(getattr(User, key) == args[key])
    if args.get("q"):
        stmt = stmt.where(User.username.icontains(args["q"], autoescape=True))
    return Listing(stmt)


def get_user(ctx: Context, user_id: int) -> User:
    """One account, or 404."""
    return scope.find(ctx.session, ctx.caller, User, user_id, _("user"))


def _check_links(session, role: str, unit_id: int | None, cadre_id: int | None,
                 errors: dict[str, list[str]] | None = None) -> int | None:
    """Validate the links (with any `errors` found already); a cadre account takes its unit
    from its cadre record."""
    errors = {**role_link_problems(role, unit_id, cadre_id), **(errors or {})}
    if "unit_id" not in errors and unit_id is not None and session.get(Unit, unit_id) is None:
        errors["unit_id"] = [_("no %(what)s with id %(id)s", what=_("unit"), id=unit_id)]
    if not {"unit_id", "cadre_id"} & set(errors) and cadre_id is not None:
        cadre = session.get(Cadre, cadre_id)
        if cadre is None:
            errors["cadre_id"] = [_("no %(what)s with id %(id)s", what=_("cadre"),
                                    id=cadre_id)]
        elif unit_id is not None and unit_id != cadre.unit_id:
            errors["unit_id"] = [_("must be the cadre's own unit")]
        else:
            unit_id = cadre.unit_id
    if errors:
        raise ValidationFailed(errors)
    return unit_id


def _password_errors(password: str, username: str) -> dict[str, list[str]]:
    problems = password_problems(password, username)
    return {"password": problems} if problems else {}


def create_user(ctx: Context, data: dict) -> User:
    """Open an account (its password as service/users/rules.py requires)."""
    session = ctx.session
    unit_id = _check_links(session, data["role"], data.get("unit_id"), data.get("cadre_id"),
                           _password_errors(data["password"], data["username"]))
    user = User(username=data["username"],
                password_hash=hash_password(data["password"], ctx.settings.password_hash_fast),
                role=data["role"], unit_id=unit_id, cadre_id=data.get("cadre_id"))
    session.add(user)
    flush_unique(session, "users")
    return user


def update_user(ctx: Context, user_id: int, changes: dict,
                precondition: Precondition = None) -> User:
    """Change role, links, password or active; the last two revoke existing tokens."""
    session = ctx.session
    user = get_user(ctx, user_id)
    role = changes.get("role", user.role)
    cadre_id = changes.get("cadre_id", user.cadre_id if role == "cadre" else None)
    # A cadre account's unit is its cadre's (which may have moved since): _check_links reads it.
    unit_id = changes.get("unit_id", user.unit_id if role == "unit_admin" else None)
    changes["unit_id"] = _check_links(
        session, role, unit_id, cadre_id,
        _password_errors(changes["password"], user.username) if "password" in changes else {})
    changes["cadre_id"] = cadre_id
    revoke = revokes_tokens(changes)
    if "password" in changes:
        changes["password_hash"] = hash_password(changes.pop("password"),
                                                 ctx.settings.password_hash_fast)
    apply_changes(user, changes, precondition)
    if revoke:
        user.token_version += 1
    session.flush()
    return user


def log_out(ctx: Context) -> None:
    """Revoke every token of the caller's account (its next login gets a fresh one); the
    change is on the audit trail as an update of token_version."""
    user = get_user(ctx, ctx.caller.user_id)
    user.token_version += 1
    ctx.session.flush()


def delete_user(ctx: Context, user_id: int, precondition: Precondition = None) -> None:
    """Remove an account that never acted (otherwise deactivate it: history names it)."""
    user = get_user(ctx, user_id)
    delete_unless_used(ctx.session, user, [
        ("task transitions", TaskTransition.user_id == user.id),
        ("demands", Demand.created_by == user.id),
        ("visits", Visit.created_by == user.id),
        ("demand transitions", DemandTransition.user_id == user.id),
        ("audit events", AuditEvent.user_id == user.id)], precondition=precondition)
