"""Hostile roster uploads (issue 26) through POST /api/v1/imports/households and /cadres, and
the command line: each of the attacker's files answers 4xx problem+json at once, with its
`code` and `limit_name`, in a small answer, and writes nothing; a file bad in every row lists
its first 100 problems and `rows_total`. The files are built in tests/unit/test_upload_limits.py.
"""

import io
import time

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from service.households.models import Household
from service.imports.reading import UPLOAD
from tests import factories
from tests.unit.test_upload_limits import HEADER, HOSTILE, one_cell_at

API = "/api/v1/imports"
CODES = {"UploadRefused": "upload_refused", "TooLarge": "payload_too_large",
         "UnreadableFile": "import_file_unreadable"}


def upload(api, data: bytes, kind: str = "households", name: str = "roster.xlsx"):
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename=name)})
    return api.post(f"{API}/{kind}", data=body,
                    content_type=f"multipart/form-data; boundary={boundary}")


def households(session) -> int:
    return session.scalar(select(func.count()).select_from(Household))


@pytest.mark.parametrize("name", HOSTILE)
def test_each_hostile_upload_is_refused_at_once_in_a_small_answer(admin, session, name):
    make, refusal, limit_name = HOSTILE[name]
    data = make()
    before = households(session)
    started = time.perf_counter()
    response = upload(admin, data)
    elapsed = time.perf_counter() - started
    body = response.get_json()
    print(f"\n{name}: {len(data):,} bytes → {response.status_code} {body['code']} "
          f"{body.get('limit_name')}={body.get('limit')} in {elapsed:.3f} s, answer "
          f"{len(response.data):,} bytes")
    assert response.status_code in (413, 422)
    assert response.mimetype == "application/problem+json"
    assert body["code"] == CODES[refusal.__name__]
    assert body.get("limit_name") == limit_name
    assert len(response.data) < 300_000
    assert elapsed < 5  # about a tenth of a second; generous for a shared machine
    assert households(session) == before


def test_a_roster_past_20000_rows_is_413_pointing_to_its_own_command(admin):
    _make, _refusal, _limit = HOSTILE["a CSV of 25,000 rows"]
    response = upload(admin, _make(), kind="cadres", name="roster.csv")
    body = response.get_json()
    assert response.status_code == 413
    assert (body["code"], body["limit_name"], body["limit"]) == ("payload_too_large", "rows",
                                                                 20_000)
    assert "20000" in body["detail"] and "import-cadres" in body["detail"]


def test_an_upload_past_10_mb_is_413_naming_the_byte_limit(admin):
    for size in (UPLOAD.max_bytes + 1, UPLOAD.max_bytes + 200_000):  # ours, then werkzeug's
        response = upload(admin, b"x" * size, name="roster.csv")
        body = response.get_json()
        assert response.status_code == 413
        assert (body["code"], body["limit_name"], body["limit"]) == (
            "payload_too_large", "bytes", UPLOAD.max_bytes)
        assert "import-households" in body["detail"]


def test_5000_bad_rows_answer_the_first_100_and_how_many(admin, world, session):
    village = world.villages["a"].code
    lines = [",".join(HEADER)] + [
        f"{village},赵{i},{factories.valid_id_number(30_000 + i)},,0,难度较小,,"
        for i in range(5_000)]  # 家庭人口 0: one problem in each row
    before = households(session)
    started = time.perf_counter()
    response = upload(admin, "\r\n".join(lines).encode(), name="bad.csv")
    elapsed = time.perf_counter() - started
    body = response.get_json()
    print(f"\n5,000 bad rows → {response.status_code} in {elapsed:.3f} s, answer "
          f"{len(response.data):,} bytes")
    assert response.status_code == 422
    assert body["code"] == "import_rows_invalid"
    assert len(body["rows"]) == 100 and body["rows_total"] == 5_000
    assert [p["row"] for p in body["rows"]] == list(range(2, 102))
    assert {p["column"] for p in body["rows"]} == {"家庭人口"}
    assert "5000 处错误" in body["detail"]
    assert len(response.data) < 300_000
    assert households(session) == before


def test_a_header_of_many_unknown_columns_lists_at_most_100(admin):
    header = ",".join(HEADER + [f"备注{i}" for i in range(50)] + ["x" * 100_000])
    response = upload(admin, (header + "\r\n").encode(), name="wide.csv")
    body = response.get_json()
    assert response.status_code == 422
    assert body["code"] == "import_rows_invalid" and body["rows_total"] == 51
    assert all(p["row"] == 1 and p["column"] == "表头" for p in body["rows"])
    assert len(response.data) < 300_000  # the 100,000-character name is cut


def test_the_command_line_prints_the_refusal(app, tmp_path):
    hostile = tmp_path / "roster.xlsx"
    hostile.write_bytes(one_cell_at("XFD1048576"))
    result = app.test_cli_runner().invoke(args=["import-cadres", str(hostile), "--quiet"])
    assert result.exit_code != 0
    assert "upload_refused: columns ≤ 64" in result.output and "16384" in result.output
