"""Property-based run over every operation, in-process, with a county admin's token: no 5xx;
every response (problems included) matches its documented schema, status and content type;
what the spec refuses the server refuses (negative data rejection); and what the spec admits
the server takes (positive data acceptance), except where a rule needs more than a schema can
say — those fields are listed below with the reason, and a 422 naming any other field fails."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from service.auth import issue_token

pytestmark = pytest.mark.slow  # and independent of the date: not in .ci/run's date passes

# Fields whose rules a JSON schema cannot state: a schema-valid value there may still be a 422.
BEYOND_THE_SCHEMA = {
    # Relative to today, and to the records they continue (a visit not before its pairing, an
    # end not before its start).
    "month": "a month that has begun",
    "year": "a year that has begun",
    "visited_at": "between the pairing's start and now",
    "opened_at": "not in the future",
    "inspected_on": "not in the future",
    "started_on": "not in the future",
    "ended_on": "between the start and today",
    "due_on": "not before today",
    # References: a record that exists and is in the caller's scope (a cadre account also
    # needs cadre_id, a unit admin unit_id: which one depends on the role).
    "village_id": "an existing village",
    "household_id": "an existing household",
    "cadre_id": "an existing cadre; required by role",
    "unit_id": "an existing unit; required by role",
    "township_id": "an existing township",
    "organization_id": "an existing organisation",
    "to_cadre_id": "an existing cadre",
    "head_cadre_id": "an existing cadre of the unit",
    # GB 11643: the check digit, and a birth date that exists and has passed.
    "id_number": "check digit and birth date",
    # State: a correction needs something published to correct.
    "correction_reason": "only for a village and month already published",
}


# Problems about what a schema cannot describe at all: the content of an uploaded roster (a
# "binary" file is any bytes; only a readable spreadsheet with good rows is taken).
BEYOND_THE_SCHEMA_CODES = {"import_file_unreadable", "import_rows_invalid"}


def accepts_schema_valid_data(ctx, response, case):
    """positive_data_acceptance, allowing a 422 whose every field is one of BEYOND_THE_SCHEMA,
    or whose code is one of BEYOND_THE_SCHEMA_CODES."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        body = response.json() if response.status_code == 422 else {}
        if body.get("code") in BEYOND_THE_SCHEMA_CODES:
            return None
        fields = {name.split(".")[0] for name in (body.get("errors") or {})}
        if fields and fields <= set(BEYOND_THE_SCHEMA):
            return None
        raise


CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    accepts_schema_valid_data,
]

# The token is sent with every case, so schemathesis must not count leaving it out as "invalid".
CONFIG = SchemathesisConfig.from_dict({"generation": {"with-security-parameters": False}})


@pytest.fixture
def api_schema(app, connection):
    return schemathesis.openapi.from_wsgi("/openapi.json", app, config=CONFIG)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def admin_token(app, world):
    with app.test_request_context():
        return issue_token(world.users["county_admin"])[0]


@schema.parametrize()
@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_holds_to_its_own_spec(case, admin_token):
    # The WSGI transport hands over the body as sent, without undoing a Content-Encoding as an
    # HTTP client would: ask for it uncompressed (tests/api/test_compression.py covers that).
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}",
                                    "Accept-Encoding": "identity"}, checks=CHECKS)
