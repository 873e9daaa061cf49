"""POST /api/v1/imports/households (SPEC §10): a county admin uploads the roster as multipart
`file`; bad rows → 422 import_rows_invalid listing each, nothing written; a dry run writes
nothing; other roles are refused (403); more than 20,000 rows → 413 naming the CLI; the CLI
command imports the same file."""

import io

import openpyxl
import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from service.households.models import Household
from tests import factories

URL = "/api/v1/imports/households"
HEADER = "村代码,户主姓名,身份证号,联系电话,家庭人口,困难程度,帮扶需求,人均纯收入"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def roster(village, count: int = 3, start: int = 700, encoding: str = "utf-8-sig") -> bytes:
    lines = [HEADER] + [
        f"{village.code},赵{i},{factories.valid_id_number(start + i)},,4,难度较小,技能培训,3000"
        for i in range(count)]
    return "\r\n".join(lines).encode(encoding)


def upload(api, data: bytes, name: str = "roster.csv", **query):
    """A multipart body made here, as a browser makes one (the test client would keep a
    spooled copy open when the server never reads it)."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename=name)})
    return api.post(URL, query_string=query, data=body,
                    content_type=f"multipart/form-data; boundary={boundary}")


def households(session) -> int:
    return session.scalar(select(func.count()).select_from(Household))


def test_a_county_admin_imports_a_roster(admin, world, session):
    before = households(session)
    response = upload(admin, roster(world.villages["a"]))
    assert response.status_code == 200, response.get_json()
    assert factories.counts(response.get_json()) == {
        "dry_run": False, "rows": 3, "created": 3, "updated": 0, "unchanged": 0}
    assert households(session) == before + 3
    again = upload(admin, roster(world.villages["a"]), name="same-file-again.csv")
    assert again.get_json()["unchanged"] == 3


def test_an_import_says_which_records_it_created_and_updated(admin, world, session):
    """SPEC §15: created_ids in the file's order, updated_ids of the rows that changed."""
    first = upload(admin, roster(world.villages["a"])).get_json()
    by_id_number = dict(session.execute(select(Household.id_number, Household.id)).all())
    assert first["created_ids"] == [by_id_number[factories.valid_id_number(700 + i)]
                                    for i in range(3)]
    assert first["updated_ids"] == []
    edited = roster(world.villages["a"]).decode("utf-8-sig").replace(",赵1,", ",赵一,")
    second = upload(admin, edited.encode("utf-8-sig"), name="edited.csv").get_json()
    assert (second["created_ids"], second["updated_ids"]) == ([], [first["created_ids"][1]])
    dry = upload(admin, roster(world.villages["a"], count=4), dry_run="true").get_json()
    assert (dry["created_ids"], dry["updated_ids"]) == ([], [first["created_ids"][1]])


def test_a_dry_run_writes_nothing(admin, world, session):
    before = households(session)
    response = upload(admin, roster(world.villages["a"], encoding="gb18030"), dry_run="true")
    assert factories.counts(response.get_json()) == {
        "dry_run": True, "rows": 3, "created": 3, "updated": 0, "unchanged": 0}
    assert households(session) == before


def test_bad_rows_are_listed_and_nothing_is_written(admin, world, session):
    data = roster(world.villages["a"]).decode("utf-8-sig") + "\r\n999,,123,,0,很难,修路,很多"
    before = households(session)
    response = upload(admin, data.encode())
    assert response.status_code == 422
    body = response.get_json()
    assert response.mimetype == "application/problem+json"
    assert body["code"] == "import_rows_invalid"
    assert {p["row"] for p in body["rows"]} == {5}
    assert {p["column"] for p in body["rows"]} >= {"村代码", "户主姓名", "身份证号", "家庭人口",
                                                 "困难程度", "帮扶需求", "人均纯收入"}
    assert households(session) == before


@pytest.mark.parametrize("role", ["unit_admin", "cadre", "inspector"])
def test_other_roles_are_refused(login_as, world, role):
    response = upload(login_as(world.users[role]), roster(world.villages["a"]))
    assert response.status_code == 403


def test_more_than_20000_rows_is_413_pointing_to_the_cli(admin, world, session):
    before = households(session)
    response = upload(admin, roster(world.villages["a"], count=20_001, start=10_000))
    assert response.status_code == 413
    assert "import-households" in response.get_json()["detail"]
    assert households(session) == before


def test_a_file_that_is_not_a_roster_is_422(admin):
    response = upload(admin, b"PK\x03\x04 not really a workbook", name="roster.xlsx")
    assert response.status_code == 422
    assert response.get_json()["code"] == "import_file_unreadable"


def test_a_missing_file_is_422(admin):
    response = admin.post(URL, data={}, content_type="multipart/form-data")
    assert response.status_code == 422


def test_the_template_has_the_headers_an_example_and_drop_downs(admin, unit_admin):
    """Filled in (the example row replaced by a real one), the template imports as it is."""
    response = admin.get(URL + "/template")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [tuple(HEADER.split(","))]  # the example is on a sheet of its own
    assert sheet.column_dimensions["C"].number_format == "@"  # typed in, kept as text
    example = list(book["示例"].iter_rows(values_only=True))
    assert list(example[0]) == HEADER.split(",")
    assert example[1][2] == "14042119800101123X"  # kept as text, all 18 characters
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert "难度最大" in lists["F2:F100001"] and lists["G2:G100001"]
    assert unit_admin.get(URL + "/template").status_code == 403


def test_the_template_comes_as_plain_bytes_to_a_client_that_asks_for_them(admin):
    """The spec lists the .xlsx answer also as application/octet-stream (generators that know
    no vendor type read that as a file); Accept chooses, and the bytes are the same."""
    xlsx = admin.get(URL + "/template")
    octets = admin.get(URL + "/template", headers={"Accept": "application/octet-stream"})
    assert octets.status_code == 200 and octets.mimetype == "application/octet-stream"
    assert octets.headers["Content-Disposition"] == xlsx.headers["Content-Disposition"]
    assert openpyxl.load_workbook(io.BytesIO(octets.data)).worksheets[0]["A1"].value == "村代码"
    for accept in ("*/*", "application/*", XLSX + ", application/octet-stream;q=0.5"):
        assert admin.get(URL + "/template", headers={"Accept": accept}).mimetype == XLSX


def test_an_untouched_template_imports_nothing(admin, session):
    """SPEC §15: the example (张三) is never imported as a household."""
    response = upload(admin, admin.get(URL + "/template").data, name="template.xlsx")
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["rows"], response.get_json()["created"]) == (0, 0)


def test_the_filled_in_template_imports(admin, world, session):
    book = openpyxl.load_workbook(io.BytesIO(admin.get(URL + "/template").data))
    sheet = book.worksheets[0]
    for cell in book["示例"][2]:  # filled in as the example shows
        sheet.cell(2, cell.column, cell.value)
    sheet["A2"] = world.villages["a"].code
    sheet["C2"] = factories.valid_id_number(4242)
    out = io.BytesIO()
    book.save(out)
    response = upload(admin, out.getvalue(), name="filled.xlsx")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["created"] == 1
