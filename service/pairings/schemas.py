"""Pairing (联户) and handover payloads."""

from marshmallow import fields, validate

from service.api import MONTH, Day, Flag, Id, ListArgs, Sort, StrictSchema, envelope
from service.cadres.rules import RANKS
from service.households.rules import DIFFICULTIES

REASON = validate.Length(min=1, max=200)


class PairingIn(StrictSchema):
    cadre_id = Id(required=True)
    household_id = Id(required=True)
    started_on = Day(metadata={"description": "Default: today in the county"})
    override_reason = fields.String(
        validate=validate.Length(min=1, max=500),
        metadata={"description": "County admin only: why R4 difficulty matching is waived"})


class PairingEnd(StrictSchema):
    reason = fields.String(required=True, validate=REASON)
    ended_on = Day(metadata={"description": "Default: today in the county"})


class PairingOut(StrictSchema):
    id = fields.Integer(required=True)
    cadre_id = fields.Integer(required=True)
    cadre_name = fields.String(required=True)
    cadre_rank = fields.String(required=True, validate=validate.OneOf(RANKS))
    unit_id = fields.Integer(required=True)
    unit_name = fields.String(required=True)
    household_id = fields.Integer(required=True)
    household_head_name = fields.String(required=True)
    village_id = fields.Integer(required=True)
    village_name = fields.String(required=True)
    difficulty = fields.String(required=True, validate=validate.OneOf(DIFFICULTIES))
    started_on = fields.Date(required=True)
    ended_on = fields.Date(allow_none=True, required=True)
    end_reason = fields.String(allow_none=True, required=True)
    override_reason = fields.String(allow_none=True, required=True)
    active = fields.Boolean(required=True)


class PairingQuery(ListArgs):
    sort = Sort("started_on", "ended_on", "cadre_name", "unit_name", "household_head_name",
                "village_name", "id")
    cadre_id = Id()
    household_id = Id()
    unit_id = Id()
    village_id = Id()
    active = Flag()
    overridden = Flag(metadata={"description": "Only pairings with an R4 override"})
    month = fields.String(validate=MONTH,
                          metadata={"description": "Pairings active at any time in YYYY-MM"})


class HandoverIn(StrictSchema):
    to_cadre_id = Id(required=True)
    reason = fields.String(required=True, validate=REASON)
    override_reason = fields.String(
        validate=validate.Length(min=1, max=500),
        metadata={"description": "County admin only: waive R4 for the receiving cadre"})


class HandoverOut(StrictSchema):
    from_cadre_id = fields.Integer(required=True)
    to_cadre_id = fields.Integer(required=True)
    ended = fields.List(fields.Integer(), required=True, metadata={"description": "Old pairings"})
    moved = fields.List(fields.Nested(PairingOut), required=True)


PairingPage = envelope(PairingOut, "PairingPage")
