"""The public portal's pages: plain HTML forms, in English and Spanish, that work
without JavaScript."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from breachdesk.desk import answers
from breachdesk.desk.answers import STATEMENT_KEY
from breachdesk.desk.models import AnswerPurpose
from breachdesk.desk.schemas import InquiryIn
from breachdesk.incidents.models import Incident
from breachdesk.portal import service as portal
from breachdesk.portal.text import translator
from breachdesk.portal.web import (
    HERE,
    PORTAL_COOKIE,
    PORTAL_SESSION,
    LookupIn,
    client_address,
    form_fields,
    language_of,
    look_up,
    page,
    portal_state,
    receive,
    shown_incident,
)

router = APIRouter()


# --- the notice page ------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def notice_page(request: Request) -> HTMLResponse:
    state = portal_state(request)
    language = language_of(request)
    snapshot = state.snapshot()
    incident = snapshot.incident if snapshot else None
    with request.app.state.database.session() as db_session:
        revisions = snapshot.revisions if snapshot else []
        library = (
            answers.approved_answers(
                db_session=db_session, incident_id=incident.id, language=language,
                purpose=AnswerPurpose.FAQ,
            )
            if incident else []
        )  # fmt: skip
        public = [entry for entry in library if entry.public]
        statement = next((entry.answer for entry in public if entry.key == STATEMENT_KEY), None)
        return page(
            request, "notice.html", incident=incident, page="notice", revisions=revisions,
            faq=[entry for entry in public if entry.key != STATEMENT_KEY], statement=statement,
            video=state.settings.portal_statement_video,
        )  # fmt: skip


STATIC = {"portal.css": "text/css", "favicon.svg": "image/svg+xml"}


@router.get("/static/{name}", include_in_schema=False)
def static_file(name: str) -> Response:
    """The portal's own stylesheet and icon: nothing is loaded from anywhere else."""
    if name not in STATIC:
        raise HTTPException(404)
    return FileResponse(
        HERE / "static" / name,
        media_type=STATIC[name],
        headers={"cache-control": "public, max-age=3600"},
    )


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> FileResponse:
    return static_file("favicon.svg")


async def not_found(request: Request, error: Exception) -> Response:
    """A 404: as JSON, with what was not found, under /api/ and /hooks/; else a portal
    page in the visitor's language."""
    if request.url.path.startswith(("/api/", "/hooks/")):
        return JSONResponse({"detail": getattr(error, "detail", "Not Found")}, 404)
    t = translator(language_of(request))
    return page(
        request, "message.html", incident=shown_incident(request), status=404,
        title=t("not_found"), message=t("not_found_hint"),
    )  # fmt: skip


# --- is this notice genuine? ----------------------------------------------------------


@router.get("/genuine", response_class=HTMLResponse, include_in_schema=False)
def genuine_form(request: Request) -> HTMLResponse:
    return page(
        request, "genuine.html", incident=shown_incident(request), page="genuine",
        title=translator(language_of(request))("genuine"), checked=False, issued=None,
        limited=0, reference="",
    )  # fmt: skip


@router.post("/genuine", response_class=HTMLResponse, include_in_schema=False)
async def genuine_check(request: Request) -> HTMLResponse:
    form = await form_fields(request)
    return await run_in_threadpool(_genuine, request, form.get("reference", "")[:40])


def _genuine(request: Request, reference: str) -> HTMLResponse:
    state = portal_state(request)
    wait = state.by_client.retry_after(client_address(request))
    incident_id = state.incident_id()
    issued = None
    if not wait and incident_id is not None:
        with state.reading() as connection:
            issued = portal.verify_reference(
                connection=connection, incident_id=incident_id, given=reference
            )
    return page(
        request, "genuine.html", incident=shown_incident(request), page="genuine",
        status=429 if wait else 200, title=translator(language_of(request))("genuine"),
        checked=not wait, issued=issued, limited=int(wait) + 1 if wait else 0,
        reference=reference,
    )  # fmt: skip


# --- was I affected? ------------------------------------------------------------------


@router.get("/lookup", response_class=HTMLResponse, include_in_schema=False)
def lookup_form(request: Request) -> HTMLResponse:
    expired = request.query_params.get("expired") == "1"
    return _lookup_page(request, shown_incident(request), expired=expired)


def _lookup_page(
    request: Request, incident: Incident | None, *, status: int = 200, failed: bool = False,
    limited: float = 0, expired: bool = False,
) -> HTMLResponse:  # fmt: skip
    return page(
        request, "lookup.html", incident=incident, page="lookup", status=status,
        title=translator(language_of(request))("lookup"), failed=failed,
        limited=int(limited) + 1 if limited else 0, expired=expired,
    )  # fmt: skip


