"""Coverage on a demo county agrees with independent SQL counts."""

import pytest
from sqlalchemy import text

from service.demo import DemoSizes, load_demo
from tests import factories

SIZES = DemoSizes(townships=3, villages=24, units=6, cadres=150, households=500)

ACTIVE = "SELECT 1 FROM pairings p WHERE p.ended_on IS NULL"
HOLDS = ("SELECT 1 FROM contact_points cp JOIN party_organizations o ON o.id = cp.organization_id"
         " WHERE cp.cadre_id = c.id AND cp.ended_on IS NULL")
INDEPENDENT = {
    "cadres_without_pairing":
        f"SELECT count(*) FROM cadres c WHERE NOT EXISTS ({ACTIVE} AND p.cadre_id = c.id)",
    "cadres_below_quota":
        "SELECT count(*) FROM cadres c WHERE c.rank <> 'general' AND "
        "(SELECT count(*) FROM pairings p WHERE p.cadre_id = c.id AND p.ended_on IS NULL) = 1",
    "households_with_needs_without_cadre":
        "SELECT count(*) FROM households h WHERE EXISTS (SELECT 1 FROM household_needs n "
        f"WHERE n.household_id = h.id) AND NOT EXISTS ({ACTIVE} AND p.household_id = h.id)",
    "villages_without_unit":
        "SELECT count(*) FROM villages v WHERE NOT EXISTS (SELECT 1 FROM village_assignments a "
        "WHERE a.village_id = v.id AND a.ended_on IS NULL)",
    "units_without_head": "SELECT count(*) FROM units WHERE head_cadre_id IS NULL",
    "leaders_missing_contact_points":
        "SELECT count(*) FROM cadres c WHERE (c.rank IN ('county_level', 'section_chief') AND "
        f"NOT EXISTS ({HOLDS} AND o.kind = 'village_branch' AND o.weak = :yes)) OR "
        f"(c.rank = 'county_level' AND (NOT EXISTS ({HOLDS} AND o.kind = 'non_public_economic')"
        f" OR NOT EXISTS ({HOLDS} AND o.kind = 'social_organization')))",
    "difficulty_overrides":
        "SELECT count(*) FROM pairings WHERE ended_on IS NULL AND override_reason IS NOT NULL",
}


@pytest.fixture
def demo(app, session):
    with app.app_context():
        load_demo(factories.context(session), SIZES, seed=11, progress=False)
    return session


@pytest.fixture
def demo_admin(demo, login_as):
    from tests import factories

    return login_as(factories.user(demo, "county_admin"))


def test_demo_coverage_matches_independent_sql(demo, demo_admin):
    report = demo_admin.get("/api/v1/coverage?limit=1000").json
    for section, sql in INDEPENDENT.items():
        expected = demo.execute(text(sql), {"yes": True}).scalar()
        assert report["summary"][section] == expected, section
        assert report[section]["count"] == expected
        assert len(report[section]["items"]) == min(expected, 1000)


def test_demo_county_leaves_a_realistic_handful_of_gaps(demo, demo_admin):
    summary = demo_admin.get("/api/v1/coverage").json["summary"]
    assert all(summary[s] >= 1 for s in INDEPENDENT), summary
    paired = demo.execute(text(f"SELECT count(*) FROM ({ACTIVE}) x")).scalar()
    assert summary["households_with_needs_without_cadre"] <= max(3, paired // 20)
    assert summary["cadres_without_pairing"] <= 150 // 5


def test_demo_pairings_obey_every_rule(demo):
    over_quota = demo.execute(text(
        "SELECT count(*) FROM cadres c WHERE (SELECT count(*) FROM pairings p WHERE "
        "p.cadre_id = c.id AND p.ended_on IS NULL) > CASE c.rank WHEN 'general' THEN 1 ELSE 2 END"
    )).scalar()
    not_held = demo.execute(text(
        "SELECT count(*) FROM pairings p JOIN cadres c ON c.id = p.cadre_id "
        "JOIN households h ON h.id = p.household_id WHERE p.ended_on IS NULL AND NOT EXISTS "
        "(SELECT 1 FROM village_assignments a WHERE a.village_id = h.village_id "
        "AND a.unit_id = c.unit_id AND a.ended_on IS NULL)")).scalar()
    mismatched = demo.execute(text(
        "SELECT count(*) FROM pairings p JOIN cadres c ON c.id = p.cadre_id "
        "JOIN households h ON h.id = p.household_id WHERE p.override_reason IS NULL AND "
        "h.difficulty <> CASE c.rank WHEN 'county_level' THEN 'hardest' "
        "WHEN 'general' THEN 'easier' ELSE 'harder' END")).scalar()
    assert (over_quota, not_held, mismatched) == (0, 0, 0)


def test_unit_filter_counts_only_that_units_cadres(demo, demo_admin):
    body = demo_admin.get("/api/v1/coverage?unit_id=2&limit=1000").json
    expected = demo.execute(text(INDEPENDENT["cadres_without_pairing"] + " AND c.unit_id = 2"))
    assert body["cadres_without_pairing"]["count"] == expected.scalar()
    assert all(c["unit_id"] == 2 for c in body["cadres_without_pairing"]["items"])
    assert body["villages_without_unit"]["count"] == 0
