"""Report payloads: the disclosure (public) and the bulletin."""

from marshmallow import fields, validate

from service.api import MONTH, Id, StrictSchema

FORMATS = ("json", "csv", "html")


class DisclosureQuery(StrictSchema):
    class Meta:
        unknown = "exclude"

    village_id = Id(required=True)
    month = fields.String(required=True, validate=MONTH, metadata={"example": "2026-10"})
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS))


class BulletinQuery(StrictSchema):
    class Meta:
        unknown = "exclude"

    month = fields.String(required=True, validate=MONTH, metadata={"example": "2026-10"})
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS[:2]))


def _s(**kw):
    return fields.String(required=True, allow_none=kw.pop("none", False), **kw)


def _n():
    return fields.Integer(required=True)


class DisclosureTask(StrictSchema):
    category, category_label, status, status_label, due_on = _s(), _s(), _s(), _s(), _s()
    closed = fields.Boolean(required=True)


class DisclosurePairing(StrictSchema):
    cadre, unit, rank, rank_label, household = _s(), _s(none=True), _s(), _s(), _s()
    difficulty, difficulty_label, paired_from = _s(), _s(), _s()
    paired_to = _s(none=True)
    difficulty_override = fields.Boolean(required=True, metadata={
        "description": "Paired across R4 difficulty matching with a county admin's approval "
                       "(经县级批准调配); the reason given is kept for staff, never published"})
    tasks = fields.List(fields.Nested(DisclosureTask), required=True)
    direct_visits, demands_opened, demands_resolved = _n(), _n(), _n()


class HoldingUnit(StrictSchema):
    unit, team_leader, to = _s(none=True), _s(none=True), _s(none=True)
    from_ = _s(data_key="from", attribute="from")


class NamedCadre(StrictSchema):
    cadre, unit = _s(), _s(none=True)


class DisclosureVillage(StrictSchema):
    id = fields.Integer(required=True)
    code, name = _s(), _s()


class DisclosureSummary(StrictSchema):
    pairings, households, direct_visits, pairings_visited = _n(), _n(), _n(), _n()
    demands_opened, demands_resolved = _n(), _n()


class DisclosureOut(StrictSchema):
    """每月公示: who contacts whom in a village and what was done that month."""

    title, county, township, month, supervision_phone, generated_at = (
        _s(), _s(), _s(), _s(), _s(), _s())
    complete = fields.Boolean(required=True, metadata={"description": "The month has ended"})
    village = fields.Nested(DisclosureVillage, required=True)
    holding_units = fields.List(fields.Nested(HoldingUnit), required=True)
    pairings = fields.List(fields.Nested(DisclosurePairing), required=True)
    cadres_without_direct_visit = fields.List(fields.Nested(NamedCadre), required=True)
    summary = fields.Nested(DisclosureSummary, required=True)


class BulletinCadre(StrictSchema):
    cadre_id = fields.Integer(required=True)
    cadre = _s()


def _rate():
    return fields.Float(required=True, allow_none=True)


class BulletinUnit(StrictSchema):
    rank, unit_id, cadres, pairings, pairings_visited = _n(), _n(), _n(), _n(), _n()
    unit = _s()
    visited_share = _rate()
    cadres_without_direct_visit = fields.List(fields.Nested(BulletinCadre), required=True)
    demands_opened, demands_resolved = _n(), _n()
    resolution_rate, knowledge_rate, satisfaction_rate = _rate(), _rate(), _rate()
    median_days_to_resolve = _rate()


class BulletinOut(StrictSchema):
    """情况通报: every unit's month, ranked."""

    month, generated_at = _s(), _s()
    complete = fields.Boolean(required=True)
    inspections_counted = fields.Boolean(required=True, metadata={
        "description": "Some inspection was recorded in the month (else both rates are null)"})
    units = fields.List(fields.Nested(BulletinUnit), required=True)


# --- the overview (SPEC §15) ---------------------------------------------------------------


class OverviewQuery(StrictSchema):
    class Meta:
        unknown = "exclude"

    month = fields.String(required=True, validate=MONTH, metadata={"example": "2026-10"})
    unit_id = Id(metadata={"description": "Only this unit's records (a unit admin: its own, "
                                          "another is 403)"})
    township_id = Id(metadata={"description": "Only this township's records"})


FIGURE_NOTES = {
    "needy_households": "Households with at least one need (today)",
    "paired_households": "Needy households with an active pairing (today)",
    "unpaired_households": "Needy households without a cadre (today)",
    "cadres": "Cadres (today)",
    "cadres_without_households": "Cadres with no active pairing (today)",
    "cadres_below_quota": "Cadres with some households but fewer than their quota (R1, today)",
    "pairings": "Pairings in force on some day of the month",
    "pairings_with_direct_visit": "Of those, pairings with a direct visit in the month (R8)",
    "overdue_tasks": "Tasks overdue today",
    "overdue_demands": "Demands overdue today (DEMAND_OVERDUE_DAYS)",
    "villages": "Villages (today)",
    "villages_published": "Villages whose disclosure of the month is published",
}


def _figures(name: str, **more) -> type:
    counts = {k: fields.Integer(required=True, metadata={"description": v})
              for k, v in FIGURE_NOTES.items()}
    return type(name, (StrictSchema,), {**counts, **more})


OverviewFigures = _figures("OverviewFigures")
OverviewUnit = _figures("OverviewUnit", unit_id=fields.Integer(required=True),
                        unit_name=_s())
OverviewTownship = _figures("OverviewTownship", township_id=fields.Integer(required=True),
                            township_name=_s())


class OverviewOut(StrictSchema):
    """The county's contact work in figures: in total, per unit and per township. The month's
    own figures are pairings, pairings_with_direct_visit and villages_published; the others are
    the record as it stands today."""

    month, generated_at = _s(), _s()
    totals = fields.Nested(OverviewFigures, required=True)
    units = fields.List(fields.Nested(OverviewUnit), required=True, metadata={
        "description": "Every unit in the filters, by name; a village, its households, tasks "
                       "and demands count for the unit holding it now, a pairing for its "
                       "cadre's unit"})
    townships = fields.List(fields.Nested(OverviewTownship), required=True, metadata={
        "description": "Every township in the filters, by code; a unit's cadres count in each "
                       "township where it holds a village"})
