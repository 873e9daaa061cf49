"""The files a county deploys from (SPEC §13, issues 17 and 26): the image checks readiness
(the database answers), and compose.yaml runs the service with PostgreSQL and Redis, migrating
on start, its secrets from .env, behind nginx, the only service that publishes a port.
(There is no Docker daemon on the test machine: the image is not built here; tests/integration/
test_proxy.py runs the same nginx server block with Debian's nginx.)"""

import pathlib
import re

import yaml

from service.config import Config
from service.imports.reading import UPLOAD
from tests.servers import NGINX_TEMPLATE, render_nginx_template

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_the_image_is_healthy_only_while_the_database_answers():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "/readyz" in dockerfile.split("HEALTHCHECK", 1)[1].split("\n\n", 1)[0]
    assert "pip wheel" in dockerfile and "USER 10001:10001" in dockerfile
    # gunicorn listens on loopback unless told; in the container the proxy must reach it.
    assert "BIND=0.0.0.0:8000" in dockerfile.split("\nENV ", 1)[1].split("\nRUN ", 1)[0]


def test_compose_runs_the_service_with_postgresql_and_redis():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"app", "db", "redis", "proxy"}
    app = services["app"]
    env = app["environment"]
    url = env["DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://") and "@db:5432/" in url
    assert env["RATELIMIT_STORAGE_URI"].startswith("redis://redis:6379")
    assert env["MIGRATE_ON_START"] == "1"
    assert all(v.startswith("${") for k, v in env.items() if k in ("SECRET_KEY", "PUBLIC_BASE_URL"))
    assert env["PROXY_COUNT"].startswith("${PROXY_COUNT:-1}")  # nginx, when alone in front
    assert {name: c["condition"] for name, c in app["depends_on"].items()} == {
        "db": "service_healthy", "redis": "service_healthy"}
    assert all("healthcheck" in services[name] for name in ("db", "redis"))
    example = (ROOT / ".env.example").read_text()
    for name in ("POSTGRES_PASSWORD", "SECRET_KEY", "PUBLIC_BASE_URL", "METRICS_TOKEN"):
        assert f"\n{name}=" in "\n" + example


def test_only_the_proxy_faces_the_network():
    """Issue 26: gunicorn publishes no port; nginx does, configured from the one template the
    tests run too, reaching gunicorn by its name on compose's network."""
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    assert [name for name, service in services.items() if "ports" in service] == ["proxy"]
    proxy = services["proxy"]
    assert re.fullmatch(r"nginx:1\.\d+-bookworm", proxy["image"])
    assert ("./deploy/nginx/default.conf.template:/etc/nginx/templates/default.conf.template:ro"
            in proxy["volumes"])
    env = proxy["environment"]
    assert env["UPSTREAM"] == "app:8000" and env["RESOLVER"] == "127.0.0.11"
    assert [port.split(":")[-1] for port in proxy["ports"]] == [env["LISTEN"]]
    assert _seconds(env["CLIENT_TIMEOUT"]) <= 15
    # Every name the template uses is set (the image leaves an unset one in: nginx would not
    # start), and the rendering gives nginx the values.
    server = render_nginx_template({k: str(v) for k, v in env.items()})
    assert "listen 8080 default_server;" in server and "set $shuangbao_upstream app:8000;" in server


def _directives(text: str) -> dict[str, list[str]]:
    """`name value...;` directives of an nginx file (comments and quoted strings aside)."""
    text = re.sub(r"#[^\n]*", "", text)
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "''", text)
    found: dict[str, list[str]] = {}
    for statement in re.split(r"[;{}]", text):
        words = statement.split()
        if words:
            found.setdefault(words[0], []).append(" ".join(words[1:]))
    return found


def _seconds(value: str) -> float:
    number, unit = re.fullmatch(r"(\d+)(ms|s|m)?", value).groups()
    return int(number) * {"ms": 0.001, "s": 1, None: 1, "m": 60}[unit]


def _megabytes(value: str) -> float:
    number, unit = re.fullmatch(r"(\d+)([kKmM])?", value).groups()
    return int(number) * {"k": 1 / 1024, "K": 1 / 1024, "m": 1, "M": 1, None: 1 / 2**20}[unit]


def test_the_proxy_cuts_off_stalled_clients_and_buffers_both_ways():
    """The settings that keep gunicorn's threads for whole requests: short client timeouts, a
    body limit just over the largest the service takes, the request read whole before gunicorn
    is asked and the answer taken whole, a read timeout over the service's own budget, a
    limit per address, the forwarded headers, no version in Server."""
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    env = {k: str(v) for k, v in compose["services"]["proxy"]["environment"].items()}
    assert "${CLIENT_TIMEOUT}" in NGINX_TEMPLATE.read_text()
    d = {name: values[0] if len(values) == 1 else values
         for name, values in _directives(render_nginx_template(env)).items()}
    for name in ("client_header_timeout", "client_body_timeout", "send_timeout"):
        assert d[name] == env["CLIENT_TIMEOUT"], name
    assert d["reset_timedout_connection"] == "on"
    assert _seconds(d["keepalive_timeout"]) <= 60
    body_limit = _megabytes(d["client_max_body_size"])
    # A roster upload (10 MB and its form around it) is the largest body the service takes.
    assert UPLOAD.max_bytes / 2**20 + 0.5 <= body_limit <= UPLOAD.max_bytes / 2**20 + 2
    assert d["proxy_request_buffering"] == "on" and d["proxy_buffering"] == "on"
    budget = Config({"SECRET_KEY": "k" * 40}).REQUEST_SECONDS
    # The service answers by about twice its budget at worst (service/deadline.py).
    assert 2 * budget < _seconds(d["proxy_read_timeout"]) <= 2 * budget + 30
    assert _seconds(d["proxy_connect_timeout"]) <= 10
    assert d["limit_conn_zone"].startswith("$binary_remote_addr zone=shuangbao_per_address:")
    assert d["limit_conn"].startswith("shuangbao_per_address ")
    assert int(d["limit_conn"].split()[1]) >= 50  # a county office behind one NAT address
    assert d["server_tokens"] == "off"
    headers = dict(value.split(None, 1) for value in d["proxy_set_header"])
    assert headers == {"Host": "$host", "X-Forwarded-For": "$proxy_add_x_forwarded_for",
                       "X-Forwarded-Proto": "$scheme",
                       "X-Request-ID": "$shuangbao_request_id"}
    assert d["proxy_pass"] == "http://$shuangbao_upstream"
