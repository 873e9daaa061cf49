"""Lists as Excel downloads and the cadre roster import through HTTP (SPEC §10).

`?format=xlsx` on GET /api/v1/households, /cadres, /pairings and /visits: every row of the list
(not one page) with the JSON list's filters, scope and masking, as an .xlsx attachment; the
household and cadre exports use the import columns, so an export imported back is all
unchanged; text is always a text cell, never a formula. POST /api/v1/imports/cadres and its
template are the county admin's.

The `world` fixture: unit A holds village a, unit B village b; cadres a1 (general), a2
(section_chief) in A, b1 in B, all with phone 13800000000; households a1, a2 in village a, b1 in
village b; pairings a1 → household a1 and b1 → household b1. The `records` fixture below adds
households (two named like formulas), cadres, a pairing and visits. Visit times are counted back
from the clock's today, so they are near its now whatever day NOW is."""

import io
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from service.cadres.models import Cadre
from tests import factories
from tests.clock import CLOCK

API = "/api/v1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROBLEM = "application/problem+json"
CST = ZoneInfo("Asia/Shanghai")
HOUSEHOLD_HEADER = ["村代码", "户主姓名", "身份证号", "联系电话", "家庭人口", "困难程度",
                    "帮扶需求", "人均纯收入"]
CADRE_HEADER = ["姓名", "单位", "职级", "电话", "特长"]
PAIRING_HEADER = ["编号", "干部", "干部编号", "职级", "单位", "户主", "户编号", "村", "困难程度",
                  "开始日期", "结束日期", "结束原因", "例外说明", "在联"]
VISIT_HEADER = ["编号", "干部编号", "户编号", "包联编号", "走访时间", "方式", "面对面", "扫卡",
                "民情日记", "帮扶内容", "诉求数", "标记", "更正次数", "录入时间"]
FORMULA = "=1+1"
HYPERLINK = '=HYPERLINK("http://example.com/x","点此")'
LISTS = ("households", "cadres", "pairings", "visits")


# --- helpers -------------------------------------------------------------------------------


def local(days_ago: int, hour: int) -> datetime:
    """A county-local time on a day `days_ago` before the clock's today."""
    day = CLOCK.local().date() - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, tzinfo=CST)


def export(api, name: str, **query):
    """GET the list as .xlsx; the response, checked to be an .xlsx attachment."""
    response = api.get(f"{API}/{name}", query_string={"format": "xlsx", **query})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == XLSX
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="{name}.xlsx"; filename*=UTF-8\'\'')
    return response


def sheet(response):
    return openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]


def rows(response) -> list[tuple]:
    """The workbook's rows, the header first."""
    return list(sheet(response).iter_rows(values_only=True))


def listed(api, name: str, **query) -> dict:
    """The JSON list, every item on one page."""
    response = api.get(f"{API}/{name}", query_string={"per_page": 500, **query})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["total"] == len(body["items"])
    return body


def upload(api, url: str, data: bytes, name: str = "roster.xlsx", **query):
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename=name)})
    return api.post(url, query_string=query, data=body,
                    content_type=f"multipart/form-data; boundary={boundary}")


