"""The regulators page: every notice a regulator (or the credit bureaus) must get, its
deadline and whether it went; each required notice as PDF and JSON, as `breachdesk
report regulators --out` writes it; and the form that records a submission, as
`breachdesk report submitted` does."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from breachdesk.console.access import Can
from breachdesk.console.web import Form, Staff, page, redirect, signed_in, transaction
from breachdesk.db import utcnow
from breachdesk.incidents import service as incidents
from breachdesk.inputs import InputError, NotFound, parse_model
from breachdesk.reports import regulators, submissions
from breachdesk.reports.models import SubmissionMethod
from breachdesk.reports.schemas import DUE, OVERDUE, SUBMITTED, SubmissionIn

router = APIRouter()
METHODS = {
    SubmissionMethod.WEB_FORM: "the regulator's web form",
    SubmissionMethod.EMAIL: "email",
    SubmissionMethod.POST: "post",
    SubmissionMethod.OTHER: "other (say how in the reference)",
}
NOT_LEGAL_ADVICE = "Not legal advice: have counsel confirm each notice before it is sent."
DOWNLOADS = {"pdf": "application/pdf", "json": "application/json"}


@router.get("/incidents/{incident_id}/regulators", response_class=HTMLResponse)
def regulators_page(
    request: Request, incident_id: int, staff: Staff = Depends(signed_in(Can.SEE_DASHBOARD))
) -> Response:
    return _page(request, incident_id, staff)


@router.post("/incidents/{incident_id}/regulators/submitted", response_class=HTMLResponse)
def record_submitted(
    request: Request,
    incident_id: int,
    fields: dict[str, str] = Form,
    staff: Staff = Depends(signed_in(Can.SUBMIT_REGULATOR_NOTICES)),
) -> Response:
    """Record that a required notice was sent, with the regulator's reference."""
    jurisdiction, _colon, notice = fields.get("notice", "").partition(":")
    try:
        submission_in = parse_model(
            SubmissionIn,
            {
                "jurisdiction": jurisdiction,
                "notice": notice,
                "reference": fields.get("reference", ""),
                "method": fields.get("method") or SubmissionMethod.WEB_FORM,
                "submitted_at": fields.get("submitted_at") or None,
                "amended": fields.get("amended") == "yes",
            },
            source="submission",
        )
        with transaction(request) as db_session:
            row = submissions.record_submission(
                db_session=db_session,
                incident_id=incident_id,
                submission_in=submission_in,
                actor=f"console:{staff.email}",
            )
            said = (
                f"Recorded: {row.jurisdiction} notice to {row.agency}"
                + (f" (amended, submission {row.number})" if row.number > 1 else "")
                + f", sent {row.submitted_at:%Y-%m-%d %H:%M} UTC, reference {row.reference}."
            )
    except NotFound as error:
        return problem(request, staff, str(error), 404)
    except InputError as error:
        return _page(request, incident_id, staff, error=_plain(str(error)), given=fields)
    return redirect(request, f"/console/incidents/{incident_id}/regulators", flash=said)


@router.get("/incidents/{incident_id}/regulators/{jurisdiction}/{notice}.{kind}")
def download(
    request: Request,
    incident_id: int,
    jurisdiction: str,
    notice: str,
    kind: str,
    staff: Staff = Depends(signed_in(Can.SEE_DASHBOARD)),
) -> Response:
    """One required notice as PDF or JSON, named as the CLI names its files."""
    if kind not in DOWNLOADS:
        return problem(request, staff, "Notices can be downloaded as .pdf or .json.", 404)
    with transaction(request) as db_session:
        try:
            document = regulators.regulator_document(
                db_session=db_session,
                incident_id=incident_id,
                jurisdiction=jurisdiction,
                notice=notice,
            )
        except NotFound as error:
            return problem(request, staff, str(error), 404)
    content = regulators.render_pdf(document) if kind == "pdf" else regulators.render_json(document)
    return Response(
        content,
        media_type=DOWNLOADS[kind],
        headers={
            "content-disposition": f'attachment; filename="{document.name}.{kind}"',
            "cache-control": "no-store",
            "x-content-type-options": "nosniff",
        },
    )


def _page(
    request: Request,
    incident_id: int,
    staff: Staff,
    *,
    error: str = "",
    given: dict[str, str] | None = None,
) -> Response:
    with transaction(request) as db_session:
        try:
            incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
            statuses = submissions.notice_statuses(
                db_session=db_session, incident_id=incident_id, now=utcnow()
            )
        except NotFound as error_found:
            return problem(request, staff, str(error_found), 404)
        owed = [status for status in statuses if status.required or status.submissions]
        rank = {OVERDUE: 0, DUE: 1, SUBMITTED: 2}
        owed.sort(key=lambda s: (rank.get(s.state, 3), s.deadline.day is None,
                                 s.deadline.day or utcnow().date(), s.jurisdiction))  # fmt: skip
        others = [status for status in statuses if status not in owed]
        counts = Counter(status.state for status in owed)
        return page(
            request,
            "regulators.html",
            staff=staff,
            status=422 if error else 200,
            incident={"id": incident.id, "title": incident.title},
            owed=owed,
            others=others,
            counts={"overdue": counts[OVERDUE], "due": counts[DUE], "submitted": counts[SUBMITTED]},
            choices=[status for status in owed if status.required],
            methods=METHODS,
            error=error,
            given=given or {},
            not_legal_advice=NOT_LEGAL_ADVICE,
        )


def _plain(message: str) -> str:
    """A service's message, with the CLI's flag names said as the form's fields."""
    for flag, field in (("--amended", "“an amended notice”"), ("submitted-at", "When it was sent")):
        message = message.replace(flag, field)
    return message


def problem(request: Request, staff: Staff, message: str, status: int) -> Response:
    """A mistake the user can fix (a wrong link, a bad form), said plainly."""
    return page(
        request, "dashboard_problem.html", staff=staff, status=status, message=message, code=status
    )
