"""Pairing plan payloads (SPEC §14)."""

from marshmallow import fields, validate

from service.api import Flag, Id, ListQuery, Sort, StrictSchema, envelope
from service.cadres.rules import RANKS
from service.households.rules import DIFFICULTIES, NEEDS
from service.labels.table import LABELS
from service.planner.rules import REASONS


class PlanIn(StrictSchema):
    unit_id = Id(metadata={"description": "Households in the villages this unit holds (a unit "
                                          "admin's plans are always its own unit's)"})
    township_id = Id()
    village_id = Id()


class PlanScope(StrictSchema):
    """What the plan was made for (none: the whole county), each id with its name."""

    unit_id = fields.Integer()
    unit_name = fields.String()
    township_id = fields.Integer()
    township_name = fields.String()
    village_id = fields.Integer()
    village_name = fields.String()


class Why(StrictSchema):
    rank = fields.String(required=True, validate=validate.OneOf(RANKS))
    difficulty = fields.String(required=True, validate=validate.OneOf(DIFFICULTIES),
                               metadata={"description": "R4: the rank's difficulty"})
    needs_met = fields.List(fields.String(validate=validate.OneOf(NEEDS)), required=True,
                            metadata={"description": "The household's needs the cadre's "
                                                     "skills meet"})


class PlannedPairing(StrictSchema):
    cadre_id = fields.Integer(required=True)
    cadre_name = fields.String(required=True, allow_none=True)
    unit_id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "The cadre's unit"})
    unit_name = fields.String(required=True, allow_none=True)
    household_id = fields.Integer(required=True)
    household_head_name = fields.String(required=True, allow_none=True)
    village_id = fields.Integer(required=True)
    village_name = fields.String(required=True, allow_none=True)
    why = fields.Nested(Why, required=True)


class Uncovered(StrictSchema):
    household_id = fields.Integer(required=True)
    household_head_name = fields.String(required=True, allow_none=True)
    village_name = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True, validate=validate.OneOf(REASONS), metadata={
        "description": "; ".join(f"{k}: {v}" for k, v in LABELS["uncovered_reason"].items())
        + " (GET /api/v1/labels: uncovered_reason)"})


class Totals(StrictSchema):
    households = fields.Integer(required=True, metadata={"description": "Without a cadre"})
    covered = fields.Integer(required=True)
    uncovered = fields.Integer(required=True)
    needs_met = fields.Integer(required=True)
    cadres = fields.Integer(required=True, metadata={"description": "Cadres given households"})
    cadres_in_one_village = fields.Integer(required=True, metadata={
        "description": "Cadres given households whose households, held and planned, all lie "
                       "in one village (the planner's third aim: as few others as can be)"})
    optimal = fields.Boolean(required=True, metadata={
        "description": "Whether every aim is proven best. False when the search for the fewest "
                       "cadres split across villages ran out of its time (PLANNER_SECONDS) "
                       "first: the plan keeps the best it found; households covered and needs "
                       "met are the most possible either way"})


class PlanOut(StrictSchema):
    id = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    applied_at = fields.DateTime(required=True, allow_none=True)
    scope = fields.Nested(PlanScope, required=True)
    pairings = fields.List(fields.Nested(PlannedPairing), required=True)
    uncovered = fields.List(fields.Nested(Uncovered), required=True)
    totals = fields.Nested(Totals, required=True)


class PlanQuery(ListQuery):
    sort = Sort("created_at", "applied_at", "id")
    unit_id = Id(metadata={"description": "Plans made for this unit (a unit admin's own)"})
    applied = Flag(metadata={"description": "true: applied plans; false: not yet applied"})


class PlanSummary(StrictSchema):
    """A plan as a list shows it: when, for what, how it came out; not its pairings."""

    id = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    applied_at = fields.DateTime(required=True, allow_none=True)
    scope = fields.Nested(PlanScope, required=True)
    totals = fields.Nested(Totals, required=True)


PlanPage = envelope(PlanSummary, "PlanPage")
