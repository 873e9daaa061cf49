"""HTTP for roster imports (SPEC §10): a county admin uploads the household roster; any bad
row refuses the whole file with every problem listed, otherwise all rows land at once."""

from urllib.parse import quote

from flask import Response, request
from flask.views import MethodView
from werkzeug.exceptions import RequestEntityTooLarge

from service.api import Blueprint
from service.auth import require
from service.errors import problem
from service.exceptions import DomainError
from service.imports import schemas as s
from service.imports.households import import_households
from service.imports.reading import read_sheet
from service.imports.templates import household_template
from service.web import context

blp = Blueprint("imports", __name__, url_prefix="/api/v1",
                description="Roster import: the county's spreadsheets in (SPEC §10)")

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
CLI_HINT = ("Larger rosters go through the command line: "
            "flask --app service import-households FILE [--dry-run]")


class TooManyRows(DomainError):
    status, code, title = 413, "payload_too_large", "The file is too large for the API"


@blp.before_request
def _room_for_a_roster():
    """An upload may be 10 MB, more than the JSON endpoints' limit."""
    request.max_content_length = MAX_BYTES


@blp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    return problem(413, "payload_too_large", "Payload too large",
                   f"The file is larger than {MAX_BYTES} bytes. {CLI_HINT}")


@blp.route("/imports/households")
class HouseholdImport(MethodView):
    @require("county_admin")
    @blp.arguments(s.ImportQuery, location="query")
    @blp.arguments(s.ImportFile, location="files")
    @blp.response(200, s.ImportOut)
    @blp.doc(responses={"413": "REQUEST_ENTITY_TOO_LARGE",
                        "422": "UNPROCESSABLE_ENTITY"})
    def post(self, query, files):
        """Import the household roster: every row checked as the API checks a household; any
        bad row → 422 `import_rows_invalid` listing each (row, column, message) and nothing
        written; else every row created, updated (matched by ID number) or unchanged, in one
        transaction. At most 20,000 rows or 10 MB: larger rosters go through the CLI."""
        upload = files["file"]
        try:
            sheet = read_sheet(upload.read())
        finally:
            upload.close()  # a large upload is spooled to a temporary file
        if len(sheet.rows) > MAX_ROWS:
            raise TooManyRows(f"More than {MAX_ROWS} rows. {CLI_HINT}")
        ctx = context()
        counts = import_households(ctx, sheet, dry_run=query["dry_run"])
        if query["dry_run"]:
            ctx.session.rollback()
        return counts


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.route("/imports/households/template")
class HouseholdTemplate(MethodView):
    @require("county_admin")
    @blp.doc(responses={"200": {
        "description": "An .xlsx: the headers, one example row, drop-down lists for 困难程度 "
                       "and 帮扶需求, every column formatted as text",
        "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}})
    def get(self):
        """The household roster template to fill in and import."""
        # An ASCII name for old clients, the Chinese one (RFC 6266 filename*) for the rest.
        return Response(household_template(), content_type=XLSX, headers={
            "Content-Disposition": "attachment; filename=\"households-template.xlsx\"; "
                                   f"filename*=UTF-8''{quote('建档立卡户导入模板.xlsx')}"})
