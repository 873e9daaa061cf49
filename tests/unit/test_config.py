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
                     "DATABASE_URL": "postgresql+psycopg://db/x", "COUNTY_TIMEZONE": "Asia/Urumqi",
                     "VISIT_MAX_DISTANCE_KM": "5"})
    assert config.DATABASE_URL == "postgresql+psycopg://db/x"
    assert config.COUNTY_TIMEZONE == "Asia/Urumqi" and config.VISIT_MAX_DISTANCE_KM == 5.0


def test_development_defaults_to_sqlite_under_instance(tmp_path, monkeypatch):
    monkeypatch.setattr("service.config.INSTANCE_DIR", tmp_path)
    config = Config({})
    assert config.DATABASE_URL.startswith("sqlite:///") and str(tmp_path) in config.DATABASE_URL
    assert config.COUNTY_TIMEZONE == "Asia/Shanghai"
    assert Config({}).SECRET_KEY == config.SECRET_KEY  # kept, so all workers agree
