"""What every CLI command shares: opening the database, the actor, user-error handling."""

from __future__ import annotations

import getpass
import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from typer.core import TyperGroup

from breachdesk.config import ConfigError, get_settings
from breachdesk.db import Database
from breachdesk.inputs import InputError, NotFound
from breachdesk.migrations import SchemaOutOfDate
from breachdesk.security.crypto import DecryptionError, KeyConfigError

USER_ERROR_EXIT = 2
USER_ERRORS = (
    ConfigError,
    DecryptionError,
    InputError,
    KeyConfigError,
    NotFound,
    PermissionError,  # a role that may not do this, or a file that may not be read
    SchemaOutOfDate,
)


class BreachdeskGroup(TyperGroup):
    """Turns errors a user can fix into one line on stderr and exit code 2."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except USER_ERRORS as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(USER_ERROR_EXIT) from error
        except IntegrityError as error:
            # Two people changed the same thing at once (say, both revised an incident's
            # facts); the database kept one change whole and refused the other.
            typer.echo(
                "error: this change conflicts with one made at the same time and was not "
                "saved; check the current state and run the command again",
                err=True,
            )
            raise typer.Exit(USER_ERROR_EXIT) from error
        except OperationalError as error:
            typer.echo(f"error: cannot use the database: {error.orig}", err=True)
            raise typer.Exit(USER_ERROR_EXIT) from error


def new_app(help_text: str) -> typer.Typer:
    return typer.Typer(
        cls=BreachdeskGroup,
        help=help_text,
        no_args_is_help=True,
        pretty_exceptions_show_locals=False,
    )


def cli_actor() -> str:
    """Who ran the command, as recorded in the audit trail."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"cli:{user}@{socket.gethostname()}"


def open_database() -> Database:
    database = Database.from_settings(get_settings())
    database.ensure_schema()
    return database


@contextmanager
def cli_session() -> Iterator[Session]:
    """A session on the configured database, committed when the command succeeds."""
    database = open_database()
    try:
        with database.session() as session:
            yield session
    finally:
        database.dispose()


def print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))
