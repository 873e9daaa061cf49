"""Inspection payloads."""

from marshmallow import fields, validate

from service.api import (
    MONTH,
    Boolean,
    Day,
    Id,
    ListQuery,
    Sort,
    StrictSchema,
    WholeNumber,
    envelope,
)
from service.inspections.rules import SATISFACTION


class CheckIn(StrictSchema):
    household_id = Id(required=True)
    knows_cadre = Boolean(required=True, metadata={
        "description": "The household can name its cadre (知晓)"})
    has_contact_card = Boolean(required=True, metadata={
        "description": "The household shows its heart-link card (连心卡)"})
    visit_confirmed = Boolean(required=True, metadata={
        "description": "The household confirms the visits on record"})
    satisfaction = fields.String(required=True, validate=validate.OneOf(SATISFACTION))
    note = fields.String(validate=validate.Length(max=500))


class InspectionIn(StrictSchema):
    village_id = Id(required=True)
    inspected_on = Day(required=True)
    notes = fields.String(validate=validate.Length(max=5000))
    household_checks = fields.List(fields.Nested(CheckIn), required=True,
                                   validate=validate.Length(min=1, max=200))


class CheckOut(StrictSchema):
    household_id = fields.Integer(required=True)
    cadre_id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "The cadre paired with the household on the inspection day"})
    unit_id = fields.Integer(required=True, allow_none=True)
    knows_cadre = fields.Boolean(required=True)
    has_contact_card = fields.Boolean(required=True)
    visit_confirmed = fields.Boolean(required=True)
    satisfaction = fields.String(required=True)
    note = fields.String(required=True, allow_none=True)


def _rate(description: str):
    return fields.Float(required=True, allow_none=True, metadata={"description": description})


class Rates(StrictSchema):
    checks = fields.Integer(required=True)
    knowledge_rate = _rate("知晓率: households that know their cadre")
    satisfaction_rate = _rate("满意率: satisfied or basically satisfied")
    card_rate = _rate("households holding their contact card")
    visit_confirmed_rate = _rate("households confirming the visits on record")


class InspectionOut(Rates):
    id = fields.Integer(required=True)
    village_id = fields.Integer(required=True)
    inspected_on = fields.Date(required=True)
    inspector_id = fields.Integer(required=True)
    notes = fields.String(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    household_checks = fields.List(fields.Nested(CheckOut), required=True)


InspectionPage = envelope(InspectionOut, "InspectionPage")


class InspectionQuery(ListQuery):
    sort = Sort("inspected_on", "village_id", "created_at", "id")
    village_id = Id()
    unit_id = Id()
    inspector_id = Id()
    month = fields.String(validate=MONTH)


class RatesQuery(StrictSchema):
    class Meta:
        unknown = "exclude"

    month = fields.String(validate=MONTH, metadata={"description": "All months when absent"})
    by = fields.String(load_default="village", validate=validate.OneOf(("village", "unit")))


class RatesRow(Rates):
    village_id = fields.Integer()
    unit_id = fields.Integer()


class RatesOut(StrictSchema):
    by = fields.String(required=True)
    month = fields.String(required=True, allow_none=True)
    items = fields.List(fields.Nested(RatesRow), required=True)


class SampleQuery(StrictSchema):
    class Meta:
        unknown = "exclude"

    size = WholeNumber(load_default=5, validate=validate.Range(min=1, max=390))
    per_village = WholeNumber(load_default=5, validate=validate.Range(min=1, max=100))
    seed = WholeNumber(validate=validate.Range(min=0, max=2**31 - 1), metadata={
        "description": "Repeat a draw; a fresh random seed when absent"})


class SampleVillage(StrictSchema):
    village_id = fields.Integer(required=True)
    village = fields.String(required=True, allow_none=True)
    household_ids = fields.List(fields.Integer(), required=True)


class SampleOut(StrictSchema):
    seed = fields.Integer(required=True)
    size = fields.Integer(required=True)
    per_village = fields.Integer(required=True)
    villages = fields.List(fields.Nested(SampleVillage), required=True)
