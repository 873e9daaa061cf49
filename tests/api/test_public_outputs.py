"""Public means structured (SPEC §9): free text typed by staff never reaches a public output.

Every free-text field the API accepts is written through the API by the role that types it
(county admin, unit admin, cadre, inspector), each with a marker of its own: override reasons
(on a pairing and on a handover), end reasons (a pairing, a handover, a village assignment, a
contact point), a task's description and target and its transition notes, a demand's
description, resolution and notes (raised on its own and during a visit), a visit's diary and
help given (single, batch and corrected), an inspection's notes, a cadre's skills, and a
publication's correction reason. Then every public output is read: the disclosure of villages
a and b for October in JSON, CSV and HTML; the publications of both (one of them corrected) as
the list, each one in JSON, CSV and HTML, and their verify answers; the public contact card of
every household involved in JSON and HTML; and the printable card pages of both villages (a
county admin's, but they are posted in the village). No marker may appear in any of them.

The markers are Chinese text around an ASCII token (LEAK_…), so an output that escapes
non-ASCII characters still shows a leak; JSON answers are also read back and dumped unescaped.

The `world` fixture: unit A holds village a, unit B holds village b (both since 2026-01-01);
cadres a1 (general) and a2 (section_chief) in A, b1 in B; households a1 (easier) and a2
(harder) in village a, b1 in village b; pairings a1 → household a1 and b1 → household b1 from
2026-01-01. The unit admin is unit A's; the cadre account is cadre a1.

Dates: the records are written in October 2026 with the clock set to each moment (CLOCK.at),
and read from 2026-11-23, when October is complete and may be published.
"""

import json
import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests import factories
from tests.clock import CLOCK

API = "/api/v1"
CST = ZoneInfo("Asia/Shanghai")
OCT = "2026-10"
TOKEN = "LEAK_"
WRITTEN: list[str] = []


def marker(field: str) -> str:
    """Distinctive free text for one field; the ASCII token survives any escaping."""
    text = f"勿公开{TOKEN}{field.upper()}"  # short enough for a skill (30 characters)
    WRITTEN.append(text)
    return text


def at(day: str, hour: int = 10) -> datetime:
    d = date.fromisoformat(day)
    return datetime(d.year, d.month, d.day, hour, tzinfo=CST)


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_json()


@pytest.fixture(autouse=True)
def november(clock):
    clock.set(at("2026-11-23"))


# --- the writes: every free-text field the API accepts ----------------------------------------


def pairings_and_handover(session, world, admin, unit_admin) -> dict:
    """An R4 override, a handover with its own override and reason, and a pairing ended."""
    over = factories.cadre(session, world.units["a"], name="覆盖干部")
    receiver = factories.cadre(session, world.units["a"], name="接手干部")
    ender = factories.cadre(session, world.units["a"], name="结束干部")
    ended_household = factories.household(session, world.villages["a"])
    session.commit()
    with CLOCK.at(at("2026-10-03")):
        overridden = ok(admin.post(f"{API}/pairings", json={
            "cadre_id": over.id, "household_id": world.households["a2"].id,
            "override_reason": marker("override_reason")}), 201)
        to_end = ok(unit_admin.post(f"{API}/pairings", json={
            "cadre_id": ender.id, "household_id": ended_household.id}), 201)
    with CLOCK.at(at("2026-10-15")):
        ok(admin.post(f"{API}/cadres/{over.id}/handover", json={
            "to_cadre_id": receiver.id, "reason": marker("handover_reason"),
            "override_reason": marker("handover_override_reason")}))
    with CLOCK.at(at("2026-10-20")):
        ok(unit_admin.post(f"{API}/pairings/{to_end['id']}/end",
                           json={"reason": marker("pairing_end_reason")}))
    # Staff still read what they typed: the markers were stored, not dropped.
    assert ok(admin.get(f"{API}/pairings/{overridden['id']}"))["override_reason"] == WRITTEN[0]
    ok(unit_admin.patch(f"{API}/cadres/{receiver.id}",
                        json={"skills": [marker("cadre_skills")]}))
    return {"households": [world.households["a2"], ended_household]}


