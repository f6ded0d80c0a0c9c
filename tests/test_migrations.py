"""The migrations build exactly the models' schema, and the database upgrades itself
when it is empty and refuses to run when it is behind."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import make_url

from breachdesk.db import Base, Database
from breachdesk.migrations import SchemaOutOfDate, ensure_current, head_revision, ours, upgrade
from breachdesk.models import import_all_models


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
        yield database
        database.dispose()
        return
    url = request.getfixturevalue("postgres_migrated")  # this test process's database
    schema = "migration_check"
    admin = Database(url)
    with admin.engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    in_schema = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    database = Database(in_schema.render_as_string(hide_password=False))
    yield database
    database.dispose()
    with admin.engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def test_migrations_produce_exactly_the_models_schema(empty_database):
    import_all_models()
    upgrade(empty_database.engine)
    with empty_database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": ours}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_an_empty_database_is_upgraded_on_first_use(empty_database):
    ensure_current(empty_database.engine)
    with empty_database.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        head = connection.execute(text("SELECT seq, hash FROM audit_head")).one()
    assert version == head_revision()
    assert tuple(head) == (0, "0" * 64)


def test_a_database_behind_this_version_is_refused_with_what_to_run(empty_database):
    upgrade(empty_database.engine)
    with empty_database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    with pytest.raises(SchemaOutOfDate, match="run `breachdesk db upgrade`"):
        ensure_current(empty_database.engine)


def test_db_upgrade_reports_what_it_did(run_cli, settings_env, monkeypatch, tmp_path):
    monkeypatch.setenv("BREACHDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'new.sqlite3'}")
    first = run_cli("db", "upgrade")
    assert first.exit_code == 0
    assert f"upgraded from empty to {head_revision()}" in first.output
    assert "already current" in run_cli("db", "upgrade").output


def test_the_default_database_is_a_wal_sqlite_file_in_the_data_dir(run_cli, monkeypatch, data_dir):
    monkeypatch.delenv("BREACHDESK_DATABASE_URL")
    assert run_cli("incident", "list").exit_code == 0
    path = data_dir / "breachdesk.sqlite3"
    assert path.exists()
    database = Database(f"sqlite:///{path}")
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    database.dispose()
