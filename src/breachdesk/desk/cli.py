"""``breachdesk desk``: the approved-answer library, the queue, and the desk's mail."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml

from breachdesk.clitools import cli_actor, cli_session, new_app, print_json
from breachdesk.config import get_settings
from breachdesk.db import utcnow
from breachdesk.delivery.transport import configured_sender
from breachdesk.desk import answers
from breachdesk.desk import service as desk
from breachdesk.desk.inbound_cli import read_mail_command
from breachdesk.desk.mail import send_queued_mail
from breachdesk.desk.models import InquiryStatus
from breachdesk.desk.schemas import AnswerIn
from breachdesk.incidents import service as incidents
from breachdesk.inputs import InputError, NotFound, parse_model, parse_yaml, read_text_file
from breachdesk.security.cli import read_password, signed_in
from breachdesk.security.crypto import load_keyring

desk_app = new_app("The inquiry desk: the answer library, the queue and the desk's emails.")
answer_app = new_app("The approved-answer library: versions and sign-off by both approvers.")
desk_app.add_typer(answer_app, name="answer")
desk_app.command("read-mail")(read_mail_command)

DEFAULT_LIBRARY = Path(__file__).parent / "defaults" / "answers.yaml"


def load_answers(path: Path) -> list[AnswerIn]:
    """A YAML list of library answers (key, language, question, answer…), validated."""
    text = read_text_file(path)
    try:
        entries = parse_yaml(text)
    except yaml.YAMLError as error:
        raise InputError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{path}: expected a list of answers (key, language, question, answer)")
    loaded = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise InputError(f"{path}: answer {number} is not a mapping of fields")
        loaded.append(parse_model(AnswerIn, entry, source=f"{path}: answer {number}"))
    return loaded


@answer_app.command("save")
def answer_save(
    path: Path = typer.Argument(
        None, help="YAML list of answers; without it, the shipped library (English, Spanish)."
    ),
    incident: int = typer.Option(..., "--incident", help="The incident the answers are for."),
) -> None:
    """Save library answers as new versions (unchanged wording is left as it is); each new
    version needs a legal and a communications approval before it is used."""
    entries = load_answers(path or DEFAULT_LIBRARY)
    with cli_session() as db_session:
        record = incidents.get_incident(db_session=db_session, incident_id=incident)
        for answer_in in entries:
            saved = answers.save_answer(
                db_session=db_session, incident=record, answer_in=answer_in, actor=cli_actor()
            )
            state = "approved" if answers.is_approved(saved) else "needs approval"
            typer.echo(f"{saved.id:>5} {saved.key} ({saved.language}) v{saved.version}: {state}")


@answer_app.command("list")
def answer_list(
    incident: int = typer.Option(..., "--incident", help="The incident."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Every version of every library answer, and whether it is approved."""
    with cli_session() as db_session:
        rows = [
            {
                "id": answer.id,
                "key": answer.key,
                "language": answer.language,
                "version": answer.version,
                "purpose": answer.purpose.value,
                "question": answer.question,
                "also_asked": answer.also_asked,
                "approved": answers.is_approved(answer),
            }
            for answer in answers.library(db_session=db_session, incident_id=incident)
        ]
    if json_output:
        print_json(rows)
        return
    for row in rows:
        state = "approved" if row["approved"] else "NOT YET APPROVED"
        typer.echo(f"{row['id']:>5} {row['key']} ({row['language']}) v{row['version']}: {state}")


@answer_app.command("approve")
def answer_approve(
    answer_ids: list[int] = typer.Argument(..., help="Answer version ids (see `answer list`)."),
    user: str = typer.Option(..., "--user", help="The approver's staff email."),
    password_file: Path | None = typer.Option(
        None, help="Read the password from this file instead of prompting."
    ),
) -> None:
    """Sign off answer versions as a legal or communications approver."""
    password = read_password(password_file, confirm=False)
    with cli_session() as db_session:
        approver = signed_in(db_session, user, password)
        for answer_id in answer_ids:
            answer = answers.get_answer(db_session=db_session, answer_id=answer_id)
            if answer is None:
                raise NotFound(f"no answer {answer_id}: see `breachdesk desk answer list`")
            answers.approve_answer(
                db_session=db_session, answer=answer, approver=approver, actor=approver.email
            )
            state = "approved" if answers.is_approved(answer) else "waiting for the other approver"
            typer.echo(f"{answer.id} {answer.key} ({answer.language}) v{answer.version}: {state}")


@desk_app.command("queue")
def queue(
    incident: int = typer.Option(..., "--incident", help="The incident."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Open inquiries, oldest first, with where their service-level clocks stand."""
    settings = get_settings()
    keyring = load_keyring(settings)
    levels = desk.ServiceLevels.from_settings(settings)
    now = utcnow()
    with cli_session() as db_session:
        rows = [
            {
                "ticket": inquiry.ticket,
                "received_at": inquiry.received_at.isoformat(),
                "source": inquiry.source.value,
                "category": inquiry.category.value,
                "clock": levels.clocks(inquiry, now).state,
                "subject": desk.subject_of(keyring=keyring, inquiry=inquiry),
            }
            for inquiry in desk.queue(
                db_session=db_session, incident_id=incident, statuses=(InquiryStatus.OPEN,),
                limit=1000,
            )
        ]  # fmt: skip
    if json_output:
        print_json(rows)
        return
    for row in rows:
        typer.echo(f"{row['ticket']} {row['received_at'][:16]} {row['clock']:9} {row['subject']}")
    typer.echo(f"{len(rows)} open")


@desk_app.command("send-mail")
def send_mail(
    limit: int = typer.Option(500, "--limit", help="At most this many emails in this run."),
) -> None:
    """Send the desk's queued acknowledgements and replies through the configured sender
    (the Maildir capture unless SMTP or SES is set)."""
    settings = get_settings()
    sender = configured_sender(settings)
    try:
        with cli_session() as db_session:
            run = send_queued_mail(
                db_session=db_session,
                keyring=load_keyring(settings),
                sender=sender,
                actor=cli_actor(),
                limit=limit,
            )
    finally:
        sender.close()
    typer.echo(f"{run.sent} sent, {run.retrying} to retry, {run.failed} failed")
