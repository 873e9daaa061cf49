"""Heart-link contact cards (连心卡, SPEC §1 两个全覆盖, §5 card_code) through HTTP.

GET /api/v1/public/contact-cards/{card_code} is public: JSON, or a printable card as HTML
(?format=html, or a browser's Accept: text/html). It shows the village, the household head
masked, the current cadre's name, unit and work phone, the team leader of the unit holding the
village, the supervision phone, and the household's number in its village (so two cards of
one cadre with the same masked name never read alike); the HTML carries a QR code (PNG data
URI) of the card's own address (PUBLIC_BASE_URL + /api/v1/public/contact-cards/CODE; never the
request's Host, SPEC §13) and the card code printed for typing. An unknown code is a 404 that
reveals nothing; lookups are limited per client address (CONTACT_CARD_RATE_LIMIT, default 30 per
minute).

GET /api/v1/villages/{id}/contact-cards?format=html|json prints every card of a village whose
household has a cadre now (county admin; a unit admin only for a village its unit holds, else
404).

The `world` fixture: unit A holds village a, unit B holds village b (both since 2026-01-01);
cadres a1, a2 in A, b1 in B; households a1, a2 in village a, b1 in village b; pairings
a1 → household a1 and b1 → household b1 from 2026-01-01; the unit admin belongs to unit A.

Config changes (PUBLIC_BASE_URL, CONTACT_CARD_RATE_LIMIT, SUPERVISION_PHONE) are made with
monkeypatch.setitem on app.config, which restores the value after the test.

Dates: a card shows the cadre "now", by the suite's clock (tests/clock.py), so most tests pass
whatever NOW is; a test or fixture that names particular dates (a pairing since 2026-03-01, one
ended on 2026-09-30, a successor from 2026-11-01) first sets the clock to a fixed day after them.
"""

import base64
import io
import json
import re
from datetime import date
from decimal import Decimal

import PIL.Image
import pytest
import zxingcpp
from sqlalchemy import select

from service.pairings.models import Pairing
from service.reports.rules import mask_name
from service.units.models import Unit
from tests import factories

API = "/api/v1"
CARDS = f"{API}/public/contact-cards"
PROBLEM = "application/problem+json"
JSON_CT = "application/json"
HTML_CT = "text/html; charset=utf-8"
CARD_KEYS = {"card_code", "url", "township", "village", "household", "household_no", "cadre",
             "holding_unit", "team_leader", "supervision_phone"}
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
QR_SRC = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


# --- helpers -------------------------------------------------------------------------------


def card_of(household) -> str:
    return household.card_code


def base(client) -> str:
    """PUBLIC_BASE_URL: the configuration always has one (a development default in tests)."""
    return client.application.config["PUBLIC_BASE_URL"]


def lookup(client, code: str, query: str = "", headers=None, **kw):
    return client.get(f"{CARDS}/{code}{query}", headers=headers or {}, **kw)


def card_json(client, code: str) -> dict:
    response = lookup(client, code)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.content_type == JSON_CT
    return response.get_json()


def card_html(client, code: str, **kw) -> str:
    response = lookup(client, code, "?format=html", **kw)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.content_type == HTML_CT
    return response.get_data(as_text=True)


def qr_texts(html: str) -> list[str]:
    """Every QR code in the page, decoded from its PNG data URI."""
    out = []
    for b64 in QR_SRC.findall(html):
        image = PIL.Image.open(io.BytesIO(base64.b64decode(b64)))
        # Only QR codes are looked for: among a QR code's modules the decoder can also "find"
        # a linear barcode (ITF), as it did once in 1,500 random card codes.
        found = [b.text for b in zxingcpp.read_barcodes(
            image, formats=zxingcpp.BarcodeFormat.QRCode)]
        assert len(found) == 1, found
        (text,) = found
        out.append(text)
    return out


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.content_type.startswith(PROBLEM)
    return response.get_json()


def pairing_of(session, cadre, household) -> Pairing:
    session.expire_all()
    return session.scalar(select(Pairing).where(Pairing.cadre_id == cadre.id,
                                                Pairing.household_id == household.id))


def make_head(session, unit, cadre) -> None:
    session.get(Unit, unit.id).head_cadre_id = cadre.id
    session.commit()


