"""Accounts, managed by the county admin."""

from sqlalchemy import select

from service.api import paginate
from service.auth import hash_password
from service.cadres.models import Cadre
from service.demands.models import Demand, DemandTransition
from service.errors import ValidationFailed
from service.records import apply_changes, delete_unless_used
from service.scope import get_or_404
from service.tasks.models import TaskTransition
from service.unique import flush_unique
from service.units.models import Unit
from service.users.models import User
from service.users.rules import role_link_problems
from service.visits.models import Visit


def list_users(session, args: dict) -> dict:
    """Accounts, with filters."""
    stmt = select(User).order_by(User.username)
    for key in ("role", "unit_id", "active"):
        if args.get(key) is not None:
            stmt = stmt.where(getattr(User, key) == args[key])
    if args.get("q"):
        stmt = stmt.where(User.username.icontains(args["q"], autoescape=True))
    return paginate(session, stmt, args)


def _check_links(session, role: str, unit_id: int | None, cadre_id: int | None) -> int | None:
    """Validate the links; a cadre account takes its unit from its cadre record."""
    errors = role_link_problems(role, unit_id, cadre_id)
    if not errors and unit_id is not None and session.get(Unit, unit_id) is None:
        errors["unit_id"] = [f"no unit with id {unit_id}"]
    if not errors and cadre_id is not None:
        cadre = session.get(Cadre, cadre_id)
        if cadre is None:
            errors["cadre_id"] = [f"no cadre with id {cadre_id}"]
        elif unit_id is not None and unit_id != cadre.unit_id:
            errors["unit_id"] = ["must be the cadre's own unit"]
        else:
            unit_id = cadre.unit_id
    if errors:
        raise ValidationFailed(errors)
    return unit_id


def create_user(session, data: dict) -> User:
    """Open an account."""
    unit_id = _check_links(session, data["role"], data.get("unit_id"), data.get("cadre_id"))
    user = User(username=data["username"], password_hash=hash_password(data["password"]),
                role=data["role"], unit_id=unit_id, cadre_id=data.get("cadre_id"))
    session.add(user)
    flush_unique(session, "users")
    session.commit()
    return user


def update_user(session, user_id: int, changes: dict) -> User:
    """Change role, links, password or active; the last two revoke existing tokens."""
    user = get_or_404(session, User, user_id, "user")
    role = changes.get("role", user.role)
    cadre_id = changes.get("cadre_id", user.cadre_id if role == "cadre" else None)
    unit_id = changes.get("unit_id", user.unit_id if role in ("unit_admin", "cadre") else None)
    changes["unit_id"] = _check_links(session, role, unit_id, cadre_id)
    changes["cadre_id"] = cadre_id
    revoke = "password" in changes or changes.get("active") is False
    if "password" in changes:
        changes["password_hash"] = hash_password(changes.pop("password"))
    apply_changes(user, changes)
    if revoke:
        user.token_version += 1
    session.commit()
    return user


def delete_user(session, user_id: int) -> None:
    """Remove an account that never acted (otherwise deactivate it: history names it)."""
    user = get_or_404(session, User, user_id, "user")
    delete_unless_used(session, user, [
        ("task transitions", TaskTransition.user_id == user.id),
        ("demands", Demand.created_by == user.id),
        ("visits", Visit.created_by == user.id),
        ("demand transitions", DemandTransition.user_id == user.id)])
