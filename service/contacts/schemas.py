"""Party organisation and contact point (联系点) payloads."""

from marshmallow import fields, validate

from service.api import Boolean, Day, Flag, Id, ListQuery, Name, Sort, StrictSchema, envelope
from service.cadres.rules import RANKS
from service.contacts.rules import ORGANIZATION_KINDS

KIND = validate.OneOf(ORGANIZATION_KINDS)


class OrganizationIn(StrictSchema):
    name = Name(max_length=100, required=True)
    kind = fields.String(required=True, validate=KIND)
    weak = Boolean(load_default=False, metadata={"description": "较差支部"})
    village_id = Id(allow_none=True)


class OrganizationPatch(StrictSchema):
    name = Name(max_length=100)
    kind = fields.String(validate=KIND)
    weak = Boolean()
    village_id = Id(allow_none=True)


class OrganizationOut(StrictSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=KIND)
    weak = fields.Boolean(required=True)
    village_id = fields.Integer(allow_none=True, required=True)


class OrganizationQuery(ListQuery):
    sort = Sort("name", "kind", "village_id", "id")
    kind = fields.String(validate=KIND)
    weak = Flag()
    village_id = Id()
    q = fields.String(validate=validate.Length(max=100),
                      metadata={"description": "Name contains"})


class ContactPointIn(StrictSchema):
    cadre_id = Id(required=True)
    organization_id = Id(required=True)
    started_on = Day(metadata={"description": "Default: today in the county"})


class ContactPointEnd(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))
    ended_on = Day(metadata={"description": "Default: today in the county"})


class ContactPointOut(StrictSchema):
    id = fields.Integer(required=True)
    cadre_id = fields.Integer(required=True)
    cadre_name = fields.String(required=True)
    cadre_rank = fields.String(required=True, validate=validate.OneOf(RANKS))
    unit_id = fields.Integer(required=True)
    organization_id = fields.Integer(required=True)
    organization_name = fields.String(required=True)
    kind = fields.String(required=True, validate=KIND)
    weak = fields.Boolean(required=True)
    started_on = fields.Date(required=True)
    ended_on = fields.Date(allow_none=True, required=True)
    end_reason = fields.String(allow_none=True, required=True)
    active = fields.Boolean(required=True)


class ContactPointQuery(ListQuery):
    sort = Sort("started_on", "ended_on", "cadre_id", "organization_id", "id")
    cadre_id = Id()
    organization_id = Id()
    unit_id = Id()
    kind = fields.String(validate=KIND)
    active = Flag()


OrganizationPage = envelope(OrganizationOut, "OrganizationPage")
ContactPointPage = envelope(ContactPointOut, "ContactPointPage")
