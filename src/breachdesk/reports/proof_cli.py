"""``breachdesk report proof`` and ``report verify-proof``: export who was told what,
when and how, sealed with the audit chain; and check such an export later."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from breachdesk.clitools import cli_actor, cli_session, open_database
from breachdesk.config import get_settings
from breachdesk.reports import proof, proof_verify
from breachdesk.security.crypto import load_keyring


def proof_command(
    incident: int = typer.Option(..., "--incident", help="The incident."),
    jurisdiction: str | None = typer.Option(
        None, "--jurisdiction", help="Only residents of this jurisdiction (US-TX, GB…)."
    ),
    reference: str | None = typer.Option(
        None, "--reference", help="Only the person with this reference code (ABCD-EFGH-JKMN)."
    ),
    out: Path = typer.Option(..., "--out", help="The folder to write the export to."),
    with_contact: bool = typer.Option(
        False,
        "--with-contact",
        help="Also write each person's name, email and postal address (decrypted); "
        "the audit event says the export holds them.",
    ),
    overwrite: bool = typer.Option(
        False, "--overwrite", help="Replace an export already in the folder."
    ),
) -> None:
    """Export every notice of the incident (or of one jurisdiction, or one person): what
    was sent, when, by which channel, its content hash and what became of it.

    Writes proof-of-notice.jsonl and proof-of-notice.manifest.json (mode 0600) and seals
    them with an audit event; `breachdesk report verify-proof` checks them later.
    """
    keyring = load_keyring(get_settings()) if with_contact else None
    database = open_database()
    try:
        # Read outside the write lock; only the sealing event is written.
        with database.reading_session() as reading, database.session() as db_session:
            selection = proof.select_notices(
                db_session=reading,
                incident_id=incident,
                jurisdiction=jurisdiction,
                reference=reference,
            )
            with Progress(
                TextColumn("exporting notices"), BarColumn(),
                TextColumn("{task.completed:,.0f} notices"), TimeRemainingColumn(),
                transient=True,
            ) as progress:  # fmt: skip
                task = progress.add_task("notices", total=None)
                result = proof.export_proof(
                    db_session=db_session,
                    reading=reading,
                    incident_id=incident,
                    selection=selection,
                    out_dir=out,
                    actor=cli_actor(),
                    keyring=keyring,
                    overwrite=overwrite,
                    on_progress=lambda done, total: progress.update(
                        task, completed=done, total=total
                    ),
                )
    finally:
        database.dispose()
    typer.echo(f"proof of notice for {selection.describe()} of incident {incident}:")
    typer.echo(f"  {result.data_file}  {result.rows:,} notices  sha256 {result.data_sha256}")
    typer.echo(f"  {result.manifest_file}  sha256 {result.manifest_sha256}")
    typer.echo(f"audit chain head at export: {result.head_seq} {result.head_hash}")
    typer.echo(f"sealed by audit event {result.event_seq} {result.event_hash}")
    if with_contact:
        typer.echo("the export holds names, email and postal addresses: keep it private")
    typer.echo(f"check it with: breachdesk report verify-proof {result.manifest_file}")


def verify_proof_command(
    manifest: Path = typer.Argument(..., help="The export's proof-of-notice.manifest.json."),
) -> None:
    """Check a proof-of-notice export: the data file's SHA-256 and row count against the
    manifest, the manifest against the audit event that sealed it, the chain head it
    names, and the whole audit chain. Exit 0 when every check passes, 1 otherwise."""
    with cli_session() as db_session:
        result = proof_verify.verify_proof(db_session=db_session, manifest_path=manifest)
    for check in result.checks:
        typer.echo(f"{'PASS' if check.passed else 'FAIL'}  {check.name}: {check.detail}")
    if not result.passed:
        typer.echo(f"{manifest}: the export does NOT verify", err=True)
        raise typer.Exit(1)
    typer.echo(f"{manifest}: the export verifies")