def post_visit(api, household, at: datetime, diary: str) -> dict:
    response = api.post(f"{API}/visits", json={
        "id": str(uuid.uuid4()), "household_id": household.id, "visited_at": at.isoformat(),
        "kind": "home_visit", "diary": diary, "help_given": "=SUM(A1:A2)"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def cadres_stored(session) -> int:
    return session.scalar(select(func.count()).select_from(Cadre))


@dataclass
class Records:
    households: dict
    cadres: dict
    visits: list


@pytest.fixture
def records(world, session, cadre, login_as) -> Records:
    """Besides the world: households in both villages (one with no phone and no income, two
    named like formulas), cadres with a landline, skills or no phone, pairing a2 → household
    a2, and three visits (a1's two with formula-like diaries, b1's one)."""
    va, vb = world.villages["a"], world.villages["b"]
    households = {
        "formula": factories.household(session, va, head_name=FORMULA),
        "link": factories.household(session, va, head_name=HYPERLINK, phone=None,
                                    income_per_capita=None, members=1),
        "rich": factories.household(session, vb, needs=["low_income", "skills_training"],
                                    income_per_capita=Decimal("4500.50"), difficulty="hardest"),
    }
    cadres = {
        "landline": factories.cadre(session, world.units["b"], name="吴固话",
                                    rank="deputy_section_chief", phone="0931-8123456",
                                    skills=["农业技术", "法律"]),
        "phoneless": factories.cadre(session, world.units["a"], name="郑无电话",
                                     rank="county_level", phone=None, skills=["调解"]),
    }
    factories.pair(session, world.cadres["a2"], world.households["a2"])
    b1 = factories.user(session, "cadre", cadre_=world.cadres["b1"])
    session.commit()
    visits = [post_visit(cadre, world.households["a1"], local(1, 10), FORMULA),
              post_visit(cadre, world.households["a1"], local(2, 15), HYPERLINK),
              post_visit(login_as(b1), world.households["b1"], local(1, 9), "了解种植情况")]
    return Records(households, cadres, visits)


# --- every row, as the JSON list counts them ---------------------------------------------------


@pytest.mark.parametrize("name, header, total", [
    ("households", HOUSEHOLD_HEADER, 6), ("cadres", CADRE_HEADER, 5),
    ("pairings", PAIRING_HEADER, 3), ("visits", VISIT_HEADER, 3)])
def test_an_export_holds_every_row_not_one_page(admin, records, name, header, total):
    page = admin.get(f"{API}/{name}", query_string={"per_page": 2}).get_json()
    assert (page["total"], len(page["items"])) == (total, 2)
    got = rows(export(admin, name, per_page=2))
    assert list(got[0]) == header
    assert len(got) == total + 1


def test_an_export_comes_as_plain_bytes_to_a_client_that_asks_for_them(admin, records):
    response = admin.get(f"{API}/visits", query_string={"format": "xlsx"},
                         headers={"Accept": "application/octet-stream"})
    assert response.status_code == 200 and response.mimetype == "application/octet-stream"
    assert len(rows(response)) == 4


def test_the_exported_rows_are_the_listed_records(admin, world, records):
    codes = {v.id: v.code for v in world.villages.values()}
    households = listed(admin, "households")["items"]
    assert sorted(rows(export(admin, "households"))[1:], key=str) == sorted(
        [(codes[h["village_id"]], h["head_name"], h["id_number"], h["phone"], h["members"],
          {"hardest": "难度最大", "harder": "难度较大", "easier": "难度较小"}[h["difficulty"]],
          "、".join({"low_income": "低收入增收", "skills_training": "技能培训"}[n]
                   for n in h["needs"]),
          h["income_per_capita"]) for h in households], key=str)
    units = {u.id: u.name for u in world.units.values()}
    ranks = {"general": "一般干部", "section_chief": "正科级", "deputy_section_chief": "副科级",
             "county_level": "县级领导"}
    cadres = listed(admin, "cadres")["items"]
    assert sorted(rows(export(admin, "cadres"))[1:], key=str) == sorted(
        [(c["name"], units[c["unit_id"]], ranks[c["rank"]], c["phone"],
          "、".join(c["skills"]) or None) for c in cadres], key=str)
    pairings = listed(admin, "pairings")["items"]
    assert {r[0] for r in rows(export(admin, "pairings"))[1:]} == {p["id"] for p in pairings}
    visits = rows(export(admin, "visits"))[1:]
    assert {r[0] for r in visits} == {v["id"] for v in records.visits}
    first = next(r for r in visits if r[0] == records.visits[0]["id"])
    # Times in the county's zone, as Excel shows them (no offset).
    assert (first[4], first[5], first[6], first[8]) == (
        local(1, 10).replace(tzinfo=None), "入户走访", "是", FORMULA)


@pytest.mark.parametrize("name, key, narrowed", [
    ("households", "village_id", 2), ("cadres", "unit_id", 2), ("pairings", "village_id", 2),
    ("visits", "cadre_id", 2)])
def test_a_filter_narrows_the_workbook_as_it_narrows_the_list(admin, world, records, name,
                                                               key, narrowed):
    value = {"village_id": world.villages["b"].id, "unit_id": world.units["b"].id,
             "cadre_id": world.cadres["a1"].id}[key]
    if name == "pairings":
        value = world.villages["a"].id
    body = listed(admin, name, **{key: value})
    got = rows(export(admin, name, **{key: value}))[1:]
    assert body["total"] == len(got) == narrowed
    if name == "households":
        assert {r[2] for r in got} == {h["id_number"] for h in body["items"]}
        assert {r[0] for r in got} == {world.villages["b"].code}
    elif name == "cadres":
        assert {r[0] for r in got} == {c["name"] for c in body["items"]} == {
            world.cadres["b1"].name, "吴固话"}
    else:
        assert {r[0] for r in got} == {item["id"] for item in body["items"]}


# --- scope and masking -----------------------------------------------------------------------


@pytest.mark.parametrize("role, count, masked", [
    ("unit_admin", 4, False), ("cadre", 1, True), ("inspector", 6, True)])
def test_a_household_export_has_the_callers_scope_and_masking(login_as, world, records, role,
                                                              count, masked):
    api = login_as(world.users[role])
    body = listed(api, "households")
    got = rows(export(api, "households"))[1:]
    assert len(got) == body["total"] == count
    assert {(r[1], r[2], r[3]) for r in got} == {
        (h["head_name"], h["id_number"], h["phone"]) for h in body["items"]}
    assert {r[7] for r in got} == {h["income_per_capita"] for h in body["items"]}
    real = {h.id_number for h in [*world.households.values(), *records.households.values()]}
    ids = {r[2] for r in got}
    if masked:
        assert not ids & real and all(len(i) == 18 and "*" * 10 in i for i in ids)
    else:
        assert ids <= real
    if role == "unit_admin":
        assert {r[0] for r in got} == {world.villages["a"].code}


def test_a_unit_admins_cadre_export_is_its_unit(unit_admin, world, records):
    got = rows(export(unit_admin, "cadres"))[1:]
    assert sorted(r[0] for r in got) == sorted(
        [world.cadres["a1"].name, world.cadres["a2"].name, "郑无电话"])
    assert {r[1] for r in got} == {world.units["a"].name}


# --- export, then import back ----------------------------------------------------------------


def test_a_household_export_imports_back_all_unchanged(admin, records):
    data = export(admin, "households").data
    response = upload(admin, f"{API}/imports/households", data)
    assert response.status_code == 200, response.get_json()
    assert factories.counts(response.get_json()) == {
        "dry_run": False, "rows": 6, "created": 0, "updated": 0, "unchanged": 6}


def test_a_cadre_export_imports_back_all_unchanged(admin, records, session):
    before = cadres_stored(session)
    data = export(admin, "cadres").data
    response = upload(admin, f"{API}/imports/cadres", data)
    assert response.status_code == 200, response.get_json()
    assert factories.counts(response.get_json()) == {
        "dry_run": False, "rows": 5, "created": 0, "updated": 0, "unchanged": 5}
    assert cadres_stored(session) == before


def test_an_edited_cadre_export_changes_only_the_edited_row(admin, records, session):
    book = openpyxl.load_workbook(io.BytesIO(export(admin, "cadres").data))
    ws = book.worksheets[0]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "吴固话")
    row[4].value = "农业技术、法律、电商"
    out = io.BytesIO()
    book.save(out)
    response = upload(admin, f"{API}/imports/cadres", out.getvalue())
    assert factories.counts(response.get_json()) == {
        "dry_run": False, "rows": 5, "created": 0, "updated": 1, "unchanged": 4}
    session.expire_all()
    assert session.get(Cadre, records.cadres["landline"].id).skills == ["农业技术", "法律",
                                                                        "电商"]


# --- text is text -----------------------------------------------------------------------------


def test_a_name_like_a_formula_is_a_text_cell(admin, records):
    ws = sheet(export(admin, "households"))
    names = {row[1].value: row[1] for row in ws.iter_rows(min_row=2)}
    for text in (FORMULA, HYPERLINK):
        assert (names[text].data_type, names[text].value) == ("s", text)
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_a_diary_like_a_formula_is_a_text_cell(admin, records):
    ws = sheet(export(admin, "visits"))
    by_id = {row[0].value: row for row in ws.iter_rows(min_row=2)}
    for visit, text in zip(records.visits[:2], (FORMULA, HYPERLINK), strict=True):
        diary, help_given = by_id[visit["id"]][8], by_id[visit["id"]][9]
        assert (diary.data_type, diary.value) == ("s", text)
        assert (help_given.data_type, help_given.value) == ("s", "=SUM(A1:A2)")
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]


