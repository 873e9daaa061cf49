"""HTTP for roster imports (SPEC §10): a county admin uploads the household roster; any bad
row refuses the whole file with its problems listed, otherwise all rows land at once. An upload
is read within reading.UPLOAD (10 MB, 20,000 rows, and the shapes a roster has): past them it
is refused before it is read whole, pointing to the command line for a larger roster."""

from dataclasses import replace
from urllib.parse import quote

from flask import Response, request
from flask.views import MethodView
from werkzeug.exceptions import RequestEntityTooLarge

from service.api import Blueprint, xlsx_content, xlsx_media_type
from service.auth import require
from service.errors import problem
from service.imports import schemas as s
from service.imports.cadres import import_cadres
from service.imports.households import import_households
from service.imports.reading import UPLOAD, read_sheet
from service.imports.templates import cadre_template, household_template
from service.messages import _
from service.web import context, heavy_request

blp = Blueprint("imports", __name__, url_prefix="/api/v1",
                description="Roster import: the county's spreadsheets in (SPEC §10)")

_MULTIPART = 64 * 1024  # room for the form's boundaries and headers around the file


def _cli_hint(kind: str) -> str:
    return _("Import it on the command line: %(command)s",
             command=f"flask --app service import-{kind} FILE [--dry-run]")


# The API's limits, a 413 pointing to the command for the roster being uploaded.
_LIMITS = {kind: replace(UPLOAD, advice=_cli_hint(kind)) for kind in ("households", "cadres")}


def _kind() -> str:
    return "cadres" if request.path.endswith("/cadres") else "households"


@blp.before_request
def _room_for_a_roster():
    """An upload may be 10 MB, more than the JSON endpoints' limit."""
    request.max_content_length = UPLOAD.max_bytes + _MULTIPART


@blp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    return problem(413, "payload_too_large", _("Payload too large"),
                   _("%(why)s %(advice)s", why=_("The file is larger than %(size)s.",
                                                size=f"{UPLOAD.max_bytes // 2**20} MB"),
                     advice=_cli_hint(_kind())),
                   limit_name="bytes", limit=UPLOAD.max_bytes)


def _run(importer, kind: str, query: dict, files: dict) -> dict:
    """Read the upload within the API's limits (refused as soon as it passes one), import it
    (a dry run rolls back)."""
    upload = files["file"]
    try:
        sheet = read_sheet(upload.read(UPLOAD.max_bytes + 1), _LIMITS[kind])
    finally:
        upload.close()  # a large upload is spooled to a temporary file
    ctx = context()
    counts = importer(ctx, sheet, dry_run=query["dry_run"])
    if query["dry_run"]:
        ctx.session.rollback()
    return counts


_IMPORT_ERRORS = {"413": "REQUEST_ENTITY_TOO_LARGE", "422": "UNPROCESSABLE_ENTITY"}


@blp.route("/imports/households")
class HouseholdImport(MethodView):
    @require("county_admin")
    @blp.arguments(s.ImportQuery, location="query")
    @blp.arguments(s.ImportFile, location="files")
    @blp.response(200, s.ImportOut)
    @blp.doc(responses=_IMPORT_ERRORS)
    @heavy_request
    def post(self, query, files):
        """Import the household roster: every row checked as the API checks a household; any
        bad row → 422 `import_rows_invalid` listing each (row, column, message) and nothing
        written; else every row created, updated (matched by ID number) or unchanged, in one
        transaction. At most 20,000 rows or 10 MB: larger rosters go through the CLI."""
        return _run(import_households, "households", query, files)


@blp.route("/imports/cadres")
class CadreImport(MethodView):
    @require("county_admin")
    @blp.arguments(s.ImportQuery, location="query")
    @blp.arguments(s.ImportFile, location="files")
    @blp.response(200, s.ImportOut)
    @blp.doc(responses=_IMPORT_ERRORS)
    @heavy_request
    def post(self, query, files):
        """Import the cadre roster: every row checked as the API checks a cadre (the unit
        named by its full name); any bad row → 422 `import_rows_invalid` listing each (row,
        column, message) and nothing written; else every row created, updated (matched by
        电话 within the unit, or by 姓名 when there is no phone) or unchanged, in one
        transaction. At most 20,000 rows or 10 MB: larger rosters go through the CLI."""
        return _run(import_cadres, "cadres", query, files)


def _xlsx_download(data: bytes, ascii_name: str, chinese_name: str) -> Response:
    # An ASCII name for old clients, the Chinese one (RFC 6266 filename*) for the rest.
    return Response(data, content_type=xlsx_media_type(), headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; "
                               f"filename*=UTF-8''{quote(chinese_name)}"})


def _template_doc(what: str) -> dict:
    return {"200": {
        "description": f"An .xlsx: the headers (the sheet an import reads), an example row on "
                       f"a sheet of its own (示例, never imported), drop-down lists for {what}, "
                       "every column formatted as text. Sent as "
                       "application/octet-stream when Accept prefers it",
        "content": xlsx_content()}}


@blp.route("/imports/households/template")
class HouseholdTemplate(MethodView):
    @require("county_admin")
    @blp.doc(responses=_template_doc("困难程度 and 帮扶需求"))
    def get(self):
        """The household roster template to fill in and import."""
        return _xlsx_download(household_template(), "households-template.xlsx",
                              "建档立卡户导入模板.xlsx")


@blp.route("/imports/cadres/template")
class CadreTemplate(MethodView):
    @require("county_admin")
    @blp.doc(responses=_template_doc("职级"))
    def get(self):
        """The cadre roster template to fill in and import."""
        return _xlsx_download(cadre_template(), "cadres-template.xlsx", "干部名册导入模板.xlsx")
