"""``breachdesk desk read-mail``: turn the inbound mail into inquiries and follow-ups."""

from __future__ import annotations

from pathlib import Path

import typer

from breachdesk.clitools import cli_actor, cli_session
from breachdesk.config import get_settings
from breachdesk.desk.inbound import InboundSummary, read_imap, read_maildir
from breachdesk.incidents.service import get_incident
from breachdesk.inputs import InputError
from breachdesk.security.crypto import load_keyring


def read_mail_command(
    incident: int = typer.Option(..., "--incident", help="The incident the inquiries are about."),
    maildir: Path | None = typer.Option(
        None,
        "--maildir",
        help="The Maildir to read; default BREACHDESK_INBOUND_MAILDIR.",
    ),
    imap: bool = typer.Option(
        False, "--imap", help="Read the IMAP mailbox in BREACHDESK_INBOUND_IMAP_URL"
    ),
) -> None:
    """Read the inbound mail: each message becomes a new inquiry (acknowledged by email
    when an acknowledgement is approved), a follow-up on the sender's own ticket, or is
    skipped (automatic replies, bounces, mail read before). What was read is moved to
    the Maildir folder .breachdesk-read, or marked seen on the IMAP server, once it is
    on record."""
    settings = get_settings()
    if imap and maildir is not None:
        raise InputError("give --maildir or --imap, not both")
    imap_url = settings.inbound_imap_url.get_secret_value() if settings.inbound_imap_url else None
    if imap and not imap_url:
        raise InputError("--imap: BREACHDESK_INBOUND_IMAP_URL is not set")
    folder = maildir if maildir is not None else settings.inbound_maildir
    use_imap = imap or (folder is None and imap_url is not None)
    if not use_imap and folder is None:
        raise InputError(
            "no inbound mailbox: give --maildir, or set BREACHDESK_INBOUND_MAILDIR or "
            "BREACHDESK_INBOUND_IMAP_URL"
        )
    keyring = load_keyring(settings)
    with cli_session() as db_session:
        record = get_incident(db_session=db_session, incident_id=incident)
        summary: InboundSummary
        if use_imap:
            summary = read_imap(
                db_session=db_session,
                keyring=keyring,
                incident=record,
                url=imap_url or "",
                actor=cli_actor(),
            )
        else:
            summary = read_maildir(
                db_session=db_session,
                keyring=keyring,
                incident=record,
                path=folder,
                actor=cli_actor(),
            )
    summary.finish()  # the read is committed: move the messages, or mark them seen
    typer.echo(summary.line())
