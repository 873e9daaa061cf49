"""两个全覆盖 — coverage report payloads: each row with the names a table shows next to its ids
(SPEC §15)."""

from marshmallow import fields, validate

from service.api import Id, StrictSchema, WholeNumber


class CoverageQuery(StrictSchema):
    class Meta:
        unknown = "exclude"

    unit_id = Id()
    village_id = Id()
    township_id = Id()
    limit = WholeNumber(load_default=100, validate=validate.Range(min=0, max=1000),
                           metadata={"description": "Items listed per section (counts are full)"})


def _section(name: str, item: dict) -> fields.Nested:
    schema = type(name, (StrictSchema,), dict(item))  # marshmallow consumes the dict
    section = type(name + "Section", (StrictSchema,), {
        "count": fields.Integer(required=True),
        "items": fields.List(fields.Nested(schema), required=True),
    })
    return fields.Nested(section, required=True)


_CADRE = {"id": fields.Integer(required=True), "name": fields.String(required=True),
          "unit_id": fields.Integer(required=True), "unit_name": fields.String(required=True),
          "rank": fields.String(required=True),
          "active": fields.Integer(required=True), "quota": fields.Integer(required=True)}


class CoverageOut(StrictSchema):
    summary = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    cadres_without_pairing = _section("CadreGap", _CADRE)
    cadres_below_quota = _section("CadreBelowQuota", _CADRE)
    households_with_needs_without_cadre = _section("HouseholdGap", {
        "id": fields.Integer(required=True), "head_name": fields.String(required=True),
        "village_id": fields.Integer(required=True), "village_name": fields.String(required=True),
        "township_id": fields.Integer(required=True),
        "township_name": fields.String(required=True),
        "difficulty": fields.String(required=True),
        "needs": fields.List(fields.String(), required=True)})
    villages_without_unit = _section("VillageGap", {
        "id": fields.Integer(required=True), "code": fields.String(required=True),
        "name": fields.String(required=True), "township_id": fields.Integer(required=True),
        "township_name": fields.String(required=True)})
    units_without_head = _section("UnitGap", {
        "id": fields.Integer(required=True), "name": fields.String(required=True)})
    leaders_missing_contact_points = _section("LeaderGap", {
        "id": fields.Integer(required=True), "name": fields.String(required=True),
        "unit_id": fields.Integer(required=True), "unit_name": fields.String(required=True),
        "rank": fields.String(required=True),
        "missing": fields.List(fields.String(), required=True)})
    difficulty_overrides = _section("OverrideInForce", {
        "pairing_id": fields.Integer(required=True), "cadre_id": fields.Integer(required=True),
        "cadre_name": fields.String(required=True), "cadre_rank": fields.String(required=True),
        "household_id": fields.Integer(required=True),
        "household_head_name": fields.String(required=True),
        "village_id": fields.Integer(required=True), "village_name": fields.String(required=True),
        "difficulty": fields.String(required=True),
        "override_reason": fields.String(required=True),
        "started_on": fields.Date(required=True)})
