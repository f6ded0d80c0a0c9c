"""Audit events of the desk domain. None carries what a customer wrote or how to reach
them: the inquiry, claim or code is named by its id and ticket, and the text stays
encrypted in its own table."""

from __future__ import annotations

import dataclasses

from breachdesk.audit.events import AuditEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class InquiryReceived(AuditEvent):
    """An inquiry arrived (from the portal, the inbound mail folder or an agent taking a
    call) and was given its ticket; ``acknowledgement_queued`` says whether an email
    acknowledgement was queued (it needs an email address and an approved wording)."""

    event_type = "desk.inquiry_received"
    incident: int
    inquiry: int
    ticket: str
    source: str
    category: str
    person: int | None
    acknowledgement_queued: bool


@dataclasses.dataclass(frozen=True, kw_only=True)
class InquiryFollowUp(AuditEvent):
    """The customer wrote again on an existing ticket (a reply by email); a resolved or
    answered inquiry is open again."""

    event_type = "desk.inquiry_follow_up"
    incident: int
    inquiry: int
    ticket: str
    reopened: bool


@dataclasses.dataclass(frozen=True, kw_only=True)
class InquiryReplied(AuditEvent):
    """The desk answered an inquiry: from an approved answer version (``answer``) or in
    the agent's own words, by email when the inquirer gave one. ``bulk`` names the bulk
    reply it was part of."""

    event_type = "desk.inquiry_replied"
    incident: int
    inquiry: int
    ticket: str
    answer: int | None
    emailed: bool
    resolved: bool
    bulk: str | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class InquiryUpdated(AuditEvent):
    """An agent changed an inquiry's category, status, assignee or linked person, or
    added an internal note; ``changes`` maps each field to its new value."""

    event_type = "desk.inquiry_updated"
    incident: int
    inquiry: int
    ticket: str
    changes: dict[str, str | int | None]


@dataclasses.dataclass(frozen=True, kw_only=True)
class BulkReplySent(AuditEvent):
    """One approved answer was sent to every open inquiry it matched; each reply also has
    its own ``desk.inquiry_replied`` event carrying ``bulk``."""

    event_type = "desk.bulk_reply_sent"
    incident: int
    bulk: str
    answer: int
    inquiries: int
    resolved: bool


@dataclasses.dataclass(frozen=True, kw_only=True)
class AnswerSaved(AuditEvent):
    """A new version of an approved-answer library entry was saved; it needs its own
    approvals before it reaches anyone."""

    event_type = "desk.answer_saved"
    incident: int
    answer: int
    key: str
    language: str
    version: int
    content_hash: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class AnswerApproved(AuditEvent):
    """An approver signed off one exact answer version; ``usable`` once a legal and a
    communications approver both have."""

    event_type = "desk.answer_approved"
    incident: int
    answer: int
    version: int
    content_hash: str
    role: str
    approver: str
    usable: bool


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeskMailSent(AuditEvent):
    """A run of the desk's mail sender: emails sent, deferred for a retry, and refused
    for good."""

    event_type = "desk.mail_sent"
    sent: int
    retrying: int
    failed: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class InboundMailRead(AuditEvent):
    """The inbound mail folder was read: messages read, new inquiries, follow-ups on
    existing tickets, and messages skipped (already read, or automatic replies)."""

    event_type = "desk.inbound_mail_read"
    incident: int
    source: str
    messages: int
    new_inquiries: int
    follow_ups: int
    skipped: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class ClaimSubmitted(AuditEvent):
    """An affected person filed a reimbursement claim through the portal."""

    event_type = "desk.claim_submitted"
    incident: int
    claim: int
    number: str
    person: int
    amount_cents: int
    currency: str
    evidence_files: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class ClaimEvidenceAdded(AuditEvent):
    """A claimant added evidence to a claim (after the desk asked for more)."""

    event_type = "desk.claim_evidence_added"
    incident: int
    claim: int
    number: str
    sha256: str
    size: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class ClaimEvidenceRead(AuditEvent):
    """A claim's evidence files were read by staff: exported to a folder (``claims
    evidence``) or downloaded through the API. ``how`` says which and where."""

    event_type = "desk.claim_evidence_read"
    incident: int
    claim: int
    number: str
    files: int
    how: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class ClaimDecided(AuditEvent):
    """A reviewer approved or rejected a claim, or asked the claimant for more."""

    event_type = "desk.claim_decided"
    incident: int
    claim: int
    number: str
    status: str
    previous: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class CodePoolImported(AuditEvent):
    """Activation codes from a credit-monitoring vendor's file were added to a pool:
    how many, and how many were already in it."""

    event_type = "desk.code_pool_imported"
    incident: int
    pool: int
    name: str
    added: int
    already_present: int
    file_sha256: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class MonitoringCodeIssued(AuditEvent):
    """An affected person took their credit-monitoring activation code on the portal
    (the redemption); the code itself is not recorded."""

    event_type = "desk.monitoring_code_issued"
    incident: int
    pool: int
    person: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class CodePoolLow(AuditEvent):
    """A pool fell below its low-water mark: order more codes from the vendor."""

    event_type = "desk.code_pool_low"
    incident: int
    pool: int
    name: str
    remaining: int
    low_water: int
