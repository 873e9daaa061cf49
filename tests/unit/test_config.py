"""Settings come from the environment; production refuses to start without a real key."""

import pytest

from service.config import Config


def test_production_needs_a_secret_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        Config({"SERVICE_ENV": "production"})


def test_production_refuses_a_short_secret_key():
    with pytest.raises(RuntimeError, match="32"):
        Config({"SERVICE_ENV": "production", "SECRET_KEY": "short"})


def test_environment_overrides_defaults():
    config = Config({"SERVICE_ENV": "production", "SECRET_KEY": "k" * 40,
                     "PUBLIC_BASE_URL": "https://lianxin.example.gov.cn/",
                     "DATABASE_URL": "postgresql+psycopg://db/x", "COUNTY_TIMEZONE": "Asia/Urumqi",
                     "VISIT_MAX_DISTANCE_KM": "5", "PROXY_COUNT": "1"})
    assert config.DATABASE_URL == "postgresql+psycopg://db/x"
    assert config.COUNTY_TIMEZONE == "Asia/Urumqi" and config.VISIT_MAX_DISTANCE_KM == 5.0
    assert config.PUBLIC_BASE_URL == "https://lianxin.example.gov.cn"


def test_production_refuses_to_start_without_the_public_address():
    """Printed QR codes never take the request's Host (SPEC §13)."""
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        Config({"SERVICE_ENV": "production", "SECRET_KEY": "k" * 40})


@pytest.mark.parametrize("bad", ["evil.example", "javascript:alert(1)", "https://a b",
                                 "https://x.example/?q=1", "ftp://x.example"])
def test_the_public_address_is_a_plain_http_address(bad):
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        Config({"PUBLIC_BASE_URL": bad})


def test_development_defaults_to_sqlite_under_instance(tmp_path, monkeypatch):
    monkeypatch.setattr("service.config.INSTANCE_DIR", tmp_path)
    config = Config({})
    assert config.DATABASE_URL.startswith("sqlite:///") and str(tmp_path) in config.DATABASE_URL
    assert config.COUNTY_TIMEZONE == "Asia/Shanghai"
    assert config.PUBLIC_BASE_URL == "http://127.0.0.1:8000"
    assert Config({}).SECRET_KEY == config.SECRET_KEY  # kept, so all workers agree


def test_the_planner_budget_is_seconds_zero_or_more(tmp_path, monkeypatch):
    monkeypatch.setattr("service.config.INSTANCE_DIR", tmp_path)
    assert Config({}).PLANNER_SECONDS == 20.0
    assert Config({"PLANNER_SECONDS": "2.5"}).PLANNER_SECONDS == 2.5
    for bad in ("-1", "soon", "nan", "inf"):
        with pytest.raises(RuntimeError, match="PLANNER_SECONDS"):
            Config({"PLANNER_SECONDS": bad})


def test_production_says_how_many_proxies_stand_in_front():
    """A wrong guess makes every client one address to the login limits."""
    settings = {"SERVICE_ENV": "production", "SECRET_KEY": "k" * 40,
                "PUBLIC_BASE_URL": "https://lianxin.example.gov.cn"}
    with pytest.raises(RuntimeError, match="PROXY_COUNT"):
        Config(settings)
    assert Config({**settings, "PROXY_COUNT": "0"}).PROXY_COUNT == 0
    assert Config({**settings, "PROXY_COUNT": "2"}).PROXY_COUNT == 2
