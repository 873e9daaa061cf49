"""Publishing when many county clerks press the button at once: real commits, real threads.

The county has one chain of publications: however they race, publications of different villages
take the places 1..N with no gap and no fork, each linked to the one before; publications of the
same village and month land exactly once.

Dates: the racers publish the last complete month of the suite's clock (NOW, tests/clock.py),
so the tests pass whatever NOW is.
"""

import hashlib
import json
from collections import Counter
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from service.disclosures.models import Disclosure
from tests import factories
from tests.clock import CLOCK
from tests.integration.racing import admin_token, race

RACERS = 24
CST = ZoneInfo("Asia/Shanghai")


def _last_month() -> str:
    first: date = CLOCK.local().date().replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


def _sha256(document: dict) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode("utf-8")).hexdigest()


def _county(session, villages: int):
    """A township of `villages` villages, each held by a unit with one paired cadre."""
    township = factories.township(session)
    out = []
    for _ in range(villages):
        unit, village = factories.unit(session), factories.village(session, township)
        factories.assign(session, unit, village)
        cadre = factories.cadre(session, unit)
        factories.pair(session, cadre, factories.household(session, village))
        out.append(village)
    session.commit()
    return out


def _assert_one_unbroken_chain(app, session, length: int) -> list[Disclosure]:
    """Places 1..length, each linked to the one before, every hash right, /verify valid."""
    session.expire_all()
    rows = session.scalars(select(Disclosure).order_by(Disclosure.seq)).all()
    assert [r.seq for r in rows] == list(range(1, length + 1))
    previous = None
    for row in rows:
        document = json.loads(row.document)
        assert row.previous_sha256 == document["previous_sha256"] == previous, row.seq
        assert row.sha256 == _sha256(document)
        previous = row.sha256
    verdict = app.test_client().get(f"/api/v1/disclosures/{rows[-1].id}/verify").json
    assert verdict == {"id": rows[-1].id, "valid": True, "checked": length,
                       "sha256": rows[-1].sha256, "broken_at": None}
    return rows


def test_racing_publications_of_different_villages_form_one_unbroken_chain(app, committed):
    s = committed
    villages = _county(s, RACERS)
    token = admin_token(app, s)
    month = _last_month()

    results = race(app, token, [("/api/v1/disclosures", {"village_id": v.id, "month": month})
                                 for v in villages])

    # Whatever the race did, nothing forked, doubled or left a gap.
    assert all(status in (201, 409) for status, _, _ in results), [r[:2] for r in results]
    landed = [body for status, _, body in results if status == 201]
    assert landed
    rows = _assert_one_unbroken_chain(app, s, len(landed))
    # What each racer was told is what was stored.
    assert {r.id: (r.village_id, r.seq, r.sha256, r.previous_sha256) for r in rows} == {
        b["id"]: (b["village_id"], b["seq"], b["sha256"], b["previous_sha256"]) for b in landed}
    # A village refused in the race is published when asked again, at the end of the chain.
    client = app.test_client()
    for village, (status, _, _) in zip(villages, results, strict=True):
        if status != 201:
            again = client.post("/api/v1/disclosures",
                                json={"village_id": village.id, "month": month},
                                headers={"Authorization": f"Bearer {token}"})
            assert again.status_code == 201, again.json
    rows = _assert_one_unbroken_chain(app, s, RACERS)
    assert sorted(r.village_id for r in rows) == sorted(v.id for v in villages)


def test_every_racing_publication_of_different_villages_lands(app, committed):
    s = committed
    villages = _county(s, RACERS)
    token = admin_token(app, s)
    month = _last_month()

    results = race(app, token, [("/api/v1/disclosures", {"village_id": v.id, "month": month})
                                 for v in villages])

    assert Counter((status, code) for status, code, _ in results) == {(201, None): RACERS}, [
        r[:2] for r in results]
    rows = _assert_one_unbroken_chain(app, s, RACERS)
    assert sorted(r.village_id for r in rows) == sorted(v.id for v in villages)


def test_racing_publications_of_one_village_and_month_land_once(app, committed):
    s = committed
    (village,) = _county(s, 1)
    token = admin_token(app, s)
    body = {"village_id": village.id, "month": _last_month()}

    results = race(app, token, [("/api/v1/disclosures", body)] * RACERS)

    assert Counter((status, code) for status, code, _ in results) == {
        (201, None): 1, (409, "already_published"): RACERS - 1}, [r[:2] for r in results]
    rows = s.scalars(select(Disclosure)).all()
    assert [(r.village_id, r.revision, r.seq, r.previous_sha256) for r in rows] == [
        (village.id, 1, 1, None)]
    (winner,) = [b for status, _, b in results if status == 201]
    assert winner["id"] == rows[0].id and winner["sha256"] == rows[0].sha256


def test_racing_corrections_of_one_publication_add_one_revision_each_without_forking(
        app, committed):
    """Corrections racing each other: each one that lands takes the next revision and the next
    place in the chain; none forks the chain or doubles a revision."""
    s = committed
    (village,) = _county(s, 1)
    token = admin_token(app, s)
    month = _last_month()
    first = app.test_client().post("/api/v1/disclosures", json={
        "village_id": village.id, "month": month},
        headers={"Authorization": f"Bearer {token}"})
    assert first.status_code == 201, first.json

    results = race(app, token, [("/api/v1/disclosures", {
        "village_id": village.id, "month": month, "correction_reason": f"更正{i}"})
        for i in range(RACERS)])

    assert all((status, code) in ((201, None), (409, "already_published"))
               for status, code, _ in results), [r[:2] for r in results]
    landed = sum(1 for status, _, _ in results if status == 201)
    assert landed >= 1
    rows = s.scalars(select(Disclosure).order_by(Disclosure.seq)).all()
    assert [r.seq for r in rows] == list(range(1, landed + 2))
    assert [r.revision for r in rows] == list(range(1, landed + 2))
    previous = None
    for row in rows:
        assert row.previous_sha256 == previous
        previous = row.sha256
    verdict = app.test_client().get(f"/api/v1/disclosures/{rows[-1].id}/verify").json
    assert verdict["valid"] is True and verdict["checked"] == landed + 1
