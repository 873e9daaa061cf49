"""Who may call what on reports and publications (SPEC §4 roles, §6).

The disclosure and publications are public: villagers read them without an account. The
bulletin, the overview and a month's publication status are for admins and inspectors (a unit
admin: its unit's); only a county admin publishes, one village or a whole month. A household's
story (its timeline) is read as the household is; the audit trail by admins and inspectors.
"""

from datetime import timedelta

import pytest

from tests.clock import CLOCK

API = "/api/v1"
ROLES = ("county_admin", "unit_admin", "cadre", "inspector", "anonymous")


def last_month() -> str:
    first = CLOCK.local().date().replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


#    method  path                                    body      cnty unit cadr insp anon
MATRIX = [
    ("GET",  "/reports/disclosure?village_id={a}&month={m}", None, 200, 200, 200, 200, 200),
    ("GET",  "/reports/disclosure?village_id={a}&month={m}&format=csv", None,
                                                               200, 200, 200, 200, 200),
    ("GET",  "/reports/bulletin?month={m}",             None,     200, 200, 403, 200, 401),
    ("GET",  "/reports/bulletin?month={m}&format=csv",  None,     200, 200, 403, 200, 401),
    ("POST", "/disclosures",                            "publish", 201, 403, 403, 403, 401),
    ("GET",  "/disclosures",                            None,     200, 200, 200, 200, 200),
    ("GET",  "/disclosures/{published}",                None,     200, 200, 200, 200, 200),
    ("GET",  "/disclosures/{published}?format=html",    None,     200, 200, 200, 200, 200),
    ("GET",  "/disclosures/{published}/verify",         None,     200, 200, 200, 200, 200),
    ("GET",  "/disclosures/999999",                     None,     404, 404, 404, 404, 404),
    ("GET",  "/reports/overview?month={m}",             None,     200, 200, 403, 200, 401),
    ("GET",  "/reports/overview?month={m}&unit_id={ua}", None,    200, 200, 403, 200, 401),
    ("GET",  "/reports/overview?month={m}&unit_id={ub}", None,    200, 403, 403, 200, 401),
    ("GET",  "/disclosures/months/{m}",                 None,     200, 200, 403, 200, 401),
    ("GET",  "/disclosures/months/{m}?unit_id={ub}",    None,     200, 403, 403, 200, 401),
    ("POST", "/disclosures/months/{m}",                 "month",  200, 403, 403, 403, 401),
    ("GET",  "/households/{ha}/timeline",               None,     200, 200, 200, 200, 401),
    ("GET",  "/households/{hb}/timeline",               None,     200, 404, 404, 200, 401),
    ("GET",  "/audit",                                  None,     200, 200, 403, 200, 401),
]  # fmt: skip

CASES = [
    pytest.param(method, path, body, role, expected, id=f"{method} {path} as {role} -> {expected}")
    for method, path, body, *statuses in MATRIX
    for role, expected in zip(ROLES, statuses, strict=True)
]


@pytest.fixture
def published(world, admin):
    """One publication of village b for last month, made by the county admin."""
    answer = admin.post(f"{API}/disclosures",
                        json={"village_id": world.villages["b"].id, "month": last_month()})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


@pytest.mark.parametrize("method,path,body,role,expected", CASES)
def test_report_access(world, login_as, anonymous, published, method, path, body, role,
                       expected):
    api = anonymous if role == "anonymous" else login_as(world.users[role])
    url = API + path.format(a=world.villages["a"].id, m=last_month(), published=published,
                            ua=world.units["a"].id, ub=world.units["b"].id,
                            ha=world.households["a1"].id, hb=world.households["b1"].id)
    if method == "GET":
        answer = api.get(url)
    elif body == "month":
        answer = api.post(url)
    else:
        answer = api.post(url, json={"village_id": world.villages["a"].id, "month": last_month()})
    assert answer.status_code == expected, answer.get_data(as_text=True)[:300]
    if expected >= 400:
        assert answer.content_type == "application/problem+json"

