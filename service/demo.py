"""A realistic, deterministic demo county (壶关县-like): bulk inserts, a progress bar.

The county is alive on any day (SPEC §15): its history runs from 1 January of the previous
month's year up to the clock's yesterday — every month of the year so far with visits (and the
whole of last year in January, so there is a previous month), the current month logged up to
yesterday — and the previous month is published. The same seed on the same day gives the same
county; the households, cadres and pairings are the same on every day.
"""

import contextlib
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import click
from sqlalchemy import func, insert, select, text, update

from service.assignments.models import VillageAssignment
from service.audit import recorder
from service.audit.rules import record_type_of
from service.cadres.models import Cadre
from service.cadres.rules import household_quota
from service.contacts.models import ContactPoint, PartyOrganization
from service.context import AUDIT_ACTOR, Caller, Context
from service.demands.models import Demand, DemandTransition
from service.demands.rules import CATEGORIES as DEMAND_CATEGORIES
from service.disclosures.services import publish
from service.history.tracking import seed_versions
from service.households.models import Household, HouseholdNeed
from service.households.rules import NEEDS, id_check_char
from service.inspections.models import HouseholdCheck, Inspection
from service.pairings.models import Pairing
from service.pairings.rules import DIFFICULTY_FOR_RANK
from service.passwords import hash_password
from service.places.models import Township, Village
from service.reports.disclosure import month_of
from service.tasks.models import Task, TaskTransition
from service.tasks.rules import template_for
from service.units.models import Unit
from service.users.models import User
from service.visits.models import Visit

COUNTY_CODE = "140427"  # 壶关县
TOWNSHIP_NAMES = ["龙泉镇", "百尺镇", "店上镇", "晋庄镇", "树掌镇", "集店乡", "黄山乡", "东井岭乡",
                  "石坡乡", "五龙山乡", "鹅屋乡", "桥上乡", "常行乡", "崇贤乡"]
UNIT_NAMES = ["县委办公室", "县政府办公室", "县人大办公室", "县政协办公室", "县纪委监委", "县委组织部",
              "县委宣传部", "县委统战部", "县委政法委", "县发展和改革局", "县财政局", "县教育局",
              "县卫生健康局", "县农业农村局", "县水利局", "县交通运输局", "县人力资源和社会保障局",
              "县民政局", "县自然资源局", "县住房和城乡建设局", "县公安局", "县人民法院", "县人民检察院",
              "县商务局", "县文化和旅游局", "县市场监督管理局", "县应急管理局", "县审计局", "县统计局",
              "县林业局", "县医疗保障局", "县税务局", "县供销合作社", "县乡村振兴局", "县司法局",
              "县退役军人事务局", "县总工会", "团县委", "县妇联", "县科技局", "县工信局", "县能源局",
              "县行政审批局", "县信访局", "县融媒体中心", "县档案馆", "县党校", "县气象局", "县邮政公司",
              "县电力公司"]
SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢"
                "蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟"
                "龙万段雷钱汤尹黎易常武乔贺赖龚文") + ["欧阳", "司马", "诸葛", "上官"]
GIVEN = list("建国军华明强伟平红英兰芳秀珍玉梅丽春生福贵海林山文德志永宏兵斌杰涛鹏飞燕霞娟敏静丹"
             "桂荣凤花成刚勇亮")
VILLAGE_SYLLABLES = list("东西南北上下前后大小新老石河山沟坡岭庄峪岩泉河川坪寨堡店池水桥口")
RANK_WEIGHTS = [("county_level", 2), ("section_chief", 8), ("deputy_section_chief", 15),
                ("general", 75)]
DIFFICULTY_WEIGHTS = [("hardest", 10), ("harder", 30), ("easier", 60)]
SKILLS = ["种植技术", "养殖技术", "法律咨询", "电商销售", "财务", "医疗", "教育", "建筑", "农机维修"]
CHUNK = 5000
HISTORY_USERNAME = "demo-history"
# Pairings start over the programme's first PAIRING_DAYS days (fewer when the history is short).
PAIRING_DAYS = 120
INSPECTED_MONTHS = 4  # unannounced inspections in the last four months before this one


