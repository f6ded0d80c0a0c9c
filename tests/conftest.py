"""Fixtures: every database test runs on SQLite, and on PostgreSQL when
BREACHDESK_TEST_DATABASE_URL names a database the suite may empty."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

from breachdesk.cli import app
from breachdesk.db import Base, Database
from breachdesk.migrations import upgrade
from breachdesk.models import import_all_models
from tests.factories import make_incident

POSTGRES_SKIP = "BREACHDESK_TEST_DATABASE_URL is not set: the PostgreSQL half is skipped"
GENESIS = "0" * 64


def _postgres_url_for_this_process() -> str | None:
    """The database this test process may empty. Under pytest-xdist each worker gets its
    own (`<database>_gw0`, ...), created on first use, since the tests truncate every table
    between them; a plain run uses the database it is given."""
    given = os.environ.get("BREACHDESK_TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not given or not worker:
        return given
    url = make_url(given)
    return url.set(database=f"{url.database}_{worker}").render_as_string(hide_password=False)


POSTGRES_URL = _postgres_url_for_this_process()


def pytest_report_header() -> str:
    if POSTGRES_URL:
        return "breachdesk: database tests run on SQLite and PostgreSQL"
    return f"breachdesk: {POSTGRES_SKIP}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating each time is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    database = Database(f"sqlite:///{path}")
    upgrade(database.engine)
    database.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    if not POSTGRES_URL:
        pytest.skip(POSTGRES_SKIP)
    _create_database_if_missing(POSTGRES_URL)
    database = Database(POSTGRES_URL)
    with database.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(database.engine)
    database.dispose()
    return POSTGRES_URL


def _create_database_if_missing(url: str) -> None:
    """A worker's database, created beside the given one (connecting to that one to do it)."""
    wanted = make_url(url).database
    given = os.environ["BREACHDESK_TEST_DATABASE_URL"]
    if wanted == make_url(given).database:
        return
    admin = Database(given)
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": wanted}
        ).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{wanted}"'))
    admin.dispose()


def _empty_postgres(url: str) -> None:
    import_all_models()
    database = Database(url)
    tables = ", ".join(
        [table.name for table in Base.metadata.sorted_tables if table.name != "audit_head"]
        + ["procrastinate_jobs"]  # the job queue: jobs enqueued with the outbox
    )
    with database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        connection.execute(text(f"UPDATE audit_head SET seq = 0, hash = '{GENESIS}'"))
    database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "breachdesk.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_migrated")
    _empty_postgres(url)
    return url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def db_session(database: Database) -> Iterator:
    """A session for service-level tests; tests commit when they need to."""
    session = database.session_factory()
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def settings_env(
    monkeypatch: pytest.MonkeyPatch, database_url: str, data_dir: Path
) -> dict[str, str]:
    """Point the BREACHDESK_* settings at this test's database and data dir."""
    for name in list(os.environ):
        if name.startswith("BREACHDESK_") and name != "BREACHDESK_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    env = {"BREACHDESK_DATABASE_URL": database_url, "BREACHDESK_DATA_DIR": str(data_dir)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


RunCli = Callable[..., Result]


@pytest.fixture
def run_cli(settings_env: dict[str, str]) -> RunCli:
    """Run ``breachdesk ARGS`` against this test's database, as a user would."""

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(app, [str(arg) for arg in args], input=input)

    return run


@pytest.fixture
def incident(database_url: str, settings_env) -> int:
    """An incident of the factory organisation, with the factory facts."""
    database = Database(database_url)
    with database.session() as session:
        incident_id = make_incident(session).id
    database.dispose()
    return incident_id
