"""Taking visits in from phones: one code path for a single POST and a batch of 500.

Everything a batch needs is loaded by one statement up front (existing ids, the cadre's
pairings with these households, the households' villages and cards, the cadre's visits around
these days, and the sender's account), so a 100-visit batch costs about as many round trips as
one visit. Each visit, and each demand it raises, is written with its audit event (SPEC §11).
service/visits/fastpath.py says why these statements are built the way they are.
"""

import bisect
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    Integer,
    String,
    and_,
    bindparam,
    cast,
    insert,
    literal,
    null,
    or_,
    select,
    union_all,
)

from service import ratelimit
from service.audit import rules as audit_rules
from service.audit.models import AuditEvent
from service.audit.recorder import event_row
from service.context import Caller, Context
from service.db import UTCDateTime
from service.demands.models import Demand
from service.exceptions import DomainError, Forbidden, ValidationFailed
from service.households.models import Household
from service.idempotency import IdConflict, canonical_hash
from service.messages import _
from service.pairings.models import Pairing
from service.pairings.rules import in_force_on
from service.places.models import Village
from service.users.accounts import account_by_id
from service.visits import rules
from service.visits.fastpath import Direct, atomically
from service.visits.models import Visit

_VISITS, _DEMANDS, _AUDIT = Visit.__table__, Demand.__table__, AuditEvent.__table__

# --- the one read ------------------------------------------------------------------------

# Every column the read returns, by name and type. The read is three SELECTs glued by UNION
# ALL, told apart by `part`; each fills the columns it has and leaves the rest a typed null.
READ_COLUMNS = {
    "household_id": Integer(), "card_code": String(), "latitude": Float(),
    "longitude": Float(), "pairing_id": Integer(), "started_on": Date(), "ended_on": Date(),
    "visit_id": String(), "visited_at": UTCDateTime(), "direct": Boolean(),
    "cadre_id": Integer(), "body_hash": String(), "created_by": Integer(),
    "username": String(), "role": String(), "unit_id": Integer(), "active": Boolean(),
    "token_version": Integer(),
}


def _part(name: str, **columns):
    """One part of the read: these named columns, every other column null."""
    unknown = set(columns) - set(READ_COLUMNS)
    if unknown:
        raise ValueError(f"not columns of the intake read: {sorted(unknown)}")
    return select(literal(name).label("part"), *[
        (columns[c] if c in columns else cast(null(), kind)).label(c)
        for c, kind in READ_COLUMNS.items()])


# The sender's account (what auth.confirm reads), once for the three parts below.
_ACCOUNT = account_by_id().cte("account")
# The cadre of the account sending: from the account row itself, so a token names no cadre.
_CADRE = select(_ACCOUNT.c.cadre_id).scalar_subquery()

_INTAKE_READ = Direct(union_all(
    # The households with their villages and this cadre's pairings with them.
    _part("household", household_id=Household.id, card_code=Household.card_code,
          latitude=Village.latitude, longitude=Village.longitude, pairing_id=Pairing.id,
          started_on=Pairing.started_on, ended_on=Pairing.ended_on)
    .join(Village, Village.id == Household.village_id)
    .outerjoin(Pairing, (Pairing.household_id == Household.id) & (Pairing.cadre_id == _CADRE))
    .where(Household.id.in_(bindparam("household_ids", expanding=True))),
    # Visits that carry these ids (replays), or are the cadre's own around these days.
    _part("visit", household_id=Visit.household_id, visit_id=Visit.id,
          visited_at=Visit.visited_at, direct=Visit.direct, cadre_id=Visit.cadre_id,
          body_hash=Visit.body_hash, created_by=Visit.created_by)
    .where(or_(Visit.id.in_(bindparam("ids", expanding=True)),
               and_(Visit.cadre_id == _CADRE,
                    Visit.visited_at >= bindparam("since", type_=Visit.visited_at.type),
                    Visit.visited_at <= bindparam("until", type_=Visit.visited_at.type)))),
    # The sender's account.
    _part("account", cadre_id=_ACCOUNT.c.cadre_id, username=_ACCOUNT.c.username,
          role=_ACCOUNT.c.role, unit_id=_ACCOUNT.c.unit_id, active=_ACCOUNT.c.active,
          token_version=_ACCOUNT.c.token_version)))

