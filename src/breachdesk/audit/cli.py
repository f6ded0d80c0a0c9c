"""``breachdesk audit``: check and export the audit chain."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import typer

from breachdesk.audit import service
from breachdesk.clitools import cli_session, new_app
from breachdesk.inputs import InputError, to_utc

app = new_app("The append-only, hash-chained audit trail.")


@app.command("verify")
def verify() -> None:
    """Check every event's hash and link. Exit 0 if intact, 1 naming the first bad event."""
    with cli_session() as db_session:
        result = service.verify(db_session=db_session)
    if result.intact:
        typer.echo(
            f"audit chain intact: {result.events_checked} events, "
            f"head {result.head_seq} {result.head_hash}"
        )
        return
    typer.echo(
        f"audit chain BROKEN at event {result.problem.seq}: {result.problem.reason}", err=True
    )
    raise typer.Exit(1)


@app.command("export")
def export(
    since: str | None = typer.Option(
        None, help="Only events at or after this date or date-time (ISO 8601, UTC if no zone)."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write to this file instead of standard output."
    ),
) -> None:
    """Write events as JSON lines, oldest first, with their hashes."""
    since_at = _parse_since(since) if since else None
    with cli_session() as db_session:
        events = service.export(db_session=db_session, since=since_at)
        if output is None:
            for item in events:
                typer.echo(json.dumps(item, ensure_ascii=False))
            return
        count = 0
        with output.open("w", encoding="utf-8") as handle:
            for item in events:
                handle.write(json.dumps(item, ensure_ascii=False) + "\n")
                count += 1
    typer.echo(f"wrote {count} events to {output}", err=True)


def _parse_since(text: str) -> datetime:
    try:
        return to_utc(text)
    except ValueError as error:
        raise InputError(f"--since: {error}") from error
