"""Account and login payloads."""

from marshmallow import fields, validate

from service.api import Boolean, Flag, Id, ListQuery, Pattern, Sort, StrictSchema, envelope
from service.messages import _
from service.users.models import ROLES

USERNAME = Pattern(r"^[A-Za-z0-9_.-]{3,50}$",
                   error=_("3–50 letters, digits, dot, dash or underscore"))
PASSWORD = validate.Length(min=10, max=128, error=_("must be %(min)s–%(max)s characters"))


class LoginIn(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=50))
    password = fields.String(required=True, validate=validate.Length(min=1, max=128))


class TokenOut(StrictSchema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "seconds"})


class UserIn(StrictSchema):
    username = fields.String(required=True, validate=USERNAME)
    password = fields.String(required=True, load_only=True, validate=PASSWORD)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    unit_id = Id(allow_none=True)
    cadre_id = Id(allow_none=True)


class UserPatch(StrictSchema):
    password = fields.String(load_only=True, validate=PASSWORD)
    role = fields.String(validate=validate.OneOf(ROLES))
    unit_id = Id(allow_none=True)
    cadre_id = Id(allow_none=True)
    active = Boolean(metadata={"description": "false revokes every token of the user"})


class UserOut(StrictSchema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    # A cadre account's unit is its cadre's (kept so when the cadre moves: update_cadre).
    unit_id = fields.Integer(allow_none=True, required=True)
    cadre_id = fields.Integer(allow_none=True, required=True)
    active = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)


class UserQuery(ListQuery):
    sort = Sort("username", "role", "unit_id", "created_at", "id")
    role = fields.String(validate=validate.OneOf(ROLES))
    unit_id = Id()
    active = Flag()
    q = fields.String(validate=validate.Length(max=50),
                      metadata={"description": "Username contains"})


UserPage = envelope(UserOut, "UserPage")
