"""Tracking regulator and credit-bureau notices: recording each submission, and every
notice's status (not required, due, overdue, submitted) for the dashboard."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from breachdesk.audit import service as audit
from breachdesk.db import utcnow
from breachdesk.incidents import service as incidents
from breachdesk.inputs import InputError
from breachdesk.reports.events import RegulatorNoticeSubmitted
from breachdesk.reports.models import RegulatorSubmission
from breachdesk.reports.regulators import OwedNotice, owed_notices
from breachdesk.reports.schemas import (
    DUE,
    NOT_REQUIRED,
    OVERDUE,
    SUBMITTED,
    NoticeStatus,
    SubmissionIn,
    SubmissionRead,
    residents_needed,
)
from breachdesk.rules.catalog import rule_for
from breachdesk.rules.service import assess_incident


def notice_statuses(
    *, db_session: Session, incident_id: int, now: datetime | None = None
) -> list[NoticeStatus]:
    """Every regulator and credit-bureau notice of the laws that apply to the incident,
    required or not, with its deadline, days left and submissions."""
    now = now or utcnow()
    incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
    assessment = assess_incident(db_session=db_session, incident_id=incident_id)
    submitted: dict[tuple[str, str], list[SubmissionRead]] = defaultdict(list)
    for row in _submissions(db_session=db_session, incident_id=incident_id):
        submitted[(row.jurisdiction, row.notice)].append(SubmissionRead.of(row))
    return [
        status_of(
            owed,
            tuple(submitted[(owed.result.code, owed.notice)]),
            now,
            incident.current_revision.number,
        )
        for owed in owed_notices(assessment)
    ]


def status_of(
    owed: OwedNotice, submissions: tuple[SubmissionRead, ...], now: datetime, revision: int
) -> NoticeStatus:
    """Where one notice stands at ``now``, given its submissions so far."""
    deadline = owed.deadline()
    days_left = (deadline.day - now.date()).days if deadline.day else None
    passed = (now > deadline.at) if deadline.at else (days_left is not None and days_left < 0)
    on_time = None
    if submissions:
        state = SUBMITTED
        first = submissions[0].submitted_at
        if deadline.at:
            on_time = first <= deadline.at
        elif deadline.day:
            on_time = first.date() <= deadline.day
    elif not owed.required:
        state = NOT_REQUIRED
    else:
        state = OVERDUE if passed else DUE
    return NoticeStatus(
        jurisdiction=owed.result.code,
        jurisdiction_name=owed.result.rule.name,
        notice=owed.notice,
        agency=owed.agency,
        required=owed.required,
        counted=owed.counted,
        threshold=owed.threshold,
        deadline=deadline,
        state=state,
        days_left=days_left,
        on_time=on_time,
        submissions=submissions,
        fact_revision=revision,
        condition=owed.condition,
        max_residents=owed.max_residents,
    )


def _submissions(*, db_session: Session, incident_id: int) -> list[RegulatorSubmission]:
    """The incident's submissions, each notice's in the order they were made."""
    return list(
        db_session.scalars(
            select(RegulatorSubmission)
            .where(RegulatorSubmission.incident_id == incident_id)
            .order_by(RegulatorSubmission.number)
        )
    )


def _owed(*, db_session: Session, incident_id: int, code: str, notice: str) -> OwedNotice:
    """The notice a submission names, if the incident's laws require it."""
    rule = rule_for(code)
    assessment = assess_incident(db_session=db_session, incident_id=incident_id)
    result = assessment.jurisdictions.get(rule.code)
    if result is None:
        raise InputError(
            f"jurisdiction: {rule.code} does not apply to incident {incident_id} (no affected "
            f"people live there, and no sector or establishment brings it in); "
            f"`breachdesk report regulators --incident {incident_id}` lists its notices"
        )
    candidates = {owed.notice: owed for owed in owed_notices(assessment) if owed.result is result}
    owed = candidates.get(notice)
    if owed is None:
        known = ", ".join(candidates) or "none"
        raise InputError(f"notice: {rule.code} has no notice {notice!r}; its notices: {known}")
    if not owed.required:
        needed = residents_needed(owed.threshold, owed.max_residents)
        raise InputError(
            f"{rule.code} {notice} ({owed.agency}) is not required for incident "
            f"{incident_id}: {owed.counted:,} residents counted, {needed}"
        )
    return owed


def record_submission(
    *, db_session: Session, incident_id: int, submission_in: SubmissionIn, actor: str
) -> RegulatorSubmission:
    """Record that a required notice was sent; a second one must be marked amended."""
    incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
    owed = _owed(
        db_session=db_session,
        incident_id=incident.id,
        code=submission_in.jurisdiction,
        notice=submission_in.notice,
    )
    code, notice = owed.result.code, owed.notice
    earlier = [
        row
        for row in _submissions(db_session=db_session, incident_id=incident.id)
        if (row.jurisdiction, row.notice) == (code, notice)
    ]
    now = utcnow()
    submitted_at = submission_in.submitted_at or now
    if submitted_at > now:
        raise InputError("submitted-at: is in the future; give when it was actually sent")
    if earlier and not submission_in.amended:
        last = earlier[-1]
        raise InputError(
            f"{code} {notice} was already recorded as submitted on "
            f"{last.submitted_at.date().isoformat()} (reference {last.reference}); to record "
            "an updated notice, mark it as amended (--amended)"
        )
    if submission_in.amended and not earlier:
        raise InputError(
            f"{code} {notice} has no submission to amend yet; record the first one without "
            "--amended"
        )
    if earlier and submitted_at < earlier[-1].submitted_at:
        raise InputError(
            f"submitted-at: an amended notice cannot be sent before submission "
            f"{earlier[-1].number} ({earlier[-1].submitted_at.isoformat()})"
        )
    row = RegulatorSubmission(
        incident_id=incident.id,
        jurisdiction=code,
        notice=notice,
        agency=owed.agency,
        number=len(earlier) + 1,
        method=submission_in.method,
        reference=submission_in.reference,
        submitted_at=submitted_at,
        submitted_by=actor,
        document_sha256=submission_in.document_sha256,
        document_name=submission_in.document_name,
        fact_revision=incident.current_revision.number,
    )
    db_session.add(row)
    db_session.flush()
    audit.record(
        db_session=db_session,
        event=RegulatorNoticeSubmitted(
            incident=incident.id,
            jurisdiction=code,
            notice=notice,
            agency=owed.agency,
            number=row.number,
            method=row.method.value,
            submitted_at=submitted_at.isoformat(),
            reference=row.reference,
            document_sha256=row.document_sha256,
            fact_revision=row.fact_revision,
        ),
        actor=actor,
    )
    return row
