"""The console's page for one inquiry: its thread, the suggested approved answers and
the reply form, and the changes an agent makes to it (assignment, status, category,
notes); replies held for an approver are released here. The queue and bulk replies are
in desk.py, whose routes must come first (``/desk/queue`` is not an inquiry)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from breachdesk.console.access import Can
from breachdesk.console.desk import (
    DESK,
    USER_ERRORS,
    approved_answer,
    incident_view,
    problem,
    staff_user,
    status_for,
    timers,
    when,
)
from breachdesk.console.web import PREFIX, Form, Staff, page, redirect, signed_in, transaction
from breachdesk.db import utcnow
from breachdesk.desk import answers, bulk
from breachdesk.desk import service as desk
from breachdesk.desk.models import Inquiry, InquiryCategory, InquiryStatus
from breachdesk.desk.schemas import InquiryChange, ReplyIn
from breachdesk.inputs import InputError, NotFound, parse_model
from breachdesk.security.models import Role

router = APIRouter(prefix=PREFIX, include_in_schema=False)


def _inquiry(db_session: Session, incident_id: int, inquiry_id: int) -> Inquiry:
    inquiry = desk.get_inquiry(db_session=db_session, inquiry_id=inquiry_id)
    if inquiry.incident_id != incident_id:
        raise NotFound(f"no inquiry {inquiry_id} in this incident")
    return inquiry


def _show(
    request: Request, staff: Staff, incident_id: int, inquiry_id: int, *, use: str = "",
    draft: str | None = None, error: str = "", status: int = 200,
) -> Response:  # fmt: skip
    """The inquiry page; after a refused reply, with the agent's draft and the reason."""
    keyring = request.app.state.keyring
    levels = desk.ServiceLevels.from_settings(request.app.state.settings)
    try:
        with transaction(request) as db_session:
            incident = incident_view(db_session, incident_id)
            inquiry = _inquiry(db_session, incident_id, inquiry_id)
            used, use_error = None, ""
            if use:
                try:
                    used = approved_answer(db_session, incident_id, use)
                except USER_ERRORS as refused:
                    use_error = str(refused)
            thread = [_message(db_session, keyring, message) for message in inquiry.messages]
            suggested = bulk.suggest(
                db_session=db_session, keyring=keyring, inquiry=inquiry,
                ranker=request.app.state.ranker(), limit=3,
            )  # fmt: skip
            library = answers.approved_answers(
                db_session=db_session, incident_id=incident_id, language=inquiry.language
            )
            values = {
                "inquiry": inquiry, "contact": desk.inquirer(keyring=keyring, inquiry=inquiry),
                "subject": desk.subject_of(keyring=keyring, inquiry=inquiry),
                "timers": timers(levels, inquiry, utcnow()), "thread": thread,
                "received": when(inquiry.received_at),
                "assignee": inquiry.assignee.email if inquiry.assignee else "",
                "suggested": suggested, "library": library, "used": used,
            }  # fmt: skip
    except USER_ERRORS as failed:
        back = f"{PREFIX}/incidents/{incident_id}/desk"
        return problem(request, staff, failed, incident_id=incident_id, back=back)
    return page(
        request, "desk_inquiry.html", staff=staff, incident=incident, status=status,
        base=f"{PREFIX}/incidents/{incident_id}/desk", statuses=list(InquiryStatus),
        categories=list(InquiryCategory), error=error or use_error,
        draft=draft if draft is not None else (used.answer if used else ""),
        can_release=Role(staff.role) in desk.RELEASING_ROLES, **values,
    )  # fmt: skip


def _message(db_session: Session, keyring: Any, message: Any) -> dict[str, Any]:
    answer = None
    if message.approved_answer_id:
        answer = answers.get_answer(db_session=db_session, answer_id=message.approved_answer_id)
    kind = message.direction.value
    if kind == "out" and message.released_at is None:
        kind = "held"
    return {
        "id": message.id, "kind": kind, "author": message.author,
        "created": when(message.created_at), "answer": answer,
        "body": desk.message_body(keyring=keyring, message=message),
        "released_by": message.released_by, "released": when(message.released_at),
    }  # fmt: skip


@router.get(DESK + "/{inquiry_id}", response_class=HTMLResponse)
def inquiry_page(
    incident_id: int,
    inquiry_id: int,
    request: Request,
    use: str = "",
    staff: Staff = Depends(signed_in(Can.WORK_DESK)),
) -> Response:
    """The inquiry, its clocks, the suggested answers and the reply form; ``?use=<answer
    id>`` puts that approved answer in the reply."""
    return _show(request, staff, incident_id, inquiry_id, use=use)


def _same(left: str, right: str) -> bool:
    return left.split() == right.split()


