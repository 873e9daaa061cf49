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
from sqlalchemy import func, select
from webargs.flaskparser import is_json_request
from werkzeug.exceptions import UnsupportedMediaType
from werkzeug.routing import BaseConverter, ValidationError

from service import edges
from service.context import CountyClock
from service.errors import ProblemSchema
from service.exceptions import DomainError, PreconditionFailed
from service.listing import Listing
from service.messages import _
from service.web import settings

PROBLEM_CONTENT_TYPE = "application/problem+json"


class UnknownParameter(DomainError):
    status, code, title = 400, "unknown_parameter", _("Unknown query parameter")


_DECLARED: dict[tuple[str, str], frozenset[str] | None] = {}


def _declared_query(endpoint: str, method: str) -> frozenset[str] | None:
    """The query parameters the endpoint's view declares for `method` (its arguments schema
    and any parameter documented by hand), or None for a view that is not the API's."""
    key = (endpoint, method)
    if key not in _DECLARED:
        view = flask.current_app.view_functions.get(endpoint)
        handler = getattr(getattr(view, "view_class", None), method.lower(), None) or view
        apidoc = getattr(handler, "_apidoc", None)
        if apidoc is None:
            _DECLARED[key] = None
        else:
            names: set[str] = set()
            for parameter in apidoc.get("arguments", {}).get("parameters", []):
                if parameter["in"] == "query":
                    schema = parameter["schema"]
                    schema = schema() if isinstance(schema, type) else schema
                    names |= {f.data_key or n for n, f in schema.fields.items()
                              if not f.dump_only}
            for parameter in apidoc.get("manual_doc", {}).get("parameters", []):
                if parameter.get("in") == "query":
                    names.add(parameter["name"])
            _DECLARED[key] = frozenset(names)
    return _DECLARED[key]


def refuse_unknown_parameters() -> None:
    """SPEC §15 "no silent filters": a query parameter the operation does not declare (a
    typo such as `villageid=13`) is 400 `unknown_parameter` naming it, never ignored (which
    would answer the whole county)."""
    if request.method == "OPTIONS" or request.endpoint is None or not request.args:
        return
    declared = _declared_query(request.endpoint, request.method)
    if declared is None:
        return
    unknown = sorted(name for name in request.args if name not in declared)
    if unknown:
        shown = [edges.printable(edges.cut(name)) for name in unknown[:20]]
        names = ", ".join(shown) + (" …" if len(unknown) > 20 else "")
        takes = ", ".join(sorted(declared)) or _("none")
        raise UnknownParameter(
            _("Unknown query parameters: %(names)s. This operation takes: %(takes)s.",
              names=names, takes=takes) if len(unknown) > 1 else
            _("Unknown query parameter: %(names)s. This operation takes: %(takes)s.",
              names=names, takes=takes), parameters=shown)


class BodyRequired(DomainError):
    status, code, title = 400, "body_required", _("A JSON body is required")


class _Parser(FlaskParser):
    """webargs builds a new schema object per request when given a class (deep-copying every
    field); schemas hold no request state, so one instance per class serves every request.

    A body the view declares is required, as the spec says: webargs would read a missing or
    non-JSON body as `{}`, so a PATCH without a body would succeed doing nothing."""

    _instances: dict[type, ma.Schema] = {}
    DEFAULT_VALIDATION_MESSAGE = _("Invalid value.")  # a validator that answers False

    def load_json(self, req, schema):
        data = req.get_data(cache=True)
        if not data:
            # A schema whose Meta says `optional_body` takes no body as {} (the spec says so).
            if getattr(schema.Meta, "optional_body", False):
                return {}
            raise BodyRequired(_("Send a JSON body (Content-Type: application/json)."))
        if not is_json_request(req):
            raise UnsupportedMediaType(
                _("The body must be JSON (Content-Type: application/json)."))
        body = edges.parse_json(data)
        # A schema whose Meta names `checked_per_item` members checks their items itself.
        per_item = getattr(schema.Meta, "checked_per_item", frozenset())
        edges.refuse(edges.offences(body, skip=frozenset(per_item)))
        return body

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


UNAVAILABLE = {
    "description": "The database is not answering (code database_unavailable) or the server is "
                   "busy with other long work (busy): retry after Retry-After seconds (visits "
                   "and demands carry client ids, so resending them is safe); or the request ran "
                   "past its time budget and kept nothing (request_timeout, no Retry-After): "
                   "narrow it, or use the command line for county-wide work",
    "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}},
}
TOO_MANY = {
    "description": "Too many attempts (rate_limited, too_many_attempts): retry after "
                   "Retry-After seconds",
    "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}},
}