# --- formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("fmt", ["csv", "XLSX", ""])
def test_any_other_format_is_422(admin, world, name, fmt):
    response = admin.get(f"{API}/{name}", query_string={"format": fmt})
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["code"] == "validation_failed" and list(body["errors"]) == ["format"]


@pytest.mark.parametrize("name", LISTS)
def test_format_json_is_the_page(admin, records, name):
    response = admin.get(f"{API}/{name}", query_string={"format": "json", "per_page": 1})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert (response.get_json()["per_page"], len(response.get_json()["items"])) == (1, 1)


def test_an_empty_list_is_the_header_alone(admin, world):
    got = rows(export(admin, "visits"))
    assert got == [tuple(VISIT_HEADER)]


# --- the cadre roster import and template -------------------------------------------------------


CADRE_IMPORT = f"{API}/imports/cadres"
CADRE_TEMPLATE = f"{CADRE_IMPORT}/template"


def cadre_csv(*rows) -> bytes:
    lines = [",".join(CADRE_HEADER)] + [",".join(r) for r in rows]
    return "\r\n".join(lines).encode("utf-8-sig")


def three_new(unit) -> bytes:
    return cadre_csv(*[[f"冯{i}", unit.name, "一般干部", f"1391111{i:04d}", ""]
                             for i in range(3)])


