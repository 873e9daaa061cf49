"""Heart-link contact cards (连心卡): who a household turns to, printed with a QR code of the
card's own address (doc 003 lines 110–114)."""

import base64
import io

import segno
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from service import scope
from service.assignments.models import VillageAssignment
from service.cadres.models import Cadre
from service.context import Context
from service.exceptions import NotFound
from service.households.models import Household
from service.messages import _
from service.pairings.models import Pairing
from service.places.models import Township, Village
from service.reports.rules import mask_name
from service.units.models import Unit

CARD_PATH = "/api/v1/public/contact-cards/"


def card_url(base_url: str, card_code: str) -> str:
    """The address a card's QR code carries."""
    return base_url.rstrip("/") + CARD_PATH + card_code


def qr_png(url: str) -> bytes:
    """A QR code (error correction M) as PNG, big enough to print and scan."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=6, border=4)
    return out.getvalue()


def _number_in_village():
    """The household's number in its village: its place by id (registration order) among the
    village's households. Printed beside the masked head, it tells apart two cards that would
    otherwise read alike (张* and 张* of one cadre) and reveals nothing about either."""
    other = aliased(Household)
    return (select(func.count()).where(other.village_id == Household.village_id,
                                       other.id <= Household.id)
            .correlate(Household).scalar_subquery())


def printed_code(code: str) -> str:
    """The card code in groups of four, as printed for typing into the field client."""
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))


def _cards(session, condition) -> list[dict]:
    """Card content of the households matching `condition`, without personal data."""
    rows = session.execute(
        select(Household.card_code, Household.head_name, Household.village_id, Village.name,
               Township.name, _number_in_village(), Cadre.name, Cadre.phone, Unit.name,
               Pairing.started_on)
        .join(Village, Village.id == Household.village_id)
        .join(Township, Township.id == Village.township_id)
        .outerjoin(Pairing, (Pairing.household_id == Household.id) & Pairing.ended_on.is_(None))
        .outerjoin(Cadre, Cadre.id == Pairing.cadre_id)
        .outerjoin(Unit, Unit.id == Cadre.unit_id)
        .where(condition).order_by(Household.id)).all()
    # The team leader: the head of the unit holding the village now.
    leader = Cadre.__table__.alias("leader")
    leaders = {v: (unit, name) for v, unit, name in session.execute(
        select(VillageAssignment.village_id, Unit.name, leader.c.name)
        .join(Unit, Unit.id == VillageAssignment.unit_id)
        .outerjoin(leader, leader.c.id == Unit.head_cadre_id)
        .where(VillageAssignment.village_id.in_({r.village_id for r in rows}),
               VillageAssignment.ended_on.is_(None)))} if rows else {}
    out = []
    for (code, head, village_id, village, township, number, cadre, phone, unit, since) in rows:
        holding_unit, team_leader = leaders.get(village_id, (None, None))
        out.append({
            "card_code": code, "township": township, "village": village,
            "household": mask_name(head), "household_no": number,
            "cadre": None if cadre is None else {"name": cadre, "unit": unit, "phone": phone,
                                                 "since": since.isoformat()},
            "holding_unit": holding_unit, "team_leader": team_leader})
    return out


def card(ctx: Context, card_code: str) -> dict:
    """One household's card by its code; an unknown code says nothing more than that."""
    code = card_code.strip().upper()
    found = _cards(ctx.session, Household.card_code == code) if code.isalnum() else []
    if not found:
        # The problem's `instance` names the route, not the code tried: nothing is echoed.
        raise NotFound(_("No such card."), instance=CARD_PATH + "{card_code}")
    return found[0]


def village_cards(ctx: Context, village_id: int) -> list[dict]:
    """Cards of every household in a village the caller acts for (404 otherwise) that has a
    cadre now, for printing."""
    scope.find(ctx.session, ctx.caller, Village, village_id, _("village"), manage=True)
    return [c for c in _cards(ctx.session, Household.village_id == village_id) if c["cadre"]]


def with_qr(card_: dict, base_url: str) -> dict:
    """The card with its URL and the QR code as a PNG data URI (the page prints offline)."""
    url = card_url(base_url, card_["card_code"])
    png = base64.b64encode(qr_png(url)).decode("ascii")
    return {**card_, "url": url, "qr_png": f"data:image/png;base64,{png}"}
