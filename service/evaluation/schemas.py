"""Evaluation payloads."""

from marshmallow import fields, validate

from service.api import Id, PageArgs, StrictSchema


class EvaluationQuery(PageArgs):
    year = fields.Integer(required=True, strict=False,
                          validate=validate.Range(min=2000, max=2999))
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")),
                           metadata={"description": "json: a page in rank order; csv: every "
                                                    "cadre the filters keep"})
    unit_id = Id(metadata={"description": "Only this unit's cadres (ranks stay the county's); "
                                          "a unit admin's are its own unit's, another is 403"})
    township_id = Id(metadata={"description": "Only cadres whose households are in this "
                                              "township (that of their latest pairing)"})


def _rate(**kw):
    return fields.Float(required=True, allow_none=True, **kw)


class TaskPart(StrictSchema):
    total, finished = fields.Integer(required=True), fields.Integer(required=True)
    completion = _rate()


class DemandPart(StrictSchema):
    total, resolved = fields.Integer(required=True), fields.Integer(required=True)
    resolution_rate, median_days = _rate(), _rate()


class InspectionPart(StrictSchema):
    checks = fields.Integer(required=True)
    knowledge_rate, satisfaction_rate, card_rate, visit_confirmed_rate = (
        _rate(), _rate(), _rate(), _rate())


class Bunched(StrictSchema):
    before_inspection = fields.Integer(required=True)
    at_month_end = fields.Integer(required=True)
    share = fields.Float(required=True)
    found = fields.Boolean(required=True)


class DemandLed(StrictSchema):
    after_demand = fields.Integer(required=True)
    share = fields.Float(required=True)
    found = fields.Boolean(required=True)


class LongGaps(StrictSchema):
    longest_gap_days = fields.Integer(required=True)
    found = fields.Boolean(required=True)


class Patterns(StrictSchema):
    bunched = fields.Nested(Bunched, required=True, metadata={
        "description": "Visits bunched before inspections or at month end (only when pushed)"})
    demand_led = fields.Nested(DemandLed, required=True, metadata={
        "description": "Visits that only follow the household coming to ask"})
    long_gaps = fields.Nested(LongGaps, required=True)


class Part(StrictSchema):
    value = fields.Float(required=True, allow_none=True)
    weight = fields.Float(required=True)
    points = fields.Float(required=True, allow_none=True)


class Parts(StrictSchema):
    visits, tasks, demands, inspections, patterns = (
        fields.Nested(Part, required=True), fields.Nested(Part, required=True),
        fields.Nested(Part, required=True), fields.Nested(Part, required=True),
        fields.Nested(Part, required=True))


class CadreEvaluation(StrictSchema):
    cadre_id = fields.Integer(required=True)
    cadre = fields.String(required=True)
    unit_id = fields.Integer(required=True, allow_none=True)
    unit = fields.String(required=True, allow_none=True)
    months_paired = fields.Integer(required=True)
    months_with_direct_visit = fields.Integer(required=True)
    direct_visits = fields.Integer(required=True)
    tasks = fields.Nested(TaskPart, required=True)
    demands = fields.Nested(DemandPart, required=True)
    inspections = fields.Nested(InspectionPart, required=True)
    patterns = fields.Nested(Patterns, required=True)
    score = fields.Float(required=True)
    parts = fields.Nested(Parts, required=True)
    rank_in_unit = fields.Integer(required=True)
    rank_in_county = fields.Integer(required=True)


class EvaluationOut(StrictSchema):
    year = fields.Integer(required=True)
    through = fields.String(required=True, metadata={"description": "Last day counted"})
    weights = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    computed_at = fields.DateTime(required=True, metadata={
        "description": "When these figures were computed: a county's evaluation is kept and "
                       "shown again while nothing changed, or for EVALUATION_CACHE_SECONDS "
                       "(default 300) after something did"})
    total = fields.Integer(required=True, metadata={"description": "Cadres the filters keep"})
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    cadres = fields.List(fields.Nested(CadreEvaluation), required=True,
                         metadata={"description": "This page, in county rank order"})