@pytest.fixture
def village_a_cards(world, session, clock):
    """Village a: a1 (cadre a1), a2 (never paired), a3 (cadre a3, since 2026-03-01), a4 whose
    pairing with cadre a4 ended on 2026-09-30; printed on 2026-10-15. Cards to print: a1 and
    a3."""
    clock.set("2026-10-15")
    a3 = factories.cadre(session, world.units["a"], name="李连心", phone="0355-7771234")
    a4 = factories.cadre(session, world.units["a"])
    ha3, ha4 = (factories.household(session, world.villages["a"]) for _ in range(2))
    factories.pair(session, a3, ha3, started_on=date(2026, 3, 1))
    ended = factories.pair(session, a4, ha4)
    ended.ended_on, ended.end_reason = date(2026, 9, 30), "工作调整"
    session.commit()
    world.cadres.update({"a3": a3, "a4": a4})
    world.households.update({"a3": ha3, "a4": ha4})
    return world


# --- the card as JSON ----------------------------------------------------------------------


def test_the_card_shows_village_masked_head_cadre_team_leader_and_supervision_phone(
        world, session, client):
    a1, a2, ha1 = world.cadres["a1"], world.cadres["a2"], world.households["a1"]
    make_head(session, world.units["a"], a2)
    body = card_json(client, card_of(ha1))
    assert set(body) == CARD_KEYS
    assert body == {
        "card_code": ha1.card_code,
        "url": f"{base(client)}{CARDS}/{ha1.card_code}",
        "township": world.township.name,
        "village": world.villages["a"].name,
        "household": mask_name(ha1.head_name),
        "household_no": 1,
        "cadre": {"name": a1.name, "unit": world.units["a"].name, "phone": a1.phone,
                  "since": "2026-01-01"},
        "holding_unit": world.units["a"].name,
        "team_leader": a2.name,
        "supervision_phone": "12317"}
    assert body["household"] != ha1.head_name and body["household"].endswith("*")


def test_a_unit_without_a_head_has_no_team_leader(world, client):
    body = card_json(client, card_of(world.households["b1"]))
    assert body["holding_unit"] == world.units["b"].name
    assert body["team_leader"] is None
    assert body["cadre"]["name"] == world.cadres["b1"].name


def test_the_masked_head_keeps_a_compound_surname(world, session, client):
    household = factories.household(session, world.villages["a"], head_name="欧阳明华")
    factories.pair(session, factories.cadre(session, world.units["a"]), household)
    session.commit()
    assert card_json(client, card_of(household))["household"] == "欧阳**"


def test_the_supervision_phone_comes_from_the_configuration(world, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "SUPERVISION_PHONE", "0355-8812317")
    code = card_of(world.households["a1"])
    assert card_json(client, code)["supervision_phone"] == "0355-8812317"
    assert "监督电话：0355-8812317" in card_html(client, code)


def test_the_code_is_read_regardless_of_case(world, client):
    code = card_of(world.households["a1"])
    assert card_json(client, code.lower())["card_code"] == code


def test_no_token_is_needed_and_a_token_changes_nothing(world, client, admin):
    code = card_of(world.households["a1"])
    public = card_json(client, code)
    response = admin.get(f"{CARDS}/{code}")
    assert response.status_code == 200
    assert response.get_json() == public


# --- a household without a cadre now ---------------------------------------------------------


def test_a_household_whose_pairing_ended_shows_no_cadre(world, session, client, admin, clock):
    clock.set("2026-11-01")  # the pairing ends today and the successor's starts today
    a1, ha1 = world.cadres["a1"], world.households["a1"]
    response = admin.post(f"{API}/pairings/{pairing_of(session, a1, ha1).id}/end",
                          json={"reason": "工作调整"})
    assert response.status_code == 200, response.get_json()
    body = card_json(client, card_of(ha1))
    assert body["cadre"] is None
    assert body["village"] == world.villages["a"].name
    assert body["holding_unit"] == world.units["a"].name
    html = card_html(client, card_of(ha1))
    assert "联系干部：待确定" in html
    assert a1.name not in html and a1.phone not in html

    # A new cadre takes the household over: the card names the new one.
    successor = factories.cadre(session, world.units["a"], name="赵接任", phone="0355-6660001")
    factories.pair(session, successor, ha1, started_on=date(2026, 11, 1))
    session.commit()
    body = card_json(client, card_of(ha1))
    assert body["cadre"] == {"name": "赵接任", "unit": world.units["a"].name,
                             "phone": "0355-6660001", "since": "2026-11-01"}


