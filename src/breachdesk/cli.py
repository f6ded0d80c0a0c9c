"""The ``breachdesk`` command: each domain adds its own group of sub-commands."""

from __future__ import annotations

import os
from datetime import timedelta

import typer

from breachdesk import __version__
from breachdesk.audit.cli import app as audit_app
from breachdesk.clitools import new_app, open_database
from breachdesk.delivery.cli import campaign_app
from breachdesk.demo import demo_command
from breachdesk.desk.claims_cli import claims_app
from breachdesk.desk.cli import desk_app
from breachdesk.desk.codes_cli import codes_app
from breachdesk.incidents.cli import incident_app, org_app
from breachdesk.migrations import upgrade
from breachdesk.notices.cli import lint_command, notice_app
from breachdesk.people.cli import import_app, people_app
from breachdesk.people.synth_cli import synth_app
from breachdesk.planning.cli import plan_app
from breachdesk.planning.drill_cli import drill_command
from breachdesk.reports.cli import report_app
from breachdesk.rules.cli import assess_command, law_app
from breachdesk.security.cli import keys_app, user_app

app = new_app("Run a company's communication with its customers after a data breach.")
db_app = new_app("The database schema.")


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Upgrade the database to this version's schema (back up first)."""
    from breachdesk.config import get_settings
    from breachdesk.db import Database

    database = Database.from_settings(get_settings())
    before, after = upgrade(database.engine)
    database.dispose()
    if before == after:
        typer.echo(f"database schema already current ({after})")
    else:
        typer.echo(f"database schema upgraded from {before or 'empty'} to {after}")


@app.command("serve")
def serve(
    host: str | None = typer.Option(
        None, "--host", help="Address to listen on (default BREACHDESK_HOST, 127.0.0.1)."
    ),
    port: int | None = typer.Option(
        None, "--port", help="Port to listen on (default BREACHDESK_PORT, 8000)."
    ),
    workers: int = typer.Option(
        1, "--workers", min=1, max=64, help="Web processes to run; one per core is a good start."
    ),
) -> None:
    """Serve the public portal, the JSON API (OpenAPI at /api/openapi.json) and the
    provider webhooks."""
    from breachdesk.config import get_settings
    from breachdesk.main import run_server

    overrides = {"BREACHDESK_HOST": host, "BREACHDESK_PORT": port}
    for name, value in overrides.items():
        if value is not None:  # through the environment, which every worker process reads
            os.environ[name] = str(value)
    settings = get_settings()
    open_database().dispose()
    run_server(settings, workers=workers)


@app.command("worker")
def worker(
    batch: int = typer.Option(200, "--batch", help="Emails claimed and sent per batch."),
    stale_after: int = typer.Option(
        120,
        "--stale-after",
        help="Seconds after which an email left `sending` by a stopped worker is sent again.",
    ),
    until_done: bool = typer.Option(
        False, "--until-done", help="Stop when no job is waiting, instead of running on."
    ),
) -> None:
    """Send campaigns' emails from the job queue (PostgreSQL only); run one per core, on
    any number of machines. Stops cleanly on SIGINT or SIGTERM after its current job."""
    from breachdesk.config import get_settings
    from breachdesk.inputs import InputError
    from breachdesk.worker import run_worker

    if batch < 1:
        raise InputError("--batch: must be at least 1")
    run_worker(
        get_settings(),
        batch_size=batch,
        stale_after=timedelta(seconds=stale_after),
        until_done=until_done,
    )


app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(user_app, name="user")
app.add_typer(keys_app, name="keys")
app.add_typer(org_app, name="org")
app.add_typer(incident_app, name="incident")
app.add_typer(import_app, name="import")
app.add_typer(law_app, name="law")
app.command("assess")(assess_command)
app.command("lint")(lint_command)
app.add_typer(notice_app, name="notice")
app.add_typer(campaign_app, name="campaign")
app.add_typer(desk_app, name="desk")
app.add_typer(codes_app, name="codes")
app.add_typer(claims_app, name="claims")
app.add_typer(people_app, name="people")
app.add_typer(synth_app, name="synth")
app.add_typer(plan_app, name="plan")
app.add_typer(report_app, name="report")
app.command("demo")(demo_command)
app.command("drill")(drill_command)
