"""What a service is given (STYLE "Services take a context, never a request"): one explicit
context holding the session, the county's clock, the settings and the caller. Routes build it
from the request (service/web.py), the CLI without a caller; services never look further.

Nothing here imports Flask: the CLI, imports, the planner and tests call the same services.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from service import clock as _clock


@dataclass(frozen=True)
class Caller:
    """Who is calling and what they may see."""

    user_id: int | None
    username: str
    role: str
    unit_id: int | None
    cadre_id: int | None


# Whoever calls a public endpoint: no account, no rows of any scoped kind (service/scope.py).
ANONYMOUS = Caller(None, "anonymous", "public", None, None)


class CountyClock:
    """Now and the county's today, read from the one clock (service/clock.py), which tests set."""

    def __init__(self, zone: ZoneInfo):
        self.zone = zone

    def now(self) -> datetime:
        """An aware time in UTC."""
        return _clock.utcnow()

    def today(self) -> date:
        """The date now in the county."""
        return self.now().astimezone(self.zone).date()


@dataclass(frozen=True)
class Settings:
    """The settings services read (SPEC §8), taken from the app's configuration."""

    county_zone: ZoneInfo
    county_name: str = "壶关县"
    supervision_phone: str = "12317"
    visit_max_distance_km: float = 3.0
    demand_overdue_days: int = 15
    evaluation_weights: Mapping[str, float] = field(default_factory=dict)
    # How long a computed evaluation may be shown after the record changed (-1: never kept).
    evaluation_cache_seconds: int = -1
    ratelimit_storage_uri: str = "memory://"
    login_failures_per_pair: str = "5 per 15 minutes"
    login_failures_per_client: str = "50 per 15 minutes"
    login_failures_per_user: str = "100 per 15 minutes"
    login_slowdown_seconds: float = 1.0
    password_hash_fast: bool = False
    # How long a pairing plan may search for the fewest cadres split across villages.
    planner_seconds: float = 20.0

    @classmethod
    def from_config(cls, config: Mapping) -> "Settings":
        """Settings from a mapping of the Config's names (Flask's app.config)."""
        return cls(
            county_zone=ZoneInfo(config["COUNTY_TIMEZONE"]),
            county_name=config["COUNTY_NAME"],
            supervision_phone=config["SUPERVISION_PHONE"],
            visit_max_distance_km=float(config["VISIT_MAX_DISTANCE_KM"]),
            demand_overdue_days=int(config["DEMAND_OVERDUE_DAYS"]),
            evaluation_weights=dict(config["EVALUATION_WEIGHTS"]),
            evaluation_cache_seconds=int(config.get("EVALUATION_CACHE_SECONDS", -1)),
            ratelimit_storage_uri=config["RATELIMIT_STORAGE_URI"],
            login_failures_per_pair=config["LOGIN_FAILURES_PER_PAIR"],
            login_failures_per_client=config["LOGIN_FAILURES_PER_CLIENT"],
            login_failures_per_user=config["LOGIN_FAILURES_PER_USER"],
            login_slowdown_seconds=float(config["LOGIN_SLOWDOWN_SECONDS"]),
            password_hash_fast=bool(config.get("PASSWORD_HASH_FAST")),
            planner_seconds=float(config["PLANNER_SECONDS"]),
        )


@dataclass(frozen=True)
class Actor:
    """Whom the audit trail names for the changes a session makes (SPEC §11)."""

    user_id: int | None
    name: str  # the username; "cli" for the command line
    request_id: str | None = None


AUDIT_ACTOR = "audit_actor"  # where a session carries its Actor (Session.info)


@dataclass(frozen=True)
class Context:
    """One service call's world. `caller` is None for the CLI and jobs, which see everything
    and are recorded in the audit trail as actor "cli"."""

    session: Session
    clock: CountyClock
    settings: Settings
    caller: Caller | None = None
    request_id: str | None = None

    def __post_init__(self):
        # The session's changes are recorded in this context's name (service/audit/recorder).
        self.session.info[AUDIT_ACTOR] = self.actor

    @property
    def actor(self) -> Actor:
        """The caller as the audit trail names it."""
        if self.caller is None:
            return Actor(None, "cli", self.request_id)
        return Actor(self.caller.user_id, self.caller.username, self.request_id)

    def as_caller(self, caller: Caller) -> "Context":
        """The same context once the caller is known (a path that confirms its token late)."""
        return Context(self.session, self.clock, self.settings, caller, self.request_id)

