"""Taking visits in from phones: one code path for a single POST and a batch of 500.

Everything a batch needs is loaded in a handful of queries up front (existing ids, the cadre's
pairings with these households, the households' villages and cards, the cadre's visits around
these days), so a 100-visit batch costs about as many round trips as one visit.
"""

import bisect
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, insert, or_, select

from service.auth import Caller
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


class TooManyWrongCards(DomainError):
    status, code, title = 429, "too_many_wrong_cards", "Too many wrong card codes"


@dataclass
class Outcome:
    id: str
    status: str  # created | duplicate
    visit: Visit | None  # None for a duplicate: callers that need it load it
    demand_ids: list[str] | None = None  # known for a new visit, so no query to present it


class Intake:
    """Validates and stores visits for one cadre."""

    def __init__(self, session, caller: Caller, now: datetime, zone, max_km: float):
        self.session, self.caller, self.now, self.zone, self.max_km = (
            session, caller, now, zone, max_km)

    def prepare(self, items: list[dict]) -> None:
        """Load what every item will need, in bulk."""
        s, cadre_id = self.session, self.caller.cadre_id
        self.rows: list[dict] = []
        self.demand_rows: list[dict] = []
        ids = {str(i["id"]) for i in items}
        demand_ids = [str(d["id"]) for i in items for d in i.get("demands") or []]
        self.existing_demands = set(s.scalars(select(Demand.id).where(
            Demand.id.in_(demand_ids)))) if demand_ids else set()
        # Households, their villages and this cadre's pairings with them, in one round trip.
        self.households, self.pairings = {}, {}
        for row in s.execute(
                select(Household.id, Household.card_code, Village.latitude, Village.longitude,
                       Pairing.id.label("pairing_id"), Pairing.started_on, Pairing.ended_on)
                .join(Village, Village.id == Household.village_id)
                .outerjoin(Pairing, (Pairing.household_id == Household.id)
                           & (Pairing.cadre_id == cadre_id))
                .where(Household.id.in_({i["household_id"] for i in items}))):
            self.households[row.id] = row
            if row.pairing_id is not None:
                self.pairings.setdefault(row.id, []).append(row)
        times = [i["visited_at"] for i in items]
        # The cadre's visits around these days, indexed for the flag checks: times per
        # household (duplicate_suspect) and direct visits per local day (too_many_today).
        self.times_by_household: dict[int, list[tuple[datetime, str]]] = {}
        self.direct_by_day: dict = {}
        # One query answers both "were these ids seen?" and "what else did the cadre log
        # around these days?".
        self.existing: dict = {}
        for v in s.execute(select(Visit.id, Visit.household_id, Visit.visited_at, Visit.direct,
                                  Visit.cadre_id, Visit.body_hash, Visit.created_by)
                           .where(or_(Visit.id.in_(ids), and_(
                               Visit.cadre_id == cadre_id,
                               Visit.visited_at >= min(times) - timedelta(days=1),
                               Visit.visited_at <= max(times) + timedelta(days=1))))):
            if v.id in ids:
                self.existing[v.id] = v
            if v.cadre_id == cadre_id:
                self._remember(v.id, v.household_id, v.visited_at, v.direct)

    def write(self) -> None:
        """Insert what was taken, a statement per table (executemany for a batch)."""
        rows, demand_rows = self.rows, self.demand_rows
        self.rows, self.demand_rows = [], []  # a failed write is not retried with the next
        if rows:
            self.session.execute(insert(Visit), rows)
        if demand_rows:
            self.session.execute(insert(Demand), demand_rows)

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
        visited_at = data["visited_at"].astimezone(UTC)
        if visited_at > self.now + rules.CLOCK_SKEW:
            raise ValidationFailed({"visited_at": ["cannot be in the future"]})
        pairing_id = self._pairing_for(household.id, visited_at.astimezone(self.zone).date())
        demands = data.get("demands") or []
        taken = [str(d["id"]) for d in demands]
        if len(set(taken)) != len(taken) or self.existing_demands & set(taken):
            raise IdConflict("A demand id in this visit is already used.", id=visit_id)
        card_scanned = self._check_card(data.get("card_code"), household)
        direct, location = rules.is_direct(data["kind"]), data.get("location")
        flags = self.flags(visit_id, household.id, visited_at, self.now, direct, location,
                           household)
        row = {"id": visit_id, "cadre_id": self.caller.cadre_id, "household_id": household.id,
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
        visit = Visit(**row)  # transient: what the response shows; the row is written by Core
        for d in demands:
            body = {"id": d["id"], "household_id": household.id, "category": d["category"],
                    "description": d["description"], "visit_id": visit_id}
            self.demand_rows.append({
                "id": str(d["id"]), "household_id": household.id, "visit_id": visit_id,
                "cadre_id": self.caller.cadre_id, "created_by": self.caller.user_id,
                "category": d["category"], "description": d["description"],
                "status": "open", "opened_at": visited_at, "received_at": self.now,
                "body_hash": canonical_hash(body), "updated_at": self.now, "version": 1})
        self.existing[visit_id] = visit  # a repeat inside the same batch is a duplicate
        self.existing_demands |= set(taken)
        self._remember(visit_id, household.id, visited_at, direct)
        return Outcome(visit_id, "created", visit, sorted(taken))
