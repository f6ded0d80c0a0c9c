"""``breachdesk import people`` and ``breachdesk people``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress, ProgressColumn, SpinnerColumn, Task, TextColumn
from rich.text import Text

from breachdesk.clitools import cli_actor, cli_session, new_app, open_database, print_json
from breachdesk.config import get_settings
from breachdesk.people import flows, service
from breachdesk.people.mapping import load_mapping_file
from breachdesk.security.crypto import load_keyring

import_app = new_app("Bring data into an incident.")
people_app = new_app("The people affected by an incident (decrypts; every use is audited).")

JSON_OUTPUT = typer.Option(False, "--json", help="Print JSON.")


class RowsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rows/s" if speed else "", style="progress.data.speed")


@import_app.command("people")
def import_people(
    file: Path = typer.Argument(..., help="CSV, TSV, XLSX, Parquet or JSON-lines file."),
    incident: int = typer.Option(..., "--incident", help="The incident these people belong to."),
    mapping: Path | None = typer.Option(
        None, "--mapping", help="Mapping YAML: format, encoding and which column is which."
    ),
    json_output: bool = JSON_OUTPUT,
) -> None:
    """Import the affected people from FILE: normalise, deduplicate, quarantine, encrypt.

    Exits 0 only when rows read = people created + rows merged + rows quarantined.
    Running it again on the same file is a no-op; after an interruption it resumes.
    """
    settings = get_settings()
    mapping_file = load_mapping_file(mapping)
    keyring = load_keyring(settings)
    database = open_database()
    try:
        with Progress(
            SpinnerColumn(),
            TextColumn("importing {task.description}"),
            TextColumn("{task.completed:,.0f} rows"),
            RowsPerSecond(),
            transient=True,
            disable=json_output,
        ) as progress:
            task = progress.add_task(file.name, total=None)
            summary = flows.import_people(
                database=database,
                keyring=keyring,
                incident_id=incident,
                path=file,
                mapping=mapping_file,
                reports_dir=settings.data_dir / flows.REPORTS_DIR,
                actor=cli_actor(),
                on_progress=lambda rows: progress.advance(task, rows),
            )
    finally:
        database.dispose()
    if json_output:
        print_json(summary.as_dict())
    else:
        _print_summary(summary)
    if not summary.reconciles:
        typer.echo(
            "error: the counts do not reconcile; nothing should be sent from this list "
            "until this is explained",
            err=True,
        )
        raise typer.Exit(1)


def _print_summary(summary: flows.ImportSummary) -> None:
    if summary.already_imported:
        typer.echo(
            f"{summary.file_name} was already imported (import {summary.import_id}); "
            "nothing changed"
        )
    rate = summary.rows_read / summary.seconds if summary.seconds else 0
    typer.echo(f"rows read          {summary.rows_read:>12,}")
    typer.echo(f"people created     {summary.people_created:>12,}")
    typer.echo(f"rows merged        {summary.rows_merged:>12,}  (duplicates of people on the list)")
    typer.echo(f"rows quarantined   {summary.rows_quarantined:>12,}")
    typer.echo(
        f"near-duplicates    {summary.near_duplicates:>12,}  (same address, similar name: review)"
    )
    typer.echo(f"values dropped     {summary.values_dropped:>12,}  (rows kept without them)")
    typer.echo(f"issues report      {summary.quarantine_report}")
    if not summary.already_imported:
        typer.echo(f"time               {summary.seconds:>12,.1f} s ({rate:,.0f} rows/s)")
    typer.echo("counts reconcile" if summary.reconciles else "COUNTS DO NOT RECONCILE")


@people_app.command("list")
def list_people(
    incident: int = typer.Option(..., "--incident", help="The incident."),
    limit: int = typer.Option(50, "--limit", min=1, help="At most this many people."),
    json_output: bool = JSON_OUTPUT,
) -> None:
    """List affected people of an incident, decrypted (recorded in the audit trail)."""
    keyring = load_keyring(get_settings())
    with cli_session() as db_session:
        people = service.list_people(
            db_session=db_session,
            keyring=keyring,
            incident_id=incident,
            limit=limit,
            actor=cli_actor(),
        )
    if json_output:
        print_json(people)
        return
    for person in people:
        name = " ".join(p for p in (person["first_name"], person["last_name"]) if p)
        typer.echo(
            f"{person['reference']}  {person['jurisdiction'] or '-':6} {name:30} "
            f"{person['email'] or ''}"
        )


@people_app.command("show")
def show_person(
    reference: str = typer.Argument(..., metavar="REF", help="Reference code from the notice."),
    incident: int | None = typer.Option(None, "--incident", help="Only in this incident."),
    json_output: bool = JSON_OUTPUT,
) -> None:
    """Show one affected person by reference code, decrypted (recorded in the audit trail)."""
    keyring = load_keyring(get_settings())
    with cli_session() as db_session:
        person = service.show_person(
            db_session=db_session,
            keyring=keyring,
            reference=reference,
            actor=cli_actor(),
            incident_id=incident,
        )
    if json_output:
        print_json(person)
        return
    for key, value in person.items():
        if isinstance(value, list):
            value = ", ".join(value)
        typer.echo(f"{key:20} {'' if value is None else value}")
