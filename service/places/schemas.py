"""Township and village payloads."""

from marshmallow import fields, validate

from service.api import Id, ListQuery, Name, Pattern, Sort, StrictSchema, envelope
from service.messages import _

TOWNSHIP_CODE = Pattern(r"^[0-9]{9}$", error=_("must be the 9-digit township division code"))
VILLAGE_CODE = Pattern(r"^[0-9]{12}$", error=_("must be the 12-digit village division code"))


class TownshipIn(StrictSchema):
    code = fields.String(required=True, validate=TOWNSHIP_CODE)
    name = Name(required=True)


class TownshipPatch(StrictSchema):
    code = fields.String(validate=TOWNSHIP_CODE)
    name = Name()


class TownshipOut(StrictSchema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)


class TownshipQuery(ListQuery):
    sort = Sort("name", "code", "id")
    q = fields.String(validate=validate.Length(max=50), metadata={"description": "Name contains"})


class VillageIn(StrictSchema):
    code = fields.String(required=True, validate=VILLAGE_CODE)
    name = Name(required=True)
    township_id = Id(required=True)
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))


class VillagePatch(StrictSchema):
    code = fields.String(validate=VILLAGE_CODE)
    name = Name()
    township_id = Id()
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))


class VillageOut(StrictSchema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    township_id = fields.Integer(required=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)


class VillageQuery(ListQuery):
    sort = Sort("name", "code", "township_id", "id")
    township_id = Id()
    unit_id = Id(metadata={"description": "Villages this unit holds now"})
    q = fields.String(validate=validate.Length(max=50), metadata={"description": "Name contains"})


TownshipPage = envelope(TownshipOut, "TownshipPage")
VillagePage = envelope(VillageOut, "VillagePage")
