"""Shared API pieces: the smorest Api with problem+json, pagination, ETags and common fields."""

import http
import re

import flask
import marshmallow as ma
from flask import request
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest.arguments import FlaskParser
from flask_smorest.spec import prepare_response
from marshmallow import fields, validate
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from werkzeug.routing import BaseConverter, ValidationError

from service.errors import PreconditionFailed

PROBLEM_CONTENT_TYPE = "application/problem+json"


class _Parser(FlaskParser):
    """webargs builds a new schema object per request when given a class (deep-copying every
    field); schemas hold no request state, so one instance per class serves every request."""

    _instances: dict[type, ma.Schema] = {}

    def _get_schema(self, argmap, req):
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            schema = self._instances.get(argmap)
            if schema is None:
                schema = self._instances.setdefault(argmap, argmap())
            return schema
        return super()._get_schema(argmap, req)


class Blueprint(SmorestBlueprint):
    """flask-smorest's Blueprint, parsing with one schema instance per class."""

    ARGUMENTS_PARSER = _Parser()


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details with our machine `code`."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    code = fields.String(required=True, metadata={"description": "Machine-readable error code"})
    instance = fields.String()
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "For 422: messages per field"},
    )


class Api(SmorestApi):
    """flask-smorest with error responses documented as problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def _openapi_json(self):
        """Serve the spec through the same plain-JSON rendering as openapi.yaml."""
        from service.openapi import spec_dict

        return flask.jsonify(spec_dict(self))

    def _register_error_handlers(self):
        # service.errors installs the handlers; smorest's JSON handler is not wanted.
        pass

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Error", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


class StrictSchema(ma.Schema):
    """Unknown fields are an error, never silently dropped."""

    class Meta:
        unknown = ma.RAISE


class Name(fields.String):
    """A name: stripped of surrounding spaces, 1–max characters."""

    def __init__(self, max_length: int = 50, **kwargs):
        super().__init__(validate=validate.Length(min=1, max=max_length), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        return value.strip()


MAX_ID = 2**31 - 1  # PostgreSQL integer keys; larger values can name no record


class WholeNumber(fields.Integer):
    """An integer that refuses 2.5 and true instead of truncating them; "7" in a query is 7."""

    def _validated(self, value):
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise self.make_error("invalid")
        if isinstance(value, str) and not re.fullmatch(r"-?[0-9]+", value.strip()):
            raise self.make_error("invalid")
        return super()._validated(value)


class Id(WholeNumber):
    """A record id: 1 … 2³¹−1, so an absurd id is a 422, never a database overflow."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class IdConverter(BaseConverter):
    """URL ids with the same bounds; anything else simply matches no route (404)."""

    regex = r"[1-9][0-9]{0,9}"

    def to_python(self, value):
        number = int(value)
        if number > MAX_ID:
            raise ValidationError()
        return number

    def to_url(self, value):
        return str(value)


def id_converter_doc(_converter) -> dict:
    """How an {id} path parameter appears in the spec."""
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}


# A report month, YYYY-MM, in years a county record can have.
MONTH = validate.Regexp(r"\A(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])\Z",
                        error="must be YYYY-MM between 1900 and 2999")


class PageArgs(ma.Schema):
    """?page=&per_page= (default 50, at most 500)."""

    class Meta:
        unknown = ma.EXCLUDE

    page = WholeNumber(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = WholeNumber(load_default=50, validate=validate.Range(min=1, max=500))


def envelope(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The list body: {items, total, page, per_page}."""
    return type(name, (ma.Schema,), {
        "items": fields.List(fields.Nested(item_schema), required=True),
        "total": fields.Integer(required=True),
        "page": fields.Integer(required=True),
        "per_page": fields.Integer(required=True),
    })


def paginate(session: Session, stmt: Select, args: dict, rows: bool = False) -> dict:
    """Run a select one page at a time, with the total; `rows` keeps every selected column."""
    page, per_page = args["page"], args["per_page"]
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    paged = stmt.limit(per_page).offset((page - 1) * per_page)
    items = session.execute(paged).all() if rows else session.scalars(paged).all()
    return {"items": items, "total": total, "page": page, "per_page": per_page}


def etag_of(record) -> str:
    """A strong validator from the row's version counter."""
    return f"{type(record).__tablename__}-{record.id}-{record.version}"


def etag_header(record) -> dict[str, str]:
    """The ETag header for a record."""
    return {"ETag": f'"{etag_of(record)}"'}


def check_if_match(record) -> None:
    """412 when If-Match is sent and does not name the current version."""
    if request.if_match and etag_of(record) not in request.if_match:
        raise PreconditionFailed(
            "The record changed since you read it; GET it again and retry.",
            current_etag=f'"{etag_of(record)}"',
        )


IF_MATCH_DOC = {
    "parameters": [{
        "in": "header",
        "name": "If-Match",
        "required": False,
        "schema": {"type": "string"},
        "description": "ETag from a previous GET; the update is refused (412) if it changed.",
    }],
    "responses": {"412": "PRECONDITION_FAILED"},
}

ETAG_HEADER_DOC = {"ETag": {"schema": {"type": "string"}, "description": "Record version"}}
