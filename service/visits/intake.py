"""Taking visits in from phones: one code path for a single POST and a batch of 500.

Everything a batch needs is loaded in a handful of queries up front (existing ids, the cadre's
pairings with these households, the households' villages and cards, the cadre's visits around
these days), so a 100-visit batch costs about as many round trips as one visit.
"""

import bisect
import contextlib
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
    literal,
    null,
    or_,
    select,
    union_all,
)

from service.auth import Claim, account_by_id, confirm
from service.context import Caller
from service.db import Direct, UTCDateTime, atomically
from service.demands.models import Demand
from service.exceptions import DomainError, Forbidden, ValidationFailed
from service.households.models import Household
from service.idempotency import IdConflict, canonical_hash
from service.pairings.models import Pairing
from service.places.models import Village
from service.ratelimit import allowed, count
from service.visits import rules
from service.visits.models import Visit

WRONG_CARD_LIMIT = "5 per hour"

# Intake runs on every visit a phone sends, so its statements are Core, built once (the ORM
# would rebuild and re-key them per request), and sent straight to the driver on PostgreSQL.
_DEMANDS_TAKEN = select(Demand.id).where(Demand.id.in_(bindparam("ids", expanding=True)))
_INSERT_VISIT = Direct(Visit.__table__.insert())


def _typed_null(kind: str, label: str):
    types = {"int": Integer(), "str": String(), "float": Float(), "date": Date(),
             "time": UTCDateTime(), "bool": Boolean()}
    return cast(null(), types[kind]).label(label)


def _no_account():
    return [_typed_null("str", "username"), _typed_null("str", "role"),
            _typed_null("int", "unit_id"), _typed_null("bool", "active"),
            _typed_null("int", "token_version")]


# The sender's account (what auth.confirm reads), once for the three parts below.
_ACCOUNT = account_by_id().cte("account")
# The cadre of the account sending: from the account row itself, so a token names no cadre.
_CADRE = select(_ACCOUNT.c.cadre_id).scalar_subquery()

# Households with their villages and this cadre's pairings with them, the visits that either
# carry these ids or are the cadre's own around these days, and the sender's account: one
# round trip, told apart by `part`.
_INTAKE_READ = Direct(union_all(
    select(literal("household").label("part"), Household.id.label("household_id"),
           Household.card_code, Village.latitude, Village.longitude,
           Pairing.id.label("pairing_id"), Pairing.started_on, Pairing.ended_on,
           _typed_null("str", "visit_id"), _typed_null("time", "visited_at"),
           _typed_null("bool", "direct"), _typed_null("int", "cadre_id"),
           _typed_null("str", "body_hash"), _typed_null("int", "created_by"), *_no_account())
    .join(Village, Village.id == Household.village_id)
    .outerjoin(Pairing, (Pairing.household_id == Household.id) & (Pairing.cadre_id == _CADRE))
    .where(Household.id.in_(bindparam("household_ids", expanding=True))),
    select(literal("visit"), Visit.household_id, null(), null(), null(), null(), null(),
           null(), Visit.id, Visit.visited_at, Visit.direct, Visit.cadre_id, Visit.body_hash,
           Visit.created_by, *_no_account())
    .where(or_(Visit.id.in_(bindparam("ids", expanding=True)),
               and_(Visit.cadre_id == _CADRE,
                    Visit.visited_at >= bindparam("since", type_=Visit.visited_at.type),
                    Visit.visited_at <= bindparam("until", type_=Visit.visited_at.type)))),
    select(literal("account"), null(), null(), null(), null(), null(), null(), null(), null(),
           null(), null(), _ACCOUNT.c.cadre_id, null(), null(), _ACCOUNT.c.username,
           _ACCOUNT.c.role, _ACCOUNT.c.unit_id, _ACCOUNT.c.active, _ACCOUNT.c.token_version)))


class TooManyWrongCards(DomainError):
    status, code, title = 429, "too_many_wrong_cards", "Too many wrong card codes"


class NewVisit(SimpleNamespace):
    """A visit row just written, shown as it was sent without loading it back."""

    __tablename__ = "visits"


@dataclass
class Outcome:
    id: str
    status: str  # created | duplicate
    visit: Visit | NewVisit | None  # None for a duplicate: callers that need it load it
    demand_ids: list[str] | None = None  # known for a new visit, so no query to present it


class Intake:
    """Validates and stores visits for one cadre."""

    def __init__(self, session, sender: Caller | Claim, now: datetime, zone, max_km: float):
        """`sender`: the caller, or the claim of a token whose account the first read confirms
        (see require(account_read_by_view=True))."""
        self.session, self.now, self.zone, self.max_km = session, now, zone, max_km
        self.sender = sender
        self.caller = sender if isinstance(sender, Caller) else None

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
        read = _INTAKE_READ.rows(conn, {
            "user_id": self.sender.user_id,
            "household_ids": list({i["household_id"] for i in items}), "ids": list(ids),
            **self._window(times)})
        if self.caller is None:
            self.caller = confirm(self.sender, next((r for r in read if r.part == "account"),
                                                    None))
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

    def write(self) -> None:
        """Insert what was taken, a statement per table (executemany for a batch)."""
        rows, demand_rows = self.rows, self.demand_rows
        self.rows, self.demand_rows = [], []  # a failed write is not retried with the next
        conn = self.session.connection()
        writes = [(table, r) for table, r in ((Visit.__table__, rows),
                                              (Demand.__table__, demand_rows)) if r]
        # A visit with demands is two statements: they land together or not at all.
        with atomically(self.session) if len(writes) > 1 else contextlib.nullcontext():
            for table, r in writes:
                if table is Visit.__table__ and len(r) == 1:
                    _INSERT_VISIT.run(conn, r[0])  # the visit from a phone
                else:
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

    def _pairing_for(self, household_id: int, local_day):
        pairings = self.pairings.get(household_id)
        if not pairings:
            raise Forbidden("Only the cadre paired with this household may log a visit to it.")
        for p in pairings:
            if p.started_on <= local_day and (p.ended_on is None or local_day <= p.ended_on):
                return p.pairing_id
        if local_day < min(p.started_on for p in pairings):
            raise ValidationFailed({"visited_at": ["is before the pairing started"]})
        raise Forbidden("The pairing with this household had ended by that day.")

    def _check_card(self, code: str | None, household) -> bool:
        if code is None:
            return False
        key = ("wrong-card", str(self.caller.cadre_id))
        if not allowed(WRONG_CARD_LIMIT, *key):
            raise TooManyWrongCards("Too many wrong card codes; try again later.")
        if code.strip().upper() != household.card_code:
            count(WRONG_CARD_LIMIT, *key)
            raise ValidationFailed({"card_code": ["does not match this household's card"]})
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
                raise IdConflict(f"Visit {visit_id} was already sent with another body.",
                                 id=visit_id)
            return Outcome(visit_id, "duplicate", None)
        household = self.households.get(data["household_id"])
        if household is None:
            raise ValidationFailed({"household_id": ["no such household"]})
        hid = household.household_id
        visited_at = data["visited_at"].astimezone(UTC)
        if visited_at > self.now + rules.CLOCK_SKEW:
            raise ValidationFailed({"visited_at": ["cannot be in the future"]})
        pairing_id = self._pairing_for(hid, visited_at.astimezone(self.zone).date())
        demands = data.get("demands") or []
        taken = [str(d["id"]) for d in demands]
        if len(set(taken)) != len(taken) or self.existing_demands & set(taken):
            raise IdConflict("A demand id in this visit is already used.", id=visit_id)
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
