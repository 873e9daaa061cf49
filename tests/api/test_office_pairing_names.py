"""What the console's 两个全覆盖, 包联方案 and 交接 screens show comes whole from the API (SPEC
§15 "rows a table can show"): coverage's rows name their unit, village and township; a plan
names its scope and each planned pairing's unit; a cadre says which difficulty its rank links
(R4), so a handover's receivers are found without restating the rule in a client.

The world: unit A holds village a, unit B village b; cadre a1 (一般干部) links household a1,
a2 (正科级) links none, b1 links b1; household a2 (harder) has no cadre."""

from tests import factories

API = "/api/v1"


def test_each_cadre_says_the_difficulty_its_rank_links(admin, world, session):
    for rank in ("county_level", "deputy_section_chief"):
        factories.cadre(session, world.units["a"], rank=rank)
    session.commit()
    listed = admin.get(f"{API}/cadres?unit_id={world.units['a'].id}&per_page=500").json["items"]
    assert {(c["rank"], c["matching_difficulty"]) for c in listed} == {
        ("general", "easier"), ("section_chief", "harder"),
        ("deputy_section_chief", "harder"), ("county_level", "hardest")}
    one = admin.get(f"{API}/cadres/{world.cadres['a2'].id}").json
    assert one["matching_difficulty"] == "harder"


def test_coverage_rows_carry_the_names_a_table_shows(admin, world, session):
    t = world.township
    lonely = factories.village(session, t)  # no unit holds it
    leader = factories.cadre(session, world.units["b"], rank="county_level")
    overridden = factories.household(session, world.villages["b"], difficulty="hardest")
    session.commit()
    made = admin.post(f"{API}/pairings", json={
        "cadre_id": world.cadres["a2"].id, "household_id": factories.household(
            session, world.villages["a"], difficulty="easier").id,
        "override_reason": "本村无其他干部"})
    assert made.status_code == 201, made.json
    report = admin.get(f"{API}/coverage").json
    household = {h["id"]: h for h in report["households_with_needs_without_cadre"]["items"]}
    a2 = household[world.households["a2"].id]
    assert (a2["village_name"], a2["township_id"], a2["township_name"]) == (
        world.villages["a"].name, t.id, t.name)
    assert household[overridden.id]["village_name"] == world.villages["b"].name
    village = {v["id"]: v for v in report["villages_without_unit"]["items"]}[lonely.id]
    assert (village["name"], village["township_name"]) == (lonely.name, t.name)
    below = {c["id"]: c for c in report["cadres_below_quota"]["items"]}
    assert below[world.cadres["a2"].id]["unit_name"] == world.units["a"].name
    without = {c["id"]: c for c in report["cadres_without_pairing"]["items"]}
    assert without[leader.id]["unit_name"] == world.units["b"].name
    leaders = {c["id"]: c for c in report["leaders_missing_contact_points"]["items"]}
    assert leaders[leader.id]["unit_name"] == world.units["b"].name
    [override] = report["difficulty_overrides"]["items"]
    assert (override["village_id"], override["village_name"]) == (
        world.villages["a"].id, world.villages["a"].name)


def test_a_plan_names_its_scope_and_each_pairings_unit(admin, world, session):
    plan = admin.post(f"{API}/pairing-plans", json={
        "unit_id": world.units["a"].id, "township_id": world.township.id,
        "village_id": world.villages["a"].id})
    assert plan.status_code == 201, plan.json
    assert plan.json["scope"] == {
        "unit_id": world.units["a"].id, "unit_name": world.units["a"].name,
        "township_id": world.township.id, "township_name": world.township.name,
        "village_id": world.villages["a"].id, "village_name": world.villages["a"].name}
    [pairing] = plan.json["pairings"]  # a2 (正科级) takes household a2 (harder)
    assert (pairing["cadre_name"], pairing["unit_id"], pairing["unit_name"]) == (
        world.cadres["a2"].name, world.units["a"].id, world.units["a"].name)
    county = admin.post(f"{API}/pairing-plans", json={}).json
    assert county["scope"] == {}
    listed = admin.get(f"{API}/pairing-plans").json["items"]
    assert [p["scope"] for p in listed] == [county["scope"], plan.json["scope"]]
