"""The service under gunicorn with the shipped settings (the app built once in the master,
workers forked from it) answers, reaches its database from every worker, and sets no cookie."""

import os

import pytest

from tests.servers import free_port, gunicorn, request, serving

pytestmark = pytest.mark.slow  # and independent of the date: not in .ci/run's date passes


def test_preloaded_workers_answer_and_reach_the_database(database_url, tmp_path):
    port = free_port()
    command = gunicorn(port)
    env = {**os.environ, "DATABASE_URL": database_url, "WEB_CONCURRENCY": "2",
           "SECRET_KEY": "gunicorn-test-" + "k" * 40}
    with serving(command, tmp_path, env, port):
        assert request(port, "GET", "/healthz")[0] == 200
        # Several requests, so both workers (forked after the app was built) serve some.
        answers = [request(port, "GET", "/readyz") for _ in range(20)]
        assert {status for status, _, _ in answers} == {200}, answers
        assert not any("Set-Cookie" in headers for _, headers, _ in answers)


def test_the_request_log_never_writes_the_path_a_client_sent(database_url, tmp_path):
    """SPEC §13: the one line per request names the route template, so `%0A` in a public URL
    cannot forge a log line and `%00` writes no NUL byte (here in the text format)."""
    port = free_port()
    command = gunicorn(port)
    env = {**os.environ, "DATABASE_URL": database_url, "WEB_CONCURRENCY": "1",
           "LOG_FORMAT": "text", "SECRET_KEY": "gunicorn-test-" + "k" * 40}
    forged = '127.0.0.1 "GET /api/v1/forged" 200'
    with serving(command, tmp_path, env, port):
        status, _, _ = request(port, "GET", "/api/v1/public/contact-cards/x%0A" +
                               forged.replace(" ", "%20").replace('"', "%22") + "%00%1b[31m")
        assert status in (404, 422)
        status, _, _ = request(port, "GET", "/api/v1/public/contact-cards/ABCD%00%1b")
        assert status in (404, 422)
        request(port, "GET", "/healthz")  # one more line after them
    log = (tmp_path / f"server-{port}.log").read_bytes()
    assert b"\x00" not in log and b"\x1b" not in log
    text = log.decode()
    assert "forged" not in text and "ABCD" not in text
    lines = text.splitlines()
    assert any("GET <unmatched> 404" in line for line in lines)
    assert any("GET /api/v1/public/contact-cards/<string(maxlength=64):card_code> 4" in line
               for line in lines)
    assert any("GET /healthz 200" in line and "request_id=" in line for line in lines)