_DEMANDS_TAKEN = select(Demand.id).where(Demand.id.in_(bindparam("ids", expanding=True)))

# --- the writes --------------------------------------------------------------------------

_AUDIT_COLUMNS = ("at", "user_id", "actor", "action", "record_type", "record_id", "changes",
                  "request_id")


def _audited_insert():
    """One visit and its audit event in one statement (PostgreSQL: a data-modifying CTE)."""
    inserted = (insert(_VISITS).values({c.name: bindparam(c.name, type_=c.type)
                                        for c in _VISITS.c})
                .returning(_VISITS.c.id).cte("inserted"))
    event = select(*[inserted.c.id if c == "record_id"
                     else bindparam(f"audit_{c}", type_=_AUDIT.c[c].type)
                     for c in _AUDIT_COLUMNS]).select_from(inserted)
    return Direct(insert(_AUDIT).from_select(list(_AUDIT_COLUMNS), event))


_INSERT_VISIT = _audited_insert()


def _not_paired(household_id: int) -> Forbidden:
    """SPEC §5: only the paired cadre logs a visit (403). A household that does not exist is
    answered alike, so the answer never tells another unit's households from none (§9)."""
    return Forbidden(_("Only the cadre paired with household %(household_id)s may log a visit "
                       "to it.", household_id=household_id))


@dataclass(frozen=True)
class Unconfirmed:
    """A sender whose token checks out but whose account is read with the intake's own first
    statement: `confirm(account row or None)` gives the caller, or refuses (401/403)."""

    user_id: int
    confirm: Callable[[object], Caller]


@dataclass(frozen=True)
class Rejected:
    """A batch item refused before intake (it did not validate), with its id when it had one."""

    id: str | None
    error: DomainError


class NewVisit(SimpleNamespace):
    """A visit row just written, shown as it was sent without loading it back."""


@dataclass
class Outcome:
    id: str
    status: str  # created | duplicate
    visit: Visit | NewVisit | None  # None for a duplicate: callers that need it load it
    demand_ids: list[str] | None = None  # known for a new visit, so no query to present it


