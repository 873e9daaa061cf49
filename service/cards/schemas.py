"""Contact card payloads."""

from marshmallow import fields, validate

from service.api import StrictSchema


class CardFormat(StrictSchema):
    class Meta:
        unknown = "exclude"

    format = fields.String(validate=validate.OneOf(("json", "html")), metadata={
        "description": "json or html; without it a browser (Accept: text/html) gets the page"})


class CardCadre(StrictSchema):
    name = fields.String(required=True)
    unit = fields.String(required=True, allow_none=True)
    phone = fields.String(required=True, allow_none=True, metadata={
        "description": "The cadre's work phone"})
    since = fields.String(required=True)


class CardOut(StrictSchema):
    card_code = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "What the QR code carries"})
    township = fields.String(required=True)
    village = fields.String(required=True)
    household = fields.String(required=True, metadata={"description": "Masked head name"})
    household_no = fields.Integer(required=True, metadata={
        "description": "The household's number in its village (by registration order), "
                       "printed beside the masked name so that two cards never read alike"})
    cadre = fields.Nested(CardCadre, required=True, allow_none=True)
    holding_unit = fields.String(required=True, allow_none=True)
    team_leader = fields.String(required=True, allow_none=True)
    supervision_phone = fields.String(required=True)


class VillageCards(StrictSchema):
    village_id = fields.Integer(required=True)
    cards = fields.List(fields.Nested(CardOut), required=True)