def test_a_county_admin_imports_cadres_and_a_dry_run_writes_nothing(admin, world, session):
    unit = world.units["a"]
    before = cadres_stored(session)
    dry = upload(admin, CADRE_IMPORT, three_new(unit), name="c.csv", dry_run="true")
    assert factories.counts(dry.get_json()) == {
        "dry_run": True, "rows": 3, "created": 3, "updated": 0, "unchanged": 0}
    assert cadres_stored(session) == before
    done = upload(admin, CADRE_IMPORT, three_new(unit), name="c.csv")
    assert done.status_code == 200, done.get_json()
    assert factories.counts(done.get_json()) == {
        "dry_run": False, "rows": 3, "created": 3, "updated": 0, "unchanged": 0}
    assert cadres_stored(session) == before + 3


def test_bad_cadre_rows_are_422_listing_each_and_nothing_is_written(admin, world, session):
    unit = world.units["a"]
    before = cadres_stored(session)
    data = cadre_csv(["冯一", unit.name, "一般干部", "13911110001", ""],
                     ["", "别的单位", "处长", "123", ""])
    response = upload(admin, CADRE_IMPORT, data, name="c.csv")
    assert response.status_code == 422 and response.mimetype == PROBLEM
    body = response.get_json()
    assert body["code"] == "import_rows_invalid"
    assert sorted((p["row"], p["column"]) for p in body["rows"]) == [
        (3, "单位"), (3, "姓名"), (3, "电话"), (3, "职级")]
    assert cadres_stored(session) == before


@pytest.mark.parametrize("url, method", [(CADRE_IMPORT, "post"), (CADRE_TEMPLATE, "get")])
@pytest.mark.parametrize("who, status, code", [
    ("unit_admin", 403, "forbidden"), ("cadre", 403, "forbidden"),
    ("inspector", 403, "forbidden"), ("anonymous", 401, "unauthenticated")])
