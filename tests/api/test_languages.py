"""SPEC §15 "Chinese first": every problem's title, detail and field messages are Chinese unless
the request prefers English (`Accept-Language: en`); the machine `code` is the same in both.
One test per family of problem: a rule broken (409), validation (422, marshmallow's own
messages included), not found (404), no token (401), an unknown parameter (400), a stale
If-Match (412), an import's bad rows (422), and a batch item."""

import re

import pytest

from tests import factories
from tests.api.test_imports_api import HEADER, upload

API = "/api/v1"
ENGLISH = {"Accept-Language": "en"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def both(send) -> tuple[dict, dict]:
    """The same request answered in Chinese (no Accept-Language) and in English."""
    chinese, english = send({}), send(ENGLISH)
    assert chinese.status_code == english.status_code >= 400
    assert chinese.mimetype == english.mimetype == "application/problem+json"
    assert "Accept-Language" in chinese.headers.get("Vary", "")
    zh, en = chinese.get_json(), english.get_json()
    assert zh["code"] == en["code"] and zh["type"] == en["type"]
    for key in ("title", "detail"):
        assert CHINESE.search(zh[key]), zh
        assert not CHINESE.search(en[key]), en
    return zh, en


def test_a_rule_broken_is_told_in_chinese_or_english(admin, session, world):
    other = factories.cadre(session, world.units["a"], rank="general")
    session.commit()
    zh, en = both(lambda h: admin.post(f"{API}/pairings", headers=h, json={
        "cadre_id": other.id, "household_id": world.households["a1"].id}))
    assert zh["code"] == "household_already_paired"
    assert zh["title"] == "该户已有包联干部（R2）"
    assert en["title"] == "The household already has a cadre (R2)"
    assert str(world.households["a1"].id) in zh["detail"]
    assert zh["household_id"] == en["household_id"] == world.households["a1"].id


def test_validation_names_each_field_in_the_readers_language(admin, world):
    zh, en = both(lambda h: admin.post(f"{API}/households", headers=h, json={
        "village_id": world.villages["a"].id, "head_name": "张" * 60, "members": "many"}))
    assert zh["code"] == "validation_failed" and zh["title"] == "数据校验未通过"
    assert set(zh["errors"]) == set(en["errors"]) >= {"head_name", "members", "id_number"}
    assert zh["errors"]["id_number"] == ["缺少必填字段"]
    assert en["errors"]["id_number"] == ["Missing data for required field."]
    assert zh["errors"]["members"] == ["应为整数"]
    assert en["errors"]["members"] == ["Not a valid integer."]
    assert zh["errors"]["head_name"] == ["长度应在 1 到 50 之间"]
    assert en["errors"]["head_name"] == ["Length must be between 1 and 50."]
    assert "id_number: 缺少必填字段" in zh["detail"]


def test_a_missing_record_is_not_found_in_either_language(admin):
    zh, en = both(lambda h: admin.get(f"{API}/households/999999", headers=h))
    assert (zh["code"], zh["title"], en["title"]) == ("not_found", "未找到", "Not found")
    assert zh["detail"] == "没有编号为 999999 的农户。"
    assert en["detail"] == "No household with id 999999."
    zh, en = both(lambda h: admin.get(f"{API}/no-such-thing", headers=h))
    assert (zh["detail"], en["detail"]) == ("没有这个资源。", "No such resource.")


def test_no_token_is_401_in_either_language(anonymous):
    zh, en = both(lambda h: anonymous.get(f"{API}/households", headers=h))
    assert (zh["code"], zh["title"], en["title"]) == (
        "unauthenticated", "需要登录", "Authentication required")


def test_an_unknown_parameter_is_named_in_either_language(admin):
    zh, en = both(lambda h: admin.get(f"{API}/households?villageid=3", headers=h))
    assert zh["code"] == "unknown_parameter" and zh["parameters"] == ["villageid"]
    assert zh["detail"].startswith("未知的查询参数：villageid。此接口接受：")
    assert en["detail"].startswith("Unknown query parameter: villageid. This operation takes:")


def test_a_stale_if_match_is_412_in_either_language(admin, world):
    url = f"{API}/households/{world.households['a1'].id}"
    zh, en = both(lambda h: admin.patch(url, json={"members": 5},
                                        headers={"If-Match": '"stale"', **h}))
    assert zh["code"] == "precondition_failed" and zh["current_etag"] == en["current_etag"]
    assert zh["title"] == "记录在您读取后已被修改"
    assert en["title"] == "The record changed since you read it"


def test_an_imports_bad_rows_are_chinese_by_default_and_english_on_request(admin, world):
    data = f"{HEADER}\r\n{world.villages['a'].code},赵一,123,,4,很难,,".encode("utf-8-sig")
    zh, en = upload(admin, data).get_json(), upload(_english(admin), data).get_json()
    assert zh["code"] == en["code"] == "import_rows_invalid"
    assert zh["title"] == "部分行无法导入" and en["title"] == "Some rows cannot be imported"
    assert zh["detail"].startswith("2 处错误，未导入任何数据")
    assert en["detail"].startswith("2 errors; nothing was imported")
    by_column = {p["column"]: p["message"] for p in zh["rows"]}
    assert by_column["困难程度"].startswith("困难程度“很难”无法识别，应为：")
    assert by_column["身份证号"] == "应为17位数字加1位数字或X，共18位"
    english_rows = {p["column"]: p["message"] for p in en["rows"]}
    assert set(english_rows) == set(by_column)  # the columns are the sheet's own headers
    assert english_rows["身份证号"] == "must be 17 digits followed by a digit or X"


def test_a_rejected_batch_item_carries_its_problem_in_the_readers_language(cadre, world):
    visit = {"id": "6f1c1a52-4a0e-4c69-9a4b-9d1b6f0e2a11",
             "household_id": world.households["a1"].id, "kind": "home_visit",
             "visited_at": "2999-01-01T09:00:00+08:00", "diary": "d"}
    answers = [cadre.post(f"{API}/visits/batch", json={"visits": [visit]}, headers=h)
               for h in ({}, ENGLISH)]
    zh, en = (a.get_json()["results"][0]["problem"] for a in answers)
    assert zh["code"] == en["code"] == "validation_failed"
    assert zh["detail"] == "走访时间晚于现在：请检查手机时间。"
    assert en["detail"] == "The visit time is later than now; check the phone's clock."
    assert zh["errors"]["visited_at"] == ["不能晚于现在"]


@pytest.mark.parametrize("header, locale", [
    ("en-US,en;q=0.9", "en"), ("en;q=0.5, zh-CN;q=0.9", "zh"), ("zh-TW", "zh"), ("fr", "zh"),
    ("*", "zh"), ("", "zh"), ("en;q=0", "zh")])
def test_only_a_preference_for_english_gives_english(anonymous, header, locale):
    title = anonymous.get(f"{API}/nothing", headers={"Accept-Language": header}).json["title"]
    assert title == {"zh": "未找到", "en": "Not found"}[locale]


def _english(api):
    """The same caller, asking for English."""

    class English(type(api)):
        def _headers(self, headers):
            return {**super()._headers(headers), **ENGLISH}

    return English(api.client, api.token)