def demo_span(today: date) -> tuple[date, date]:
    """The first and last day of the demo's history on `today`: from 1 January of the previous
    month's year to yesterday."""
    previous_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return date(previous_month.year, 1, 1), today - timedelta(days=1)


def previous_month(today: date) -> str:
    """The month before `today`'s, YYYY-MM: the one the demo publishes."""
    return f"{today.replace(day=1) - timedelta(days=1):%Y-%m}"


@dataclass(frozen=True)
class DemoSizes:
    townships: int = 12
    villages: int = 390
    units: int = 60
    cadres: int = 1500
    households: int = 3000


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))


def _id_number(rng: random.Random, used: set[str]) -> str:
    while True:
        born = date(1935, 1, 1) + timedelta(days=rng.randrange(0, 365 * 70))
        first17 = f"{COUNTY_CODE}{born:%Y%m%d}{rng.randrange(1000):03d}"
        if first17 not in used:
            used.add(first17)
            return first17 + id_check_char(first17)


def _weighted(rng: random.Random, pairs) -> str:
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


class _NoBar:
    def update(self, _n: int) -> None:
        pass


class _County:
    """Builds every row of the demo county in memory, deterministically from the seed."""

    def __init__(self, sizes: DemoSizes, seed: int, today: date, zone: ZoneInfo,
                 history_user_id: int = 1, history_user_exists: bool = False):
        self.sizes, self.rng = sizes, random.Random(seed)
        self.first, self.last = demo_span(today)
        self.today, self.zone = today, zone
        # The account that signs the history: made with the county unless already there.
        self.history_user_id, self.history_user_exists = history_user_id, history_user_exists
        self.used_ids: set[str] = set()
        self.tables: dict = {}

    def build(self) -> dict:
        self._places()
        self._units_and_cadres()
        self._assignments()
        self._households_and_pairings()
        self._organizations_and_contact_points()
        self._tasks_and_demands()
        self._inspections()
        return self.tables

    def _inspections(self) -> None:
        """Unannounced inspections in the last four months before this one (those the history
        holds): a few villages a month, five paired households each, with what households told
        the inspector."""
        rng = self.rng
        unit_of = {c["id"]: c["unit_id"] for c in self.cadres}
        village_of = {h["id"]: h["village_id"] for h in self.households}
        active: dict[int, list[dict]] = {}
        for p in self.pairings:
            if p.get("ended_on") is None:
                active.setdefault(village_of[p["household_id"]], []).append(p)
        inspections, checks = [], []
        villages = sorted(active)
        months, month = [], self.today.replace(day=1)
        while len(months) < INSPECTED_MONTHS:
            month = (month - timedelta(days=1)).replace(day=1)
            if month < self.first:
                break
            months.insert(0, month)
        for month in months:
            for village_id in rng.sample(villages, min(len(villages), 8)):
                day = month.replace(day=rng.randint(3, 26))
                inspections.append({"id": len(inspections) + 1, "village_id": village_id,
                                    "inspected_on": day,
                                    "inspector_id": self.history_user_id, "notes": "不打招呼督查",
                                    "created_at": self._at(day, 17)})
                paired = [p for p in active[village_id] if p["started_on"] <= day]
                for p in rng.sample(paired, min(5, len(paired))):
                    checks.append({
                        "inspection_id": inspections[-1]["id"], "household_id": p["household_id"],
                        "cadre_id": p["cadre_id"], "unit_id": unit_of[p["cadre_id"]],
                        "knows_cadre": rng.random() < 0.88, "has_contact_card": rng.random() < 0.8,
                        "visit_confirmed": rng.random() < 0.9, "note": None,
                        "satisfaction": _weighted(rng, [("satisfied", 70),
                                                        ("basically_satisfied", 25),
                                                        ("dissatisfied", 5)])})
        self.tables[Inspection] = inspections
        self.tables[HouseholdCheck] = checks

    def _places(self) -> None:
        sizes, rng = self.sizes, self.rng
        self.townships = [{"id": i + 1, "code": f"{COUNTY_CODE}{100 + i:03d}",
                           "name": TOWNSHIP_NAMES[i] if i < len(TOWNSHIP_NAMES) else f"第{i + 1}乡"}
                          for i in range(sizes.townships)]
        self.villages, names = [], set()
        for i in range(sizes.villages):
            t = self.townships[i % sizes.townships]
            name = "".join(rng.choices(VILLAGE_SYLLABLES, k=2)) + "村"
            while name in names:
                name = "".join(rng.choices(VILLAGE_SYLLABLES, k=2)) + "村"
            names.add(name)
            self.villages.append({
                "id": i + 1, "code": f"{t['code']}{200 + i // sizes.townships:03d}",
                "name": name, "township_id": t["id"],
                "latitude": round(36.11 + rng.uniform(-0.2, 0.2), 5),
                "longitude": round(113.21 + rng.uniform(-0.25, 0.25), 5)})
        self.tables[Township] = self.townships
        self.tables[Village] = self.villages

    def _units_and_cadres(self) -> None:
        sizes, rng = self.sizes, self.rng
        self.units = [{"id": i + 1, "name": UNIT_NAMES[i] if i < len(UNIT_NAMES)
                       else f"县直第{i + 1 - len(UNIT_NAMES)}工作队"} for i in range(sizes.units)]
        self.cadres, self.heads = [], {}
        for i in range(sizes.cadres):
            unit_id = i % sizes.units + 1
            if unit_id not in self.heads:
                self.heads[unit_id] = i + 1
                rank = "county_level" if rng.random() < 0.3 else "section_chief"
            else:
                rank = _weighted(rng, RANK_WEIGHTS)
            self.cadres.append({"id": i + 1, "name": _person(rng), "unit_id": unit_id,
                                "rank": rank,
                                "phone": f"1{rng.choice('35789')}{rng.randrange(10**9):09d}",
                                "skills": rng.sample(SKILLS, k=rng.randrange(0, 3))})
        # Gaps for coverage to find: a unit or two with no head named yet.
        for unit_id in rng.sample(sorted(self.heads), k=max(1, sizes.units // 30)):
            del self.heads[unit_id]
        self.tables[Unit] = self.units
        self.tables[Cadre] = self.cadres

    def _assignments(self) -> None:
        # All villages but a handful are held, round-robin over the units.
        unheld = set(self.rng.sample(range(1, self.sizes.villages + 1),
                                     k=max(1, self.sizes.villages // 130)))
        held = [v for v in self.villages if v["id"] not in unheld]
        self.assignments = [{"id": i + 1, "unit_id": i % self.sizes.units + 1,
                             "village_id": v["id"], "started_on": self.first}
                            for i, v in enumerate(held)]
        self.held_by_unit: dict[int, list[int]] = {}
        for a in self.assignments:
            self.held_by_unit.setdefault(a["unit_id"], []).append(a["village_id"])
        self.tables[VillageAssignment] = self.assignments

    def _household(self, village_id: int, difficulty: str, needs: list[str]) -> dict:
        rng = self.rng
        hid = len(self.households) + 1
        self.households.append({
            "id": hid, "village_id": village_id, "head_name": _person(rng),
            "id_number": _id_number(rng, self.used_ids),
            "phone": f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"
            if rng.random() < 0.85 else None,
            "members": rng.randint(1, 7), "difficulty": difficulty,
            "income_per_capita": round(rng.uniform(1800, 16000) if needs
                                       else rng.uniform(9000, 30000), 2),
            # Demo cards derive from the seed; real households get secrets-based codes.
            "card_code": "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", k=16)),
        })
        self.needs.extend({"household_id": hid, "need": n} for n in needs)
        return self.households[-1]

    def _households_and_pairings(self) -> None:
        """Needy households matched to the cadres of the unit holding their village (R1–R4);
        a few cadres left without or below quota, a few needy households left without a cadre,
        and the rest of the county's households without needs."""
        rng, budget = self.rng, self.sizes.households
        self.households, self.needs, self.pairings = [], [], []
        # A short history (early in the year) has its pairings start in its first half, so
        # that the previous month has visits; the draws are the same on every day.
        window = min(PAIRING_DAYS, (self.last - self.first).days // 2)
        gaps = {"unpaired": 0, "below": 0, "override": 0}  # at least one of each, for coverage
        by_unit: dict[int, list[dict]] = {}
        for c in self.cadres:
            by_unit.setdefault(c["unit_id"], []).append(c)
        for unit_id, cadres in sorted(by_unit.items()):
            villages = self.held_by_unit.get(unit_id)
            if not villages:
                continue
            for cadre in cadres:
                slots = household_quota(cadre["rank"])
                roll = rng.random()
                if roll < 0.03 or not gaps["unpaired"]:
                    gaps["unpaired"] += 1
                    continue  # a cadre with no household yet
                if slots == 2 and (roll < 0.06 or not gaps["below"]):
                    gaps["below"] += 1
                    slots = 1  # below quota
                for _ in range(slots):
                    if len(self.households) >= budget:
                        break
                    difficulty = DIFFICULTY_FOR_RANK[cadre["rank"]]
                    override = None
                    if cadre["rank"] == "general" and (rng.random() < 0.002
                                                       or not gaps["override"]):
                        gaps["override"] += 1
                        difficulty, override = "harder", "县委同意: 该干部长期驻村, 熟悉该户情况"
                    h = self._household(rng.choice(villages), difficulty,
                                        rng.sample(NEEDS, k=rng.choice((1, 1, 2, 3))))
                    self.pairings.append({
                        "id": len(self.pairings) + 1, "cadre_id": cadre["id"],
                        "household_id": h["id"], "override_reason": override,
                        "started_on": self.first + timedelta(
                            days=rng.randrange(0, PAIRING_DAYS) * window // PAIRING_DAYS)})
        held_villages = [v for vs in self.held_by_unit.values() for v in vs]
        for _ in range(min(max(1, len(self.pairings) // 100), budget - len(self.households))):
            self._household(rng.choice(held_villages), _weighted(rng, DIFFICULTY_WEIGHTS),
                            rng.sample(NEEDS, k=1))  # needs, but no cadre yet
        while len(self.households) < budget:
            self._household(rng.randrange(len(self.villages)) + 1, "easier", [])
        self.tables[Household] = self.households
        self.tables[HouseholdNeed] = self.needs
        self.tables[Pairing] = self.pairings

    def _organizations_and_contact_points(self) -> None:
        rng = self.rng
        orgs = [{"id": v["id"], "name": f"{v['name']}党支部({v['code'][-6:]})",
                 "kind": "village_branch", "weak": rng.random() < 0.3, "village_id": v["id"]}
                for v in self.villages]
        leaders = [c for c in self.cadres if c["rank"] in ("county_level", "section_chief")]
        county_level = [c for c in leaders if c["rank"] == "county_level"]
        for kind, label in (("non_public_economic", "有限公司党支部"),
                            ("social_organization", "协会党支部")):
            for i in range(max(1, len(county_level))):
                orgs.append({"id": len(orgs) + 1, "name": f"{_person(rng)}{label}{i + 1}",
                             "kind": kind, "weak": False, "village_id": None})
        weak = [o for o in orgs if o["kind"] == "village_branch" and o["weak"]] or orgs[:1]
        weak[0]["weak"] = True
        npe = [o for o in orgs if o["kind"] == "non_public_economic"]
        social = [o for o in orgs if o["kind"] == "social_organization"]
        points = []
        for i, leader in enumerate(leaders):
            wanted = [weak[i % len(weak)]]
            if leader["rank"] == "county_level":
                wanted += [npe[i % len(npe)], social[i % len(social)]]
            if rng.random() < 0.05 or i == 0:
                wanted.pop(rng.randrange(len(wanted)))  # a leader still missing one
            points.extend({"id": len(points) + 1, "cadre_id": leader["id"],
                           "organization_id": o["id"], "started_on": self.first}
                          for o in wanted)
        self.tables[PartyOrganization] = orgs
        self.tables[ContactPoint] = points


    def _tasks_and_demands(self) -> None:
        """Each need's task and a few demands per paired household, in every state, spread
        over the months since the programme started. Their history is signed by an inactive
        `demo-history` account."""
        rng, uid = self.rng, self.history_user_id
        self.tables[User] = [] if self.history_user_exists else [
            {"id": uid, "username": HISTORY_USERNAME, "password_hash": "!",
             "role": "county_admin", "active": False}]
        started = {p["household_id"]: p["started_on"] for p in self.pairings}
        cadre_of = {p["household_id"]: p["cadre_id"] for p in self.pairings}
        needs_of: dict[int, list[str]] = {}
        for n in self.needs:
            needs_of.setdefault(n["household_id"], []).append(n["need"])
        tasks, task_moves, demands, demand_moves = [], [], [], []
        for hid, needs in needs_of.items():
            since = started.get(hid, self.first)
            for need in needs:
                task = {"id": len(tasks) + 1, "household_id": hid, "source": "generated",
                        "status": "open", **template_for(need, since),
                        "created_at": self._at(since, 9)}
                tasks.append(task)
                if hid not in started:
                    continue
                path = rng.choices([[], ["in_progress"], ["in_progress", "done"],
                                    ["in_progress", "done", "verified"]],
                                   weights=[30, 35, 20, 15])[0]
                day = since
                for to in path:
                    day = min(day + timedelta(days=rng.randint(10, 60)), self.last)
                    task_moves.append({"task_id": task["id"], "from_status": task["status"],
                                       "to_status": to, "note": None, "user_id": uid,
                                       "at": self._at(day, rng.randint(9, 17))})
                    task["status"] = to
        for hid, since in started.items():
            for _ in range(rng.choice((0, 0, 1, 1, 2))):
                opened = since + timedelta(days=rng.randrange(0, max(1, (self.last - since)
                                                                       .days)))
                demand = {"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                          "household_id": hid, "cadre_id": cadre_of[hid], "created_by": uid,
                          "category": rng.choice(DEMAND_CATEGORIES),
                          "description": "户主反映的问题, 由联户干部记录跟进",
                          "status": "open", "opened_at": self._at(opened, rng.randint(8, 19)),
                          "received_at": self._at(opened, 20), "body_hash": "0" * 64,
                          "resolution": None, "in_progress_at": None, "resolved_at": None,
                          "confirmed_at": None}
                age = (self.last - opened).days
                steps = ["in_progress", "resolved", "confirmed"][:min(3, age // 12)]
                if rng.random() < 0.1:
                    steps = []  # left open: some of these are overdue
                day = opened
                for to in steps:
                    day = day + timedelta(days=rng.randint(1, 10))
                    demand_moves.append({"demand_id": demand["id"], "from_status":
                                         demand["status"], "to_status": to, "note": None,
                                         "user_id": uid, "at": self._at(day, 15)})
                    demand[{"in_progress": "in_progress_at", "resolved": "resolved_at",
                            "confirmed": "confirmed_at"}[to]] = self._at(day, 15)
                    demand["status"] = to
                    if to == "resolved":
                        demand["resolution"] = "已协调解决, 户主认可"
                demands.append(demand)
        self._visits(rng)
        self.tables[Task] = tasks
        self.tables[TaskTransition] = task_moves
        self.tables[Demand] = demands
        self.tables[DemandTransition] = demand_moves


    def _visits(self, rng: random.Random) -> None:
        """A few visits a month per pairing since it started, up to yesterday; some cadres skip
        months, some calls are only phone calls (R8), some are logged late (never later than
        yesterday), and a few cadres visit only in the last days of each month."""
        visits = []
        kinds = ["home_visit"] * 6 + ["heart_to_heart"] * 2 + ["shared_labor", "reception",
                                                                "stay_overnight", "phone"]
        for p in self.pairings:
            lax = rng.random() < 0.1  # the failure pattern: months with no direct visit
            # Another: visiting only in the last days of the month, when reports are due.
            month_end = not lax and rng.random() < 0.03
            day = p["started_on"] + timedelta(days=rng.randint(1, 10))
            while day <= self.last:
                if month_end:
                    day = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(
                        days=rng.randint(1, 2))
                    if day > self.last:
                        break
                if not (lax and rng.random() < 0.5):
                    kind = rng.choice(kinds)
                    at = self._at(day, rng.randint(8, 18))
                    # Logged ten days late, unless those ten days are not over yet.
                    late = rng.random() < 0.03 and day + timedelta(days=10) <= self.last
                    visits.append({
                        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        "cadre_id": p["cadre_id"], "household_id": p["household_id"],
                        "pairing_id": p["id"], "visited_at": at,
                        "received_at": at + timedelta(days=10 if late else 0, hours=2),
                        "kind": kind, "direct": kind != "phone",
                        "diary": "入户走访, 了解生产生活情况, 宣传政策", "help_given": None,
                        "card_scanned": rng.random() < 0.6,
                        "created_by": self.history_user_id, "body_hash": "-",
                        "flags": ["late_entry"] if late else [], "flag_late_entry": late,
                        "flag_far_from_village": False, "flag_duplicate_suspect": False,
                        "flag_night_time": False, "flag_too_many_today": False,
                        "updated_at": at})
                day += timedelta(days=3 if month_end else rng.randint(7, 16))
        self.tables[Visit] = visits

    def _at(self, day: date, hour: int) -> datetime:
        """A county-local working hour on a day, as an aware UTC time."""
        return datetime(day.year, day.month, day.day, hour, tzinfo=self.zone).astimezone(UTC)


def load_demo(ctx: Context, sizes: DemoSizes, seed: int, progress: bool = True) -> dict:
    """Fill an empty database with a demo county whose history runs up to the clock's
    yesterday, and publish the previous month; the same seed on the same day gives the same
    county. The audit trail gets one import event per kind of record, with its count, and one
    publish event per village published (signed by the history's account)."""
    session = ctx.session
    today = ctx.clock.today()
    if session.scalar(select(func.count()).select_from(Township)):
        raise ValueError("the database already holds a county; demo-data needs an empty one")
    if sizes.villages < sizes.townships or sizes.units > sizes.cadres:
        raise ValueError("need at least one village per township and one cadre per unit")
    # Accounts may exist already (`create-user admin` before `demo-data`): the history's
    # signer takes the next free id, or is the one already there.
    history_id = session.scalar(select(User.id).where(User.username == HISTORY_USERNAME))
    history_exists = history_id is not None
    history_id = history_id or (session.scalar(select(func.max(User.id))) or 0) + 1
    county = _County(sizes, seed, today, ctx.settings.county_zone, history_id,
                     history_user_exists=history_exists)
    tables = county.build()
    total = sum(len(rows) for rows in tables.values())
    bar_context = (click.progressbar(length=total, label="demo county") if progress
                   else contextlib.nullcontext(_NoBar()))
    with bar_context as bar:
        for model, rows in tables.items():
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start:start + CHUNK]
                session.execute(insert(model.__table__), chunk)  # Core: no ORM bookkeeping
                bar.update(len(chunk))
            if model is Cadre:
                for unit_id, cadre_id in county.heads.items():
                    session.execute(update(Unit).where(Unit.id == unit_id)
                                    .values(head_cadre_id=cadre_id))
    seed_versions(session)
    _advance_sequences(session)
    for model, rows in tables.items():
        record_type = record_type_of(model.__tablename__)
        if record_type and rows:
            recorder.record(session, "import", record_type, None, {
                "rows": [None, len(rows)], "source": [None, f"demo-data --seed {seed}"]})
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        # Fresh statistics: without them the planner guesses badly on a just-loaded county.
        session.execute(text("ANALYZE"))
        session.commit()
    published = _publish_previous_month(ctx, history_id, today)
    names = {Township: "townships", Village: "villages", Unit: "units", Cadre: "cadres",
             VillageAssignment: "village assignments", Household: "households",
             Pairing: "pairings", PartyOrganization: "party organisations",
             ContactPoint: "contact points", Task: "tasks", Demand: "demands",
             Visit: "visits", Inspection: "inspections"}
    return {**{label: len(tables[model]) for model, label in names.items()},
            f"disclosures of {previous_month(today)}": published}


def _publish_previous_month(ctx: Context, history_id: int, today: date) -> int:
    """Publish the previous month of every village a unit held then, through the one way a
    month is published (service/disclosures), so the chain verifies like any other; signed by
    the history's account. Returns how many were published."""
    session = ctx.session
    month = previous_month(today)
    first = date.fromisoformat(month + "-01")
    held = session.scalars(
        select(VillageAssignment.village_id).distinct()
        .where(VillageAssignment.started_on < today.replace(day=1),
               (VillageAssignment.ended_on.is_(None)) | (VillageAssignment.ended_on >= first))
        .order_by(VillageAssignment.village_id)).all()
    signer = Context(session, ctx.clock, ctx.settings,
                     Caller(history_id, HISTORY_USERNAME, "county_admin", None, None))
    try:
        for village_id in held:
            publish(signer, village_id, month_of(signer, month), None)
        session.commit()
    finally:
        session.info[AUDIT_ACTOR] = ctx.actor  # the session's later changes are ctx's again
    return len(held)


def _advance_sequences(session) -> None:
    """Explicit ids leave PostgreSQL sequences behind; move them past the data."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in ("townships", "villages", "units", "cadres", "households",
                  "village_assignments", "pairings", "party_organizations", "contact_points",
                  "users", "tasks", "task_transitions", "demand_transitions", "inspections"):
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT max(id) FROM {table}), 1))"))


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    created: bool  # False: an account of that username was there already, and is left alone


def open_demo_accounts(ctx: Context, password: str) -> list[DemoAccount]:
    """A demo login for each role, those whose username is free: an existing account of the
    same username (say an admin made with `create-user admin` first) is left as it is."""
    session = ctx.session
    unit = session.scalar(select(Unit).order_by(Unit.id).limit(1))
    # The demo cadre is one who already links households, so its login shows something.
    cadre = session.scalar(select(Cadre).join(Pairing, Pairing.cadre_id == Cadre.id)
                           .where(Cadre.unit_id == unit.id, Pairing.ended_on.is_(None))
                           .order_by(Cadre.id).limit(1)) if unit else None
    wanted = [("admin", "county_admin", None, None), ("inspector", "inspector", None, None)]
    if unit:
        wanted.append(("unit1", "unit_admin", unit.id, None))
    if cadre:
        wanted.append(("cadre1", "cadre", cadre.unit_id, cadre.id))
    password_hash = hash_password(password, ctx.settings.password_hash_fast)
    accounts = []
    for username, role, unit_id, cadre_id in wanted:
        free = session.scalar(select(User.id).where(User.username == username)) is None
        if free:
            session.add(User(username=username, password_hash=password_hash, role=role,
                             unit_id=unit_id, cadre_id=cadre_id))
        accounts.append(DemoAccount(username, role, free))
    session.commit()
    return accounts
