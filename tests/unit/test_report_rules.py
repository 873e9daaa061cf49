"""Plain rules of public reports: masking names, ranking units, and the publication chain."""

import hashlib
import json

import pytest

from service.disclosures import rules as chain
from service.reports import rules


@pytest.mark.parametrize("name,masked", [
    ("张三", "张*"), ("王小明", "王**"), ("欧阳明华", "欧阳**"), ("司马光", "司马*"),
    ("诸葛亮", "诸葛*"), ("上官婉儿", "上官**"), ("欧阳", "欧*"), ("李", "李"),
    (" 赵四 ", "赵*"),
])
def test_a_name_keeps_only_its_surname(name, masked):
    assert rules.mask_name(name) == masked


def test_units_rank_by_share_visited_then_resolution_then_fewer_unvisited_cadres():
    def unit(name, pairings, share, rate, without):
        return {"unit": name, "pairings": pairings, "visited_share": share,
                "resolution_rate": rate, "cadres_without_direct_visit": [{}] * without}

    ranked = rules.rank_units([
        unit("丁", 0, None, None, 0), unit("丙", 4, 0.5, 0.9, 1), unit("乙", 4, 0.75, None, 1),
        unit("甲", 4, 0.75, 0.5, 1), unit("戊", 4, 0.75, 0.5, 0)])
    assert [(u["unit"], u["rank"]) for u in ranked] == [
        ("戊", 1), ("甲", 2), ("乙", 3), ("丙", 4), ("丁", 5)]


def test_canonical_json_sorts_keys_keeps_chinese_and_drops_whitespace():
    text = chain.canonical_json({"b": 1, "a": ["公示", {"d": None, "c": True}]})
    assert text == '{"a":["公示",{"c":true,"d":null}],"b":1}'
    assert chain.sha256_of({"a": 1}) == hashlib.sha256(b'{"a":1}').hexdigest()


def _chain(n: int) -> list[dict]:
    links, previous = [], None
    for seq in range(1, n + 1):
        document = {"content": {"n": seq}, "previous_sha256": previous}
        links.append({"id": seq * 10, "seq": seq, "document": chain.canonical_json(document),
                      "sha256": chain.sha256_of(document), "previous_sha256": previous})
        previous = links[-1]["sha256"]
    return links


def test_an_untouched_chain_holds():
    assert chain.check_chain(_chain(4)) is None


def test_an_edited_document_breaks_at_that_link():
    links = _chain(4)
    edited = json.loads(links[1]["document"])
    edited["content"]["n"] = 99
    links[1]["document"] = json.dumps(edited)
    assert chain.check_chain(links) == {"id": 20, "seq": 2,
                                        "reason": "document does not match its sha256"}


def test_a_rehashed_edit_breaks_at_the_next_link():
    links = _chain(4)
    edited = json.loads(links[1]["document"])
    edited["content"]["n"] = 99
    links[1]["document"], links[1]["sha256"] = (chain.canonical_json(edited),
                                                chain.sha256_of(edited))
    broken = chain.check_chain(links)
    assert (broken["seq"], broken["reason"]) == (
        3, "previous_sha256 does not match the publication before it")


def test_a_removed_link_breaks_the_chain():
    links = _chain(4)
    del links[2]
    assert chain.check_chain(links)["seq"] == 4


def test_the_pairing_in_force_on_a_day_is_the_one_whose_dates_hold_it():
    from datetime import date
    from types import SimpleNamespace

    from service.pairings.rules import in_force_on

    first = SimpleNamespace(started_on=date(2026, 1, 1), ended_on=date(2026, 10, 14))
    second = SimpleNamespace(started_on=date(2026, 10, 15), ended_on=None)
    assert in_force_on([first, second], date(2026, 10, 14)) is first
    assert in_force_on([first, second], date(2026, 10, 15)) is second
    assert in_force_on([first, second], date(2025, 12, 31)) is None
    assert in_force_on([], date(2026, 10, 15)) is None