def test_a_household_never_paired_shows_no_cadre(world, client):
    body = card_json(client, card_of(world.households["a2"]))
    assert body["cadre"] is None
    assert body["household"] == mask_name(world.households["a2"].head_name)


# --- the card as HTML with its QR code -------------------------------------------------------


def test_the_html_card_carries_the_content_and_a_qr_code_of_its_own_address(world, session,
                                                                           client):
    a1, ha1 = world.cadres["a1"], world.households["a1"]
    make_head(session, world.units["a"], world.cadres["a2"])
    html = card_html(client, card_of(ha1))
    for text in (world.township.name, world.villages["a"].name,
                 f"联系户：{mask_name(ha1.head_name)}",
                 f"联系干部：{a1.name}（{world.units['a'].name}）", f"干部电话：{a1.phone}",
                 f"工作队长：{world.cadres['a2'].name}", "监督电话：12317"):
        assert text in html, text
    assert qr_texts(html) == [f"{base(client)}{CARDS}/{ha1.card_code}"]


@pytest.mark.parametrize("base", ["https://cards.huguan.example", "https://cards.huguan.example/",
                                  "https://gov.example/shuangbao"])
def test_the_qr_code_carries_the_public_base_url_when_set(world, client, app, monkeypatch,
                                                          base):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", base)
    code = card_of(world.households["a1"])
    expected = base.rstrip("/") + f"{CARDS}/{code}"
    assert qr_texts(card_html(client, code)) == [expected]
    assert card_json(client, code)["url"] == expected


def test_the_development_default_public_base_url_is_printed_without_configuration(world,
                                                                                 client):
    code = card_of(world.households["a1"])
    assert base(client) == "http://127.0.0.1:8000"
    assert qr_texts(card_html(client, code)) == [f"http://127.0.0.1:8000{CARDS}/{code}"]


@pytest.mark.parametrize("forged", [{"headers": {"Host": "evil.example"}},
                                    {"base_url": "https://evil.example:8443"},
                                    {"headers": {"X-Forwarded-Host": "evil.example",
                                                 "Host": "evil.example"}}])
