"""The console's inquiry desk: the agent queue with its service-level clocks, replies held
for an approver to release, and bulk replies (one inquiry's page is desk_inquiry.py).
Pages call the desk's services, as its JSON API does (desk/views.py); the services check
roles again."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from breachdesk.console.access import Can
from breachdesk.console.web import PREFIX, Form, Staff, page, redirect, signed_in, transaction
from breachdesk.db import utcnow
from breachdesk.desk import answers, bulk
from breachdesk.desk import service as desk
from breachdesk.desk.models import ApprovedAnswer, Inquiry, InquiryCategory, InquiryStatus
from breachdesk.incidents import service as incidents
from breachdesk.inputs import InputError, NotFound
from breachdesk.security import service as security
from breachdesk.security.models import Role, StaffUser

router = APIRouter(prefix=PREFIX, include_in_schema=False)
DESK = "/incidents/{incident_id}/desk"
QUEUE_LIMIT = 500
SAMPLE = 10
USER_ERRORS = (InputError, NotFound, PermissionError)
STATUSES = {"open": "Open", "answered": "Answered", "resolved": "Resolved", "all": "Any status"}
# How closely an inquiry must match an answer for a bulk reply to include it. 0.55 let no
# wrong first suggestion through on tests/desk/suggestion_cases.yaml, with either ranker.
CLOSENESS = {
    "0.55": "Very closely (recommended)",
    "0.4": "Closely",
    "0.25": "Loosely: read every match in the sample first",
}


# --- shared with desk_inquiry.py and claims.py ------------------------------------------


def status_for(error: Exception) -> int:
    if isinstance(error, NotFound):
        return 404
    return 403 if isinstance(error, PermissionError) else 422


def incident_view(db_session: Session, incident_id: int) -> dict[str, Any]:
    incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
    return {"id": incident.id, "title": incident.title}


def problem(
    request: Request, staff: Staff, error: Exception, *, incident_id: int, back: str
) -> HTMLResponse:
    """What went wrong, in the service's words, with the way back."""
    incident = None
    with transaction(request) as db_session, suppress(NotFound):
        incident = incident_view(db_session, incident_id)
    message = str(error)
    return page(
        request, "desk_problem.html", staff=staff, status=status_for(error), incident=incident,
        message=message[:1].upper() + message[1:], back=back,
        not_found=isinstance(error, NotFound),
    )  # fmt: skip


def staff_user(db_session: Session, staff: Staff) -> StaffUser:
    """The signed-in account, as the services take it."""
    user = security.get_by_email(db_session=db_session, email=staff.email)
    if user is None:
        raise NotFound(f"no staff account {staff.email}")
    return user


def when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else ""


# --- the clocks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Timer:
    """One service-level clock as the agent reads it; ``due`` while it still runs."""

    name: str
    tone: str  # ok, warn, bad, muted (done)
    words: str
    due: datetime | None = None


def timers(levels: desk.ServiceLevels, inquiry: Inquiry, now: datetime) -> list[Timer]:
    clocks = levels.clocks(inquiry, now)
    acknowledged = clocks.acknowledged_at
    if acknowledged is None:
        ack = Timer("Acknowledged", "bad", "not yet")
    elif acknowledged <= inquiry.received_at:
        ack = Timer("Acknowledged", "muted", "at once")
    else:
        ack = Timer("Acknowledged", "muted", when(acknowledged))
    return [
        ack,
        _timer("First response", clocks.first_response_due, clocks.first_response_at, now, levels),
        _timer("Resolution", clocks.resolution_due, clocks.resolved_at, now, levels),
    ]


def _timer(
    name: str, due: datetime, done: datetime | None, now: datetime, levels: desk.ServiceLevels
) -> Timer:
    if done is not None:
        if done > due:
            return Timer(name, "bad", f"done {span(done - due)} late")
        return Timer(name, "muted", "done in time")
    left = due - now
    if left < timedelta(0):
        return Timer(name, "bad", f"overdue by {span(-left)}", due)
    if left <= levels.warning:
        return Timer(name, "warn", f"due soon: {span(left)} left", due)
    return Timer(name, "ok", f"{span(left)} left", due)


