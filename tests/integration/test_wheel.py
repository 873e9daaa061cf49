"""The service as a county installs it (SPEC §9 "any install"): the wheel built from this tree,
`pip install`ed into a fresh virtual environment, run from a directory that has nothing of the
repository in it — the migrations, templates and gunicorn settings must come from the package.

Slow (a fresh venv resolves every dependency), so it runs once, in the SQLite pass."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import free_port, request, serving

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="tested once, in the SQLite pass")]


def login(port: int, username: str, password: str) -> int:
    return request(port, "POST", "/api/v1/auth/login",
                   {"username": username, "password": password})[0]


def get(port: int, path: str) -> tuple[int, bytes]:
    status, _, body = request(port, "GET", path)
    return status, body


def test_the_installed_wheel_migrates_loads_and_serves_from_any_directory(tmp_path):
    dist, venv, elsewhere = tmp_path / "dist", tmp_path / "venv", tmp_path / "county-office"
    elsewhere.mkdir()
    # Built from a copy of what the Dockerfile copies, so no build/ of this checkout leaks in.
    source = tmp_path / "source"
    shutil.copytree(ROOT / "service", source / "service",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist),
                    str(source)], check=True, capture_output=True)
    (wheel,) = dist.glob("shuangbao_service-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], check=True,
                   capture_output=True)
    bin_ = venv / "bin"
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "INSTANCE_DIR", "PYTHONPATH", "TEST_DATABASE_URL")}
    env.update(SECRET_KEY="wheel-test-" + "k" * 40, WEB_CONCURRENCY="2")

    def flask(*args: str, stdin: str | None = None) -> str:
        result = subprocess.run([str(bin_ / "flask"), "--app", "service", *args], cwd=elsewhere,
                                env=env, input=stdin, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    # The package imported is the installed one, not this checkout.
    where = subprocess.run([str(bin_ / "python"), "-c", "import service; print(service.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    assert str(venv) in where.stdout
    assert "latest migration" in flask("db-upgrade")
    assert "latest migration" in flask("db-upgrade")  # idempotent
    assert (elsewhere / "instance" / "shuangbao.db").exists()
    loaded = flask("demo-data", "--households", "300", "--cadres", "200", "--quiet")
    assert "300 households" in loaded
    assert "created user clerk" in flask("create-user", "clerk", "--role", "county_admin",
                                         "--password-stdin", stdin="a-long-password-1\n")

    port = free_port()
    with serving([str(bin_ / "flask"), "--app", "service", "serve-demo", "--port", str(port)],
                 elsewhere, env, port):
        assert login(port, "admin", "demo-pass-2026") == 200
        status, body = get(port, "/openapi.yaml")
        assert status == 200 and b"\nopenapi: 3." in body
        # The field client's files come from the package too (SPEC §12).
        status, body = get(port, "/field/")
        assert status == 200 and b"/field/app.js" in body
        status, body = get(port, "/field/app.js")
        assert status == 200 and "待同步".encode() in body
        status, body = get(port, "/field/sw.js")
        assert status == 200 and b"__VERSION__" not in body
        # So do the office console's, its vendored library included (SPEC §16).
        status, body = get(port, "/office/")
        assert status == 200 and b"app.js" in body
        status, body = get(port, "/office/vendor/lit-html.js")
        assert status == 200 and b"BSD-3-Clause" in body
        # The message catalogs come from the package too (SPEC §15: Chinese by default).
        status, body = get(port, "/api/v1/nothing")
        assert status == 404 and json.loads(body)["title"] == "未找到"
        status, _, body = request(port, "GET", "/api/v1/nothing", headers={
            "Accept-Language": "en"})
        assert status == 404 and json.loads(body)["title"] == "Not found"

    port = free_port()
    with serving([str(bin_ / "gunicorn"), "--config", "python:service.gunicorn_conf",
                  "--bind", f"127.0.0.1:{port}", "service:create_app()"], elsewhere, env, port):
        assert login(port, "clerk", "a-long-password-1") == 200
        # A report renders its template from the package.
        disclosure = "/api/v1/reports/disclosure?village_id=1&month=2026-10&format=html"
        status, body = get(port, disclosure)
        assert status == 200 and "公示".encode() in body