class Api(SmorestApi):
    """flask-smorest with error responses documented as problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def __init__(self, app=None, **kwargs):
        from service.openapi import spec_plugins

        super().__init__(app, spec_kwargs=spec_plugins(), **kwargs)

    def _openapi_json(self):
        """Serve the spec through the same plain-JSON rendering as openapi.yaml, built once
        per process."""
        from service.openapi import spec_json

        return flask.Response(spec_json(self), mimetype="application/json")

    def _register_error_handlers(self):
        # service.errors installs the handlers; smorest's JSON handler is not wanted.
        pass

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status == 503:
                response = dict(UNAVAILABLE)
            if status == 429:
                response = dict(TOO_MANY)
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


class Pattern(validate.Regexp):
    """A regular expression the whole value must match, written so that Python and ECMA-262 read
    it alike: the spec publishes it as JSON Schema's `pattern`, which a front-end compiles as a
    JavaScript RegExp. So `^…$` and plain classes; never `\\A`, `\\Z`, `(?P<…>)`, look-behind
    or possessive forms (tests/api/test_openapi.py compiles every pattern with Node.js). Matched
    with fullmatch: Python's `$` alone would let a trailing newline through."""

    def __call__(self, value):
        if self.regex.fullmatch(value) is None:
            raise ma.ValidationError(self._format_error(value))
        return value


BLANKS = edges.BLANKS
NAME_PATTERN, NAME_ERROR = edges.NAME_PATTERN, edges.NAME_ERROR


class Name(fields.String):
    """A name: 1–max characters, at least one of them visible, none of them a control,
    separator or bidi override (blanks around it allowed); stored stripped."""

    def __init__(self, max_length: int = 50, **kwargs):
        # Checked as sent, so the spec's minLength/maxLength/pattern say exactly what passes.
        super().__init__(validate=[validate.Length(min=1, max=max_length),
                                   Pattern(NAME_PATTERN, error=NAME_ERROR)], **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        super()._validate(value)
        return value.strip(BLANKS)

    def _validate(self, value):
        """Nothing more: the value was validated as sent, in _deserialize."""


class Boolean(fields.Boolean):
    """A JSON boolean in a body: true or false, never 0, 1, "yes" or "true"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value is True or value is False:
            return value
        raise self.make_error("invalid", input=value)


class Flag(fields.Boolean):
    """A boolean query parameter: `true` or `false` (any case), as clients serialise them."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise self.make_error("invalid", input=value)


MAX_ID = edges.MAX_ID


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

    regex = edges.ID_DIGITS

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


_DATE = r"(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
DAY_PATTERN = f"^{_DATE}$"
# RFC 3339 (what OpenAPI's date-time means), with its offset: 2026-10-01T09:30:00+08:00.
MOMENT_PATTERN = (f"^{_DATE}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{{1,6}})?"
                  "(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")


class _Shaped:
    """A field whose text must match PATTERN whole before it is parsed (the spec carries it):
    Python's own parsers take more shapes than the spec would admit."""

    PATTERN = ""

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"pattern": self.PATTERN, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)
        self._shape = re.compile(self.PATTERN)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not self._shape.fullmatch(value):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Day(_Shaped, fields.Date):
    """A calendar date, YYYY-MM-DD, from 1900 to 2999."""

    PATTERN = DAY_PATTERN
    default_error_messages = {"invalid": _("must be a date YYYY-MM-DD between 1900 and 2999")}


class Moment(_Shaped, fields.AwareDateTime):
    """A time with its offset, RFC 3339, on a day from 1900 to 2999."""

    PATTERN = MOMENT_PATTERN
    default_error_messages = {
        "invalid": _("must be a time like 2026-10-01T09:30:00+08:00, between 1900 and 2999")}


# A report month, YYYY-MM, in years a county record can have.
MONTH = Pattern(r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])$",
                error=_("must be YYYY-MM between 1900 and 2999"))


