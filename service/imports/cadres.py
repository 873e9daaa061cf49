"""Importing the cadre roster (each unit's 干部名册, SPEC §10): every row checked by the rules
the API applies to a cadre, every bad row reported, then all rows written in one transaction,
or none.

A cadre is matched by 电话 within its 单位 (by 电话 and 姓名 where cadres share a phone; a row
without a phone, by 姓名 among the unit's cadres without one): a new one is created, an
existing one updated through the cadre services (a rank whose quota would no longer hold the
cadre's households is refused, R1) or counted unchanged. The import itself is one more audit
event with its counts.
"""

import re
from collections import Counter
from collections.abc import Callable

from sqlalchemy import func, select

from service import scope
from service.cadres import rules as cadre_rules
from service.cadres import services as cadres
from service.cadres.models import Cadre
from service.context import Context
from service.imports import rules
from service.imports.reading import Sheet
from service.imports.rows import Row, problem, read_rows, refuse_if_any, write
from service.labels.table import word
from service.messages import _
from service.pairings.models import Pairing
from service.units.models import Unit

_CHUNK = 2_000  # new cadres per flush

_READERS: dict[str, Callable] = {
    "name": rules.name,
    "unit": rules.text,
    "rank": lambda c: rules.coded(c, rules.RANK_WORDS, "职级"),
    "phone": lambda c: rules.work_phone(c, "电话"),
    "skills": rules.text_list,
}
_HEADERS = {c.field: c.header for c in rules.CADRE_COLUMNS}
_COMPARED = ("name", "rank", "phone", "skills")


def _check(row: Row, problems: list[dict]) -> None:
    """The API's rules for a cadre (CadreIn), in the office's words."""
    v, headers = row.values, _HEADERS
    name = v.get("name")
    if name and len(name) > cadre_rules.NAME_MAX:
        problems.append(problem(row.number, headers["name"],
                                _("at most %(most)s characters", most=cadre_rules.NAME_MAX)))
    phone = v.get("phone")
    if phone and not re.fullmatch(cadre_rules.WORK_PHONE, phone):
        problems.append(problem(row.number, headers["phone"], _(
            "should be an 11-digit mobile number, or a landline with its area code (such as "
            "0931-8123456)")))
    skills = v.get("skills") or []
    if len(skills) > cadre_rules.SKILLS_MAX:
        problems.append(problem(row.number, headers["skills"],
                                _("at most %(most)s items", most=cadre_rules.SKILLS_MAX)))
    for skill in skills:
        if len(skill) > cadre_rules.SKILL_MAX:
            problems.append(problem(row.number, headers["skills"], _(
                "“%(skill)s…” is longer than %(most)s characters", skill=skill[:10],
                most=cadre_rules.SKILL_MAX)))


def _units(ctx: Context, names: set[str]) -> dict[str, int]:
    """Unit ids by name, among the units the caller may add cadres to."""
    if not names:
        return {}
    stmt = select(Unit.name, Unit.id).where(Unit.name.in_(names))
    condition = scope.manageable(ctx.caller, Unit)
    if condition is not None:
        stmt = stmt.where(condition)
    return dict(ctx.session.execute(stmt).all())


class _Stored:
    """The units' cadres as plain values, indexed the two ways a row may name one."""

    def __init__(self, ctx: Context, unit_ids: set[int], by_phone: bool):
        self.by_phone: dict[tuple, list[dict]] = {}
        self.by_name: dict[tuple, list[dict]] = {}
        if not unit_ids:
            return
        for r in ctx.session.execute(select(Cadre.id, Cadre.unit_id,
                                            *[getattr(Cadre, c) for c in _COMPARED])
                                     .where(Cadre.unit_id.in_(unit_ids))):
            cadre = dict(r._mapping)
            if by_phone and r.phone:
                self.by_phone.setdefault((r.unit_id, r.phone), []).append(cadre)
            else:  # without a phone (or a file without the column): known by name
                self.by_name.setdefault((r.unit_id, r.name), []).append(cadre)

    def candidates(self, unit_id: int, phone: str | None, name: str,
                   phone_shared: bool) -> list[dict]:
        """The stored cadres a row may mean: the one with its phone in its unit (when the
        phone is shared, in the file or in the unit, the one with its phone and name), else
        those of its name that have no phone."""
        if not phone:
            return self.by_name.get((unit_id, name), [])
        found = self.by_phone.get((unit_id, phone), [])
        if phone_shared or len(found) > 1:
            found = [c for c in found if c["name"] == name]
        return found


