"""Village assignment (包村) payloads."""

from marshmallow import fields, validate

from service.api import Boolean, Day, Flag, Id, ListQuery, Sort, StrictSchema, envelope


class AssignmentIn(StrictSchema):
    unit_id = Id(required=True)
    village_id = Id(required=True)
    started_on = Day(metadata={"description": "Default: today in the county"})


class AssignmentEnd(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))
    ended_on = Day(metadata={"description": "Default: today in the county"})
    end_pairings = Boolean(
        load_default=False,
        metadata={"description": "Also end the unit's active pairings in the village"})


class TeamLeader(StrictSchema):
    cadre_id = fields.Integer(required=True)
    name = fields.String(required=True)


class AssignmentOut(StrictSchema):
    id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    unit_name = fields.String(required=True)
    village_id = fields.Integer(required=True)
    village_name = fields.String(required=True)
    started_on = fields.Date(required=True)
    ended_on = fields.Date(allow_none=True, required=True)
    end_reason = fields.String(allow_none=True, required=True)
    active = fields.Boolean(required=True)
    team_leader = fields.Nested(TeamLeader, allow_none=True, required=True,
                                metadata={"description": "The unit head (组长), if named"})


class AssignmentQuery(ListQuery):
    sort = Sort("started_on", "ended_on", "unit_id", "village_id", "id")
    unit_id = Id()
    village_id = Id()
    township_id = Id()
    active = Flag()


AssignmentPage = envelope(AssignmentOut, "AssignmentPage")