def test_only_a_county_admin_may_import_cadres_or_fetch_the_template(
        request, world, session, url, method, who, status, code):
    api = request.getfixturevalue(who)
    before = cadres_stored(session)
    if method == "post":
        response = upload(api, url, three_new(world.units["a"]), name="c.csv")
    else:
        response = api.get(url)
    assert (response.status_code, response.get_json()["code"]) == (status, code)
    assert cadres_stored(session) == before


def test_the_cadre_template_has_the_headers_an_example_and_a_rank_drop_down(admin):
    response = admin.get(CADRE_TEMPLATE)
    assert response.status_code == 200 and response.mimetype == XLSX
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="cadres-template.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    ws = book.worksheets[0]
    assert list(ws.iter_rows(values_only=True)) == [tuple(CADRE_HEADER)]
    got = list(book["示例"].iter_rows(values_only=True))
    assert got == [tuple(CADRE_HEADER), ("李四", "县农业农村局", "一般干部", "13987654321",
                                         "农业技术、法律")]
    lists = {str(v.sqref): (v.type, v.formula1) for v in ws.data_validations.dataValidation}
    assert lists == {"C2:C100001": ("list", '"县级领导,正科级,副科级,一般干部"')}


def test_the_filled_in_cadre_template_imports(admin, world, session):
    book = openpyxl.load_workbook(io.BytesIO(admin.get(CADRE_TEMPLATE).data))
    for cell in book["示例"][2]:  # filled in as the example shows
        book.worksheets[0].cell(2, cell.column, cell.value)
    book.worksheets[0]["B2"] = world.units["b"].name
    out = io.BytesIO()
    book.save(out)
    response = upload(admin, CADRE_IMPORT, out.getvalue(), name="filled.xlsx")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["created"] == 1
    made = session.scalar(select(Cadre).where(Cadre.name == "李四"))
    assert (made.unit_id, made.rank, made.phone, made.skills) == (
        world.units["b"].id, "general", "13987654321", ["农业技术", "法律"])


def test_skills_an_api_client_sent_with_separators_export_and_import_back_unchanged(
        admin, world, session):
    """A skill sent through the API may contain 、 or ; or come twice; the workbook joins
    skills with 、 and the import splits them again. An untouched export still imports as
    unchanged and the stored skills stay as they were."""
    sent = [["农业、林业"], ["法律", "法律"], ["a;b"]]
    for n, skills in enumerate(sent):
        response = admin.post(f"{API}/cadres", json={
            "name": f"技能{n}", "unit_id": world.units["b"].id, "rank": "general",
            "phone": f"1390000000{n}", "skills": skills})
        assert response.status_code == 201, response.get_json()
    data = export(admin, "cadres", unit_id=world.units["b"].id).data
    response = upload(admin, f"{API}/imports/cadres", data)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["updated"] == 0
    stored = session.scalars(select(Cadre.skills).where(Cadre.name.like("技能%"))
                             .order_by(Cadre.name)).all()
    assert stored == sent


def test_an_export_past_the_limit_is_422_and_names_the_filters(admin, records, monkeypatch):
    """One workbook through the API holds at most exports.MAX_ROWS rows (100,000; Excel's own
    limit is 1,048,576): a longer list is refused before anything is read, pointing to the
    filters."""
    from service import exports

    monkeypatch.setattr(exports, "MAX_ROWS", 5)
    response = admin.get(f"{API}/households", query_string={"format": "xlsx"})
    assert response.status_code == 422 and response.mimetype == PROBLEM
    body = response.get_json()
    assert body["code"] == "export_too_large"
    assert "6 行" in body["detail"] and "筛选条件" in body["detail"]
    narrowed = admin.get(f"{API}/households", query_string={
        "format": "xlsx", "village_id": records.households["formula"].village_id})
    assert narrowed.status_code == 200
