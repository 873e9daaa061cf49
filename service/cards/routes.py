"""HTTP for heart-link contact cards: the public card behind each QR code, and a village's
cards as one page to print."""

from flask import Response, current_app, render_template, request
from flask.views import MethodView

from service import ratelimit
from service.api import HTML, Blueprint, formats
from service.auth import public, require
from service.cards import schemas as s
from service.cards import services
from service.cards.rules import TooManyLookups
from service.messages import _
from service.web import context, settings

blp = Blueprint("cards", __name__, url_prefix="/api/v1", template_folder="templates",
                description="连心卡: heart-link contact cards with a QR code")


def _base_url() -> str:
    """The address printed in QR codes: the configured one only. The request's Host is the
    client's to choose, and a card printed from a forged Host would send villagers elsewhere
    (SPEC §13); the configuration always provides it."""
    return current_app.config["PUBLIC_BASE_URL"]


def _wants_html(args) -> bool:
    if "format" in args:
        return args["format"] == "html"
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def _page(cards: list[dict]) -> Response:
    return Response(render_template("cards.html", cards=cards,
                                    supervision_phone=current_app.config["SUPERVISION_PHONE"],
                                    printed_code=services.printed_code),
                    content_type=HTML)


def _shown(card: dict) -> dict:
    return {k: v for k, v in card.items() if k != "qr_png"} | {
        "supervision_phone": current_app.config["SUPERVISION_PHONE"]}


@blp.route("/public/contact-cards/<string(maxlength=64):card_code>")
class ContactCard(MethodView):
    @public
    @blp.arguments(s.CardFormat, location="query")
    @blp.response(200, s.CardOut)
    @blp.doc(responses={**formats(s.CardOut, "html"), "429": "TOO_MANY_REQUESTS"})
    def get(self, args, card_code):
        """The card behind a QR code: village, masked household head, its cadre and the
        supervision phone (JSON, or a printable card)."""
        rule, key = current_app.config["CONTACT_CARD_RATE_LIMIT"], request.remote_addr or "-"
        storage = settings().ratelimit_storage_uri
        if not ratelimit.allowed(storage, rule, "card-lookup", key):
            raise TooManyLookups(_("Too many card lookups from this address; try again later."),
                                 instance=services.CARD_PATH + "{card_code}")
        ratelimit.count(storage, rule, "card-lookup", key)
        card = services.with_qr(services.card(context(), card_code), _base_url())
        return _page([card]) if _wants_html(args) else _shown(card)


@blp.route("/villages/<id:village_id>/contact-cards")
class VillageContactCards(MethodView):
    @require("county_admin", "unit_admin")
    @blp.arguments(s.CardFormat, location="query")
    @blp.response(200, s.VillageCards)
    @blp.doc(responses=formats(s.VillageCards, "html"))
    def get(self, args, village_id):
        """Every card of a village on one page to print (households with a cadre now)."""
        cards = [services.with_qr(c, _base_url())
                 for c in services.village_cards(context(), village_id)]
        if _wants_html(args):
            return _page(cards)
        return {"village_id": village_id, "cards": [_shown(c) for c in cards]}