def _active_pairings(ctx: Context, cadre_ids: list[int]) -> dict[int, int]:
    if not cadre_ids:
        return {}
    return dict(ctx.session.execute(
        select(Pairing.cadre_id, func.count()).where(Pairing.cadre_id.in_(cadre_ids),
                                                     Pairing.ended_on.is_(None))
        .group_by(Pairing.cadre_id)).all())


def _changes(stored: dict, values: dict) -> dict:
    """What the row would change (only the columns the file has). Stored skills are compared
    as the export writes them and the import reads them back (joined by 、, split again), so
    an untouched export imports unchanged even where a skill an API client sent contains a
    separator or comes twice."""
    changes = {k: v for k, v in values.items() if k in _COMPARED and stored[k] != v}
    if "skills" in changes and rules.text_list("、".join(stored["skills"] or [])) \
            == changes["skills"]:
        del changes["skills"]
    return changes


def import_cadres(ctx: Context, sheet: Sheet, dry_run: bool = False,
                  progress: Callable[[int], None] | None = None) -> dict:
    """Check every row; refuse them all when any is bad (ImportRowsInvalid), otherwise write
    them all (unless `dry_run`): {dry_run, rows, created, updated, unchanged}."""
    rows, problems = read_rows(sheet, rules.CADRE_COLUMNS, _READERS)
    for row in rows:
        _check(row, problems)
    units = _units(ctx, {r.values["unit"] for r in rows if r.values.get("unit")})
    first_seen: dict[tuple, int] = {}
    named: list[Row] = []
    for row in rows:
        unit = row.values.pop("unit", None)
        if unit is None:
            continue
        if unit not in units:
            problems.append(problem(row.number, "单位", _(
                "unit “%(name)s” does not exist or is outside your scope",
                name=rules.quoted(unit))))
            continue
        row.values["unit_id"] = units[unit]
        if not row.values.get("name"):
            continue  # already a problem
        key = (units[unit], row.values.get("phone"), row.values["name"])
        if key in first_seen:
            problems.append(problem(row.number, "姓名", _(
                "repeats row %(row)s: the same unit, name and phone", row=first_seen[key])))
            continue
        first_seen[key] = row.number
        named.append(row)
    by_phone = any("phone" in r.values or "phone" in r.unreadable for r in rows)
    stored = _Stored(ctx, set(units.values()), by_phone)
    phones = Counter((r.values["unit_id"], r.values.get("phone")) for r in named)
    matches: list[tuple[Row, dict | None]] = []
    matched: dict[int, int] = {}  # stored cadre id → the row that names it
    for row in named:
        v = row.values
        phone = v.get("phone") if by_phone else None
        found = stored.candidates(v["unit_id"], phone, v["name"],
                                  phone_shared=phones[(v["unit_id"], phone)] > 1)
        column = "电话" if phone else "姓名"
        if len(found) > 1:
            problems.append(problem(row.number, column, _(
                "%(count)s cadres of the unit match it, so which one is meant cannot be told: "
                "check them in the system first", count=len(found))))
        elif found and found[0]["id"] in matched:
            problems.append(problem(row.number, column, _(
                "names the same cadre as row %(row)s", row=matched[found[0]["id"]])))
        else:
            if found:
                matched[found[0]["id"]] = row.number
            matches.append((row, found[0] if found else None))
    active = _active_pairings(ctx, [s["id"] for r, s in matches
                                    if s is not None and r.values.get("rank") not in (None,
                                                                                      s["rank"])])
    for row, stored_cadre in matches:
        rank = row.values.get("rank")
        if stored_cadre is None or rank is None:
            continue
        count = active.get(stored_cadre["id"], 0)
        if count > cadre_rules.household_quota(rank):
            problems.append(problem(row.number, "职级", _(
                "as %(rank)s the cadre may link %(quota)s households, and links %(count)s now: "
                "hand them over first", rank=word("rank", rank),
                quota=cadre_rules.household_quota(rank), count=count)))
    refuse_if_any(problems)

    return write(ctx, "cadre", matches, dry_run, _changes, cadres.update_cadre, _create_all,
                 progress)


def _create_all(ctx: Context, creates: list[dict],
                progress: Callable[[int], None]) -> list[int]:
    """New cadres, _CHUNK at a time, each chunk one flush (the audit and history listeners
    write their rows for it), then out of the session; their ids in the order given."""
    created: list[int] = []
    for start in range(0, len(creates), _CHUNK):
        chunk = [Cadre(**{"skills": [], **values}) for values in creates[start:start + _CHUNK]]
        ctx.session.add_all(chunk)
        ctx.session.flush()
        created += [cadre.id for cadre in chunk]
        ctx.session.expunge_all()
        progress(start + len(chunk))
    return created
