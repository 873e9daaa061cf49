"""The console's modules type-check against the client generated from the served spec
(issue 28, SPEC §16): clients/office's `npm run check` makes the API's types with
openapi-typescript and runs `tsc --checkJs --strict` over service/office/static. Here the types
come from the spec this app serves, and a module that reads a field the spec does not have, or
calls an address it does not list, is refused — so the check can fail.

Needs Node.js and npm; skipped without them, unless REQUIRE_NODE=1 (.ci/run)."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # independent of the date: not in .ci/run's date passes

OFFICE = Path(__file__).resolve().parents[2] / "clients" / "office"
STATIC = Path(__file__).resolve().parents[2] / "service" / "office" / "static"
NPM, NPX = shutil.which("npm"), shutil.which("npx")
if (NPM is None or NPX is None) and os.environ.get("REQUIRE_NODE") == "1":
    raise RuntimeError("REQUIRE_NODE=1 but there is no npm: the console's type check needs it")
needs_node = pytest.mark.skipif(NPM is None or NPX is None,
                                reason="the console's type check needs Node.js and npm")


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def typed(tmp_path_factory, app) -> Path:
    """clients/office with its pinned packages and the served spec's types."""
    if not (OFFICE / "node_modules" / "typescript").exists():
        done = run([NPM, "ci", "--no-audit", "--no-fund", "--prefer-offline"], OFFICE)
        assert done.returncode == 0, done.stderr
    spec = tmp_path_factory.mktemp("office-types") / "openapi.json"
    with app.test_client() as client:
        spec.write_text(client.get("/openapi.json").get_data(as_text=True), encoding="utf-8")
    done = run([NPX, "--no-install", "openapi-typescript", str(spec), "-o",
                "generated/api.d.ts"], OFFICE)
    assert done.returncode == 0, done.stderr
    return OFFICE


@needs_node
def test_the_console_type_checks_against_the_served_spec(typed):
    done = run([NPX, "--no-install", "tsc", "-p", "."], typed)
    assert done.returncode == 0, done.stdout + done.stderr
    config = json.loads((typed / "tsconfig.json").read_text())
    assert config["compilerOptions"]["strict"] and config["compilerOptions"]["checkJs"]


@needs_node
def test_a_field_or_an_address_the_spec_lacks_is_refused(typed, tmp_path):
    wrong = tmp_path / "wrong.js"
    wrong.write_text(f'''import {{ get }} from "{STATIC / 'api.js'}";
const page = await get("/api/v1/households", {{ query: {{ village_id: 3 }} }});
export const head = page.items[0].head_nam;
export const other = await get("/api/v1/household", {{}});
export const bad = await get("/api/v1/households", {{ query: {{ village_id: "3" }} }});
''')
    config = tmp_path / "tsconfig.json"
    config.write_text(json.dumps({"extends": str(typed / "tsconfig.json"), "include": [],
                                  "files": [str(typed / "api-types.d.ts"), str(wrong)]}))
    done = run([NPX, "--no-install", "tsc", "-p", str(config)], typed)
    out = done.stdout
    assert done.returncode != 0
    assert "head_nam" in out and "/api/v1/household" in out and "wrong.js(5" in out, out