def test_a_forged_host_never_reaches_a_printed_card(village_a_cards, client, admin, app,
                                                    monkeypatch, forged):
    """SPEC §13: printed QR codes never take the request's Host."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://cards.huguan.example")
    world = village_a_cards
    code = card_of(world.households["a1"])
    card = lookup(client, code, **forged)
    assert card.status_code == 200
    assert card.get_json()["url"] == f"https://cards.huguan.example{CARDS}/{code}"
    html = card_html(client, code, **forged)
    assert qr_texts(html) == [f"https://cards.huguan.example{CARDS}/{code}"]
    page = admin.get(f"{API}/villages/{world.villages['a'].id}/contact-cards?format=html",
                     **forged)
    assert page.status_code == 200
    printed = page.get_data(as_text=True)
    texts = qr_texts(printed)
    assert len(texts) == 2
    assert all(t.startswith(f"https://cards.huguan.example{CARDS}/") for t in texts)
    listed = admin.get(f"{API}/villages/{world.villages['a'].id}/contact-cards?format=json",
                       **forged).get_data(as_text=True)
    for text in (card.get_data(as_text=True), html, printed, listed, *texts):
        assert "evil.example" not in text


def test_the_qr_code_of_a_lower_case_lookup_is_the_canonical_address(world, client):
    code = card_of(world.households["a1"])
    assert qr_texts(card_html(client, code.lower())) == [f"{base(client)}{CARDS}/{code}"]


def test_the_html_escapes_names(world, session, client):
    cadre = factories.cadre(session, world.units["a"], name="<b>干部</b>")
    household = factories.household(session, world.villages["a"])
    factories.pair(session, cadre, household)
    session.commit()
    html = card_html(client, card_of(household))
    assert "<b>干部</b>" not in html
    assert "&lt;b&gt;干部&lt;/b&gt;" in html


def card_texts(html: str) -> list[str]:
    """What each card of a page says to the eye: its text without markup or the QR image."""
    return [" ".join(re.sub(r"<[^>]+>", " ", part).split())
            for part in html.split('<div class="card">')[1:]]


@pytest.fixture
def two_zhangs(world, session):
    """A deputy section chief (quota 2) linking 张三 and 张四 in village a, registered after
    households a1 and a2."""
    cadre = factories.cadre(session, world.units["a"], rank="deputy_section_chief",
                            name="王双联")
    households = [factories.household(session, world.villages["a"], head_name=name,
                                      difficulty="harder") for name in ("张三", "张四")]
    for household in households:
        factories.pair(session, cadre, household)
    session.commit()
    return households


def test_two_households_of_one_cadre_with_one_masked_name_print_different_cards(
        world, client, two_zhangs):
    first, second = two_zhangs
    cards = [card_json(client, card_of(h)) for h in two_zhangs]
    assert cards[0]["household"] == cards[1]["household"] == "张*"
    assert cards[0]["cadre"] == cards[1]["cadre"]
    assert [c["household_no"] for c in cards] == [3, 4]  # after a1 and a2 of village a
    pages = [card_html(client, card_of(h)) for h in two_zhangs]
    (one,), (other,) = (card_texts(page) for page in pages)
    assert one != other
    for text, household, number in ((one, first, 3), (other, second, 4)):
        assert f"联系户：张*（本村第{number}户）" in text
        code = household.card_code
        assert f"卡号 {code[:4]} {code[4:8]} {code[8:12]} {code[12:]}" in text
        assert household.head_name not in text


def test_every_card_on_a_village_page_reads_differently(world, admin, two_zhangs):
    html = admin.get(f"{API}/villages/{world.villages['a'].id}/contact-cards?format=html")
    texts = card_texts(html.get_data(as_text=True))
    assert len(texts) == 3  # a1, 张三, 张四
    assert len(set(texts)) == 3
    assert sum("联系户：张*" in t for t in texts) == 2


def test_households_are_numbered_within_their_own_village(world, client):
    numbers = {k: card_json(client, card_of(world.households[k]))["household_no"]
               for k in ("a1", "a2", "b1")}
    assert numbers == {"a1": 1, "a2": 2, "b1": 1}


# --- content negotiation ---------------------------------------------------------------------


@pytest.mark.parametrize("query, accept, expected", [
    ("", None, JSON_CT),
    ("", "application/json", JSON_CT),
    ("", "*/*", JSON_CT),
    ("", "text/html", HTML_CT),
    ("", BROWSER_ACCEPT, HTML_CT),
    ("?format=json", "text/html", JSON_CT),
    ("?format=json", BROWSER_ACCEPT, JSON_CT),
    ("?format=html", "application/json", HTML_CT),
    ("?format=html", None, HTML_CT),
])
def test_format_and_accept_choose_json_or_html(world, client, query, accept, expected):
    code = card_of(world.households["a1"])
    response = lookup(client, code, query, headers={"Accept": accept} if accept else None)
    assert response.status_code == 200
    assert response.content_type == expected
    if expected == JSON_CT:
        assert response.get_json()["card_code"] == code
    else:
        assert qr_texts(response.get_data(as_text=True)) == [f"{base(client)}{CARDS}/{code}"]


def test_an_unknown_format_is_422(world, client):
    problem(lookup(client, card_of(world.households["a1"]), "?format=xml"), 422)


# --- an unknown code -------------------------------------------------------------------------


def _unknown_codes(world) -> list[str]:
    real = card_of(world.households["a1"])
    near_miss = real[:-1] + ("A" if real[-1] != "A" else "B")
    return [near_miss, "ABCDEFGHJKLMNPQ2", "0000000000000000", "abc-def", "不存在的卡号",
            "Z" * 64, "x"]


def test_an_unknown_code_is_404_and_every_unknown_code_gets_the_same_answer(world, client):
    bodies = []
    for code in _unknown_codes(world):
        for accept in (None, BROWSER_ACCEPT):
            body = problem(lookup(client, code, headers={"Accept": accept} if accept else None),
                           404)
            bodies.append({k: v for k, v in body.items() if k != "instance"})
    assert bodies[0]["code"] == "not_found"
    assert all(b == bodies[0] for b in bodies)
    text = json.dumps(bodies[0], ensure_ascii=False)
    # Nothing about any household, village, unit or cadre.
    for value in (world.villages["a"].name, world.units["a"].name, world.cadres["a1"].name,
                  world.township.name, mask_name(world.households["a1"].head_name)):
        assert value not in text


def test_an_unknown_code_is_not_echoed(world, client):
    for code in _unknown_codes(world):
        if len(code) < 3:
            continue  # "x" is in any body ("example"); echoing is shown by the longer codes
        raw = lookup(client, code).get_data(as_text=True)
        assert code not in raw and code.upper() not in raw, code


def test_a_code_too_long_for_the_route_is_a_plain_404(world, client):
    body = problem(lookup(client, "Z" * 65), 404)
    assert body["code"] == "not_found"
    assert world.villages["a"].name not in json.dumps(body, ensure_ascii=False)


# --- rate limit ------------------------------------------------------------------------------


def test_lookups_beyond_the_limit_are_429_from_that_address_only(world, client, app,
                                                                 monkeypatch):
    monkeypatch.setitem(app.config, "CONTACT_CARD_RATE_LIMIT", "3 per minute")
    code = card_of(world.households["a1"])
    assert lookup(client, code).status_code == 200
    assert lookup(client, "ABCDEFGHJKLMNPQ2").status_code == 404  # wrong codes count too
    assert lookup(client, code, "?format=html").status_code == 200
    for _ in range(2):
        body = problem(lookup(client, code), 429)
        assert body["status"] == 429
    problem(lookup(client, "ABCDEFGHJKLMNPQ2"), 429)
    # Another address is counted on its own.
    other = {"REMOTE_ADDR": "10.20.30.40"}
    assert lookup(client, code, environ_base=other).status_code == 200


def test_the_default_limit_is_thirty_lookups_a_minute(world, client, app):
    assert app.config["CONTACT_CARD_RATE_LIMIT"] == "30 per minute"
    code = card_of(world.households["a1"])
    for n in range(30):
        assert lookup(client, code if n % 2 else f"WRONG{n:011d}").status_code in (200, 404)
    problem(lookup(client, code), 429)


# --- no personal data --------------------------------------------------------------------------


@pytest.fixture
def private_household(world, session):
    """A household with every kind of personal data, paired with a cadre of unit A."""
    cadre = factories.cadre(session, world.units["a"], name="周工作", phone="0355-3330000")
    household = factories.household(
        session, world.villages["a"], head_name="慕容秋水",
        id_number=factories.valid_id_number(4343, born="19761212"), phone="13755501234",
        income_per_capita=Decimal("87654.32"), members=4)
    factories.pair(session, cadre, household)
    session.commit()
    return household


def _secrets(household) -> list[str]:
    return [household.id_number, household.id_number[:14], household.id_number[-6:],
            household.phone, "87654.32", "87654", household.head_name, "秋水"]


def test_no_personal_data_on_the_card_in_json_or_html(world, client, private_household):
    code = card_of(private_household)
    for response in (lookup(client, code), lookup(client, code, "?format=html"),
                     lookup(client, code, headers={"Accept": BROWSER_ACCEPT})):
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert "慕容**" in text
        assert "0355-3330000" in text  # the cadre's work phone is meant to be there
        for secret in _secrets(private_household):
            assert secret not in text, secret
    assert set(card_json(client, code)) == CARD_KEYS


def test_no_personal_data_on_the_village_print_page(world, admin, private_household):
    village = world.villages["a"].id
    for fmt in ("json", "html"):
        response = admin.get(f"{API}/villages/{village}/contact-cards?format={fmt}")
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert "慕容**" in text
        for secret in _secrets(private_household):
            assert secret not in text, (fmt, secret)


# --- a village's cards to print -------------------------------------------------------------


def test_the_village_page_has_one_card_per_household_with_a_cadre_now(village_a_cards, admin):
    world = village_a_cards
    village = world.villages["a"]
    response = admin.get(f"{API}/villages/{village.id}/contact-cards?format=json")
    assert response.status_code == 200, response.get_json()
    assert response.content_type == JSON_CT
    body = response.get_json()
    assert body["village_id"] == village.id
    cards = {c["card_code"]: c for c in body["cards"]}
    ha1, ha3 = world.households["a1"], world.households["a3"]
    assert set(cards) == {ha1.card_code, ha3.card_code}
    assert all(set(c) == CARD_KEYS for c in body["cards"])
    assert cards[ha3.card_code]["cadre"] == {"name": "李连心", "unit": world.units["a"].name,
                                             "phone": "0355-7771234", "since": "2026-03-01"}
    assert cards[ha1.card_code]["url"] == f"{base(admin.client)}{CARDS}/{ha1.card_code}"
    # Each card is the one its QR code opens.
    for code, card in cards.items():
        assert card == card_json(admin.client, code)


def test_the_village_print_page_in_html_decodes_to_each_cards_address(village_a_cards, admin,
                                                                     app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://cards.huguan.example")
    world = village_a_cards
    response = admin.get(f"{API}/villages/{world.villages['a'].id}/contact-cards?format=html")
    assert response.status_code == 200
    assert response.content_type == HTML_CT
    html = response.get_data(as_text=True)
    assert html.count('<div class="card">') == 2
    assert sorted(qr_texts(html)) == sorted(
        f"https://cards.huguan.example{CARDS}/{world.households[k].card_code}"
        for k in ("a1", "a3"))
    assert "待确定" not in html  # households without a cadre are not printed
    for k in ("a1", "a3"):
        assert mask_name(world.households[k].head_name) in html
    assert world.cadres["a4"].name not in html


def test_the_village_page_follows_the_accept_header(village_a_cards, admin):
    url = f"{API}/villages/{village_a_cards.villages['a'].id}/contact-cards"
    assert admin.get(url).content_type == JSON_CT
    assert admin.get(url, headers={"Accept": BROWSER_ACCEPT}).content_type == HTML_CT
    assert admin.get(url + "?format=json",
                     headers={"Accept": BROWSER_ACCEPT}).content_type == JSON_CT


def test_a_village_without_paired_households_prints_no_card(world, session, admin):
    empty = factories.village(session, world.township)
    factories.household(session, empty)
    session.commit()
    body = admin.get(f"{API}/villages/{empty.id}/contact-cards?format=json").get_json()
    assert body == {"village_id": empty.id, "cards": []}
    html = admin.get(f"{API}/villages/{empty.id}/contact-cards?format=html").get_data(
        as_text=True)
    assert html.count('<div class="card">') == 0


def test_a_unit_admin_prints_its_own_villages_only(village_a_cards, login_as):
    world = village_a_cards
    unit_admin = login_as(world.users["unit_admin"])  # unit A
    own = unit_admin.get(f"{API}/villages/{world.villages['a'].id}/contact-cards?format=json")
    assert own.status_code == 200
    assert len(own.get_json()["cards"]) == 2
    other = problem(unit_admin.get(f"{API}/villages/{world.villages['b'].id}/contact-cards"),
                    404)
    missing = problem(unit_admin.get(f"{API}/villages/999999/contact-cards"), 404)
    # A village of another unit looks exactly like one that does not exist.
    assert {k: v for k, v in other.items() if k not in ("instance", "detail")} == {
        k: v for k, v in missing.items() if k not in ("instance", "detail")}
    assert world.households["b1"].card_code not in json.dumps(other)
    html = unit_admin.get(f"{API}/villages/{world.villages['b'].id}/contact-cards?format=html")
    assert html.status_code == 404


def test_a_county_admin_prints_any_village_and_an_unknown_one_is_404(world, admin):
    for key in ("a", "b"):
        response = admin.get(f"{API}/villages/{world.villages[key].id}/contact-cards")
        assert response.status_code == 200
    problem(admin.get(f"{API}/villages/999999/contact-cards"), 404)


@pytest.mark.parametrize("role", ["cadre", "inspector"])
def test_cadres_and_inspectors_may_not_print_a_village(world, login_as, role):
    problem(login_as(world.users[role]).get(
        f"{API}/villages/{world.villages['a'].id}/contact-cards"), 403)


def test_printing_a_village_needs_a_token(world, anonymous):
    problem(anonymous.get(f"{API}/villages/{world.villages['a'].id}/contact-cards"), 401)
