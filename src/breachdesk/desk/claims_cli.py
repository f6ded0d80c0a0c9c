"""``breachdesk claims``: review reimbursement claims, decide them, and take out their
evidence."""

from __future__ import annotations

import os
import re
from pathlib import Path

import typer

from breachdesk.clitools import cli_actor, cli_session, new_app, print_json
from breachdesk.config import get_settings
from breachdesk.desk import claims
from breachdesk.desk.models import Claim, ClaimStatus
from breachdesk.incidents import service as incidents
from breachdesk.inputs import InputError
from breachdesk.security.cli import read_password, signed_in
from breachdesk.security.crypto import load_keyring

claims_app = new_app("Reimbursement claims for fraudulent charges.")

STATUSES = ", ".join(status.value for status in ClaimStatus)


@claims_app.command("list")
def list_command(
    incident: int = typer.Option(..., "--incident", help="The incident."),
    status: str | None = typer.Option(
        None, "--status", help=f"Only claims in this status: {STATUSES}."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the claims as JSON."),
) -> None:
    """List the incident's claims, oldest first.

    Shows each claim's number, status, amount, date of the charge and evidence files;
    nothing the claimant wrote.
    """
    with cli_session() as db_session:
        incidents.get_incident(db_session=db_session, incident_id=incident)
        found = [
            _summary(claim)
            for claim in claims.list_claims(
                db_session=db_session, incident_id=incident, status=status
            )
        ]
    if as_json:
        print_json(found)
        return
    if not found:
        typer.echo("no claims")
        return
    for claim in found:
        typer.echo(
            f"{claim['number']}  {claim['status']:10} {claim['amount']:>12} {claim['currency']}  "
            f"charged {claim['charged_on']}  submitted {claim['submitted_at'][:16]}  "
            f"{claim['evidence_files']} file(s)"
        )


@claims_app.command("decide")
def decide_command(
    number: str = typer.Argument(..., metavar="NUMBER", help="The claim number, C-XXXX-XXXX."),
    status: str = typer.Option(..., "--status", help="approved, rejected or needs_info."),
    note: str = typer.Option(
        ..., "--note", help="What the claimant is told on their status page: why, or what more."
    ),
    user: str = typer.Option(..., "--user", help="The reviewer's staff email."),
    password_file: Path | None = typer.Option(
        None, "--password-file", help="Read the password from this file instead of prompting."
    ),
) -> None:
    """Approve or reject a claim, or ask the claimant for more.

    A lead, legal_approver or admin may approve or reject; they and agents may ask for
    more. The reviewer's password is checked.
    """
    keyring = load_keyring(get_settings())
    password = read_password(password_file, confirm=False)
    with cli_session() as db_session:
        reviewer = signed_in(db_session, user, password)
        claim = claims.get_claim(db_session=db_session, number=number)
        claims.decide(
            db_session=db_session,
            keyring=keyring,
            claim=claim,
            status=status,
            note=note,
            reviewer=reviewer,
        )
    typer.echo(f"claim {claim.number} is now {claim.status.value}")


@claims_app.command("evidence")
def evidence_command(
    number: str = typer.Argument(..., metavar="NUMBER", help="The claim number, C-XXXX-XXXX."),
    out: Path = typer.Option(..., "--out", help="The folder to write the files to."),
) -> None:
    """Write a claim's evidence files to a folder.

    Each file is checked against the SHA-256 taken when it was uploaded and written with
    mode 0600.
    """
    settings = get_settings()
    keyring = load_keyring(settings)
    evidence_dir = settings.data_dir / claims.EVIDENCE_DIR_NAME
    with cli_session() as db_session:
        claim = claims.get_claim(db_session=db_session, number=number)
        files = []
        for position, evidence in enumerate(claim.evidence, start=1):
            try:
                data = claims.evidence_bytes(evidence_dir=evidence_dir, evidence=evidence)
            except claims.EvidenceDamaged as error:
                raise InputError(str(error)) from error
            name = claims.evidence_file_name(keyring=keyring, evidence=evidence)
            files.append((_out_name(claim, position, name, evidence.content_type), data))
        if files:
            claims.record_evidence_read(
                db_session=db_session, claim=claim, files=len(files),
                how=f"exported to {out.resolve()}", actor=cli_actor(),
            )  # fmt: skip
    if not files:
        typer.echo(f"claim {claim.number} has no evidence files")
        return
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name, data in files:
        path = out / name
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        typer.echo(path)


def _summary(claim: Claim) -> dict[str, object]:
    return {
        "number": claim.number,
        "status": claim.status.value,
        "person": claim.person_id,
        "amount": str(claims.amount_of(claim)),
        "currency": claim.currency,
        "charged_on": claim.charged_on.isoformat(),
        "submitted_at": claim.submitted_at.isoformat(),
        "evidence_files": len(claim.evidence),
        "decided_by": claim.decided_by,
        "decided_at": claim.decided_at.isoformat() if claim.decided_at else None,
    }


def _out_name(claim: Claim, position: int, name: str, content_type: str) -> str:
    """C-XXXX-XXXX-1-statement.pdf: the claimant's name for the file, made safe, with
    the extension of what the file really is."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name.rsplit(".", 1)[0]).strip("._")[:80]
    suffix = f"-{stem}" if stem else ""
    return f"{claim.number}-{position}{suffix}{claims.extension_for(content_type)}"