def span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    days, rest = divmod(minutes, 24 * 60)
    parts = ((days, "day"), *zip(divmod(rest, 60), ("hour", "minute"), strict=True))
    first = next(index for index, (n, _unit) in enumerate(parts) if n)
    # The largest unit and the next one: "2 days 3 hours", "3 hours 20 minutes".
    return " ".join(f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts[first:][:2] if n)


def _urgency(row: dict[str, Any]) -> tuple[bool, datetime]:
    running = [timer.due for timer in row["timers"] if timer.due is not None]
    return (not running, min(running) if running else row["received_at"])


# --- the queue ----------------------------------------------------------------------------


def _filters(status: str, category: str, mine: str) -> dict[str, Any]:
    if status not in STATUSES:
        raise InputError(f"status: {status!r} is not one of {', '.join(STATUSES)}")
    if category and category not in set(InquiryCategory):
        raise InputError(f"category: {category!r} is not one of {', '.join(InquiryCategory)}")
    return {"status": status, "category": category, "mine": mine == "yes"}


def _queue(
    request: Request, staff: Staff, incident_id: int, status: str, category: str, mine: str,
    template: str,
) -> Response:  # fmt: skip
    keyring = request.app.state.keyring
    levels = desk.ServiceLevels.from_settings(request.app.state.settings)
    base = f"{PREFIX}/incidents/{incident_id}/desk"
    try:
        filters = _filters(status, category, mine)
        with transaction(request) as db_session:
            incident = incident_view(db_session, incident_id)
            found = desk.queue(
                db_session=db_session,
                incident_id=incident_id,
                statuses=list(InquiryStatus) if status == "all" else [InquiryStatus(status)],
                assigned_to=staff.id if filters["mine"] else None,
                category=InquiryCategory(category) if category else None,
                limit=QUEUE_LIMIT,
            )
            now = utcnow()
            rows = sorted(
                (
                    {
                        "id": inquiry.id, "ticket": inquiry.ticket,
                        "subject": desk.subject_of(keyring=keyring, inquiry=inquiry),
                        "source": inquiry.source.value, "category": inquiry.category.value,
                        "status": inquiry.status.value, "received_at": inquiry.received_at,
                        "received": when(inquiry.received_at),
                        "assignee": inquiry.assignee.email if inquiry.assignee else "",
                        "timers": timers(levels, inquiry, now),
                    }
                    for inquiry in found
                ),
                key=_urgency,
            )  # fmt: skip
            held = [
                {
                    "message": message.id, "inquiry": message.inquiry_id,
                    "ticket": message.inquiry.ticket, "author": message.author,
                    "body": desk.message_body(keyring=keyring, message=message),
                    "created": when(message.created_at),
                }
                for message in desk.held_replies(db_session=db_session, incident_id=incident_id)
            ]  # fmt: skip
    except USER_ERRORS as error:
        return problem(request, staff, error, incident_id=incident_id, back=f"{PREFIX}/")
    query = urlencode({"status": status, "category": category, "mine": mine})
    return page(
        request, template, staff=staff, incident=incident, base=base, rows=rows, held=held,
        filters=filters, statuses=STATUSES, categories=list(InquiryCategory),
        refresh=f"{base}/queue?{query}", full=len(found) >= QUEUE_LIMIT, updated=when(now),
        can_release=Role(staff.role) in desk.RELEASING_ROLES,
    )  # fmt: skip


@router.get(DESK, response_class=HTMLResponse)
def queue_page(
    incident_id: int,
    request: Request,
    status: str = "open",
    category: str = "",
    mine: str = "",
    staff: Staff = Depends(signed_in(Can.WORK_DESK)),
) -> Response:
    """The agent queue, most urgent first, and the replies waiting for release."""
    return _queue(request, staff, incident_id, status, category, mine, "desk.html")


@router.get(DESK + "/queue", response_class=HTMLResponse)
def queue_rows(
    incident_id: int,
    request: Request,
    status: str = "open",
    category: str = "",
    mine: str = "",
    staff: Staff = Depends(signed_in(Can.WORK_DESK)),
) -> Response:
    """The queue's table alone: the desk page reloads it every 30 seconds."""
    return _queue(request, staff, incident_id, status, category, mine, "desk_queue.html")


