"""The web app starts, upgrades an empty database, and reports its health."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from breachdesk.config import Settings
from breachdesk.db import Database
from breachdesk.main import create_app


def test_health_is_ok_on_a_current_database(database_url, tmp_path):
    app = create_app(Settings(database_url=database_url, data_dir=tmp_path))
    with TestClient(app) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_health_fails_when_the_schema_is_behind(database_url, tmp_path):
    app = create_app(Settings(database_url=database_url, data_dir=tmp_path))
    with TestClient(app) as client:
        database = Database(database_url)
        with database.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
        database.dispose()
        response = client.get("/healthz")
    assert response.status_code == 503


def test_the_app_sets_up_an_empty_embedded_database(tmp_path):
    with TestClient(create_app(Settings(data_dir=tmp_path))) as client:
        assert client.get("/healthz").status_code == 200
    assert (tmp_path / "breachdesk.sqlite3").exists()
