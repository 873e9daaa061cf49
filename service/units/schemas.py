"""Unit payloads."""

from marshmallow import fields, validate

from service.api import Id, ListQuery, Name, Sort, StrictSchema, envelope


class UnitIn(StrictSchema):
    name = Name(max_length=100, required=True)


class UnitPatch(StrictSchema):
    name = Name(max_length=100)
    head_cadre_id = Id(allow_none=True,
                       metadata={"description": "A cadre of this unit: 一把手/组长"})


class UnitOut(StrictSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    head_cadre_id = fields.Integer(allow_none=True, required=True)


class UnitQuery(ListQuery):
    sort = Sort("name", "id")
    q = fields.String(validate=validate.Length(max=100), metadata={"description": "Name contains"})
    village_id = Id(metadata={"description": "The unit holding this village now"})


UnitPage = envelope(UnitOut, "UnitPage")
