"""Accounts: which links each role needs (a unit admin a unit, a cadre its cadre record), and
how logins are refused."""

from service.exceptions import DomainError, Unauthenticated


class LoginFailed(Unauthenticated):
    """Wrong username or password, or an inactive account: one answer for all three."""


class TooManyAttempts(DomainError):
    status, code, title = 429, "too_many_attempts", "Too many failed logins"


def revokes_tokens(changes: dict) -> bool:
    """A new password or a deactivation ends every token the account holds."""
    return "password" in changes or changes.get("active") is False



def role_link_problems(role: str, unit_id: int | None, cadre_id: int | None) -> dict:
    """Field errors for a role with the wrong links, empty when consistent."""
    errors: dict[str, list[str]] = {}
    if role == "unit_admin" and unit_id is None:
        errors["unit_id"] = ["a unit admin needs unit_id"]
    if role == "cadre" and cadre_id is None:
        errors["cadre_id"] = ["a cadre account needs cadre_id"]
    if role != "cadre" and cadre_id is not None:
        errors["cadre_id"] = ["only a cadre account links to a cadre"]
    if role in ("county_admin", "inspector") and unit_id is not None:
        errors["unit_id"] = [f"a {role} is not tied to a unit"]
    return errors
