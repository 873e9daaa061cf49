"""SPEC §15 "rows a table can show": every cadre answers with how many households it links now
and how many more it may take (R1), so a handover target is found without counting pairings
client-side; a page of 500 costs the same few statements as a page of one."""

from contextlib import contextmanager

from sqlalchemy import event

from tests import factories


@contextmanager
def statements(connection):
    """The statements sent on the test's connection inside the block."""
    sent: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        sent.append(statement)

    event.listen(connection, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(connection, "before_cursor_execute", seen)


def by_id(response) -> dict:
    assert response.status_code == 200, response.json
    return {c["id"]: c for c in response.json["items"]}


def test_each_cadre_shows_its_households_and_free_places(admin, world, session):
    cadres = by_id(admin.get("/api/v1/cadres?per_page=500"))
    a1, a2, b1 = (cadres[world.cadres[k].id] for k in ("a1", "a2", "b1"))
    assert (a1["active_households"], a1["free_places"]) == (1, 0)  # general: 1 of 1
    assert (a2["active_households"], a2["free_places"]) == (0, 2)  # section chief: 0 of 2
    assert (b1["active_households"], b1["free_places"]) == (1, 0)
    one = admin.get(f"/api/v1/cadres/{world.cadres['a2'].id}").json
    assert (one["active_households"], one["free_places"]) == (0, 2)


def test_an_ended_pairing_frees_its_place(admin, world):
    pairing = admin.get(f"/api/v1/pairings?cadre_id={world.cadres['a1'].id}").json["items"][0]
    assert admin.post(f"/api/v1/pairings/{pairing['id']}/end",
                      json={"reason": "调动"}).status_code == 200
    cadre = admin.get(f"/api/v1/cadres/{world.cadres['a1'].id}").json
    assert (cadre["active_households"], cadre["free_places"]) == (0, 1)


def test_a_created_or_edited_cadre_answers_with_its_load(admin, world):
    made = admin.post("/api/v1/cadres", json={"name": "王五", "unit_id": world.units["a"].id,
                                             "rank": "deputy_section_chief"})
    assert made.status_code == 201
    assert (made.json["active_households"], made.json["free_places"]) == (0, 2)
    url = f"/api/v1/cadres/{made.json['id']}"
    edited = admin.patch(url, json={"name": "王五一"},
                         headers={"If-Match": admin.get(url).headers["ETag"]})
    assert edited.status_code == 200 and edited.json["free_places"] == 2


def test_a_page_of_500_cadres_costs_no_more_statements_than_a_page_of_one(
        admin, world, session, connection):
    for _ in range(40):
        cadre = factories.cadre(session, world.units["a"], rank="section_chief")
        factories.pair(session, cadre, factories.household(
            session, world.villages["a"], difficulty="harder"))
    session.commit()
    with statements(connection) as small:
        assert len(admin.get("/api/v1/cadres?per_page=1").json["items"]) == 1
    with statements(connection) as large:
        page = admin.get("/api/v1/cadres?per_page=500").json["items"]
    assert len(page) >= 43
    print(f"statements: a page of one {len(small)}, of {len(page)} {len(large)}")
    # the account, the count, the page, its load, its units' names
    assert 2 <= len(small) == len(large) <= 7, large
