"""Sending a campaign's emails, batch by batch, so that a crash at any instant loses
nothing.

Each batch is claimed first: its rows become ``sending``, each with the Message-ID it
will carry, and that is committed before any message leaves. Then the batch is rendered,
sent, and each row's outcome committed. A run that dies between the two commits leaves
``sending`` rows; a later run sends them again with the same Message-ID (so a receiver
can tell it is the same notice) and counts each as a possible duplicate. At most one
batch can be sent twice.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from breachdesk.audit import service as audit
from breachdesk.db import Database, utcnow
from breachdesk.delivery.events import CampaignRun
from breachdesk.delivery.fallback import queue_next_channel
from breachdesk.delivery.models import (
    Campaign,
    CampaignState,
    Channel,
    MessageState,
    OutboxMessage,
    Wave,
    due_now,
)
from breachdesk.delivery.senders import OutgoingEmail, Sender, SendResult
from breachdesk.delivery.service import (
    campaign_templates,
    get_campaign,
    notice_language,
)
from breachdesk.incidents import service as incidents
from breachdesk.incidents.models import Disclosure
from breachdesk.inputs import InputError
from breachdesk.notices.context import NoticeBatch
from breachdesk.notices.mime import Address, DkimKey, build_encoded_email, message_id
from breachdesk.notices.render import RenderedNotice
from breachdesk.notices.service import notice_sender, return_address
from breachdesk.notices.templates import template_file
from breachdesk.people import references
from breachdesk.people.contact import CONTEXT, Contact
from breachdesk.people.models import AffectedPerson
from breachdesk.people.records import bits_to_elements, elements_to_bits
from breachdesk.security.crypto import Keyring

# Seconds before a deferred message is tried again, by attempt; then it has failed.
RETRY_AFTER = (60, 300, 1800, 7200, 21600)


@dataclass
class RunSummary:
    outcomes: Counter[str] = field(default_factory=Counter)
    resent_after_interruption: int = 0
    queued_on_next_channel: int = 0  # refused emails now waiting as letters or listed
    batches: int = 0

    @property
    def handled(self) -> int:
        return sum(self.outcomes.values())


@dataclass(frozen=True)
class Claimed:
    row_id: int
    person_id: int
    message_id: str | None  # an email's, from the claim on; a letter's is set when printed
    resent: bool


def run_campaign(
    *,
    database: Database,
    keyring: Keyring,
    campaign_id: int,
    sender: Sender,
    actor: str,
    dkim: DkimKey | None = None,
    batch_size: int = 200,
    stale_after: timedelta = timedelta(minutes=2),
    clock: Callable[[], datetime] = utcnow,
    on_batch: Callable[[RunSummary], None] | None = None,
    max_batches: int | None = None,
) -> RunSummary:
    """Send the campaign's due emails until none is left, it is paused or cancelled, or
    ``max_batches`` batches have gone (a worker's job then hands over to the next)."""
    summary = RunSummary()
    with database.session() as db_session:
        campaign = get_campaign(db_session=db_session, campaign_id=campaign_id)
        context = RunContext.load(db_session, campaign, clock())
    try:
        while max_batches is None or summary.batches < max_batches:
            with database.session() as db_session:
                claimed = claim(
                    db_session,
                    campaign_id,
                    batch_size,
                    stale_after,
                    clock(),
                    domain=context.sender.email.rsplit("@", 1)[1],
                )
            if not claimed:
                break
            started = time.monotonic()
            with database.session() as db_session:
                results = _send(db_session, keyring, context, claimed, sender, dkim, clock)
                _record(db_session, context, claimed, results, clock(), actor, summary)
            summary.batches += 1
            if on_batch is not None:
                on_batch(summary)
            _keep_to_rate(context.max_per_second, len(claimed), started)
    finally:
        sender.close()
        with database.session() as db_session:
            campaign = get_campaign(db_session=db_session, campaign_id=campaign_id)
            if summary.handled:
                audit.record(
                    db_session=db_session,
                    event=CampaignRun(
                        campaign=campaign.id,
                        incident=campaign.incident_id,
                        outcomes=dict(summary.outcomes),
                        resent_after_interruption=summary.resent_after_interruption,
                        queued_on_next_channel=summary.queued_on_next_channel,
                    ),
                    actor=actor,
                )
    return summary


@dataclass
class RunContext:
    """What every batch of a run shares: the campaign, its notices, its sender."""

    campaign_id: int
    incident_id: int
    kind: str
    batches: dict[str, NoticeBatch]
    facts_bits: int
    sender: Address
    # The lowest cap of the campaign's waves: a run honours the strictest.
    max_per_second: int | None
    disclosed: bool
    return_address: list[str]  # for letters: the organisation's support postal address

    def told_elements(self, person: AffectedPerson) -> int:
        """The elements the person's notice lists, as bits: their own, else the facts'."""
        return self.facts_bits if person.elements is None else person.elements

    def notice(self, person: AffectedPerson, contact: Contact) -> RenderedNotice:
        """The person's notice, from the campaign's template in their language."""
        return self.batches[notice_language(person.language)].render(
            {
                "first_name": contact.first_name,
                "last_name": contact.last_name,
                "reference": references.display(person.reference),
                "jurisdiction": person.jurisdiction,
                "elements": bits_to_elements(self.told_elements(person)),
            }
        )

    def disclose_once(self, db_session: Session, actor: str) -> None:
        """The first notice sent from a revision discloses it: a later, wider revision
        is then a scope expansion that needs a supplemental notice."""
        if self.disclosed:
            return
        incident = incidents.get_incident(db_session=db_session, incident_id=self.incident_id)
        incidents.disclose(
            db_session=db_session, incident=incident, disclosure=Disclosure.NOTICE, actor=actor
        )
        self.disclosed = True

    @classmethod
    def load(cls, db_session: Session, campaign: Campaign, today: datetime) -> RunContext:
        incident = incidents.get_incident(db_session=db_session, incident_id=campaign.incident_id)
        organisation = incident.organisation
        batches = {
            language: NoticeBatch(
                template=template_file(version),
                organisation=organisation,
                incident=incident,
                today=today.date(),
                remedy=campaign.remedy,
            )
            for language, version in campaign_templates(
                db_session=db_session, campaign=campaign
            ).items()
        }
        waves = db_session.scalars(select(Wave).where(Wave.campaign_id == campaign.id))
        return cls(
            campaign_id=campaign.id,
            incident_id=incident.id,
            kind=campaign.kind,
            batches=batches,
            facts_bits=elements_to_bits(incident.current_revision.element_names),
            sender=notice_sender(organisation),
            max_per_second=min((w.max_per_second for w in waves if w.max_per_second), default=None),
            disclosed=incident.current_revision.disclosed_at is not None,
            return_address=return_address(organisation),
        )


def claim(
    db_session: Session,
    campaign_id: int,
    batch_size: int,
    stale_after: timedelta,
    now: datetime,
    channel: Channel = Channel.EMAIL,
    domain: str | None = None,
) -> list[Claimed]:
    """Mark the campaign's next due notices on ``channel`` ``sending``; an email gets
    the Message-ID it will carry now, on ``domain``, a letter its place in a print file
    later."""
    campaign = db_session.get_one(Campaign, campaign_id)
    if campaign.state is not CampaignState.READY:
        return []
    message = OutboxMessage
    rows = []
    # Interrupted sends first, then deferrals come due, then the queue; earlier waves first.
    for due in due_now(now, stale_after):
        if len(rows) == batch_size:
            break
        rows += db_session.execute(
            select(message.id, message.person_id, message.message_id, message.state)
            .join(Wave, Wave.id == message.wave_id)
            .where(message.campaign_id == campaign_id, message.channel == channel, due)
            .order_by(message.wave_id, message.id)
            .limit(batch_size - len(rows))
            .with_for_update(of=message, skip_locked=True)
        ).all()
    claimed = []
    for row_id, person_id, existing_id, state in rows:
        if channel is Channel.EMAIL and existing_id is None:
            assert domain is not None, "an email needs its Message-ID domain"
            existing_id = message_id(domain)
        claimed.append(
            Claimed(row_id, person_id, existing_id, resent=state is MessageState.SENDING)
        )
    if claimed:
        # One statement for the batch, executed for each row (a round trip per row
        # through the ORM cost more than rendering the emails).
        table = OutboxMessage.__table__
        db_session.connection().execute(
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values(
                state=MessageState.SENDING,
                sending_at=now,
                message_id=bindparam("new_message_id", type_=table.c.message_id.type),
                attempts=table.c.attempts + 1,
                resent_after_interruption=table.c.resent_after_interruption + bindparam("resent"),
            ),
            [
                {
                    "row_id": item.row_id,
                    "new_message_id": item.message_id,
                    "resent": int(item.resent),
                }
                for item in claimed
            ],
        )
    return claimed


def batch_people(db_session: Session, claimed: list[Claimed]) -> dict[int, AffectedPerson]:
    """The claimed notices' people, by id, in one query."""
    ids = [item.person_id for item in claimed]
    people = db_session.scalars(select(AffectedPerson).where(AffectedPerson.id.in_(ids)))
    return {person.id: person for person in people}


@dataclass(frozen=True)
class _Rendered:
    template_version: str
    fact_revision: int
    content_hash: str
    elements: int


def _send(
    db_session: Session,
    keyring: Keyring,
    context: RunContext,
    claimed: list[Claimed],
    sender: Sender,
    dkim: DkimKey | None,
    clock: Callable[[], datetime],
) -> list[tuple[SendResult, _Rendered | None]]:
    people = batch_people(db_session, claimed)
    outgoing: list[OutgoingEmail] = []
    outcomes: list[tuple[SendResult | None, _Rendered | None]] = []
    sent_at = clock().replace(microsecond=0)
    for item in claimed:
        person = people[item.person_id]
        contact = Contact.decode(keyring.decrypt(person.contact, context=CONTEXT))
        try:
            assert item.message_id is not None  # every claimed email has one
            email, rendered = _email(context, person, contact, item.message_id, sent_at, dkim)
        except InputError as error:
            # One person's notice cannot be built (a template error for their laws):
            # recorded against them, and the rest of the batch goes on.
            outcomes.append((SendResult("failed", f"not rendered: {error}"), None))
            continue
        outgoing.append(email)
        outcomes.append((None, rendered))
    results = iter(sender.send(outgoing))
    return [(result or next(results), rendered) for result, rendered in outcomes]


def _email(
    context: RunContext,
    person: AffectedPerson,
    contact: Contact,
    message_id: str,
    sent_at: datetime,
    dkim: DkimKey | None,
) -> tuple[OutgoingEmail, _Rendered]:
    notice = context.notice(person, contact)
    text_qp, html_qp = notice.quoted_printable()
    name = " ".join(part for part in (contact.first_name, contact.last_name) if part)
    recipient = contact.emails[0]
    data = build_encoded_email(
        sender=context.sender,
        recipient=Address(name, recipient),
        subject=notice.subject,
        text_qp=text_qp,
        html_qp=html_qp,
        date=sent_at,
        message_id=message_id,
        dkim=dkim,
    )
    rendered = _Rendered(
        notice.template_version,
        notice.fact_revision,
        notice.content_hash,
        context.told_elements(person),
    )
    return OutgoingEmail(context.sender.email, recipient, message_id, data), rendered


def _record(
    db_session: Session,
    context: RunContext,
    claimed: list[Claimed],
    results: list[tuple[SendResult, _Rendered | None]],
    now: datetime,
    actor: str,
    summary: RunSummary,
) -> None:
    message = OutboxMessage
    attempts = dict(
        db_session.execute(
            select(message.id, message.attempts).where(
                message.id.in_([item.row_id for item in claimed])
            )
        ).all()
    )
    outcomes = []
    refused = []
    for item, (result, rendered) in zip(claimed, results, strict=True):
        row = dict.fromkeys(_OUTCOME_COLUMNS) | {
            "row_id": item.row_id,
            "last_error": result.detail if result.state != "sent" else None,
        }
        if rendered is not None:
            row |= {
                "template_version": rendered.template_version,
                "fact_revision": rendered.fact_revision,
                "content_hash": rendered.content_hash,
                "elements": rendered.elements,
            }
        state = MessageState(result.state)
        if state is MessageState.DEFERRED:
            tries = attempts[item.row_id]
            if tries > len(RETRY_AFTER):
                state = MessageState.FAILED
                row["last_error"] = f"gave up after {tries} attempts: {result.detail}"
            else:
                row["next_attempt_at"] = now + timedelta(seconds=RETRY_AFTER[tries - 1])
                row["deferred_at"] = now
        if state is MessageState.SENT:
            row["sent_at"] = now
        elif state in (MessageState.BOUNCED, MessageState.FAILED):
            row["failed_at"] = now
            if rendered is not None:
                # Refused for good: the notice goes on by the next channel. (A notice
                # that could not be rendered would fail on paper too; it waits for a fix.)
                refused.append((item.row_id, str(row["last_error"] or state.value)))
        row["state"] = state
        outcomes.append(row)
        summary.outcomes[state.value] += 1
        summary.resent_after_interruption += item.resent
    table = OutboxMessage.__table__
    kept = {  # a value not given this time keeps what the row had
        column: func.coalesce(
            bindparam(f"new_{column}", type_=table.c[column].type), table.c[column]
        )
        for column in _OUTCOME_COLUMNS
    }
    db_session.connection().execute(
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(
            state=bindparam("new_state", type_=table.c.state.type),
            last_error=bindparam("new_last_error", type_=table.c.last_error.type),
            **kept,
        ),
        [
            {f"new_{key}" if key != "row_id" else key: value for key, value in row.items()}
            for row in outcomes
        ],
    )
    for row_id, reason in refused:
        queue_next_channel(
            db_session=db_session,
            failed=db_session.get_one(message, row_id),
            reason=reason,
            now=now,
        )
        summary.queued_on_next_channel += 1
    if summary.outcomes[MessageState.SENT.value]:
        context.disclose_once(db_session, actor)


# What an outcome may set on a row; left None, the row keeps its value.
_OUTCOME_COLUMNS = (
    "template_version",
    "fact_revision",
    "content_hash",
    "elements",
    "next_attempt_at",
    "deferred_at",
    "sent_at",
    "failed_at",
)


def _keep_to_rate(max_per_second: int | None, sent: int, started: float) -> None:
    if max_per_second:
        wait = sent / max_per_second - (time.monotonic() - started)
        if wait > 0:
            time.sleep(wait)
