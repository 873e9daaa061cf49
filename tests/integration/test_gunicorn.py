"""The service under gunicorn with the shipped settings (the app built once in the master,
workers forked from it) answers, reaches its database from every worker, and sets no cookie."""

import http.client
import os
import socket
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.slow  # and independent of the date: not in .ci/run's date passes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_preloaded_workers_answer_and_reach_the_database(database_url, tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "python:service.gunicorn_conf",
         "--bind", f"127.0.0.1:{port}", "service:create_app()"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "DATABASE_URL": database_url, "WEB_CONCURRENCY": "2",
             "SECRET_KEY": "gunicorn-test-" + "k" * 40})
    try:
        for _ in range(100):
            try:
                status, _, _ = get(port, "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("gunicorn did not start")
        assert status == 200
        # Several requests, so both workers (forked after the app was built) serve some.
        answers = [get(port, "/readyz") for _ in range(20)]
        assert {status for status, _, _ in answers} == {200}, answers
        assert not any("Set-Cookie" in headers for _, headers, _ in answers)
    finally:
        server.terminate()
        server.wait(timeout=30)
