"""Light on the wire (SPEC §17): static files and JSON answers of 1 KB or more are compressed
when the client accepts it, by the service itself (flask-compress), so serve-demo and a bare
gunicorn send them small; a small answer, a client that accepts nothing and a spreadsheet go as
they are; an ETag read from a compressed answer still names the record for If-Match and
If-None-Match."""

import gzip
import json

import brotli
import pytest

try:
    from compression.zstd import decompress as zstd_decompress  # Python 3.14
except ImportError:
    from backports.zstd import decompress as zstd_decompress  # flask-compress's own

from service.office import read as office_file

pytestmark = pytest.mark.slow  # independent of the date: not in .ci/run's date passes


def test_the_consoles_modules_and_the_field_clients_are_sent_compressed(anonymous):
    for path, coding in (("/office/app.js", "gzip"), ("/office/style.css", "br"),
                         ("/field/app.js", "gzip"), ("/office/screens/months.js", "zstd")):
        answer = anonymous.get(path, headers={"Accept-Encoding": coding})
        assert answer.status_code == 200, path
        assert answer.headers["Content-Encoding"] == coding, path
        assert "Accept-Encoding" in answer.headers["Vary"]
        body = answer.get_data()
        plain = {"gzip": gzip.decompress, "br": brotli.decompress,
                 "zstd": zstd_decompress}[coding](body)
        if path.startswith("/office/"):
            assert plain == office_file(path.removeprefix("/office/"))
        assert len(body) < len(plain) / 2, (path, len(body), len(plain))


def test_a_client_that_accepts_no_coding_gets_the_file_as_it_is(anonymous):
    answer = anonymous.get("/office/app.js", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in answer.headers
    assert answer.get_data() == office_file("app.js")


def test_a_large_json_answer_is_compressed_and_a_small_one_is_not(admin):
    big = admin.get("/api/v1/labels", headers={"Accept-Encoding": "gzip"})
    assert big.headers["Content-Encoding"] == "gzip"
    labels = json.loads(gzip.decompress(big.get_data()))
    assert labels["difficulty"]["hardest"] == "难度最大"
    small = admin.get("/api/v1/me", headers={"Accept-Encoding": "gzip"})
    assert len(small.get_data()) < 1024
    assert "Content-Encoding" not in small.headers
    assert small.json["role"] == "county_admin"


def test_an_etag_read_compressed_names_the_record_for_if_match(admin, world):
    url = f"/api/v1/households/{world.households['a1'].id}"
    etag = admin.get(url).headers["ETag"]
    for members, coding in enumerate(("br", "gzip", "zstd", "deflate"), start=7):
        compressed = etag[:-1] + f':{coding}"'  # as flask-compress names what it compressed
        changed = admin.patch(url, json={"members": members}, headers={"If-Match": compressed})
        assert changed.status_code == 200, changed.json
        assert changed.headers["ETag"] != etag
        etag = changed.headers["ETag"]
    stale = admin.patch(url, json={"members": 12}, headers={"If-Match": compressed})
    assert stale.status_code == 412 and stale.json["code"] == "precondition_failed"
    wrong = admin.patch(url, json={"members": 12},
                        headers={"If-Match": etag[:-1] + ':x"'})
    assert wrong.status_code == 412


def test_the_labels_etag_answers_304_when_read_back_compressed(anonymous):
    first = anonymous.get("/api/v1/labels", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip" and first.headers["ETag"]
    again = anonymous.get("/api/v1/labels", headers={
        "Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_a_spreadsheet_goes_as_it_is(admin):
    answer = admin.get("/api/v1/imports/households/template", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200
    assert "Content-Encoding" not in answer.headers
    assert answer.get_data()[:2] == b"PK"