class Intake:
    """Validates and stores visits for one cadre."""

    def __init__(self, ctx: Context, sender: Unconfirmed | None = None):
        """`sender`: a token not yet checked against its account (the fast path); without
        it, the context's caller sends."""
        self.ctx, self.session = ctx, ctx.session
        self.now, self.zone = ctx.clock.now(), ctx.settings.county_zone
        self.max_km = ctx.settings.visit_max_distance_km
        self.sender = sender
        self.caller = ctx.caller if sender is None else None

    def prepare(self, items: list[dict]) -> None:
        """Load what every item will need, in bulk."""
        conn = self.session.connection()
        self.rows: list[dict] = []
        self.demand_rows: list[dict] = []
        ids = {str(i["id"]) for i in items}
        times = [i["visited_at"] for i in items]
        # The cadre's visits around these days, indexed for the flag checks: times per
        # household (duplicate_suspect) and direct visits per local day (too_many_today).
        self.households, self.pairings = {}, {}
        self.times_by_household: dict[int, list[tuple[datetime, str]]] = {}
        self.direct_by_day: dict = {}
        self.existing: dict = {}
        user_id = self.sender.user_id if self.sender else self.caller.user_id
        read = _INTAKE_READ.rows(conn, {
            "user_id": user_id,
            "household_ids": list({i["household_id"] for i in items}), "ids": list(ids),
            **self._window(times)})
        if self.caller is None:
            self.caller = self.sender.confirm(
                next((r for r in read if r.part == "account"), None))
            self.ctx = self.ctx.as_caller(self.caller)
        cadre_id = self.caller.cadre_id
        demand_ids = [str(d["id"]) for i in items for d in i.get("demands") or []]
        self.existing_demands = set(conn.scalars(
            _DEMANDS_TAKEN, {"ids": demand_ids})) if demand_ids else set()
        for row in read:
            if row.part == "account":
                continue
            if row.part == "household":
                self.households[row.household_id] = row
                if row.pairing_id is not None:
                    self.pairings.setdefault(row.household_id, []).append(row)
                continue
            if row.visit_id in ids:
                self.existing[row.visit_id] = row
            if row.cadre_id == cadre_id:
                self._remember(row.visit_id, row.household_id, row.visited_at, row.direct)

    def _window(self, times: list[datetime]) -> dict:
        """The span the flag checks look at: the local days of these visits (too_many_today)
        and the duplicate window around them (duplicate_suspect)."""
        first = min(times).astimezone(self.zone).replace(hour=0, minute=0, second=0,
                                                         microsecond=0)
        last = max(times).astimezone(self.zone).replace(hour=0, minute=0, second=0,
                                                        microsecond=0) + timedelta(days=1)
        return {"since": first - rules.DUPLICATE_WITHIN, "until": last + rules.DUPLICATE_WITHIN}

    def _event(self, record_type: str, row: dict) -> dict:
        return event_row(self.ctx.actor, "create", record_type, row["id"],
                         audit_rules.created(row), self.now)

    def write(self) -> None:
        """Insert what was taken, with its audit events: a statement per table (executemany
        for a batch), or one statement for a single visit on PostgreSQL."""
        rows, demand_rows = self.rows, self.demand_rows
        self.rows, self.demand_rows = [], []  # a failed write is not retried with the next
        if not rows:
            return
        conn = self.session.connection()
        if len(rows) == 1 and not demand_rows and conn.dialect.name == "postgresql":
            event = self._event("visit", rows[0])
            _INSERT_VISIT.run(conn, {**rows[0], **{f"audit_{k}": event[k]
                                                   for k in _AUDIT_COLUMNS}})
            return
        events = [self._event("visit", r) for r in rows]
        events += [self._event("demand", r) for r in demand_rows]
        writes = [(table, r) for table, r in ((_VISITS, rows), (_DEMANDS, demand_rows),
                                              (_AUDIT, events)) if r]
        # Several statements: they land together or not at all.
        with atomically(self.session) if len(writes) > 1 else contextlib.nullcontext():
            for table, r in writes:
                conn.execute(table.insert(), r)

    def _remember(self, visit_id: str, household_id: int, visited_at: datetime,
                  direct: bool) -> None:
        bisect.insort(self.times_by_household.setdefault(household_id, []),
                      (visited_at, visit_id))
        if direct:
            day = visited_at.astimezone(self.zone).date()
            self.direct_by_day.setdefault(day, set()).add(visit_id)

    def _near(self, household_id: int, visit_id: str, visited_at: datetime) -> list[datetime]:
        """The cadre's other visits to the household within the duplicate window."""
        times = self.times_by_household.get(household_id, [])
        lo = bisect.bisect_left(times, (visited_at - rules.DUPLICATE_WITHIN, ""))
        hi = bisect.bisect_right(times, (visited_at + rules.DUPLICATE_WITHIN, "\uffff"))
        return [t for t, vid in times[lo:hi] if vid != visit_id]

    def _pairing_for(self, household_id: int, local_day) -> int:
        pairings = self.pairings.get(household_id)
        if not pairings:  # never this cadre's: as if there were no such household (SPEC §9)
            raise _not_paired(household_id)
        pairing = in_force_on(pairings, local_day)
        if pairing is not None:
            return pairing.pairing_id
        if local_day < min(p.started_on for p in pairings):
            raise ValidationFailed({"visited_at": [_("is before the pairing started")]},
                                   _("The visit is dated before the pairing with this "
                                     "household started."))
        raise Forbidden(_("The pairing with this household had ended by that day."))

    def _check_card(self, code: str | None, household) -> bool:
        if code is None:
            return False
        storage = self.ctx.settings.ratelimit_storage_uri
        key = ("wrong-card", str(self.caller.cadre_id))
        if not ratelimit.allowed(storage, rules.WRONG_CARD_LIMIT, *key):
            raise rules.TooManyWrongCards(_("Too many wrong card codes; try again later."))
        if code.strip().upper() != household.card_code:
            ratelimit.count(storage, rules.WRONG_CARD_LIMIT, *key)
            raise ValidationFailed({"card_code": [_("does not match this household's card")]},
                                   _("The contact card code does not match this household's "
                                     "card; check it."))
        return True

    def flags(self, visit_id: str, household_id: int, visited_at: datetime, received_at,
              direct: bool, location, village) -> list[str]:
        """Flags for a visit against the cadre's other visits around that day."""
        local = visited_at.astimezone(self.zone)
        far = None
        if location and village.latitude is not None and village.longitude is not None:
            far = rules.distance_km(location["latitude"], location["longitude"],
                                    village.latitude, village.longitude)
        return rules.flags_for(
            visited_at=visited_at, received_at=received_at, local_hour=local.hour, far_km=far,
            max_km=self.max_km,
            same_household_times=self._near(household_id, visit_id, visited_at),
            direct_today=len(self.direct_by_day.get(local.date(), set()) - {visit_id}),
            direct=direct)

    def take(self, data: dict) -> Outcome:
        """Check one validated visit and stage its row (and its demands') for write()."""
        visit_id, digest = str(data["id"]), canonical_hash(data)
        stored = self.existing.get(visit_id)
        if stored is not None:
            if stored.body_hash != digest or stored.created_by != self.caller.user_id:
                raise IdConflict(_("Visit %(id)s was already sent with another body.",
                                   id=visit_id),
                                 id=visit_id)
            return Outcome(visit_id, "duplicate", None)
        household = self.households.get(data["household_id"])
        if household is None:
            raise _not_paired(data["household_id"])
        hid = household.household_id
        visited_at = data["visited_at"].astimezone(UTC)
        if visited_at > self.now + rules.CLOCK_SKEW:
            raise ValidationFailed({"visited_at": [_("cannot be in the future")]},
                                   _("The visit time is later than now; check the phone's "
                                     "clock."))
        pairing_id = self._pairing_for(hid, visited_at.astimezone(self.zone).date())
        demands = data.get("demands") or []
        taken = [str(d["id"]) for d in demands]
        if len(set(taken)) != len(taken) or self.existing_demands & set(taken):
            raise IdConflict(_("A demand id in this visit is already used."), id=visit_id)
        card_scanned = self._check_card(data.get("card_code"), household)
        direct, location = rules.is_direct(data["kind"]), data.get("location")
        flags = self.flags(visit_id, hid, visited_at, self.now, direct, location,
                           household)
        row = {"id": visit_id, "cadre_id": self.caller.cadre_id, "household_id": hid,
               "pairing_id": pairing_id, "visited_at": visited_at, "received_at": self.now,
               "kind": data["kind"], "direct": direct,
               "latitude": location["latitude"] if location else None,
               "longitude": location["longitude"] if location else None,
               "accuracy_m": location.get("accuracy_m") if location else None,
               "diary": data.get("diary"), "help_given": data.get("help_given"),
               "card_scanned": card_scanned, "created_by": self.caller.user_id,
               "body_hash": digest, "updated_at": self.now, "version": 1,
               "flags": [f for f in rules.FLAGS if f in flags],
               **{f"flag_{f}": f in flags for f in rules.FLAGS}}
        self.rows.append(row)
        visit = NewVisit(**row)
        for d in demands:
            body = {"id": d["id"], "household_id": hid, "category": d["category"],
                    "description": d["description"], "visit_id": visit_id}
            self.demand_rows.append({
                "id": str(d["id"]), "household_id": hid, "visit_id": visit_id,
                "cadre_id": self.caller.cadre_id, "created_by": self.caller.user_id,
                "category": d["category"], "description": d["description"],
                "status": "open", "opened_at": visited_at, "received_at": self.now,
                "body_hash": canonical_hash(body), "updated_at": self.now, "version": 1})
        self.existing[visit_id] = visit  # a repeat inside the same batch is a duplicate
        self.existing_demands |= set(taken)
        self._remember(visit_id, hid, visited_at, direct)
        return Outcome(visit_id, "created", visit, sorted(taken))
