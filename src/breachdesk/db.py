"""The database layer: engine, sessions, the declarative base and shared column types.

The same code runs on an embedded SQLite file (WAL mode, foreign keys on) and on
PostgreSQL. Service functions take the session explicitly and never commit; the CLI
command or web request that called them commits once, so a change and its audit
event land together or not at all.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, Enum, MetaData, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from breachdesk.config import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def value_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    """A column of an enum, stored by value ("queued"), not by member name ("QUEUED")."""
    return Enum(enum_class, name=name, values_callable=lambda members: [m.value for m in members])


class UTCDateTime(TypeDecorator):
    """A point in time, always timezone-aware UTC in Python, whatever the backend.

    SQLite has no time zones, so values are stored as naive UTC there and given
    their zone back on the way out; naive values are refused on the way in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a timezone-aware one is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    """Create an engine for ``url``; for SQLite, create its folder and turn on WAL."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        # 256 MB of page cache (allocated only as used): bulk imports insert into
        # indexes of random blind-index keys, which thrash the default 2 MB.
        cursor.execute("PRAGMA cache_size=-262144")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection: Any) -> None:
        # Take the write lock when the transaction starts. A deferred transaction that
        # reads, then writes after another process wrote, fails at once with "database
        # is locked"; an immediate one waits its turn (up to busy_timeout) instead.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_read_engine(url: str, engine: Engine) -> Engine:
    """An engine for single-statement reads outside any transaction. On SQLite it is its
    own engine without the BEGIN IMMEDIATE of ``make_engine``: WAL lets such reads run
    beside a writer instead of queueing for the write lock, and ``query_only`` makes
    sure nothing is written through it."""
    if make_url(url).get_backend_name() != "sqlite":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    # Nothing to roll back when a connection goes back to the pool: it never writes.
    reader = create_engine(
        url, connect_args={"timeout": 30}, isolation_level="AUTOCOMMIT", pool_reset_on_return=None
    )

    @event.listens_for(reader, "connect")
    def _read_only(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    return reader


class Database:
    """An engine and its session factory, upgraded to the current schema on first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)
        self._read_engine: Engine | None = None

    @property
    def read_engine(self) -> Engine:
        """For the hot read paths (the portal's look-ups); see ``make_read_engine``."""
        if self._read_engine is None:
            self._read_engine = make_read_engine(self.url, self.engine)
        return self._read_engine

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(settings.resolved_database_url)

    def ensure_schema(self) -> None:
        """Create the schema in an empty database; refuse an out-of-date one."""
        from breachdesk import migrations

        migrations.ensure_current(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose work is committed when the block ends without an error."""
        session = self.session_factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading_session(self) -> Iterator[Session]:
        """A session for a long read (an export) that must not hold up writers. On SQLite
        it reads through ``read_engine``: each statement sees one consistent snapshot and
        no write lock is taken. Elsewhere it is an ordinary transaction, rolled back at
        the end; it can write nothing either way."""
        engine = self.read_engine if self.engine.dialect.name == "sqlite" else self.engine
        session = Session(engine, expire_on_commit=False)
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def dispose(self) -> None:
        if self._read_engine is not None:
            self._read_engine.dispose()
        self.engine.dispose()


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())
