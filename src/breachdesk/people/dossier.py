"""Everything breachdesk did with and for one affected person, for the console's person
page: the notices owed to them, their questions to the desk, the credit-monitoring code
they took and the claims they filed.

These are reads across domains (delivery, desk) about one person; they decrypt nothing
but the subject lines of the person's own inquiries, which the person page shows next
to their contact details (a view that is itself on the audit record, people.viewed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from breachdesk.delivery.models import OutboxMessage
from breachdesk.desk import claims
from breachdesk.desk import service as desk
from breachdesk.desk.models import Claim, CodePool, Inquiry, MonitoringCode
from breachdesk.security.crypto import Keyring


@dataclass(frozen=True)
class NoticeRow:
    campaign_id: int
    kind: str
    channel: str
    channel_reason: str | None
    state: str
    fact_revision: int | None
    attempts: int
    queued_at: datetime
    sent_at: datetime | None
    failed_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class InquiryRow:
    id: int
    ticket: str
    subject: str
    category: str
    status: str
    received_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True)
class CodeRow:
    vendor: str
    months: int
    issued_at: datetime | None


@dataclass(frozen=True)
class ClaimRow:
    id: int
    number: str
    status: str
    amount: Decimal
    currency: str
    submitted_at: datetime
    decided_at: datetime | None


@dataclass(frozen=True)
class Dossier:
    notices: list[NoticeRow]
    inquiries: list[InquiryRow]
    codes: list[CodeRow]
    claims: list[ClaimRow]


def dossier(*, db_session: Session, keyring: Keyring, person_id: int) -> Dossier:
    """The person's notices, inquiries, monitoring codes and claims, oldest first."""
    notices = db_session.execute(
        select(OutboxMessage).where(OutboxMessage.person_id == person_id).order_by(OutboxMessage.id)
    ).scalars()
    inquiries = db_session.execute(
        select(Inquiry).where(Inquiry.person_id == person_id).order_by(Inquiry.id)
    ).scalars()
    codes = db_session.execute(
        select(CodePool.vendor, CodePool.months, MonitoringCode.redeemed_at)
        .join(CodePool, MonitoringCode.pool_id == CodePool.id)
        .where(MonitoringCode.person_id == person_id)
        .order_by(MonitoringCode.id)
    ).all()
    filed = db_session.execute(
        select(Claim).where(Claim.person_id == person_id).order_by(Claim.id)
    ).scalars()
    return Dossier(
        notices=[
            NoticeRow(
                campaign_id=row.campaign_id,
                kind=row.kind,
                channel=row.channel.value,
                channel_reason=row.channel_reason,
                state=row.state.value,
                fact_revision=row.fact_revision,
                attempts=row.attempts,
                queued_at=row.queued_at,
                sent_at=row.sent_at,
                failed_at=row.failed_at,
                last_error=row.last_error,
            )
            for row in notices
        ],
        inquiries=[
            InquiryRow(
                id=row.id,
                ticket=row.ticket,
                subject=desk.subject_of(keyring=keyring, inquiry=row),
                category=row.category.value,
                status=row.status.value,
                received_at=row.received_at,
                resolved_at=row.resolved_at,
            )
            for row in inquiries
        ],
        codes=[CodeRow(vendor=v, months=m, issued_at=at) for v, m, at in codes],
        claims=[
            ClaimRow(
                id=row.id,
                number=row.number,
                status=row.status.value,
                amount=claims.amount_of(row),
                currency=row.currency,
                submitted_at=row.submitted_at,
                decided_at=row.decided_at,
            )
            for row in filed
        ],
    )
