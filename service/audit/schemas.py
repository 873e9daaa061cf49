"""Audit trail payloads (SPEC §11)."""

from marshmallow import fields, validate

from service.api import Id, ListQuery, Moment, Pattern, Sort, StrictSchema, envelope
from service.audit.rules import ACTIONS, RECORD_TYPES
from service.messages import _

RECORD_TYPE = validate.OneOf(sorted(RECORD_TYPES.values()))


class AuditQuery(ListQuery):
    sort = Sort("at", "record_type", "action", "user_id", "id")
    record_type = fields.String(validate=RECORD_TYPE)
    record_id = fields.String(validate=Pattern(r"^[A-Za-z0-9-]{1,36}$",
                                               error=_("must be a record id")),
                              metadata={"description": "A number, or a visit's or demand's "
                                                       "UUID"})
    user_id = Id()
    action = fields.String(validate=validate.OneOf(ACTIONS))
    since = Moment(metadata={"description": "Events at or after this time"})
    until = Moment(metadata={"description": "Events before this time"})
    # The X-Request-ID the service answered (service/web.py): every change one request made.
    request_id = fields.String(validate=Pattern(r"^[A-Za-z0-9._:-]{1,64}$",
                                                error=_("Invalid value.")),
                               metadata={"description": "The events of one request (its "
                                                        "X-Request-ID)"})


class AuditEventOut(StrictSchema):
    id = fields.Integer(required=True)
    at = fields.AwareDateTime(required=True)
    user_id = fields.Integer(allow_none=True, required=True,
                             metadata={"description": "Null for the command line"})
    actor = fields.String(required=True, metadata={
        "description": "The username then; `cli` for the command line, `anonymous` for a "
                       "failed login"})
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    record_type = fields.String(required=True, validate=RECORD_TYPE)
    record_id = fields.String(allow_none=True, required=True)
    changes = fields.Dict(keys=fields.String(), values=fields.List(
        fields.Raw(allow_none=True), validate=validate.Length(equal=2)), required=True, metadata={
        "description": "{field: [before, after]}; personal data shows as \"[redacted]\""})
    request_id = fields.String(allow_none=True, required=True)


AuditPage = envelope(AuditEventOut, "AuditPage")


class TimelineQuery(ListQuery):
    """A page of a household's story."""

    sort = Sort("at", "record_type", "action", "user_id", "id")
