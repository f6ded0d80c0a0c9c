"""The web app starts, upgrades an empty database, and reports its health."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from breachdesk.config import Settings
from breachdesk.db import Database
from breachdesk.main import create_app
from breachdesk.migrations import head_revision


def test_health_is_ok_on_a_current_database(database_url, tmp_path):
    app = create_app(Settings(database_url=database_url, data_dir=tmp_path))
    with TestClient(app) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_health_fails_when_the_schema_is_behind(database_url, tmp_path):
    app = create_app(Settings(database_url=database_url, data_dir=tmp_path))
    database = Database(database_url)
    try:
        with TestClient(app) as client:
            set_schema_version(database, "older")
            response = client.get("/healthz")
    finally:
        # The PostgreSQL database is this test process's for the whole run, and emptied
        # between tests, not migrated again: left behind, every later test would fail.
        set_schema_version(database, head_revision())
        database.dispose()
    assert response.status_code == 503


def set_schema_version(database: Database, version: str | None) -> None:
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": version})


def test_the_app_sets_up_an_empty_embedded_database(tmp_path):
    with TestClient(create_app(Settings(data_dir=tmp_path))) as client:
        assert client.get("/healthz").status_code == 200
    assert (tmp_path / "breachdesk.sqlite3").exists()
