"""``breachdesk report regulators`` and ``report submitted``: the notices regulators and
credit bureaus must get, their documents, and the record of sending them."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import typer

from breachdesk.clitools import cli_actor, cli_session, print_json
from breachdesk.inputs import InputError, parse_model
from breachdesk.reports import submissions
from breachdesk.reports.models import SubmissionMethod
from breachdesk.reports.regulators import CHECKSUMS, regulator_documents, write_documents
from breachdesk.reports.schemas import DUE, OVERDUE, SUBMITTED, SubmissionIn

NOT_LEGAL_ADVICE = "Not legal advice: have counsel confirm each notice before it is sent."


def regulators_command(
    incident: int = typer.Option(..., "--incident", help="The incident."),
    out: Path | None = typer.Option(
        None, "--out", help="Write each required notice here as PDF and JSON, with SHA256SUMS."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the notices' status as JSON."),
) -> None:
    """List every regulator and credit-bureau notice of the incident's laws: deadline and
    submission status; with --out, write the required ones as PDF and JSON."""
    with cli_session() as db_session:
        statuses = submissions.notice_statuses(db_session=db_session, incident_id=incident)
        documents = regulator_documents(db_session=db_session, incident_id=incident) if out else []
    written = write_documents(documents, out) if out else []
    if as_json:
        print_json(
            {
                "incident": incident,
                "notices": [status.as_json() for status in statuses],
                "files": [
                    {"name": file.name, "sha256": file.sha256, "gaps": file.gaps}
                    for file in written
                ],
            }
        )
        return
    required = [status for status in statuses if status.required or status.submissions]
    for status in required:
        typer.echo(f"{status.jurisdiction} {status.notice}: {status.agency}")
        typer.echo(f"    {status.summary()}")
        if status.condition:
            typer.echo(f"    condition: {status.condition}")
    others = [status for status in statuses if not (status.required or status.submissions)]
    for status in others:
        typer.echo(f"{status.jurisdiction} {status.notice} ({status.agency}): {status.summary()}")
    if not required:
        typer.echo(f"incident {incident}: no law that applies requires a regulator notice")
    counts = Counter(status.state for status in required)
    typer.echo(
        f"{len(required)} notices: {counts[SUBMITTED]} submitted, {counts[DUE]} due, "
        f"{counts[OVERDUE]} overdue. {NOT_LEGAL_ADVICE}"
    )
    for file in written:
        gaps = f"  {file.gaps} to complete" if file.gaps else ""
        typer.echo(f"wrote {out / file.name}  sha256 {file.sha256}{gaps}")
    if out:
        typer.echo(f"checksums in {out / CHECKSUMS}")


def submitted_command(
    incident: int = typer.Option(..., "--incident", help="The incident."),
    jurisdiction: str = typer.Option(..., "--jurisdiction", help="The rule code, e.g. US-MA."),
    notice: str = typer.Option(
        ..., "--notice", help="The notice id from `report regulators` (ag, …), or cra."
    ),
    reference: str = typer.Option(
        ..., "--reference", help="The regulator's reference or confirmation number."
    ),
    method: SubmissionMethod = typer.Option(
        SubmissionMethod.WEB_FORM, "--method", help="How it was sent."
    ),
    submitted_at: str | None = typer.Option(
        None, "--submitted-at", help="When it was sent (ISO date or date-time; default: now)."
    ),
    file: Path | None = typer.Option(
        None, "--file", help="The document sent: its SHA-256 is recorded."
    ),
    amended: bool = typer.Option(
        False, "--amended", help="An amended or supplemental notice after an earlier one."
    ),
) -> None:
    """Record that a required notice was sent to its regulator (or credit bureaus)."""
    digest = None
    if file is not None:
        try:
            digest = hashlib.sha256(file.read_bytes()).hexdigest()
        except OSError as error:
            raise InputError(f"--file: cannot read {file}: {error.strerror}") from error
    submission_in = parse_model(
        SubmissionIn,
        {
            "jurisdiction": jurisdiction,
            "notice": notice,
            "reference": reference,
            "method": method,
            "submitted_at": submitted_at,
            "document_sha256": digest,
            "document_name": file.name if file else None,
            "amended": amended,
        },
        source="submission",
    )
    with cli_session() as db_session:
        row = submissions.record_submission(
            db_session=db_session,
            incident_id=incident,
            submission_in=submission_in,
            actor=cli_actor(),
        )
        kind = "amended notice" if row.number > 1 else "notice"
        typer.echo(
            f"recorded: {row.jurisdiction} {row.notice} {kind} (submission {row.number}) to "
            f"{row.agency}, sent {row.submitted_at.isoformat(timespec='seconds')} by "
            f"{row.method.value}, "
            f"reference {row.reference}"
        )
        if row.document_sha256:
            typer.echo(f"document {row.document_name} sha256 {row.document_sha256}")
