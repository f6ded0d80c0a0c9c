"""Alembic migrations, and the helpers the CLI and first-use upgrade call."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).parent


# The job queue's own tables, created by a migration from Procrastinate's schema and not
# described by breachdesk's models.
JOB_QUEUE_PREFIX = "procrastinate"


def ours(name: str | None, type_: str, parent_names: object) -> bool:
    """For autogenerate: whether a database object is breachdesk's (not the job queue's)."""
    return not (name or "").startswith(JOB_QUEUE_PREFIX)


class SchemaOutOfDate(RuntimeError):
    """The database holds an older schema than this version of breachdesk."""


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str | None]:
    """Upgrade to the newest schema; returns (revision before, revision after)."""
    before = current_revision(engine)
    command.upgrade(alembic_config(engine), "head")
    return before, current_revision(engine)


def ensure_current(engine: Engine) -> None:
    """Upgrade an empty database; refuse a populated one that is behind."""
    from breachdesk.db import table_names

    current = current_revision(engine)
    if current == head_revision():
        return
    if current is None and not (table_names(engine) - {"alembic_version"}):
        upgrade(engine)
        return
    raise SchemaOutOfDate(
        f"the database schema is at {current or 'an unknown revision'}, this version of "
        f"breachdesk needs {head_revision()}: run `breachdesk db upgrade` (back up first)"
    )
