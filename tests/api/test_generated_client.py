"""A client generated from the served spec works (SPEC §9 "any client generator", §15 "typed
clients"): the county office front-end and any outside party write their code against
/openapi.json, so a standard generator must take it without a warning and without
configuration, and what it makes must drive the service.

openapi-python-client generates a package from the spec this app serves, as its README says
to (no config file: its default post hooks run ruff, which the test extra installs); the
package is installed (into a directory of the test's own) and imported; its functions log a
cadre in, list its households, log a visit, fetch the month's disclosure, download a roster
template and upload a roster, through the app itself (httpx's WSGI transport: the real app
and database, no network). The TypeScript client is tests/api/test_typescript_client.py's."""

import datetime as dt
import importlib
import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.slow  # and independent of the date: not in .ci/run's date passes

PACKAGE = "shuangbao_contact_service_client"


@pytest.fixture(scope="module")
def generated(app, tmp_path_factory):
    """The generated client package, installed and importable."""
    work = tmp_path_factory.mktemp("client")
    with app.test_client() as client:
        spec = client.get("/openapi.json").get_json()
    (work / "openapi.json").write_text(json.dumps(spec), encoding="utf-8")
    bin_ = Path(sys.executable).parent
    result = subprocess.run(
        [str(bin_ / "openapi-python-client"), "generate", "--path", "openapi.json",
         "--meta", "setup"], cwd=work, capture_output=True, text=True,
        env={**os.environ, "PATH": f"{bin_}{os.pathsep}{os.environ.get('PATH', '')}"})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower() and "error" not in output.lower(), output
    site = work / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(site), str(work / "shuangbao-contact-service-client")], check=True,
                   capture_output=True)
    sys.path.insert(0, str(site))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(site))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def module(name: str):
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_a_generated_client_logs_in_lists_logs_a_visit_and_reads_the_disclosure(
        generated, app, world, clock):
    transport = httpx.WSGITransport(app=app)
    anonymous = generated.Client(base_url="http://localhost",
                                 httpx_args={"transport": transport})
    models = module("models")
    token = module("api.users.login").sync(client=anonymous, body=models.LoginIn(
        username=world.users["cadre"].username, password=PASSWORD))
    assert isinstance(token, models.TokenOut), token
    cadre = generated.AuthenticatedClient(base_url="http://localhost",
                                          token=token.access_token,
                                          httpx_args={"transport": transport})

    page = module("api.households.list_households").sync(client=cadre)
    assert isinstance(page, models.HouseholdPage), page
    assert [h.id for h in page.items] == [world.households["a1"].id]

    visited_at = clock.local().replace(microsecond=0) - dt.timedelta(hours=1)
    visit = module("api.visits.create_visit").sync(client=cadre, body=models.VisitIn(
        id=uuid.uuid4(), household_id=world.households["a1"].id, visited_at=visited_at,
        kind=models.VisitInKind.HOME_VISIT, diary="了解家中种植情况",
        location=models.Location(latitude=36.1, longitude=113.2, accuracy_m=20.0)))
    assert isinstance(visit, models.VisitOut), visit
    assert visit.direct is True and visit.visited_at == visited_at

    month = visited_at.strftime("%Y-%m")
    disclosure = module("api.reports.get_disclosure_report").sync(
        client=anonymous, village_id=world.villages["a"].id, month=month)
    assert isinstance(disclosure, models.DisclosureOut), disclosure
    (row,) = [p for p in disclosure.pairings if p.cadre == world.cadres["a1"].name]
    assert row.direct_visits == 1

    # A refusal arrives as the documented Problem, extension members kept.
    again = module("api.visits.create_visit").sync(client=cadre, body=models.VisitIn(
        id=visit.id, household_id=world.households["a1"].id, visited_at=visited_at,
        kind=models.VisitInKind.PHONE))
    assert isinstance(again, models.Problem), again
    assert again.code == "id_conflict" and again.id == str(visit.id)


def test_a_generated_client_downloads_a_template_and_uploads_a_roster(generated, app, world):
    transport = httpx.WSGITransport(app=app)
    anonymous = generated.Client(base_url="http://localhost",
                                 httpx_args={"transport": transport})
    models, types = module("models"), module("types")
    token = module("api.users.login").sync(client=anonymous, body=models.LoginIn(
        username=world.users["county_admin"].username, password=PASSWORD))
    admin = generated.AuthenticatedClient(base_url="http://localhost", token=token.access_token,
                                          httpx_args={"transport": transport})

    template = module("api.imports.get_import_households").sync(client=admin)
    assert isinstance(template, types.File), template
    assert template.payload.read(4) == b"PK\x03\x04"  # a zip: the .xlsx itself

    row = (f"{world.villages['a'].code},赵一,{factories.valid_id_number(900)},,4,难度较小,"
           "技能培训,3000")
    roster = ("村代码,户主姓名,身份证号,联系电话,家庭人口,困难程度,帮扶需求,人均纯收入\r\n"
              + row).encode("utf-8-sig")
    counts = module("api.imports.create_import_households").sync(
        client=admin, dry_run=True, body=models.ImportFile(file=types.File(
            payload=io.BytesIO(roster), file_name="roster.csv", mime_type="text/csv")))
    assert isinstance(counts, models.ImportOut), counts
    assert (counts.dry_run, counts.rows, counts.created) == (True, 1, 1)

    bad = module("api.imports.create_import_households").sync(
        client=admin, dry_run=True, body=models.ImportFile(file=types.File(
            payload=io.BytesIO(roster.replace(b",4,", b",0,")), file_name="roster.csv")))
    assert isinstance(bad, models.Problem), bad
    assert bad.code == "import_rows_invalid"
    assert [(r.row, r.column) for r in bad.rows] == [(2, "家庭人口")]
