"""The service under gunicorn with the shipped settings (the app built once in the master,
workers forked from it) answers, reaches its database from every worker, and sets no cookie."""

import os
import sys

import pytest

from tests.servers import free_port, request, serving

pytestmark = pytest.mark.slow  # and independent of the date: not in .ci/run's date passes


def test_preloaded_workers_answer_and_reach_the_database(database_url, tmp_path):
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--config", "python:service.gunicorn_conf",
               "--bind", f"127.0.0.1:{port}", "service:create_app()"]
    env = {**os.environ, "DATABASE_URL": database_url, "WEB_CONCURRENCY": "2",
           "SECRET_KEY": "gunicorn-test-" + "k" * 40}
    with serving(command, tmp_path, env, port):
        assert request(port, "GET", "/healthz")[0] == 200
        # Several requests, so both workers (forked after the app was built) serve some.
        answers = [request(port, "GET", "/readyz") for _ in range(20)]
        assert {status for status, _, _ in answers} == {200}, answers
        assert not any("Set-Cookie" in headers for _, headers, _ in answers)
