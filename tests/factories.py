"""Factories for test data: valid by default, overridable per call."""

import itertools
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher

from service.assignments.models import VillageAssignment
from service.cadres.models import Cadre
from service.context import Caller, Context, CountyClock, Settings
from service.households.models import Household
from service.households.rules import id_check_char
from service.pairings.models import Pairing
from service.places.models import Township, Village
from service.units.models import Unit
from service.users.models import User

_seq = itertools.count(1)
_ZONE = ZoneInfo("Asia/Shanghai")
SETTINGS = Settings(county_zone=_ZONE, password_hash_fast=True)


def context(session, user=None) -> Context:
    """A service context on the test's session: the command line's (no caller), or `user`'s."""
    caller = None if user is None else Caller(user.id, user.username, user.role, user.unit_id,
                                              user.cadre_id)
    return Context(session, CountyClock(_ZONE), SETTINGS, caller)
PASSWORD = "correct-horse-battery"


def valid_id_number(n: int | None = None, born: str = "19800101") -> str:
    """A GB 11643-valid resident ID, unique per n."""
    n = next(_seq) if n is None else n
    first17 = f"140427{born}{n % 1000:03d}"
    first17 = f"{int(first17[:6]) + n // 1000:06d}" + first17[6:]
    return first17 + id_check_char(first17)


def township(session, **kw) -> Township:
    n = next(_seq)
    t = Township(code=kw.pop("code", f"{140000000 + n:09d}"), name=kw.pop("name", f"乡{n}"), **kw)
    session.add(t)
    session.flush()
    return t


def village(session, township_=None, **kw) -> Village:
    township_ = township_ or township(session)
    n = next(_seq)
    v = Village(code=kw.pop("code", f"{township_.code}{n % 1000:03d}"),
                name=kw.pop("name", f"村{n}"), township_id=township_.id,
                latitude=kw.pop("latitude", 36.1), longitude=kw.pop("longitude", 113.2), **kw)
    session.add(v)
    session.flush()
    return v


def unit(session, **kw) -> Unit:
    u = Unit(name=kw.pop("name", f"单位{next(_seq)}"), **kw)
    session.add(u)
    session.flush()
    return u


def cadre(session, unit_, rank="general", **kw) -> Cadre:
    c = Cadre(name=kw.pop("name", f"干部{next(_seq)}"), unit_id=unit_.id, rank=rank,
              phone=kw.pop("phone", "13800000000"), skills=kw.pop("skills", []), **kw)
    session.add(c)
    session.flush()
    return c


def household(session, village_, **kw) -> Household:
    needs = kw.pop("needs", ["low_income"])
    h = Household(village_id=village_.id, head_name=kw.pop("head_name", f"户主{next(_seq)}"),
                  id_number=kw.pop("id_number", valid_id_number()),
                  phone=kw.pop("phone", "13912345678"), members=kw.pop("members", 3),
                  difficulty=kw.pop("difficulty", "easier"),
                  income_per_capita=kw.pop("income_per_capita", 3200), **kw)
    h.needs = needs
    session.add(h)
    session.flush()
    return h


def assign(session, unit_, village_, started_on=date(2026, 1, 1)) -> VillageAssignment:
    a = VillageAssignment(unit_id=unit_.id, village_id=village_.id, started_on=started_on)
    session.add(a)
    session.flush()
    return a


def pair(session, cadre_, household_, started_on=date(2026, 1, 1)) -> Pairing:
    p = Pairing(cadre_id=cadre_.id, household_id=household_.id, started_on=started_on)
    session.add(p)
    session.flush()
    return p


def user(session, role, unit_=None, cadre_=None, username=None, **kw) -> User:
    u = User(username=username or f"{role}{next(_seq)}", password_hash=kw.pop(
        "password_hash", _hash()), role=role,
        unit_id=unit_.id if unit_ else (cadre_.unit_id if cadre_ else None),
        cadre_id=cadre_.id if cadre_ else None, **kw)
    session.add(u)
    session.flush()
    return u


_HASH: list[str] = []


def _hash() -> str:
    if not _HASH:
        _HASH.append(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD))
    return _HASH[0]


@dataclass
class World:
    township: Township
    villages: dict[str, Village]
    units: dict[str, Unit]
    cadres: dict[str, Cadre]
    households: dict[str, Household]
    users: dict[str, User] = field(default_factory=dict)


def small_world(session) -> World:
    """Unit A holds village a, unit B holds village b; cadre a1 is paired with household a1."""
    t = township(session)
    va, vb = village(session, t), village(session, t)
    ua, ub = unit(session), unit(session)
    assign(session, ua, va)
    assign(session, ub, vb)
    ca1, ca2 = cadre(session, ua), cadre(session, ua, rank="section_chief")
    cb1 = cadre(session, ub)
    ha1, ha2 = household(session, va), household(session, va, difficulty="harder")
    hb1 = household(session, vb)
    pair(session, ca1, ha1)
    pair(session, cb1, hb1)
    w = World(t, {"a": va, "b": vb}, {"a": ua, "b": ub},
              {"a1": ca1, "a2": ca2, "b1": cb1}, {"a1": ha1, "a2": ha2, "b1": hb1})
    w.users = {
        "county_admin": user(session, "county_admin"),
        "unit_admin": user(session, "unit_admin", unit_=ua),
        "cadre": user(session, "cadre", cadre_=ca1),
        "inspector": user(session, "inspector"),
    }
    session.commit()
    return w


def counts(result: dict) -> dict:
    """An import's answer without its id lists, once they agree with its counts: as many
    created ids as records created (none for a dry run) and updated ids as updated."""
    created, updated = result["created_ids"], result["updated_ids"]
    assert len(created) == (0 if result["dry_run"] else result["created"]), result
    assert len(updated) == result["updated"] and len(set(created + updated)) == len(
        created + updated), result
    return {k: v for k, v in result.items() if k not in ("created_ids", "updated_ids")}
