"""Task (包扶任务) payloads."""

from marshmallow import fields, validate

from service.api import Day, Flag, Id, ListQuery, Sort, StrictSchema, envelope
from service.households.rules import NEEDS
from service.tasks.rules import SOURCES, STATUSES

CATEGORY = validate.OneOf(NEEDS)
TEXT = validate.Length(min=1, max=500)


class TaskIn(StrictSchema):
    household_id = Id(required=True)
    category = fields.String(required=True, validate=CATEGORY)
    description = fields.String(required=True, validate=TEXT)
    target = fields.String(allow_none=True, validate=TEXT)
    due_on = Day(required=True)


class TaskPatch(StrictSchema):
    description = fields.String(validate=TEXT)
    target = fields.String(allow_none=True, validate=TEXT)
    due_on = Day()


class TransitionIn(StrictSchema):
    to = fields.String(required=True, validate=validate.OneOf(STATUSES))
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class TransitionOut(StrictSchema):
    from_status = fields.String(required=True)
    to_status = fields.String(required=True)
    note = fields.String(allow_none=True, required=True)
    user_id = fields.Integer(required=True)
    at = fields.DateTime(required=True)


class TaskOut(StrictSchema):
    id = fields.Integer(required=True)
    household_id = fields.Integer(required=True)
    household_head_name = fields.String(required=True)
    village_name = fields.String(required=True)
    unit_id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "The unit holding the household's village now (null when none)"})
    unit_name = fields.String(required=True, allow_none=True)
    cadre_id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "The cadre linked to the household now (null when none)"})
    cadre_name = fields.String(required=True, allow_none=True)
    category = fields.String(required=True, validate=CATEGORY)
    description = fields.String(required=True)
    target = fields.String(allow_none=True, required=True)
    due_on = fields.Date(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    source = fields.String(required=True, validate=validate.OneOf(SOURCES))
    closed_on = fields.Date(allow_none=True, required=True)
    closed_reason = fields.String(allow_none=True, required=True)
    overdue = fields.Boolean(required=True)
    days_overdue = fields.Integer(required=True, allow_none=True, metadata={
        "description": "Whole days overdue (1 on the first day past the limit); null when "
                       "not overdue"})
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class TaskDetailOut(TaskOut):
    transitions = fields.List(fields.Nested(TransitionOut), required=True)


class TaskQuery(ListQuery):
    sort = Sort("due_on", "status", "category", "household_id", "household_head_name",
                "unit_name", "created_at", "updated_at", "id")
    household_id = Id()
    village_id = Id()
    unit_id = Id()
    cadre_id = Id()
    category = fields.String(validate=CATEGORY)
    status = fields.String(validate=validate.OneOf(STATUSES))
    source = fields.String(validate=validate.OneOf(SOURCES))
    overdue = Flag()
    closed = Flag(metadata={"description": "Closed because the need went away"})


TaskPage = envelope(TaskOut, "TaskPage")
