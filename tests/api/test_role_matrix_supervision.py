"""Who may call what on inspections, contact cards and the evaluation (SPEC §4 roles, §6).

Inspections and their sample are for inspectors and county admins only (a unit admin or cadre
who saw the sample could warn the households). Contact cards are public; a village's cards to
print are for the county admin and the unit holding the village (unit A holds village a). The
evaluation is the county admin's, and a unit admin's for its own unit.

Dates: the inspection read and recorded is of 2026-10-15 and the evaluation is of 2026, both
seen from 2026-11-23 (the `november` fixture sets the clock there, county time).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

API = "/api/v1"
ROLES = ("county_admin", "unit_admin", "cadre", "inspector", "anonymous")
NOVEMBER = datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


#    method  path                                       body        cnty unit cadr insp anon
MATRIX = [
    ("GET",  "/inspections",                            None,       200, 403, 403, 200, 401),
    ("POST", "/inspections",                            "inspect",  201, 403, 403, 201, 401),
    ("GET",  "/inspections/{inspection}",               None,       200, 403, 403, 200, 401),
    ("GET",  "/inspections/rates?by=unit",              None,       200, 403, 403, 200, 401),
    ("GET",  "/inspections/sample?size=1&seed=1",       None,       200, 403, 403, 200, 401),
    ("GET",  "/public/contact-cards/{card}",            None,       200, 200, 200, 200, 200),
    ("GET",  "/public/contact-cards/{card}?format=html", None,      200, 200, 200, 200, 200),
    ("GET",  "/public/contact-cards/NOSUCHCARD0000",    None,       404, 404, 404, 404, 404),
    ("GET",  "/villages/{a}/contact-cards",             None,       200, 200, 403, 403, 401),
    ("GET",  "/villages/{b}/contact-cards",             None,       200, 404, 403, 403, 401),
    ("GET",  "/reports/evaluation?year=2026",           None,       200, 200, 403, 403, 401),
    ("GET",  "/reports/evaluation?year=2026&format=csv", None,      200, 200, 403, 403, 401),
    ("GET",  "/reports/evaluation?year=2026&unit_id={ua}", None,    200, 200, 403, 403, 401),
    ("GET",  "/reports/evaluation?year=2026&unit_id={ub}", None,    200, 403, 403, 403, 401),
]  # fmt: skip

CASES = [
    pytest.param(method, path, body, role, expected, id=f"{method} {path} as {role} -> {expected}")
    for method, path, body, *statuses in MATRIX
    for role, expected in zip(ROLES, statuses, strict=True)
]


@pytest.fixture(autouse=True)
def november(clock):
    """These requests are made in late November 2026."""
    clock.set(NOVEMBER)


def _inspection_body(world) -> dict:
    return {"village_id": world.villages["a"].id, "inspected_on": "2026-10-15",
            "household_checks": [{"household_id": world.households["a1"].id,
                                  "knows_cadre": True, "has_contact_card": True,
                                  "visit_confirmed": True, "satisfaction": "satisfied"}]}


@pytest.fixture
def inspection(world, admin):
    answer = admin.post(f"{API}/inspections", json=_inspection_body(world))
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


@pytest.mark.parametrize("method,path,body,role,expected", CASES)
def test_supervision_access(world, login_as, anonymous, inspection, method, path, body, role,
                            expected):
    api = anonymous if role == "anonymous" else login_as(world.users[role])
    url = API + path.format(a=world.villages["a"].id, b=world.villages["b"].id,
                            inspection=inspection, card=world.households["a1"].card_code,
                            ua=world.units["a"].id, ub=world.units["b"].id)
    answer = api.get(url) if method == "GET" else api.post(url, json=_inspection_body(world))
    assert answer.status_code == expected, answer.get_data(as_text=True)[:300]
    if expected >= 400:
        assert answer.content_type == "application/problem+json"
