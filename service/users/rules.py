"""Accounts: which links each role needs (a unit admin a unit, a cadre its cadre record), what
a password must be, and how logins are refused."""

import functools
import re
from importlib import resources

from service.exceptions import DomainError, Unauthenticated
from service.labels.table import word
from service.messages import _

PASSWORD_MIN, PASSWORD_MAX = 10, 128
# Leading and trailing digits, punctuation and spaces: "Password2026!" is "password" with the
# decoration every cracking rule set tries first.
_DECORATION = re.compile(r"^[\W\d_]+|[\W\d_]+$")


class LoginFailed(Unauthenticated):
    """Wrong username or password, or an inactive account: one answer for all three."""


class TooManyAttempts(DomainError):
    """A login refused unread: this address (or this username from this address) has failed
    too often. `retry_after` is the number of seconds until one more attempt is allowed."""

    status, code, title = 429, "too_many_attempts", _("Too many failed logins")

    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail)
        self.retry_after = retry_after


def revokes_tokens(changes: dict) -> bool:
    """A new password or a deactivation ends every token the account holds."""
    return "password" in changes or changes.get("active") is False


@functools.cache
def common_passwords() -> frozenset[str]:
    """The 19,632 most common passwords, lowercased: Django 5.2's
    contrib/auth/common-passwords.txt.gz (Royce Williams' list; Django's BSD licence), unzipped,
    less 8 lines of mis-decoded bytes."""
    text = resources.files(__package__).joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(text.splitlines())


def _classes(password: str) -> set[str]:
    """Which of the kinds of character a password uses: lower, upper, digit, other
    (punctuation, spaces), and "word" for letters without case (Chinese), each of which is
    one of thousands."""
    return {"digit" if c.isdigit() else "lower" if c.islower() else "upper" if c.isupper()
            else "word" if c.isalpha() else "other" for c in password}


def _mixed_enough(password: str) -> bool:
    """Two kinds of character at least; or a passphrase in Chinese (ten of thousands of
    characters are already far more than ten from any one ASCII class: NIST SP 800-63B asks
    for no composition rules, and the county's staff think in Chinese)."""
    kinds = _classes(password)
    return len(kinds) >= 2 or kinds == {"word"}


def password_problems(password: str, username: str) -> list[str]:
    """Why a password may not be used, empty when it may (NIST SP 800-63B and OWASP: long
    enough, not a common password, not the account's own name). "One kind of character" means
    only digits, only lowercase letters, only uppercase letters, or only others (punctuation,
    spaces…): two kinds at least are needed; a passphrase of Chinese characters alone passes."""
    problems = []
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        problems.append(_("must be %(min)s–%(max)s characters", min=PASSWORD_MIN,
                          max=PASSWORD_MAX))
    if not password.strip():
        problems.append(_("must not be only spaces or other whitespace"))
    elif not _mixed_enough(password):
        problems.append(_("must mix at least two kinds of character: lowercase letters, "
                          "uppercase letters, digits, others (punctuation, spaces…), or be "
                          "Chinese characters"))
    lowered, name = password.casefold(), username.casefold()
    if name and name in lowered:
        problems.append(_("must not contain the username"))
    common = common_passwords()
    core = _DECORATION.sub("", lowered)
    if lowered in common or (core and core in common):
        problems.append(_("is one of the most common passwords (or one with digits or "
                          "symbols added); choose another"))
    return problems


def role_link_problems(role: str, unit_id: int | None, cadre_id: int | None) -> dict:
    """Field errors for a role with the wrong links, empty when consistent."""
    errors: dict[str, list[str]] = {}
    if role == "unit_admin" and unit_id is None:
        errors["unit_id"] = [_("a unit admin needs unit_id")]
    if role == "cadre" and cadre_id is None:
        errors["cadre_id"] = [_("a cadre account needs cadre_id")]
    if role != "cadre" and cadre_id is not None:
        errors["cadre_id"] = [_("only a cadre account links to a cadre")]
    if role in ("county_admin", "inspector") and unit_id is not None:
        errors["unit_id"] = [_("a %(role)s account is not tied to a unit",
                               role=word("role", role))]
    return errors
