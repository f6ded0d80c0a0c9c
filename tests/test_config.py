"""Settings from BREACHDESK_* variables, secrets from files, nonsense refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from breachdesk.config import ConfigError, get_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    import os

    for name in list(os.environ):
        if name.startswith("BREACHDESK_"):
            monkeypatch.delenv(name)


def test_the_defaults_are_the_embedded_mode(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    settings = get_settings()
    assert settings.data_dir == Path("breachdesk-data")
    expected = (tmp_path / "breachdesk-data" / "breachdesk.sqlite3").resolve()
    assert settings.resolved_database_url == f"sqlite:///{expected}"


def test_a_secret_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "url"
    secret.write_text("postgresql+psycopg://u:p@db/breachdesk\n")
    monkeypatch.setenv("BREACHDESK_DATABASE_URL_FILE", str(secret))
    assert get_settings().resolved_database_url == "postgresql+psycopg://u:p@db/breachdesk"


def test_an_unreadable_secret_file_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("BREACHDESK_DATA_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="BREACHDESK_DATA_KEY_FILE: cannot read"):
        get_settings()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("BREACHDESK_PORT", "eighty", "BREACHDESK_PORT"),
        ("BREACHDESK_PORT", "70000", "less than or equal to 65535"),
        ("BREACHDESK_LOG_LEVEL", "loud", "must be one of critical, error"),
    ],
)
def test_nonsense_values_are_refused_naming_the_setting(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        get_settings()


def test_the_cli_reports_a_bad_setting_in_one_line(monkeypatch):
    from typer.testing import CliRunner

    from breachdesk.cli import app

    monkeypatch.setenv("BREACHDESK_PORT", "eighty")
    result = CliRunner().invoke(app, ["incident", "list"])
    assert result.exit_code == 2
    assert result.output.startswith("error: BREACHDESK_PORT:")
