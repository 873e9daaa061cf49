"""A front-end's TypeScript client, typed from the served spec, compiles with `tsc --strict` and
works (SPEC §15 "typed clients", STYLE "front-end code").

clients/typescript/ is the client docs/api.md describes: generate.mjs makes the types from the
spec with openapi-typescript (binary as Blob) and a function for every list; src/client.ts calls
the API through openapi-fetch (log in, upload a roster as FormData, download a template and an
export, PATCH with If-Match) and src/check.ts uses it all. The test copies the project, installs
its pinned packages (`npm ci`: from npm's cache when it has them, else the registry), generates
from the spec this app serves, checks that no file casts (`as`) or silences the compiler, and
runs `tsc --strict --noEmit`. Then it runs the check with Node (run.mjs transpiles it) against
the service on a free port: every call answers as typed.

Needs Node.js and npm; skipped without them, unless REQUIRE_NODE=1 (.ci/run), where their
absence fails."""

import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from service import create_app, migrate
from service.db import make_engine
from tests import factories
from tests.clock import WORLD_BUILT

pytestmark = pytest.mark.slow  # independent of the date: not in .ci/run's date passes

PROJECT = Path(__file__).resolve().parents[2] / "clients" / "typescript"
NODE, NPM = shutil.which("node"), shutil.which("npm")
if (NODE is None or NPM is None) and os.environ.get("REQUIRE_NODE") == "1":
    raise RuntimeError("REQUIRE_NODE=1 but there is no node or npm: apt-get install nodejs npm")
needs_node = pytest.mark.skipif(
    NODE is None or NPM is None, reason="the TypeScript client's check needs Node.js and npm "
    "(apt-get install -y nodejs npm); .ci/run sets REQUIRE_NODE=1 and never skips it")

# In code (comments removed): a cast (`x as T`, `<T>x`), a non-null assertion (`x!.y`), `any`.
CASTS = re.compile(r"[\w)\]]\s+as\s+(?!\w+\s+from\b)|<\w+>\s*[\w(]|[\w)\]]!\s*[.)\[]|:\s*any\b")
# A comment that silences the compiler.
SILENCED = re.compile(r"@ts-(ignore|expect-error|nocheck)")
COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def run(command: list[str], cwd: Path, **kwargs) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600,
                            **kwargs)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def project(tmp_path_factory, app) -> Path:
    """A copy of clients/typescript with its packages installed and its types generated from
    the spec the app serves."""
    work = tmp_path_factory.mktemp("typescript")
    for name in ("package.json", "package-lock.json", "tsconfig.json", "generate.mjs",
                 "run.mjs"):
        shutil.copy(PROJECT / name, work / name)
    shutil.copytree(PROJECT / "src", work / "src",
                    ignore=shutil.ignore_patterns("generated"))
    run([NPM, "ci", "--no-audit", "--no-fund", "--prefer-offline"], work)
    with app.test_client() as client:
        (work / "openapi.json").write_text(client.get("/openapi.json").get_data(as_text=True),
                                           encoding="utf-8")
    run([NODE, "generate.mjs", "openapi.json"], work)
    return work


@needs_node
def test_the_typescript_client_compiles_with_tsc_strict_and_casts_nothing(project, app):
    sources = sorted((project / "src").rglob("*.ts"))
    assert {p.name for p in sources} >= {"client.ts", "check.ts", "api.ts", "lists.ts"}
    for source in sources:
        text = source.read_text(encoding="utf-8")
        assert not SILENCED.search(text), source.name
        cast = CASTS.search(COMMENTS.sub("", text))
        assert cast is None, f"{source.name}: {cast.group(0)!r}"
    run([str(project / "node_modules" / ".bin" / "tsc"), "--strict", "--noEmit", "-p", "."],
        project)

    # Every list the spec has (a GET whose 200 is a page) has its function, reading data.items.
    with app.test_client() as client:
        spec = client.get("/openapi.json").get_json()
    pages = sorted(
        op["operationId"] for item in spec["paths"].values() for method, op in item.items()
        if method == "get" and _is_page(spec, op))
    lists = (project / "src" / "generated" / "lists.ts").read_text(encoding="utf-8")
    assert sorted(re.findall(r"export async function (\w+)\(", lists)) == pages
    assert lists.count("data.items") == len(pages) >= 15


def _is_page(spec: dict, operation: dict) -> bool:
    schema = (operation["responses"].get("200", {}).get("content", {})
              .get("application/json", {}).get("schema", {}))
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return {"items", "total", "page", "per_page"} <= set(schema.get("properties", {}))


@pytest.fixture
def served(tmp_path, clock):
    """The service on a free port with a small county and a county admin `clerk`."""
    url = f"sqlite:///{tmp_path / 'typescript.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, clock.at(WORLD_BUILT):
        factories.small_world(session)
        factories.user(session, "county_admin", username="clerk")
        session.commit()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "typescript-test-" + "k" * 40,
                      "PASSWORD_HASH_FAST": True,
                      "RATELIMIT_STORAGE_URI": f"sqlite:///{tmp_path / 'limits.sqlite'}"})
    server = make_server("127.0.0.1", 0, app.wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    app.extensions["db"].engine.dispose()
    engine.dispose()


@needs_node
def test_the_typescript_client_works_against_the_service(project, served):
    answer = json.loads(run([NODE, "run.mjs", served, "clerk"], project,
                            input=factories.PASSWORD))
    assert answer["totals"]["listVillages"] == 2
    assert answer["totals"]["listHouseholds"] == 3
    assert answer["templateBytes"] > 1000 and answer["exportBytes"] > 1000
    # The roster went up as FormData and was read: one row, a dry run.
    assert answer["counts"] == {"dry_run": True, "rows": 1, "created": 1, "updated": 0,
                                "unchanged": 0, "created_ids": [], "updated_ids": []}
    # A bad roster's problem came back typed, each row with its row, column and message.
    assert answer["refused"] and answer["refused"][0].startswith("第1行 表头")
    assert answer["edited"] is not None  # a PATCH with the ETag as If-Match