class PageArgs(ma.Schema):
    """?page=&per_page= (default 50, at most 500)."""

    class Meta:
        unknown = ma.EXCLUDE

    page = WholeNumber(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = WholeNumber(load_default=50, validate=validate.Range(min=1, max=500))


MAX_IDS = 500
_ID_TEXT = edges.ID_DIGITS
_UUID_TEXT = "[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"


class IdList(fields.Field):
    """`ids=3,5,8`: at most MAX_IDS record ids, to fetch many records in one call (SPEC §15).
    Ids outside the caller's scope, or of no record, are simply not in the answer."""

    ITEM = _ID_TEXT
    default_error_messages = {"invalid": _("must be at most %(count)s ids separated by commas",
                                           count=MAX_IDS)}

    def __init__(self, **kwargs):
        item = self.ITEM
        pattern = f"^{item}(,{item}){{0,{MAX_IDS - 1}}}$"
        kwargs["metadata"] = {"type": "string", "pattern": pattern, "example": "3,5,8",
                              "description": f"Only these records (at most {MAX_IDS} ids, "
                                             "comma-separated)", **kwargs.get("metadata", {})}
        super().__init__(**kwargs)
        self._item = re.compile(item)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        items = value.split(",")
        if len(items) > MAX_IDS or not all(self._item.fullmatch(i) for i in items):
            raise self.make_error("invalid")
        return self._values(items)

    def _values(self, items: list[str]) -> list:
        # An id past any record's (2^63, say) names no record: it is simply not found.
        return sorted({n for n in map(int, items) if n <= MAX_ID})


class UuidList(IdList):
    """`ids=` of records whose ids are UUIDs (visits, demands)."""

    ITEM = _UUID_TEXT

    def _values(self, items: list[str]) -> list:
        return sorted({i.lower() for i in items})


class Sort(fields.Field):
    """`sort=field,-field`: the order of a list, from the fields the operation names (SPEC
    §15); `-` sorts that field descending, empty values last either way, and the record's id
    breaks ties. An unknown field is 400 `unknown_parameter`, never ignored."""

    def __init__(self, *names: str, **kwargs):
        self.names = names
        name = "-?(" + "|".join(names) + ")"
        kwargs["metadata"] = {
            "type": "string", "pattern": f"^{name}(,{name}){{0,9}}$", "example": f"-{names[0]}",
            "description": "Comma-separated fields, `-` for descending: " + ", ".join(names),
            **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> list[tuple[str, bool]]:
        keys = value.split(",") if isinstance(value, str) else [None]
        unknown = [k for k in keys if not k or k.removeprefix("-") not in self.names]
        if unknown or len(keys) > 10:
            shown = edges.printable(edges.cut(str(unknown[0] if unknown else value)))
            raise UnknownParameter(
                _("Unknown sort field: %(name)s. This list sorts by: %(names)s (at most 10, "
                  "comma-separated; - for descending).", name=shown, names=", ".join(self.names)),
                parameters=[f"sort={shown}"])
        return [(k.removeprefix("-"), k.startswith("-")) for k in keys]


class ListQuery(PageArgs):
    """A list's paging and `ids=`; each list adds its filters and its `sort`."""

    ids = IdList()


class ListArgs(ListQuery):
    """A list's paging, and ?format=xlsx for every row as a workbook (service/exports.py)."""

    format = fields.String(load_default="json", validate=validate.OneOf(("json", "xlsx")),
                           metadata={"description": "json: one page; xlsx: every row (same "
                                                    "filters, scope and masking) as an Excel "
                                                    "download"})


def listed(ctx, listing: Listing, args: dict, export):
    """One page of the list as JSON, or, with ?format=xlsx, all of it through `export`."""
    if args.get("format") == "xlsx":
        return export(ctx, listing.arranged(args.get("ids"), args.get("sort")))
    return page(ctx, listing, args)


def envelope(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The list body: {items, total, page, per_page}."""
    return type(name, (ma.Schema,), {
        "items": fields.List(fields.Nested(item_schema), required=True),
        "total": fields.Integer(required=True),
        "page": fields.Integer(required=True),
        "per_page": fields.Integer(required=True),
    })


def page(ctx, listing: Listing, args: dict) -> dict:
    """One page of a service's list, with the total: {items, total, page, per_page}."""
    number, per_page = args["page"], args["per_page"]
    session = ctx.session
    listing = listing.arranged(args.get("ids"), args.get("sort"))
    total = session.scalar(select(func.count()).select_from(
        listing.statement.order_by(None).subquery()))
    paged = listing.statement.limit(per_page).offset((number - 1) * per_page)
    result = session.execute(paged)
    items = result.all() if listing.rows else result.scalars().all()
    if listing.present is not None:
        items = listing.present(items)
    return {"items": items, "total": total, "page": number, "per_page": per_page}


def etag_for(table: str, record_id, version: int) -> str:
    """A strong validator from a row's table, id and version counter."""
    return f"{table}-{record_id}-{version}"


def etag_of(record) -> str:
    """The validator of a mapped record."""
    return etag_for(record.__tablename__, record.id, record.version)


def etag_header(record) -> dict[str, str]:
    """The ETag header for a record."""
    return {"ETag": f'"{etag_of(record)}"'}


class PreconditionRequired(DomainError):
    status, code, title = 428, "precondition_required", _("If-Match is required")


# The content codings flask-compress may add to a strong ETag (service/app.py).
CODINGS = ("zstd", "br", "gzip", "deflate")


def check_if_match(record) -> None:
    """A change must name the version it was made from (SPEC §15 "no lost updates"): 428
    without If-Match, 412 when If-Match does not name the record's current version (`*`
    names any). Routes pass it to a service as the `precondition` of a change
    (service/records.py), which calls it before changing anything."""
    if not request.headers.get("If-Match"):
        raise PreconditionRequired(_(
            "Send the ETag you read with GET as If-Match, so that a change made meanwhile by "
            "someone else is not overwritten."))
    current = etag_of(record)
    # The ETag a client read may name the compressed representation it was sent ("v3:br").
    if not any(name in request.if_match for name in (current, *(
            f"{current}:{coding}" for coding in CODINGS))):
        raise PreconditionFailed(
            _("The record changed since you read it; GET it again and retry."),
            current_etag=f'"{current}"',
        )


IF_MATCH_DOC = {
    "parameters": [{
        "in": "header",
        "name": "If-Match",
        "required": True,
        "schema": {"type": "string"},
        "description": "ETag from a previous GET; the change is refused if the record changed "
                       "since (412), or without this header (428).",
    }],
    "responses": {"412": "PRECONDITION_FAILED", "428": "PRECONDITION_REQUIRED"},
}

ETAG_HEADER_DOC = {"ETag": {"schema": {"type": "string"}, "description": "Record version"}}


# --- reports in several formats -----------------------------------------------------------

CSV = "text/csv; charset=utf-8"
HTML = "text/html; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OCTET_STREAM = "application/octet-stream"


def xlsx_content() -> dict:
    """An .xlsx answer as the spec lists it: as itself or, for a client that asks for it
    (Accept), as plain bytes. Generators that know no vendor type read the second as a file
    (openapi-python-client does, with no configuration)."""
    return {media: {"schema": {"type": "string", "format": "binary"}}
            for media in (XLSX, OCTET_STREAM)}


def xlsx_media_type() -> str:
    """The media type an .xlsx answer is sent as: its own, unless the request's Accept prefers
    application/octet-stream to it. (The command line's workbooks have no request.)"""
    if flask.has_request_context() and request.accept_mimetypes.best_match(
            [XLSX, OCTET_STREAM]) == OCTET_STREAM:
        return OCTET_STREAM
    return XLSX


FORMAT_NOTES = {"csv": "`format=csv`: a CSV download (UTF-8 with BOM, so Excel opens it)",
                "html": "`format=html`: a printable HTML page",
                "xlsx": "`format=xlsx`: every row (not a page) as an Excel download; 422 "
                        "`export_too_large` past 100,000 rows (`flask --app service export` "
                        "writes more)"}


def formats(schema, *other: str) -> dict:
    """The 200 response as JSON by `schema` and in each other format named (csv, html,
    xlsx)."""
    content = {"application/json": {"schema": schema}}
    for kind in other:
        if kind == "xlsx":
            content.update(xlsx_content())
        else:
            content[f"text/{kind}"] = {"schema": {"type": "string"}}
    notes = "; ".join(FORMAT_NOTES[kind] for kind in other)
    return {"200": {"description": f"JSON unless asked otherwise; {notes}.", "content": content}}


def as_format(body: dict, fmt: str, csv_of, html_of, filename: str):
    """The body as JSON (by the schema), or a CSV download, or an HTML page."""
    if fmt == "csv":
        return flask.Response(csv_of(body), content_type=CSV, headers={
            "Content-Disposition": f'attachment; filename="{filename}.csv"'})
    if fmt == "html":
        return flask.Response(html_of(body), content_type=HTML)
    return body


def county_today():
    """The county's today, for schemas that validate against it (an ID number's birth date)."""
    return CountyClock(settings().county_zone).today()
