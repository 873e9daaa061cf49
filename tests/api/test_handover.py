"""Handover (SPEC §5): `POST /api/v1/cadres/{id}/handover` moves every active pairing at once.

The `world` fixture: unit A holds village a, unit B holds village b; cadres a1 (general) and a2
(section_chief) in A, b1 (general) in B; households a1 (easier) and a2 (harder) in village a,
b1 (easier) in village b; pairings a1→household a1 and b1→household b1. The unit admin belongs
to unit A.

Dates: a handover happens "today", the suite clock's (tests/clock.py), so the tests pass whatever
NOW is; the one that names a date (a pairing ended on 2026-03-01) first sets the clock to a
fixed day after it.
"""

import pytest

from tests import factories
from tests.clock import CLOCK

API = "/api/v1"
PAIRINGS = f"{API}/pairings"
PROBLEM = "application/problem+json"


# --- helpers -----------------------------------------------------------------------------


def problem(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    body = resp.json
    assert body["status"] == status and body["code"] == code
    return body


def ok(resp) -> dict:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.json


def pairings(admin, **query) -> list[dict]:
    body = ok(admin.get(PAIRINGS, query_string={"per_page": 500, **query}))
    return body["items"]


def active_ids(admin, cadre) -> set[int]:
    return {p["id"] for p in pairings(admin, cadre_id=cadre.id, active="true")}


def handover(api, giver, receiver_id: int, reason: str = "干部调任", **extra):
    return api.post(f"{API}/cadres/{giver.id}/handover",
                    json={"to_cadre_id": receiver_id, "reason": reason, **extra})


def new_cadre(session, world, unit: str = "a", rank: str = "general"):
    c = factories.cadre(session, world.units[unit], rank=rank)
    session.commit()
    return c


def new_household(session, world, village: str = "a", difficulty: str = "easier"):
    h = factories.household(session, world.villages[village], difficulty=difficulty)
    session.commit()
    return h


def paired(session, cadre, household):
    """A pairing written directly (bypasses R4 only; the database still checks R1–R3)."""
    p = factories.pair(session, cadre, household)
    session.commit()
    return p


def snapshot(admin) -> list[dict]:
    """Every pairing, to show a refused handover changed nothing."""
    return sorted(pairings(admin), key=lambda p: p["id"])


@pytest.fixture
def chief_with_two(session, world):
    """Section chief a2 linked to two harder households of village a."""
    chief = world.cadres["a2"]
    second = new_household(session, world, difficulty="harder")
    paired(session, chief, world.households["a2"])
    paired(session, chief, second)
    return chief, [world.households["a2"], second]


# --- moving ------------------------------------------------------------------------------


def test_handover_ends_the_old_pairing_and_starts_one_for_the_receiver(admin, session, world):
    giver, household = world.cadres["a1"], world.households["a1"]
    receiver = new_cadre(session, world)
    [old] = pairings(admin, cadre_id=giver.id, active="true")
    body = ok(handover(admin, giver, receiver.id, reason="调任县委办"))
    assert body["from_cadre_id"] == giver.id and body["to_cadre_id"] == receiver.id
    assert body["ended"] == [old["id"]]
    [moved] = body["moved"]
    assert moved["cadre_id"] == receiver.id and moved["cadre_name"] == receiver.name
    assert moved["household_id"] == household.id
    assert moved["active"] is True and moved["started_on"] == CLOCK.today().isoformat()
    assert moved["id"] != old["id"]
    ended = ok(admin.get(f"{PAIRINGS}/{old['id']}"))
    assert ended["active"] is False and ended["ended_on"] == CLOCK.today().isoformat()
    assert "调任县委办" in ended["end_reason"] and "交接" in ended["end_reason"]
    assert active_ids(admin, giver) == set()
    assert active_ids(admin, receiver) == {moved["id"]}
    assert ok(admin.get(f"{PAIRINGS}/{moved['id']}")) == moved


def test_handover_moves_every_active_pairing(admin, session, world, chief_with_two):
    giver, households = chief_with_two
    receiver = new_cadre(session, world, rank="section_chief")
    before = active_ids(admin, giver)
    body = ok(handover(admin, giver, receiver.id))
    assert set(body["ended"]) == before and len(body["ended"]) == 2
    assert {p["household_id"] for p in body["moved"]} == {h.id for h in households}
    assert all(p["cadre_id"] == receiver.id and p["active"] for p in body["moved"])
    assert active_ids(admin, giver) == set()
    assert active_ids(admin, receiver) == {p["id"] for p in body["moved"]}


def test_handover_leaves_no_household_without_a_cadre(admin, session, world, chief_with_two):
    giver, households = chief_with_two
    receiver = new_cadre(session, world, rank="deputy_section_chief")
    ok(handover(admin, giver, receiver.id))
    for household in households:
        history = pairings(admin, household_id=household.id)
        active = [p for p in history if p["active"]]
        assert [p["cadre_id"] for p in active] == [receiver.id]
        [old] = [p for p in history if not p["active"]]
        # The new pairing starts the day the old one ends: no gap.
        assert old["ended_on"] == active[0]["started_on"] == CLOCK.today().isoformat()
        # This month the household has a cadre both before and after.
        month = CLOCK.today().isoformat()[:7]
        assert {p["id"] for p in pairings(admin, household_id=household.id, month=month)} == {
            old["id"], active[0]["id"]}


def test_handover_keeps_the_givers_ended_pairings_untouched(admin, session, world, clock):
    clock.set("2026-04-15")
    giver = world.cadres["a1"]
    [old] = pairings(admin, cadre_id=giver.id, active="true")
    ok(admin.post(f"{PAIRINGS}/{old['id']}/end", json={"reason": "户已脱贫",
                                                        "ended_on": "2026-03-01"}))
    paired(session, giver, new_household(session, world))
    receiver = new_cadre(session, world)
    body = ok(handover(admin, giver, receiver.id))
    assert old["id"] not in body["ended"] and len(body["ended"]) == 1
    untouched = ok(admin.get(f"{PAIRINGS}/{old['id']}"))
    assert untouched["ended_on"] == "2026-03-01" and untouched["end_reason"] == "户已脱贫"


def test_a_cadre_with_no_pairings_hands_over_nothing(admin, session, world):
    giver = new_cadre(session, world)
    receiver = new_cadre(session, world)
    before = snapshot(admin)
    body = ok(handover(admin, giver, receiver.id))
    assert body == {"from_cadre_id": giver.id, "to_cadre_id": receiver.id, "ended": [],
                    "moved": []}
    assert snapshot(admin) == before


def test_unit_admin_hands_over_within_its_unit(session, world, login_as, admin):
    receiver = new_cadre(session, world)
    body = ok(handover(login_as(world.users["unit_admin"]), world.cadres["a1"], receiver.id))
    assert [p["cadre_id"] for p in body["moved"]] == [receiver.id]


# --- rules checked for the receiver, all or nothing -------------------------------------


def test_handover_beyond_the_receivers_quota_is_refused_and_changes_nothing(
        admin, session, world, chief_with_two):
    giver, _ = chief_with_two
    receiver = new_cadre(session, world, rank="deputy_section_chief")
    paired(session, receiver, new_household(session, world, difficulty="harder"))
    before = snapshot(admin)
    body = problem(handover(admin, giver, receiver.id), 409, "quota_exceeded")
    assert body["cadre_id"] == receiver.id
    assert snapshot(admin) == before
    assert len(active_ids(admin, giver)) == 2
    assert len(active_ids(admin, receiver)) == 1


def test_handover_to_a_general_cadre_already_linked_is_refused(admin, session, world):
    receiver = new_cadre(session, world)
    paired(session, receiver, new_household(session, world))
    before = snapshot(admin)
    body = problem(handover(admin, world.cadres["a1"], receiver.id), 409, "quota_exceeded")
    assert body["quota"] == 1
    assert snapshot(admin) == before


def test_handover_to_a_cadre_whose_unit_does_not_hold_the_village_is_refused(
        admin, session, world):
    receiver = new_cadre(session, world, unit="b")
    before = snapshot(admin)
    body = problem(handover(admin, world.cadres["a1"], receiver.id), 409,
                   "village_not_held_by_unit")
    assert body["unit_id"] == world.units["b"].id
    assert body["village_id"] == world.villages["a"].id
    assert snapshot(admin) == before


def test_handover_with_a_difficulty_mismatch_is_refused(admin, session, world):
    receiver = new_cadre(session, world, rank="section_chief")
    before = snapshot(admin)
    body = problem(handover(admin, world.cadres["a1"], receiver.id), 409,
                   "difficulty_mismatch")
    assert body["rank"] == "section_chief" and body["difficulty"] == "easier"
    assert snapshot(admin) == before


def test_handover_is_all_or_nothing_when_only_one_household_mismatches(admin, session, world):
    giver = world.cadres["a2"]
    paired(session, giver, world.households["a2"])  # harder: fits a section chief
    paired(session, giver, new_household(session, world, difficulty="hardest"))  # does not
    receiver = new_cadre(session, world, rank="section_chief")
    before = snapshot(admin)
    problem(handover(admin, giver, receiver.id), 409, "difficulty_mismatch")
    assert snapshot(admin) == before
    assert len(active_ids(admin, giver)) == 2
    assert active_ids(admin, receiver) == set()


def test_county_admin_overrides_difficulty_in_a_handover(admin, session, world):
    giver = world.cadres["a2"]
    paired(session, giver, world.households["a2"])
    hardest = new_household(session, world, difficulty="hardest")
    paired(session, giver, hardest)
    receiver = new_cadre(session, world, rank="section_chief")
    reason = "原干部调离，暂由科长联系"
    body = ok(handover(admin, giver, receiver.id, override_reason=reason))
    by_household = {p["household_id"]: p for p in body["moved"]}
    assert by_household[hardest.id]["override_reason"] == reason
    assert by_household[world.households["a2"].id]["override_reason"] is None
    overridden = {p["id"] for p in pairings(admin, overridden="true")}
    assert by_household[hardest.id]["id"] in overridden
    assert by_household[world.households["a2"].id]["id"] not in overridden


def test_unit_admin_may_not_override_difficulty_in_a_handover(login_as, admin, session, world):
    receiver = new_cadre(session, world, rank="section_chief")
    before = snapshot(admin)
    problem(handover(login_as(world.users["unit_admin"]), world.cadres["a1"], receiver.id,
                     override_reason="我们同意"), 403, "forbidden")
    assert snapshot(admin) == before


# --- refusals of the request itself ------------------------------------------------------


def test_handover_to_oneself_is_a_validation_error(admin, world):
    before = snapshot(admin)
    body = problem(handover(admin, world.cadres["a1"], world.cadres["a1"].id), 422,
                   "validation_failed")
    assert "to_cadre_id" in body["errors"]
    assert snapshot(admin) == before


def test_handover_to_an_unknown_cadre_is_a_validation_error(admin, world):
    before = snapshot(admin)
    body = problem(handover(admin, world.cadres["a1"], 999999), 422, "validation_failed")
    assert "to_cadre_id" in body["errors"]
    assert snapshot(admin) == before


def test_handover_needs_a_reason(admin, session, world):
    receiver = new_cadre(session, world)
    body = problem(admin.post(f"{API}/cadres/{world.cadres['a1'].id}/handover",
                              json={"to_cadre_id": receiver.id}), 422, "validation_failed")
    assert "reason" in body["errors"]
    assert active_ids(admin, receiver) == set()


def test_handover_of_an_unknown_cadre_is_404(admin, session, world):
    receiver = new_cadre(session, world)
    problem(admin.post(f"{API}/cadres/999999/handover",
                       json={"to_cadre_id": receiver.id, "reason": "x"}), 404, "not_found")


def test_unit_admin_may_not_hand_over_to_another_units_cadre(login_as, admin, session, world):
    receiver = new_cadre(session, world, unit="b")
    before = snapshot(admin)
    problem(handover(login_as(world.users["unit_admin"]), world.cadres["a1"], receiver.id),
            422, "validation_failed")
    assert snapshot(admin) == before


def test_unit_admin_handing_over_another_units_cadre_gets_404(login_as, admin, session, world):
    receiver = new_cadre(session, world, unit="b")
    before = snapshot(admin)
    problem(handover(login_as(world.users["unit_admin"]), world.cadres["b1"], receiver.id),
            404, "not_found")
    assert snapshot(admin) == before


@pytest.mark.parametrize("role", ["cadre", "inspector"])
def test_cadres_and_inspectors_cannot_hand_over(login_as, admin, session, world, role):
    receiver = new_cadre(session, world)
    before = snapshot(admin)
    problem(handover(login_as(world.users[role]), world.cadres["a1"], receiver.id), 403,
            "forbidden")
    assert snapshot(admin) == before
