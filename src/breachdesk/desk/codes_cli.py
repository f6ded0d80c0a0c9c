"""``breachdesk codes``: import a credit-monitoring vendor's activation codes and see
how many are left."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from breachdesk.clitools import cli_actor, cli_session, new_app, print_json
from breachdesk.config import get_settings
from breachdesk.desk import codes
from breachdesk.incidents import service as incidents
from breachdesk.security.crypto import load_keyring

codes_app = new_app("Credit-monitoring activation codes.")


@codes_app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="The vendor's CSV of codes (one column, or 'code')."),
    incident: int = typer.Option(..., "--incident", help="The incident."),
    pool: str = typer.Option(..., "--pool", help="The pool's name; the same name adds to it."),
    vendor: str = typer.Option(..., "--vendor", help="The monitoring vendor."),
    enrol_url: str = typer.Option(
        ..., "--enrol-url", help="The vendor's https:// page where people enter their code."
    ),
    months: int = typer.Option(..., "--months", help="Months of monitoring a code gives."),
    low_water: int | None = typer.Option(
        None,
        "--low-water",
        help="Warn when fewer codes than this are left (default for a new pool: a tenth "
        "of its codes; for an existing one: unchanged).",
    ),
) -> None:
    """Add a vendor's activation codes to a pool of the incident.

    The codes are stored encrypted; codes already in the pool are counted, not added twice.
    """
    keyring = load_keyring(get_settings())
    with cli_session() as db_session:
        found = incidents.get_incident(db_session=db_session, incident_id=incident)
        with Progress(
            TextColumn("importing codes"),
            BarColumn(),
            TextColumn("{task.completed:,.0f} codes"),
            TimeRemainingColumn(),
            transient=True,
        ) as progress:
            task = progress.add_task("codes", total=None)
            result = codes.import_codes(
                db_session=db_session,
                keyring=keyring,
                incident=found,
                pool_name=pool,
                vendor=vendor,
                enrol_url=enrol_url,
                months=months,
                low_water=low_water,
                path=file,
                actor=cli_actor(),
                on_progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
    verb = "created" if result.created else "added to"
    typer.echo(f"pool {result.pool!r} ({verb}): {result.added:,} codes added")
    repeated = (
        f" ({result.repeated_in_file:,} repeated in the file)" if result.repeated_in_file else ""
    )
    typer.echo(f"{result.already_present:,} already present{repeated}")
    typer.echo(f"low-water mark: {result.low_water:,}; file SHA-256 {result.file_sha256}")


@codes_app.command("status")
def status_command(
    incident: int = typer.Option(..., "--incident", help="The incident."),
    as_json: bool = typer.Option(False, "--json", help="Print the pools as JSON."),
) -> None:
    """How many codes each pool has, has issued and has left.

    Prints a warning line for each pool below its low-water mark.
    """
    with cli_session() as db_session:
        incidents.get_incident(db_session=db_session, incident_id=incident)
        pools = codes.pool_status(db_session=db_session, incident_id=incident)
    if as_json:
        print_json([dataclasses.asdict(pool) for pool in pools])
        return
    if not pools:
        typer.echo(
            f"incident {incident} has no code pools: import one with `breachdesk codes import`"
        )
        return
    for pool in pools:
        typer.echo(
            f"{pool.name:20} {pool.vendor:24} {pool.months:>3} months  {pool.total:>10,} codes "
            f"{pool.issued:>10,} issued {pool.remaining:>10,} left"
        )
    for pool in pools:
        if pool.low:
            typer.echo(
                f"warning: pool {pool.name!r} is low: {pool.remaining:,} codes left, below its "
                f"low-water mark of {pool.low_water:,}; order more from {pool.vendor}"
            )
