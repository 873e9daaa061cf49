"""gunicorn never faces the network alone (issue 26): clients that stall stop gunicorn's gthread
workers answering, and the shipped reverse proxy (deploy/nginx/default.conf.template, Debian's
nginx here as in front of compose.yaml's app) keeps the service answering through them.

gunicorn runs with one worker of two threads throughout: the fewest threads a county might
run, and what makes the first test exact (with more workers the kernel spreads the stalled
connections over them unevenly, and a probe fails only when it lands on a stuck worker)."""

import contextlib
import http.client
import json
import os
import select
import socket
import threading
import time

import pytest

from tests.servers import NGINX, free_port, gunicorn, nginx, request, serving

pytestmark = pytest.mark.slow  # and independent of the date: not in .ci/run's date passes

CLIENT_TIMEOUT = 4  # seconds; compose's is 10 s, shorter here to keep the tests short
PROBE_SECONDS = 2  # a /healthz that takes longer than this counts as not answering
SLOW_HEADER = b"GET /healthz HTTP/1.1\r\nHost: x\r\n"  # and never the blank line that ends it

if not NGINX.exists() and os.environ.get("REQUIRE_NGINX") == "1":  # .ci/run: never skipped
    raise RuntimeError("REQUIRE_NGINX=1 but there is no /usr/sbin/nginx: apt-get install nginx")
needs_nginx = pytest.mark.skipif(
    not NGINX.exists(), reason="Debian's nginx is not installed (apt-get install nginx); "
                               ".ci/run installs it")


def _env(database_url: str, **extra: str) -> dict:
    return {**os.environ, "DATABASE_URL": database_url, "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "2", "PROXY_COUNT": "1", "LOG_FORMAT": "text",
            "SECRET_KEY": "proxy-test-" + "k" * 40, **extra}


