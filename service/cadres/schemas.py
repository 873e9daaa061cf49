"""Cadre payloads."""

from marshmallow import fields, validate

from service.api import Id, ListArgs, Name, Pattern, Sort, StrictSchema, envelope
from service.cadres import rules
from service.cadres.rules import RANKS
from service.households.rules import DIFFICULTIES
from service.messages import _

WORK_PHONE = Pattern(rules.WORK_PHONE,
                     error=_("must be a mobile number or a landline with area code"))
SKILLS = fields.List(Name(max_length=rules.SKILL_MAX),
                     validate=validate.Length(max=rules.SKILLS_MAX))


class CadreIn(StrictSchema):
    name = Name(required=True)
    unit_id = Id(required=True)
    rank = fields.String(required=True, validate=validate.OneOf(RANKS))
    phone = fields.String(allow_none=True, validate=WORK_PHONE)
    skills = SKILLS


class CadrePatch(StrictSchema):
    name = Name()
    unit_id = Id()
    rank = fields.String(validate=validate.OneOf(RANKS))
    phone = fields.String(allow_none=True, validate=WORK_PHONE)
    skills = SKILLS


class CadreOut(StrictSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    unit_id = fields.Integer(required=True)
    unit_name = fields.String(required=True)
    rank = fields.String(required=True, validate=validate.OneOf(RANKS))
    phone = fields.String(allow_none=True, required=True)
    skills = fields.List(fields.String(), required=True)
    household_quota = fields.Integer(required=True, metadata={"description": "Derived from rank"})
    active_households = fields.Integer(required=True, metadata={
        "description": "Households the cadre links now (active pairings)"})
    free_places = fields.Integer(required=True, metadata={
        "description": "How many more households the cadre may take (R1)"})
    matching_difficulty = fields.String(required=True, validate=validate.OneOf(DIFFICULTIES),
                                        metadata={"description": "R4: the difficulty of the "
                                                  "households this cadre's rank links"})


class CadreQuery(ListArgs):
    unit_id = Id()
    rank = fields.String(validate=validate.OneOf(RANKS))
    q = fields.String(validate=validate.Length(max=50),
                      metadata={"description": "Name or phone contains"})
    sort = Sort("name", "unit_id", "unit_name", "rank", "id")


CadrePage = envelope(CadreOut, "CadrePage")
