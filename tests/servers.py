"""The service as a real process on a free local port, for the tests that start one."""

import contextlib
import http.client
import json
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn(port: int) -> list[str]:
    """The production command (the shipped gunicorn settings) on a local port."""
    return [sys.executable, "-m", "gunicorn", "--config", "python:service.gunicorn_conf",
            "--bind", f"127.0.0.1:{port}", "service:create_app()"]


def request(port: int, method: str, path: str, body: dict | None = None,
            headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One request: status, headers and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        sent = {"Content-Type": "application/json"} if body else {}
        connection.request(method, path, body=json.dumps(body) if body else None,
                           headers={**sent, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@contextlib.contextmanager
def serving(command: list[str], cwd: Path, env: dict, port: int):
    """Run a server until the block ends, once it answers /readyz (its log in cwd)."""
    log = cwd / f"server-{port}.log"
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=out)
    try:
        for _ in range(150):
            if server.poll() is not None:
                raise AssertionError(f"{command[:3]} exited: {log.read_text()[-2000:]}")
            try:
                if request(port, "GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise AssertionError(f"{command[:3]} did not answer: {log.read_text()[-2000:]}")
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)