def task_with_notes(world, admin, unit_admin) -> None:
    household = world.households["a1"].id
    with CLOCK.at(at("2026-10-04")):
        task = ok(admin.post(f"{API}/tasks", json={
            "household_id": household, "category": "low_income",
            "description": marker("task_description"), "target": marker("task_target"),
            "due_on": "2026-12-31"}), 201)
        ok(unit_admin.patch(f"{API}/tasks/{task['id']}",
                            json={"description": marker("task_description_edited")}))
    for day, to, field in (("2026-10-05", "in_progress", "task_note_started"),
                           ("2026-10-08", "done", "task_note_done"),
                           ("2026-10-09", "in_progress", "task_note_reopened")):
        with CLOCK.at(at(day)):
            ok(unit_admin.post(f"{API}/tasks/{task['id']}/transition",
                               json={"to": to, "note": marker(field)}))


def demand_with_resolution(world, cadre, unit_admin) -> None:
    with CLOCK.at(at("2026-10-06")):
        demand = ok(cadre.post(f"{API}/demands", json={
            "id": str(uuid.uuid4()), "household_id": world.households["a1"].id,
            "category": "housing_repair", "description": marker("demand_description")}), 201)
        ok(cadre.patch(f"{API}/demands/{demand['id']}",
                       json={"description": marker("demand_description_edited")}))
    with CLOCK.at(at("2026-10-07")):
        ok(unit_admin.post(f"{API}/demands/{demand['id']}/transition",
                           json={"to": "in_progress", "note": marker("demand_note")}))
    with CLOCK.at(at("2026-10-09")):
        ok(unit_admin.post(f"{API}/demands/{demand['id']}/transition", json={
            "to": "resolved", "resolution": marker("demand_resolution"),
            "note": marker("demand_resolved_note")}))


def visits_with_diaries(world, cadre) -> None:
    household = world.households["a1"].id
    with CLOCK.at(at("2026-10-10")):
        visit = ok(cadre.post(f"{API}/visits", json={
            "id": str(uuid.uuid4()), "household_id": household,
            "visited_at": at("2026-10-10", 9).isoformat(), "kind": "home_visit",
            "diary": marker("visit_diary"), "help_given": marker("visit_help_given"),
            "demands": [{"id": str(uuid.uuid4()), "category": "housing_repair",
                         "description": marker("visit_demand_description")}]}), 201)
        ok(cadre.patch(f"{API}/visits/{visit['id']}", json={
            "diary": marker("visit_diary_corrected"),
            "help_given": marker("visit_help_given_corrected")}))
    with CLOCK.at(at("2026-10-12")):
        results = ok(cadre.post(f"{API}/visits/batch", json={"visits": [{
            "id": str(uuid.uuid4()), "household_id": household,
            "visited_at": at("2026-10-12", 9).isoformat(), "kind": "heart_to_heart",
            "diary": marker("batch_visit_diary"),
            "help_given": marker("batch_visit_help_given")}]}))["results"]
    assert [r["status"] for r in results] == ["created"]


def village_and_contact_point_ended(world, admin) -> None:
    """Unit B leaves village b (ending its pairing); cadre a2's contact point ends."""
    (assignment,) = ok(admin.get(
        f"{API}/village-assignments?village_id={world.villages['b'].id}"))["items"]
    with CLOCK.at(at("2026-10-25")):
        ok(admin.post(f"{API}/village-assignments/{assignment['id']}/end", json={
            "reason": marker("assignment_end_reason"), "end_pairings": True}))
    with CLOCK.at(at("2026-10-02")):
        branch = ok(admin.post(f"{API}/party-organizations", json={
            "name": "某村党支部", "kind": "village_branch", "weak": True,
            "village_id": world.villages["a"].id}), 201)
        point = ok(admin.post(f"{API}/contact-points", json={
            "cadre_id": world.cadres["a2"].id, "organization_id": branch["id"]}), 201)
    with CLOCK.at(at("2026-10-26")):
        ok(admin.post(f"{API}/contact-points/{point['id']}/end",
                      json={"reason": marker("contact_point_end_reason")}))


def inspection_with_notes(world, inspector) -> None:
    with CLOCK.at(at("2026-10-28")):
        ok(inspector.post(f"{API}/inspections", json={
            "village_id": world.villages["a"].id, "inspected_on": "2026-10-28",
            "notes": marker("inspection_notes"),
            "household_checks": [{
                "household_id": world.households["a1"].id, "knows_cadre": True,
                "has_contact_card": True, "visit_confirmed": True,
                "satisfaction": "satisfied", "note": marker("inspection_check_note")}]}), 201)


