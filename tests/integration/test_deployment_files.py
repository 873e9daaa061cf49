"""The files a county deploys from (SPEC §13, issue 17): the image checks readiness (the
database answers), and compose.yaml runs the service with PostgreSQL and Redis, migrating on
start, its secrets from .env, and only localhost's port published for the reverse proxy.
(There is no Docker daemon on the test machine: the image is not built here.)"""

import pathlib

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_the_image_is_healthy_only_while_the_database_answers():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "/readyz" in dockerfile.split("HEALTHCHECK", 1)[1].split("\n\n", 1)[0]
    assert "pip wheel" in dockerfile and "USER 10001:10001" in dockerfile


def test_compose_runs_the_service_with_postgresql_and_redis():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"app", "db", "redis"}
    app = services["app"]
    env = app["environment"]
    url = env["DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://") and "@db:5432/" in url
    assert env["RATELIMIT_STORAGE_URI"].startswith("redis://redis:6379")
    assert env["MIGRATE_ON_START"] == "1"
    assert all(v.startswith("${") for k, v in env.items() if k in ("SECRET_KEY", "PUBLIC_BASE_URL"))
    assert app["ports"] == ["127.0.0.1:8000:8000"]
    assert {name: c["condition"] for name, c in app["depends_on"].items()} == {
        "db": "service_healthy", "redis": "service_healthy"}
    assert all("healthcheck" in services[name] for name in ("db", "redis"))
    example = (ROOT / ".env.example").read_text()
    for name in ("POSTGRES_PASSWORD", "SECRET_KEY", "PUBLIC_BASE_URL", "METRICS_TOKEN"):
        assert f"\n{name}=" in "\n" + example
