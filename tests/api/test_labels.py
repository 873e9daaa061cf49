"""GET /api/v1/labels (SPEC §15 "one set of labels"): public, with an ETag and 304; every enum
the API uses, in Chinese by default and English on request; and the outputs that print a
label print the table's words."""

import csv
import io
from datetime import timedelta

import openpyxl

from service.labels.table import LABELS, label, labels_of
from service.openapi import spec_dict

URL = "/api/v1/labels"
# Enums of the spec that are machine words, never shown as labels: formats, a report's
# grouping, a batch item's outcome.
NOT_LABELS = {("csv", "html", "json"), ("csv", "json"), ("html", "json"), ("json", "xlsx"),
              ("unit", "village"), ("created", "duplicate", "rejected"), ("None",)}


def test_anyone_reads_the_labels_with_an_etag_and_hears_304_while_they_stand(anonymous):
    response = anonymous.get(URL)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.json == LABELS
    assert response.json["difficulty"] == {"hardest": "难度最大", "harder": "难度较大",
                                           "easier": "难度较小"}
    etag = response.headers["ETag"]
    assert etag.startswith('"') and response.headers["Cache-Control"] == "no-cache"
    assert "Accept-Language" in response.headers["Vary"]
    again = anonymous.get(URL, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    assert anonymous.get(URL, headers={"If-None-Match": '"other"'}).status_code == 200


def test_english_labels_on_request_with_their_own_etag(anonymous):
    chinese = anonymous.get(URL)
    english = anonymous.get(URL, headers={"Accept-Language": "en"})
    assert english.json["difficulty"] == {"hardest": "Hardest", "harder": "Harder",
                                          "easier": "Easier"}
    assert {e: set(c) for e, c in english.json.items()} == \
        {e: set(c) for e, c in LABELS.items()}
    assert all(word.isascii() for codes in english.json.values() for word in codes.values())
    assert english.headers["ETag"] != chinese.headers["ETag"]
    stale = anonymous.get(URL, headers={"Accept-Language": "en",
                                        "If-None-Match": chinese.headers["ETag"]})
    assert stale.status_code == 200


def _enums(node, found: set) -> set:
    if isinstance(node, dict):
        if "enum" in node:
            found.add(tuple(sorted(str(v) for v in node["enum"])))
        for value in node.values():
            _enums(value, found)
    elif isinstance(node, list):
        for value in node:
            _enums(value, found)
    return found


def test_every_enum_of_the_api_has_its_labels(app):
    spec = spec_dict(app.extensions["api"])
    labelled = {tuple(sorted(codes)) for codes in LABELS.values()}
    unlabelled = _enums(spec["paths"], set()) | _enums(spec["components"], set())
    assert sorted(unlabelled - labelled - NOT_LABELS) == []


def test_the_spec_documents_the_labels_code_by_code(app):
    spec = spec_dict(app.extensions["api"])
    operation = spec["paths"]["/api/v1/labels"]["get"]
    assert operation["security"] == []  # public
    assert {"200", "304"} <= set(operation["responses"])
    schema = spec["components"]["schemas"]["Labels"]
    assert set(schema["properties"]) == set(LABELS)
    rank = spec["components"]["schemas"]["RankLabels"]
    assert set(rank["required"]) == set(LABELS["rank"])


def test_the_roster_template_offers_and_shows_the_tables_words(admin):
    response = admin.get("/api/v1/imports/households/template")
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet, example = book.worksheets[0], book["示例"]
    lists = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert f'"{",".join(labels_of("difficulty"))}"' in lists  # 难度最大,难度较大,难度较小
    assert [c.value for c in book["选项"]["A"]] == labels_of("need")
    row = {h.value: c.value for h, c in zip(example[1], example[2], strict=True)}
    assert row["困难程度"] == "难度较大" == label("difficulty", "harder")
    cadres = openpyxl.load_workbook(io.BytesIO(
        admin.get("/api/v1/imports/cadres/template").get_data())).worksheets[0]
    assert f'"{",".join(labels_of("rank"))}"' in [
        v.formula1 for v in cadres.data_validations.dataValidation]


def test_an_export_prints_the_tables_words(admin, world):
    response = admin.get("/api/v1/households", query_string={"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    header = [c.value for c in sheet[1]]
    column = header.index("困难程度")
    shown = {row[column].value for row in sheet.iter_rows(min_row=2)}
    assert shown and shown <= set(labels_of("difficulty"))


def test_the_disclosure_prints_the_tables_words(client, world, clock):
    village = world.villages["a"].id
    # The last month over on the suite's day (a month to come is refused), after the world's
    # pairings began.
    month = (clock.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    body = client.get(f"/api/v1/reports/disclosure?village_id={village}&month={month}").json
    (row,) = body["pairings"]
    assert row["difficulty_label"] == label("difficulty", row["difficulty"]) == "难度较小"
    assert row["rank_label"] == label("rank", row["rank"])
    text = client.get(f"/api/v1/reports/disclosure?village_id={village}&month={month}"
                      "&format=csv").get_data().decode("utf-8-sig")
    (line,) = list(csv.DictReader(io.StringIO(text)))
    assert (line["困难程度"], line["职级"]) == ("难度较小", "一般干部")
    page = client.get(f"/api/v1/reports/disclosure?village_id={village}&month={month}"
                      "&format=html").get_data(as_text=True)
    assert "难度较小" in page and "一般困难" not in page
