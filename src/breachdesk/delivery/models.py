"""Notice campaigns, their waves, and the outbox: one row for every notice owed.

The outbox is what makes delivery crash-safe. Every (person, notice kind, channel) has
exactly one row, created in the same transaction that schedules its wave, so a person
owed notice is never nowhere. A row moves ``queued -> sending -> sent | deferred |
bounced | failed``; the move to ``sending`` is committed, with the Message-ID the
notice will carry, before anything goes to the mail server, so a worker that dies
mid-send leaves a row that says so, and the retry sends the same Message-ID.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import (
    JSON,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    exists,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column

from breachdesk.db import Base, UTCDateTime, utcnow, value_enum


class CampaignState(enum.StrEnum):
    READY = "ready"  # created; waves may be scheduled and run
    PAUSED = "paused"  # nothing is claimed until it is resumed
    CANCELLED = "cancelled"  # nothing more is sent; what was sent stays recorded
    COMPLETED = "completed"  # every notice it owes has reached a final state


class ChannelPolicy(enum.StrEnum):
    """Which channel a campaign tries first; each falls back to the next one usable."""

    EMAIL = "email"  # email, else a letter, else the substitute-notice list
    LETTER = "letter"  # a letter, else email, else the substitute-notice list
    AUTO = "auto"  # the same order as email today; kept for per-law choices later


class Channel(enum.StrEnum):
    EMAIL = "email"
    LETTER = "letter"
    # No usable email or postal address (or the person is flagged no-contact): listed
    # for substitute notice, never silently left out.
    SUBSTITUTE = "substitute"


class MessageState(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DEFERRED = "deferred"  # a temporary refusal (4xx): tried again after next_attempt_at
    BOUNCED = "bounced"  # the recipient's server refused it for good
    FAILED = "failed"  # refused for good before reaching a recipient, or given up


FINAL_STATES = frozenset({MessageState.SENT, MessageState.BOUNCED, MessageState.FAILED})


class Campaign(Base):
    """One notice kind for one incident, sent in waves from approved templates."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(40), nullable=False)  # initial, supplemental…
    channel_policy: Mapped[ChannelPolicy] = mapped_column(
        value_enum(ChannelPolicy, "channel_policy"), nullable=False
    )
    state: Mapped[CampaignState] = mapped_column(
        value_enum(CampaignState, "campaign_state"), nullable=False
    )
    # The approved template versions it sends, {language: notice_template id}: fixed at
    # creation, so a version approved later does not change a campaign under way.
    templates: Mapped[dict[str, int]] = mapped_column(JSON, nullable=False)
    # The credit-monitoring offer its notices make, {"months", "url"}, or None.
    remedy: Mapped[dict[str, object] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(320), nullable=False)


class Wave(Base):
    """A slice of a campaign's people, sent from a start time at up to a maximum rate."""

    __tablename__ = "wave"
    __table_args__ = (UniqueConstraint("campaign_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="RESTRICT"), nullable=False
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    # What was selected, as given: "everyone owed", a jurisdiction, a list of references.
    selection: Mapped[str] = mapped_column(String(200), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    max_per_second: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(320), nullable=False)


class OutboxMessage(Base):
    """One notice owed to one person, on one channel, and what became of it."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint("person_id", "kind", "channel"),
        # Workers claim a campaign's due rows on one channel, one state at a time
        # (due_now), wave by wave in id order: with the state in the key a claim never
        # walks the rows already sent, which grow to the whole campaign. Ordering by
        # (wave_id, id), which only this index gives, also keeps the planner from walking
        # the primary key instead: it cannot see that the rows sent are the low ids.
        Index("ix_outbox_message_claim", "campaign_id", "channel", "state", "wave_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="RESTRICT"), nullable=False
    )
    wave_id: Mapped[int] = mapped_column(
        ForeignKey("wave.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("affected_person.id", ondelete="RESTRICT"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    channel: Mapped[Channel] = mapped_column(value_enum(Channel, "outbox_channel"), nullable=False)
    # Why the person is on this channel and not the one before it ("no email address").
    channel_reason: Mapped[str | None] = mapped_column(String(120))
    state: Mapped[MessageState] = mapped_column(
        value_enum(MessageState, "message_state"), nullable=False
    )
    # Set when the row is first claimed; every retry sends the same one.
    message_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # What was sent: the template version, the fact revision, the content's hash.
    template_version: Mapped[str | None] = mapped_column(String(64))
    fact_revision: Mapped[int | None] = mapped_column(Integer)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # The exposed elements the notice listed (bits over DataElement): what a later,
    # wider fact revision is compared with to find who needs a supplemental notice.
    elements: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sending_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deferred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # bounced or failed
    # A second send of a row that was already `sending` when its worker stopped: the
    # person may have the notice twice (with the same Message-ID). Counted in status.
    resent_after_interruption: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


def due_now(now: datetime, stale_after: timedelta) -> tuple[ColumnElement[bool], ...]:
    """SQL: the ways an outbox row (joined to its wave) may be claimed now, each for one
    state: left ``sending`` by a run that stopped more than ``stale_after`` ago, deferred
    past its next attempt, or queued in a wave that has started. Kept apart rather than
    joined by OR, so that each is an equality on the state and a query can walk the
    claim index for that state alone; under one OR the database walked the campaign's
    rows in id order past every one already sent, on every claim."""
    message = OutboxMessage
    started = Wave.starts_at <= now
    return (
        started
        & (message.state == MessageState.SENDING)
        & (message.sending_at <= now - stale_after),
        started & (message.state == MessageState.DEFERRED) & (message.next_attempt_at <= now),
        started & (message.state == MessageState.QUEUED),
    )


def has_emails_due(now: datetime, stale_after: timedelta) -> ColumnElement[bool]:
    """SQL, correlated to Campaign: the campaign has emails that may be claimed now."""
    return or_(
        *(
            exists()
            .where(
                OutboxMessage.campaign_id == Campaign.id,
                OutboxMessage.channel == Channel.EMAIL,
                Wave.id == OutboxMessage.wave_id,
                due,
            )
            .correlate(Campaign)
            for due in due_now(now, stale_after)
        )
    )
