"""Household payloads, with the resident-ID and phone checks."""

from marshmallow import ValidationError, fields, validate, validates

from service.api import (
    Id,
    ListArgs,
    Name,
    Pattern,
    Sort,
    StrictSchema,
    WholeNumber,
    county_today,
    envelope,
)
from service.households.rules import (
    DIFFICULTIES,
    HEAD_NAME_MAX,
    ID_SHAPE,
    INCOME_MAX,
    MEMBERS_MAX,
    MEMBERS_MIN,
    MOBILE,
    NEEDS,
    id_number_problem,
)
from service.messages import _


class IdNumber(fields.String):
    """18-character resident ID (GB 11643): check digit and a real birth date; a final x is
    stored as X."""

    def __init__(self, **kwargs):
        super().__init__(validate=Pattern(
            ID_SHAPE, error=_("must be 17 digits followed by a digit or X")), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).upper()
        problem = id_number_problem(value, county_today())
        if problem:
            raise ValidationError(problem)
        return value


PHONE = Pattern(MOBILE, error=_("must be an 11-digit mainland mobile number"))
MEMBERS = validate.Range(min=MEMBERS_MIN, max=MEMBERS_MAX)
INCOME = validate.Range(min=0, max=INCOME_MAX)
NEEDS_FIELD = fields.List(fields.String(validate=validate.OneOf(NEEDS)),
                          validate=validate.Length(max=len(NEEDS)),
                          metadata={"uniqueItems": True})


class _NeedsUnique:
    @validates("needs")
    def _unique(self, value, **kwargs):
        if len(set(value)) != len(value):
            raise ValidationError(_("each need may appear once"))


class HouseholdIn(_NeedsUnique, StrictSchema):
    village_id = Id(required=True)
    head_name = Name(HEAD_NAME_MAX, required=True)
    id_number = IdNumber(required=True)
    phone = fields.String(allow_none=True, validate=PHONE)
    members = WholeNumber(required=True, validate=MEMBERS)
    difficulty = fields.String(required=True, validate=validate.OneOf(DIFFICULTIES))
    needs = NEEDS_FIELD
    income_per_capita = fields.Decimal(places=2, allow_none=True, validate=INCOME,
                                       metadata={"description": "yuan per person per year"})


class HouseholdPatch(_NeedsUnique, StrictSchema):
    village_id = Id()
    head_name = Name(HEAD_NAME_MAX)
    id_number = IdNumber()
    phone = fields.String(allow_none=True, validate=PHONE)
    members = WholeNumber(validate=MEMBERS)
    difficulty = fields.String(validate=validate.OneOf(DIFFICULTIES))
    needs = NEEDS_FIELD
    income_per_capita = fields.Decimal(places=2, allow_none=True, validate=INCOME)


class HouseholdOut(StrictSchema):
    id = fields.Integer(required=True)
    village_id = fields.Integer(required=True)
    village_name = fields.String(required=True)
    township_id = fields.Integer(required=True)
    township_name = fields.String(required=True)
    head_name = fields.String(required=True)
    id_number = fields.String(required=True,
                              metadata={"description": "Masked unless your role needs it"})
    phone = fields.String(allow_none=True, required=True)
    members = WholeNumber(required=True)
    difficulty = fields.String(required=True, validate=validate.OneOf(DIFFICULTIES))
    needs = fields.List(fields.String(validate=validate.OneOf(NEEDS)), required=True)
    income_per_capita = fields.Float(allow_none=True, required=True,
                                     metadata={"description": "null when your role may not see it"})
    card_code = fields.String(allow_none=True, required=True,
                              metadata={"description": "Only county admins, who print the cards"})
    cadre_id = fields.Integer(required=True, allow_none=True,
                              metadata={"description": "The cadre of its active pairing"})
    cadre_name = fields.String(required=True, allow_none=True)
    masked = fields.List(fields.String(), required=True,
                         metadata={"description": "Fields hidden or masked for your role"})


class HouseholdQuery(ListArgs):
    sort = Sort("head_name", "village_id", "village_name", "difficulty", "members",
                "created_at", "updated_at", "id")
    township_id = Id()
    village_id = Id()
    unit_id = Id(metadata={"description": "Households in villages this unit holds"})
    difficulty = fields.String(validate=validate.OneOf(DIFFICULTIES))
    need = fields.String(validate=validate.OneOf(NEEDS))
    q = fields.String(validate=validate.Length(min=1, max=50), metadata={
        "description": "The head's name contains it; or, for roles that read them unmasked, "
                       "the ID number or the phone contains it (at least 4 digits, an ID "
                       "number's last may be X)"})


HouseholdPage = envelope(HouseholdOut, "HouseholdPage")