@router.post(DESK + "/{inquiry_id}/reply")
def reply(
    incident_id: int,
    inquiry_id: int,
    request: Request,
    fields: dict[str, str] = Form,
    staff: Staff = Depends(signed_in(Can.WORK_DESK)),
) -> Response:
    """Send an approved answer as it is (at once), or hold a reply in other words for an
    approver to release."""
    text, chosen = fields.get("text", "").strip(), fields.get("answer_id", "")
    resolve = fields.get("resolve") == "yes"
    try:
        with transaction(request) as db_session:
            inquiry = _inquiry(db_session, incident_id, inquiry_id)
            answer = approved_answer(db_session, incident_id, chosen) if chosen else None
            if answer is not None and _same(answer.answer, text):
                reply_in = ReplyIn(answer_id=answer.id, resolve=resolve)
            elif not text:
                raise InputError("write a reply, or choose an approved answer to send")
            else:
                reply_in = parse_model(ReplyIn, {"text": text, "resolve": resolve}, source="reply")
            message = desk.reply(
                db_session=db_session, keyring=request.app.state.keyring, inquiry=inquiry,
                reply_in=reply_in, agent=staff_user(db_session, staff),
            )  # fmt: skip
            sent, email = message.released_at is not None, inquiry_email(request, inquiry)
            now = inquiry.status.value
    except USER_ERRORS as error:
        return _show(
            request, staff, incident_id, inquiry_id, use=chosen, draft=text, error=str(error),
            status=status_for(error),
        )  # fmt: skip
    if not sent:
        flash = (
            "Your reply is held, not sent: it is not an approved answer as written, so an "
            "approver (legal, communications or the response lead) must release it first."
        )
    elif email:
        flash = f"Reply sent by email to {email}."
    else:
        flash = "Reply recorded; the inquirer gave no email address, so tell them by phone."
    flash += f" The inquiry is now {now}."
    return redirect(request, f"{PREFIX}/incidents/{incident_id}/desk/{inquiry_id}", flash=flash)


def inquiry_email(request: Request, inquiry: Inquiry) -> str | None:
    return desk.inquirer(keyring=request.app.state.keyring, inquiry=inquiry).email


@router.post(DESK + "/{inquiry_id}/update")
def update(
    incident_id: int,
    inquiry_id: int,
    request: Request,
    fields: dict[str, str] = Form,
    staff: Staff = Depends(signed_in(Can.WORK_DESK)),
) -> Response:
    """Assign to me or to nobody, change status or category, or add an internal note."""
    assign = {"me": staff.email, "nobody": ""}.get(fields.get("assign", ""))
    change = {"assign_to": assign, "note": fields.get("note", "").strip() or None}
    change |= {name: fields[name] for name in ("status", "category") if fields.get(name)}
    back = f"{PREFIX}/incidents/{incident_id}/desk/{inquiry_id}"
    try:
        with transaction(request) as db_session:
            inquiry = _inquiry(db_session, incident_id, inquiry_id)
            desk.update_inquiry(
                db_session=db_session, keyring=request.app.state.keyring, inquiry=inquiry,
                change=parse_model(InquiryChange, change, source="change"),
                agent=staff_user(db_session, staff),
            )  # fmt: skip
    except USER_ERRORS as error:
        return problem(request, staff, error, incident_id=incident_id, back=back)
    return redirect(request, back, flash="Saved.")


@router.post(DESK + "/{inquiry_id}/release")
def release(
    incident_id: int,
    inquiry_id: int,
    request: Request,
    fields: dict[str, str] = Form,
    staff: Staff = Depends(signed_in(Can.WORK_DESK)),
) -> Response:
    """Release a held reply to its customer (an approver or the lead, not its author)."""
    base = f"{PREFIX}/incidents/{incident_id}/desk"
    back = base if fields.get("back") == "queue" else f"{base}/{inquiry_id}"
    number = fields.get("message", "")
    try:
        with transaction(request) as db_session:
            inquiry = _inquiry(db_session, incident_id, inquiry_id)
            message = desk.held_message(
                db_session=db_session, message_id=int(number) if number.isdigit() else 0
            )
            if message.inquiry_id != inquiry.id:
                raise NotFound(f"inquiry {inquiry.ticket} has no reply {number}")
            emailed = desk.release_reply(
                db_session=db_session, keyring=request.app.state.keyring, message=message,
                approver=staff_user(db_session, staff),
            )  # fmt: skip
            ticket = inquiry.ticket
    except USER_ERRORS as error:
        return problem(request, staff, error, incident_id=incident_id, back=back)
    how = "emailed to the inquirer" if emailed else "recorded (the inquirer gave no email)"
    return redirect(request, back, flash=f"The reply on {ticket} is released and {how}.")