@router.post("/lookup", include_in_schema=False)
async def lookup_submit(request: Request) -> Response:
    form = await form_fields(request)
    lookup_in = LookupIn.model_construct(
        reference=form.get("reference", "")[:40],
        last_name=form.get("last_name", "")[:200],
        postcode=form.get("postcode", "")[:20],
    )
    return await run_in_threadpool(_lookup_submitted, request, lookup_in)


def _lookup_submitted(request: Request, lookup_in: LookupIn) -> Response:
    with portal_state(request).reading() as connection:
        wait, found = look_up(request, lookup_in, connection=connection)
    if wait or found is None:
        return _lookup_page(
            request, shown_incident(request), status=429 if wait else 200, failed=not wait,
            limited=wait,
        )  # fmt: skip
    expires = datetime.now(UTC) + PORTAL_SESSION
    token = portal.session_token(
        portal_state(request).keyring, incident_id=found.incident_id, person_id=found.person_id,
        expires=expires,
    )  # fmt: skip
    response = RedirectResponse(f"/me?lang={language_of(request)}", 303)
    response.set_cookie(
        PORTAL_COOKIE, token, max_age=int(PORTAL_SESSION.total_seconds()), httponly=True,
        samesite="strict", secure=request.url.scheme == "https", path="/",
    )  # fmt: skip
    return response


@router.post("/me/leave", include_in_schema=False)
def leave(request: Request) -> Response:
    response = RedirectResponse(f"/?lang={language_of(request)}", 303)
    response.delete_cookie(PORTAL_COOKIE, path="/")
    return response


# --- ask a question -------------------------------------------------------------------


@router.get("/ask", response_class=HTMLResponse, include_in_schema=False)
def ask_form(request: Request) -> HTMLResponse:
    return _ask_page(request, shown_incident(request), form={}, errors={})


def _ask_page(
    request: Request, incident: Incident | None, *, form: dict[str, str],
    errors: dict[str, str], status: int = 200, limited: float = 0, busy: bool = False,
) -> HTMLResponse:  # fmt: skip
    t = translator(language_of(request))
    fields = ("name", "email", "phone", "reference", "message")
    return page(
        request, "ask.html", incident=incident, page="ask", status=status, title=t("ask"),
        form={name: form.get(name, "") for name in fields}, errors=errors,
        labels={"name": t("name"), "email": t("email"), "message": t("message"),
                "phone": t("phone"), "reference": t("reference_optional")},
        limited=int(limited) + 1 if limited else 0, busy=busy,
    )  # fmt: skip


@router.post("/ask", response_class=HTMLResponse, include_in_schema=False)
async def ask_submit(request: Request) -> HTMLResponse:
    form = await form_fields(request)
    return await run_in_threadpool(_asked, request, form)


def _asked(request: Request, form: dict[str, str]) -> HTMLResponse:
    t = translator(language_of(request))
    state = portal_state(request)
    errors: dict[str, str] = {}
    if not form.get("name", "").strip():
        errors["name"] = t("required")
    if not form.get("message", "").strip():
        errors["message"] = t("required")
    inquiry_in = None
    if not errors:
        try:
            inquiry_in = InquiryIn.model_validate(
                {**{k: form.get(k) or None for k in ("email", "phone", "reference")},
                 "name": form.get("name", ""), "message": form.get("message", ""),
                 "language": language_of(request)}
            )  # fmt: skip
        except ValidationError as error:
            for problem in error.errors(include_url=False):
                name = str(problem["loc"][0])
                errors[name] = t("invalid_email") if name == "email" else t("too_long")
    incident = shown_incident(request)
    if errors or incident is None or inquiry_in is None:
        return _ask_page(request, incident, form=form, errors=errors, status=422)
    if wait := state.submissions.retry_after(client_address(request)):
        return _ask_page(request, incident, form=form, errors={}, status=429, limited=wait)
    with state.writing() as turn:
        if not turn:
            return _ask_page(request, incident, form=form, errors={}, status=503, busy=True)
        with request.app.state.database.session() as db_session:
            ticket = receive(db_session, state, incident.id, inquiry_in).ticket
    return page(
        request, "ticket.html", incident=incident, page="ask", title=t("ticket_title"),
        ticket=ticket, emailed=bool(inquiry_in.email),
        hours=int(state.settings.desk_first_response_hours),
    )  # fmt: skip