# --- bulk replies (before /desk/{inquiry_id}, which would take "bulk" for an id) ------------


def approved_answer(db_session: Session, incident_id: int, answer_id: str | int) -> ApprovedAnswer:
    """The library answer, when it is this incident's and approved to send."""
    number = int(answer_id) if str(answer_id).isdigit() else 0
    answer = answers.get_answer(db_session=db_session, answer_id=number) if number else None
    if answer is None or answer.incident_id != incident_id:
        raise NotFound(f"there is no answer {answer_id} in this incident's library")
    if not answers.is_approved(answer):
        raise InputError(
            f"answer {answer.key!r} version {answer.version} is not approved yet: it needs a "
            "legal and a communications approval before it can be sent"
        )
    return answer


@router.get(DESK + "/bulk", response_class=HTMLResponse)
def bulk_page(
    incident_id: int,
    request: Request,
    answer_id: str = "",
    closeness: str = "0.55",
    staff: Staff = Depends(signed_in(Can.WORK_DESK)),
) -> Response:
    """Choose an approved answer and see which open inquiries it would answer."""
    keyring = request.app.state.keyring
    base = f"{PREFIX}/incidents/{incident_id}/desk"
    try:
        with transaction(request) as db_session:
            incident = incident_view(db_session, incident_id)
            library = answers.approved_answers(db_session=db_session, incident_id=incident_id)
            preview = None
            if answer_id:
                if closeness not in CLOSENESS:
                    raise InputError(f"closeness: choose one of {', '.join(CLOSENESS)}")
                answer = approved_answer(db_session, incident_id, answer_id)
                matched = bulk.bulk_matches(
                    db_session=db_session, keyring=keyring, answer=answer,
                    ranker=request.app.state.ranker(), min_score=float(closeness),
                )  # fmt: skip
                preview = {
                    "answer": answer, "count": len(matched),
                    "ids": " ".join(str(inquiry.id) for inquiry, _score in matched),
                    "sample": [
                        {"id": inquiry.id, "ticket": inquiry.ticket, "match": round(score * 100),
                         "subject": desk.subject_of(keyring=keyring, inquiry=inquiry)}
                        for inquiry, score in matched[:SAMPLE]
                    ],
                }  # fmt: skip
    except USER_ERRORS as error:
        return problem(request, staff, error, incident_id=incident_id, back=f"{base}/bulk")
    return page(
        request, "desk_bulk.html", staff=staff, incident=incident, base=base, library=library,
        preview=preview, chosen=answer_id, closeness=closeness, choices=CLOSENESS, sample=SAMPLE,
    )  # fmt: skip


@router.post(DESK + "/bulk")
def bulk_send(
    incident_id: int,
    request: Request,
    fields: dict[str, str] = Form,
    staff: Staff = Depends(signed_in(Can.WORK_DESK)),
) -> Response:
    """Send the approved answer to every inquiry the preview listed that is still open."""
    base = f"{PREFIX}/incidents/{incident_id}/desk"
    words = fields.get("inquiries", "").split()
    try:
        if not words or not all(word.isdigit() for word in words):
            raise InputError("no inquiries to answer: preview the bulk reply again")
        ids = [int(word) for word in words]
        with transaction(request) as db_session:
            answer = approved_answer(db_session, incident_id, fields.get("answer_id", ""))
            question = answer.question
            bulk_id, answered = bulk.bulk_reply(
                db_session=db_session, keyring=request.app.state.keyring, answer=answer,
                inquiry_ids=ids, agent=staff_user(db_session, staff),
                resolve=fields.get("resolve") == "yes",
            )  # fmt: skip
    except USER_ERRORS as error:
        return problem(request, staff, error, incident_id=incident_id, back=f"{base}/bulk")
    flash = f"Sent “{question}” to {answered} inquiries, each on its own record (bulk {bulk_id})."
    if answered < len(set(ids)):
        flash += f" {len(set(ids)) - answered} were answered since the preview and left alone."
    return redirect(request, base, flash=flash)


# --- one inquiry --------------------------------------------------------------------------