def publications(world, admin) -> list[dict]:
    """October of both villages published, then village a corrected."""
    first = [ok(admin.post(f"{API}/disclosures", json={"village_id": world.villages[k].id,
                                                      "month": OCT}), 201) for k in "ab"]
    corrected = ok(admin.post(f"{API}/disclosures", json={
        "village_id": world.villages["a"].id, "month": OCT,
        "correction_reason": marker("correction_reason")}), 201)
    return [*first, corrected]


@pytest.fixture
def written(world, session, admin, unit_admin, cadre, inspector):
    """Every free-text field written with its marker; the households whose cards to read."""
    WRITTEN.clear()
    paired = pairings_and_handover(session, world, admin, unit_admin)
    task_with_notes(world, admin, unit_admin)
    demand_with_resolution(world, cadre, unit_admin)
    visits_with_diaries(world, cadre)
    village_and_contact_point_ended(world, admin)
    inspection_with_notes(world, inspector)
    published = publications(world, admin)
    households = [world.households["a1"], world.households["b1"], *paired["households"]]
    return {"published": published, "households": households}


# --- the reads: every public output -----------------------------------------------------------


def texts(response) -> list[str]:
    """What a reader gets: the body as sent, and for JSON also its values unescaped."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    out = [response.get_data(as_text=True)]
    if response.is_json:
        out.append(json.dumps(response.get_json(), ensure_ascii=False))
    return out


def public_outputs(world, anonymous, admin, written) -> dict[str, list[str]]:
    """Every public output of the two villages for October, by a name for the failure."""
    out: dict[str, list[str]] = {}
    for key in "ab":
        village = world.villages[key].id
        for fmt in ("json", "csv", "html"):
            out[f"disclosure {key} {fmt}"] = texts(anonymous.get(
                f"{API}/reports/disclosure?village_id={village}&month={OCT}&format={fmt}"))
            if fmt != "csv":
                out[f"card page {key} {fmt}"] = texts(admin.get(
                    f"{API}/villages/{village}/contact-cards?format={fmt}"))
    out["publications"] = texts(anonymous.get(f"{API}/disclosures"))
    for p in written["published"]:
        out[f"publications of {p['village_id']}"] = texts(anonymous.get(
            f"{API}/disclosures?village_id={p['village_id']}&month={OCT}"))
        for fmt in ("json", "csv", "html"):
            out[f"publication {p['id']} {fmt}"] = texts(anonymous.get(
                f"{API}/disclosures/{p['id']}?format={fmt}"))
        out[f"verify {p['id']}"] = texts(anonymous.get(f"{API}/disclosures/{p['id']}/verify"))
        out[f"published answer {p['id']}"] = [json.dumps(p, ensure_ascii=False)]
    for household in written["households"]:
        for fmt in ("json", "html"):
            out[f"card {household.id} {fmt}"] = texts(anonymous.get(
                f"{API}/public/contact-cards/{household.card_code}?format={fmt}"))
    return out


def test_no_staff_free_text_reaches_any_public_output(world, anonymous, admin, written):
    outputs = public_outputs(world, anonymous, admin, written)
    assert len(WRITTEN) >= 25
    leaks = [(name, text[text.index(TOKEN):][:40]) for name, bodies in outputs.items()
             for text in bodies if TOKEN in text]
    assert leaks == []
    for name, bodies in outputs.items():
        for text in bodies:
            for written_text in WRITTEN:
                assert written_text not in text, (name, written_text)


def test_the_public_outputs_still_say_what_happened(world, anonymous, admin, written):
    """The markers are absent because the outputs carry structured facts instead, not because
    the outputs are empty."""
    outputs = public_outputs(world, anonymous, admin, written)
    live = json.loads(outputs["disclosure a json"][1])
    overridden = [p for p in live["pairings"] if p["difficulty_override"]]
    assert {p["cadre"] for p in overridden} == {"覆盖干部", "接手干部"}
    assert "经县级批准调配" in outputs["disclosure a html"][0]
    assert "经县级批准调配" in outputs["disclosure a csv"][0]
    a1 = next(p for p in live["pairings"] if p["cadre"] == world.cadres["a1"].name)
    assert a1["direct_visits"] == 2
    assert (a1["demands_opened"], a1["demands_resolved"]) == (2, 1)
    assert [(t["category"], t["status"]) for t in a1["tasks"]] == [("low_income", "in_progress")]
    corrected = written["published"][-1]
    assert corrected["revision"] == 2
    page = outputs[f"publication {corrected['id']} html"][0]
    assert "更正：本公示为第2版" in page and "更正原因已存档备查" in page
    assert corrected["sha256"][:16] in page
    assert "接手干部" in outputs["card page a html"][0]
