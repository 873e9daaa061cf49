"""A realistic, deterministic demo county (壶关县-like): bulk inserts, a progress bar."""

import contextlib
import random
from dataclasses import dataclass
from datetime import date, timedelta

import click
from sqlalchemy import func, insert, select, text

from service.assignments.models import VillageAssignment
from service.auth import hash_password
from service.cadres.models import Cadre
from service.households.models import Household, HouseholdNeed
from service.households.rules import NEEDS, id_check_char
from service.places.models import Township, Village
from service.units.models import Unit
from service.users.models import User

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
PROGRAMME_START = date(2026, 1, 1)


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


class _Loader:
    """Bulk inserts in chunks with explicit ids, advancing a progress bar."""

    def __init__(self, session, bar):
        self.session, self.bar = session, bar

    def insert(self, model, rows: list[dict]) -> None:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            self.session.execute(insert(model), chunk)
            self.bar.update(len(chunk))


def load_demo(session, sizes: DemoSizes, seed: int, progress: bool = True) -> dict:
    """Fill an empty database with a demo county; the same seed gives the same county."""
    if session.scalar(select(func.count()).select_from(Township)):
        raise ValueError("the database already holds a county; demo-data needs an empty one")
    if sizes.villages < sizes.townships or sizes.units > sizes.cadres:
        raise ValueError("need at least one village per township and one cadre per unit")
    rng = random.Random(seed)
    total = (sizes.townships + sizes.villages + sizes.units + sizes.cadres
             + sizes.households * 2 + sizes.villages)
    bar_context = (click.progressbar(length=total, label="demo county") if progress
                   else contextlib.nullcontext(_NoBar()))
    with bar_context as bar:
        load = _Loader(session, bar)
        townships = [{"id": i + 1, "code": f"{COUNTY_CODE}{100 + i:03d}",
                      "name": TOWNSHIP_NAMES[i] if i < len(TOWNSHIP_NAMES) else f"第{i + 1}乡"}
                     for i in range(sizes.townships)]
        load.insert(Township, townships)

        villages, names = [], set()
        for i in range(sizes.villages):
            t = townships[i % sizes.townships]
            name = "".join(rng.choices(VILLAGE_SYLLABLES, k=2)) + "村"
            while name in names:
                name = "".join(rng.choices(VILLAGE_SYLLABLES, k=2)) + "村"
            names.add(name)
            villages.append({"id": i + 1, "code": f"{t['code']}{200 + i // sizes.townships:03d}",
                             "name": name, "township_id": t["id"],
                             "latitude": round(36.11 + rng.uniform(-0.2, 0.2), 5),
                             "longitude": round(113.21 + rng.uniform(-0.25, 0.25), 5)})
        load.insert(Village, villages)

        units = [{"id": i + 1, "name": UNIT_NAMES[i] if i < len(UNIT_NAMES)
                  else f"县直第{i + 1 - len(UNIT_NAMES)}工作队"} for i in range(sizes.units)]
        load.insert(Unit, units)

        cadres, heads = [], {}
        for i in range(sizes.cadres):
            unit_id = i % sizes.units + 1
            if unit_id not in heads:
                heads[unit_id] = i + 1
                rank = "county_level" if rng.random() < 0.3 else "section_chief"
            else:
                rank = _weighted(rng, RANK_WEIGHTS)
            cadres.append({"id": i + 1, "name": _person(rng), "unit_id": unit_id, "rank": rank,
                           "phone": f"1{rng.choice('35789')}{rng.randrange(10**9):09d}",
                           "skills": rng.sample(SKILLS, k=rng.randrange(0, 3))})
        load.insert(Cadre, cadres)
        for unit_id, cadre_id in heads.items():
            session.execute(Unit.__table__.update().where(Unit.id == unit_id)
                            .values(head_cadre_id=cadre_id))

        households, needs, used = [], [], set()
        for i in range(sizes.households):
            hid = i + 1
            households.append({
                "id": hid, "village_id": rng.randrange(sizes.villages) + 1,
                "head_name": _person(rng), "id_number": _id_number(rng, used),
                "phone": f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"
                if rng.random() < 0.85 else None,
                "members": rng.randint(1, 7),
                "difficulty": _weighted(rng, DIFFICULTY_WEIGHTS),
                "income_per_capita": round(rng.uniform(1800, 16000), 2),
                # Demo cards derive from the seed; real households get secrets-based codes.
                "card_code": "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", k=16)),
            })
            for need in rng.sample(NEEDS, k=rng.choice((0, 1, 1, 2, 2, 3))):
                needs.append({"household_id": hid, "need": need})
        load.insert(Household, households)
        load.insert(HouseholdNeed, needs)

        assignments = [{"id": v["id"], "unit_id": (v["id"] - 1) % sizes.units + 1,
                        "village_id": v["id"], "started_on": PROGRAMME_START}
                       for v in villages]
        load.insert(VillageAssignment, assignments)
    _advance_sequences(session)
    session.commit()
    return {"townships": len(townships), "villages": len(villages), "units": len(units),
            "cadres": len(cadres), "households": len(households),
            "village assignments": len(assignments)}


def _advance_sequences(session) -> None:
    """Explicit ids leave PostgreSQL sequences behind; move them past the data."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in ("townships", "villages", "units", "cadres", "households",
                  "village_assignments"):
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT max(id) FROM {table}), 1))"))


def ensure_demo_users(session, password: str) -> list[tuple[str, str]]:
    """Demo accounts for each role (created once)."""
    unit = session.scalar(select(Unit).order_by(Unit.id).limit(1))
    cadre = session.scalar(select(Cadre).where(Cadre.unit_id == unit.id,
                                               Cadre.id != unit.head_cadre_id)
                           .order_by(Cadre.id).limit(1)) if unit else None
    wanted = [("admin", "county_admin", None, None), ("inspector", "inspector", None, None)]
    if unit:
        wanted.append(("unit1", "unit_admin", unit.id, None))
    if cadre:
        wanted.append(("cadre1", "cadre", cadre.unit_id, cadre.id))
    password_hash = hash_password(password)
    for username, role, unit_id, cadre_id in wanted:
        if session.scalar(select(User.id).where(User.username == username)) is None:
            session.add(User(username=username, password_hash=password_hash, role=role,
                             unit_id=unit_id, cadre_id=cadre_id))
    session.commit()
    return [(u, r) for u, r, _, _ in wanted]
