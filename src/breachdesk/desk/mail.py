"""The desk's own emails: acknowledgements and replies.

An email is written to ``desk_mail`` in the same transaction as the inquiry change
that owes it, so a crash never loses one; the sender (``breachdesk desk send-mail``,
the worker, or the web app's background loop in the embedded mode) sends what is
queued through the same transports as notices.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from html import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from breachdesk.audit import service as audit
from breachdesk.db import utcnow
from breachdesk.delivery.senders import OutgoingEmail, Sender
from breachdesk.desk.events import DeskMailSent
from breachdesk.desk.models import DeskMail, Inquiry, MailState
from breachdesk.incidents.models import Incident, Organisation
from breachdesk.notices.mime import Address, build_email, message_id
from breachdesk.security.crypto import Keyring

MAX_ATTEMPTS = 8

# Product wording around an approved text: the ticket line and the sign-off.
_TICKET_LINE = {
    "en": "Your ticket number is {ticket}. Please quote it if you write to us again.",
    "es": "Su número de caso es {ticket}. Indíquelo si nos vuelve a escribir.",
}
_SUBJECT = {
    "acknowledgement": {
        "en": "[{ticket}] We received your question",
        "es": "[{ticket}] Hemos recibido su pregunta",
    },
    "reply": {"en": "[{ticket}] Our answer to your question", "es": "[{ticket}] Nuestra respuesta"},
}


def desk_sender(organisation: Organisation) -> Address:
    """Replies come from the sender identity for "support", else the notices one."""
    identities = organisation.sender_identities
    identity = next(
        (i for i in identities if i.get("purpose") == "support"),
        next((i for i in identities if i.get("purpose") == "notices"), identities[0]),
    )
    return Address(identity["name"], identity["email"])


def queue_mail(
    *,
    db_session: Session,
    keyring: Keyring,
    inquiry: Inquiry,
    incident: Incident,
    recipient: str,
    purpose: str,
    text: str,
) -> DeskMail:
    """Queue ``text`` (an approved wording) to the inquirer, with the ticket line."""
    language = inquiry.language if inquiry.language in _TICKET_LINE else "en"
    body = f"{text.strip()}\n\n{_TICKET_LINE[language].format(ticket=inquiry.ticket)}\n\n"
    body += f"{incident.organisation.display_name}\n"
    subject = _SUBJECT[purpose][language].format(ticket=inquiry.ticket)
    domain = desk_sender(incident.organisation).email.rsplit("@", 1)[1]
    mail = DeskMail(
        inquiry_id=inquiry.id,
        purpose=purpose,
        recipient=keyring.encrypt(recipient, context="desk_mail.recipient"),
        subject=keyring.encrypt(subject, context="desk_mail.subject"),
        body=keyring.encrypt(body, context="desk_mail.body"),
        message_id=message_id(domain),
        state=MailState.QUEUED,
    )
    db_session.add(mail)
    return mail


@dataclass(frozen=True)
class MailRun:
    sent: int
    retrying: int
    failed: int


def send_queued_mail(
    *,
    db_session: Session,
    keyring: Keyring,
    sender: Sender,
    actor: str,
    limit: int = 500,
    now: datetime | None = None,
) -> MailRun:
    """Send up to ``limit`` queued desk emails, oldest first.

    A temporary refusal leaves the email queued for the next run, up to MAX_ATTEMPTS;
    a permanent one marks it failed (the reply stays on the inquiry's record).
    """
    now = now or utcnow()
    queued = list(
        db_session.execute(
            select(DeskMail)
            .where(DeskMail.state == MailState.QUEUED)
            .order_by(DeskMail.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).scalars()
    )
    if not queued:
        return MailRun(0, 0, 0)
    outgoing = [_outgoing(db_session, keyring, mail, now) for mail in queued]
    results = sender.send(outgoing)
    counts: Counter[str] = Counter()
    for mail, result in zip(queued, results, strict=True):
        mail.attempts += 1
        if result.state == "sent":
            mail.state, mail.sent_at, mail.last_error = MailState.SENT, now, None
            counts["sent"] += 1
        elif result.state == "deferred" and mail.attempts < MAX_ATTEMPTS:
            mail.last_error = (result.detail or "deferred")[:500]
            counts["retrying"] += 1
        else:
            mail.state, mail.last_error = MailState.FAILED, (result.detail or result.state)[:500]
            counts["failed"] += 1
    run = MailRun(counts["sent"], counts["retrying"], counts["failed"])
    audit.record(
        db_session=db_session,
        event=DeskMailSent(sent=run.sent, retrying=run.retrying, failed=run.failed),
        actor=actor,
    )
    return run


def _outgoing(
    db_session: Session, keyring: Keyring, mail: DeskMail, now: datetime
) -> OutgoingEmail:
    inquiry = db_session.get(Inquiry, mail.inquiry_id)
    incident = db_session.get(Incident, inquiry.incident_id)
    sender = desk_sender(incident.organisation)
    recipient = keyring.decrypt(mail.recipient, context="desk_mail.recipient")
    text = keyring.decrypt(mail.body, context="desk_mail.body")
    data = build_email(
        sender=sender,
        recipient=Address("", recipient),
        subject=keyring.decrypt(mail.subject, context="desk_mail.subject"),
        text=text,
        html=_as_html(text),
        date=now,
        message_id=mail.message_id,
        extra_headers=_headers(mail.purpose, inquiry.ticket),
    )
    return OutgoingEmail(sender.email, recipient, mail.message_id, data)


def _headers(purpose: str, ticket: str) -> tuple[tuple[str, str], ...]:
    headers = (("X-Breachdesk-Ticket", ticket),)
    if purpose == "acknowledgement":
        # RFC 3834: an automatic answer, which autoresponders must not answer in turn.
        headers += (("Auto-Submitted", "auto-replied"),)
    return headers


def _as_html(text: str) -> str:
    paragraphs = [part.strip() for part in text.split("\n\n") if part.strip()]
    inner = "".join(f"<p>{escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs)
    return f'<!doctype html><html><body style="font-family:sans-serif">{inner}</body></html>'
