"""Configuration from INSIGHTS_* variables: defaults, validation, secret key rules."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from insights_lms import create_app
from insights_lms.config import ConfigError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    import os

    for key in list(os.environ):
        if key.startswith("INSIGHTS_"):
            monkeypatch.delenv(key)


def test_defaults():
    settings = load_settings()
    assert settings.env == "production"
    assert settings.time_zone == "Europe/London"
    assert settings.max_upload_mb == 20
    assert settings.lrs_endpoint is None


def test_environment_variables_are_read(monkeypatch):
    monkeypatch.setenv("INSIGHTS_TIME_ZONE", "Europe/Dublin")
    monkeypatch.setenv("INSIGHTS_LRS_ENDPOINT", "https://lrs.example.org/xapi/")
    monkeypatch.setenv("INSIGHTS_LRS_USERNAME", "key")
    monkeypatch.setenv("INSIGHTS_LRS_PASSWORD", "s3cr3t-pw")
    monkeypatch.setenv("INSIGHTS_XAPI_BASE_IRI", "https://lms.example.org")
    settings = load_settings()
    assert settings.time_zone == "Europe/Dublin"
    assert settings.lrs_endpoint == "https://lrs.example.org/xapi/"
    assert settings.lrs_password.get_secret_value() == "s3cr3t-pw"
    assert settings.xapi_base_iri == "https://lms.example.org/"
    assert "s3cr3t-pw" not in repr(settings)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("INSIGHTS_TIME_ZONE", "Mars/Olympus", "INSIGHTS_TIME_ZONE"),
        ("INSIGHTS_XAPI_BASE_IRI", "lms.example.org", "INSIGHTS_XAPI_BASE_IRI"),
        ("INSIGHTS_LRS_ENDPOINT", "ftp://lrs", "INSIGHTS_LRS_ENDPOINT"),
        ("INSIGHTS_ENV", "staging", "INSIGHTS_ENV"),
    ],
)
def test_bad_values_stop_the_app_naming_the_variable(monkeypatch, key, value, message):
    monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match=message):
        load_settings()


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path):
    with pytest.raises(ConfigError, match="refusing to start in production"):
        create_app({"INSTANCE_PATH": str(tmp_path / "instance")})


def test_production_refuses_to_start_without_a_base_url(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("INSIGHTS_SECRET_KEY", "k" * 40)
    with pytest.raises(ConfigError, match="INSIGHTS_BASE_URL is not set"):
        create_app({"INSTANCE_PATH": str(tmp_path / "instance")})


def test_frame_ancestors_must_be_origins(monkeypatch):
    monkeypatch.setenv("INSIGHTS_FRAME_ANCESTORS", "https://lti.example.org/launch")
    with pytest.raises(ConfigError, match="INSIGHTS_FRAME_ANCESTORS"):
        load_settings()
    monkeypatch.setenv("INSIGHTS_FRAME_ANCESTORS", " https://a.example  https://b.example:8443 ")
    assert load_settings().frame_ancestors == "https://a.example https://b.example:8443"


def test_production_uses_the_secret_key_from_the_environment(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("INSIGHTS_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("INSIGHTS_BASE_URL", "https://lms.example.org")
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance")})
    assert app.secret_key == "k" * 40
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_generates_a_private_secret_key_into_the_instance_folder(tmp_path: Path):
    instance = tmp_path / "instance"
    app = create_app({"INSIGHTS_ENV": "development", "INSTANCE_PATH": str(instance)})
    key_file = instance / "secret_key"
    assert key_file.read_text().strip() == app.secret_key
    assert len(app.secret_key) >= 40
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert app.config["SESSION_COOKIE_SECURE"] is False
    # The same key next time: sessions survive a restart.
    again = create_app({"INSIGHTS_ENV": "development", "INSTANCE_PATH": str(instance)})
    assert again.secret_key == app.secret_key
    # And production accepts the generated file.
    prod = create_app({"INSTANCE_PATH": str(instance), "INSIGHTS_BASE_URL": "https://x.example"})
    assert prod.secret_key == app.secret_key


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path: Path):
    instance = tmp_path / "instance"
    app = create_app({"INSIGHTS_ENV": "development", "INSTANCE_PATH": str(instance)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'insights.db'}"


def test_keygen_writes_a_key_once(tmp_path: Path, capsys):
    from insights_lms.keygen import main

    main([str(tmp_path)])
    key = (tmp_path / "secret_key").read_text()
    main([str(tmp_path)])
    assert (tmp_path / "secret_key").read_text() == key
    assert "kept it" in capsys.readouterr().out