def _probe(port: int, source: str = "127.0.0.1", timeout: float = PROBE_SECONDS,
           headers: dict | None = None):
    """GET /healthz: (status, headers, body, seconds it took); TimeoutError past `timeout`."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                            source_address=(source, 0))
    try:
        connection.request("GET", "/healthz", headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, dict(response.getheaders()), body, time.monotonic() - started
    finally:
        connection.close()


def _is_waiting(sock: socket.socket) -> bool:
    """The server keeps this connection open and has sent nothing on it (an answer, the end
    of the connection or a reset would make it readable)."""
    readable, _, _ = select.select([sock], [], [], 0)
    return not readable


def _seconds_until_closed(sockets: list[socket.socket], since: float, limit: float) -> list:
    """For each socket, seconds from `since` until the server closed or reset it (None if it
    had not within `limit` seconds of `since`); whatever it sent first is read and dropped."""
    closed = []
    for sock in sockets:
        left = since + limit - time.monotonic()
        if left <= 0:
            closed.append(None)
            continue
        sock.settimeout(left)
        try:
            while sock.recv(4096):
                pass
        except TimeoutError:
            closed.append(None)
            continue
        except OSError:  # reset: nginx's reset_timedout_connection
            pass
        closed.append(time.monotonic() - since)
    return closed


@pytest.fixture
def held():
    """Sockets a test opens and holds: all closed at its end, whatever happens."""
    sockets: list[socket.socket] = []
    try:
        yield sockets
    finally:
        for sock in sockets:
            sock.close()


def _open(port: int, first_bytes: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(first_bytes)
    return sock


def test_slow_headers_stop_gunicorn_answering_when_it_faces_clients_alone(
        database_url, tmp_path, held):
    """The attack of issue 26 straight at gunicorn: 30 connections that never finish their
    headers. Its gthread worker gives each a thread once the first bytes arrive and reads the
    rest with no timeout: /healthz stops answering, and GUNICORN_TIMEOUT (3 s here) restarts
    nothing, because the worker's main loop still tells the master it is alive. It answers
    again only once the clients themselves go away."""
    port = free_port()
    env = _env(database_url, GUNICORN_TIMEOUT="3")
    with serving(gunicorn(port), tmp_path, env, port):
        assert _probe(port)[0] == 200
        opened = time.monotonic()
        try:
            held.extend(_open(port, SLOW_HEADER) for _ in range(30))
            with pytest.raises(TimeoutError):
                _probe(port, timeout=3)
            with pytest.raises(TimeoutError):  # past GUNICORN_TIMEOUT since they came
                _probe(port, timeout=3)
            assert time.monotonic() - opened > 3 + 1
            log = (tmp_path / f"server-{port}.log").read_text()
            assert "WORKER TIMEOUT" not in log, log[-2000:]
            assert all(_is_waiting(sock) for sock in held)  # gunicorn never gives up on them
        finally:  # else its threads would still be reading them when gunicorn is stopped
            for sock in held:
                sock.close()
        assert _probe(port, timeout=10)[0] == 200


@pytest.fixture(scope="module")
def proxied(database_url, tmp_path_factory):
    """gunicorn (one worker, two threads) on a local port and nginx in front of it with the
    shipped server block, CLIENT_TIMEOUT seconds for a client to stall: (gunicorn's port,
    nginx's port, the directory of both logs)."""
    if not NGINX.exists():
        pytest.skip("Debian's nginx is not installed (apt-get install nginx); .ci/run does")
    directory = tmp_path_factory.mktemp("proxied")
    port, proxy_port = free_port(), free_port()
    with serving(gunicorn(port), directory, _env(database_url), port), \
            nginx(directory / "nginx", proxy_port, port, client_timeout=f"{CLIENT_TIMEOUT}s"):
        yield port, proxy_port, directory


def _trickle(port: int, every: float, result: dict):
    """A header line every `every` seconds, never the last: when did the server cut it off?"""
    started = time.monotonic()
    with contextlib.closing(_open(port, b"GET /healthz HTTP/1.1\r\n")) as sock:
        for n in range(int(3 * CLIENT_TIMEOUT / every)):
            time.sleep(every)
            try:
                sock.sendall(b"X-Slow-%d: 1\r\n" % n)
            except OSError:
                break
        result["cut_off_after"] = time.monotonic() - started


@needs_nginx
def test_through_nginx_slow_headers_never_reach_gunicorn(proxied, held):
    """50 connections that never finish their headers, and one that sends a header line every
    half second: nginx holds them, /healthz answers through it all along, and nginx cuts
    every one of them off after client_header_timeout (the whole header, not each read)."""
    _, proxy_port, _ = proxied
    trickled: dict = {}
    trickler = threading.Thread(target=_trickle, args=(proxy_port, 0.5, trickled))
    opened = time.monotonic()
    held.extend(_open(proxy_port, SLOW_HEADER) for _ in range(50))
    trickler.start()
    try:
        answers = [_probe(proxy_port) for _ in range(10)]
        assert [status for status, *_ in answers] == [200] * 10
        assert max(seconds for *_, seconds in answers) < PROBE_SECONDS
        assert time.monotonic() - opened < CLIENT_TIMEOUT - 0.5, "too slow to tell"
        assert all(_is_waiting(sock) for sock in held)  # still held while /healthz answered

        closed = _seconds_until_closed(held, opened, CLIENT_TIMEOUT + 5)
        assert None not in closed, closed
        assert min(closed) > CLIENT_TIMEOUT - 0.5, closed
    finally:
        trickler.join(timeout=3 * CLIENT_TIMEOUT + 5)
    assert CLIENT_TIMEOUT - 0.5 < trickled["cut_off_after"] < CLIENT_TIMEOUT + 3, trickled
    assert _probe(proxy_port)[0] == 200


def _slow_body(port: int) -> socket.socket:
    """A POST that declares a megabyte and sends ten bytes of it."""
    return _open(port, b"POST /api/v1/visits/batch HTTP/1.1\r\nHost: x\r\n"
                       b"Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
                       b'{"visits":')


@needs_nginx
def test_through_nginx_slow_bodies_never_reach_gunicorn_and_one_address_is_limited(
        proxied, held):
    """Bodies that stall: nginx reads the whole body before it asks gunicorn anything, so 20
    of them (ten times gunicorn's threads) leave /healthz answering, gunicorn never sees
    them, and nginx drops them after client_body_timeout. 100 in progress from one address
    is its limit: the next request from that address is refused 429 (problem+json), while
    another address is served."""
    port, proxy_port, directory = proxied
    opened = time.monotonic()
    held.extend(_slow_body(proxy_port) for _ in range(20))
    answers = [_probe(proxy_port) for _ in range(5)]
    assert [status for status, *_ in answers] == [200] * 5
    assert max(seconds for *_, seconds in answers) < PROBE_SECONDS

    held.extend(_slow_body(proxy_port) for _ in range(80))  # 100 in progress now
    status, headers, body, _ = _probe(proxy_port)
    assert status == 429 and headers["Content-Type"] == "application/problem+json"
    assert json.loads(body)["code"] == "rate_limited" and headers["Retry-After"] == "2"
    status, *_ = _probe(proxy_port, source="127.0.0.2")  # another address, same loopback
    assert status == 200
    assert time.monotonic() - opened < CLIENT_TIMEOUT - 0.5, "too slow to tell"
    assert all(_is_waiting(sock) for sock in held)

    closed = _seconds_until_closed(held, opened, CLIENT_TIMEOUT + 5)
    assert None not in closed, closed
    assert min(closed) > CLIENT_TIMEOUT - 0.5, closed
    assert _probe(proxy_port)[0] == 200
    assert "/visits/batch" not in (directory / f"server-{port}.log").read_text()


@needs_nginx
def test_nginx_passes_what_the_service_needs_and_refuses_what_it_never_takes(proxied):
    """The forwarded headers (the service sees a proxied caller: /metrics, open to this
    machine's own callers, is not found through nginx), the caller's request id or nginx's
    own, no version in Server; a body up to 11 MB reaches the service, a larger one is
    refused by nginx with the service's 413 problem."""
    port, proxy_port, _ = proxied
    assert request(port, "GET", "/metrics")[0] == 200
    assert request(proxy_port, "GET", "/metrics")[0] == 404

    status, headers, _, _ = _probe(proxy_port, headers={"X-Request-ID": "field-42.a:b"})
    assert status == 200 and headers["X-Request-ID"] == "field-42.a:b"
    assert headers["Server"] == "nginx"
    generated = _probe(proxy_port, headers={"X-Request-ID": "not one\tto log"})[1]
    assert len(generated["X-Request-ID"]) == 32

    # 9 MB of JSON: past nginx, refused by the service itself (its JSON limit is 8 MB).
    status, headers, body = request(proxy_port, "POST", "/api/v1/auth/login",
                                    {"username": "x" * (9 * 1024 * 1024)})
    assert status == 413 and headers["Content-Type"] == "application/problem+json"
    assert json.loads(body)["instance"] == "/api/v1/auth/login"  # the service's, not nginx's

    connection = http.client.HTTPConnection("127.0.0.1", proxy_port, timeout=10)
    try:
        connection.putrequest("POST", "/api/v1/auth/login")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(12 * 1024 * 1024))
        connection.endheaders()  # nginx answers from the headers alone
        response = connection.getresponse()
        problem = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == 413 and problem["code"] == "payload_too_large"
