"""What an affected person can take from the portal once they have looked up their
notice: their credit-monitoring activation code, and reimbursement claims for
fraudulent charges with a status page. Both need the portal session the look-up set."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from breachdesk.desk import claims, codes
from breachdesk.inputs import InputError
from breachdesk.portal import service as portal
from breachdesk.portal.text import translator
from breachdesk.portal.web import (
    client_address,
    language_of,
    notice_for,
    page,
    portal_state,
    portal_visitor,
)

router = APIRouter(include_in_schema=False)
MAX_UPLOAD_FILES = 5


def _expired(request: Request) -> Response:
    return RedirectResponse(f"/lookup?lang={language_of(request)}&expired=1", 303)


def person_page(request: Request, **extra: Any) -> Response:
    """The visitor's own page: their notice, their code offer and their claims."""
    visitor = portal_visitor(request)
    if visitor is None:
        return _expired(request)
    state = portal_state(request)
    incident_id, person_id = visitor
    snapshot = state.snapshots.get(incident_id)
    with state.reading() as connection:
        found = state.resolver.by_id(
            connection=connection, incident_id=incident_id, person_id=person_id
        )
        if found is None or snapshot is None:
            return _expired(request)
        mine = notice_for(request, found, connection=connection)
    values: dict[str, Any] = {
        "code": None, "no_codes": False, "claim_errors": {}, "claim_form": {},
        "claim_received": None, **extra,
    }  # fmt: skip
    with request.app.state.database.session() as db_session:
        offers_codes = portal.offers_codes(db_session=db_session, incident_id=incident_id)
        values["code"] = values["code"] or codes.held_code(
            db_session=db_session, keyring=state.keyring, incident_id=incident_id,
            person_id=person_id,
        )  # fmt: skip
        my_claims = portal.claims_of(
            db_session=db_session, keyring=state.keyring, person_id=person_id
        )
    return page(
        request, "person.html", incident=snapshot.incident, page="lookup",
        status=values.pop("status", 200), title=translator(language_of(request))("your_notice"),
        mine=mine, offers_codes=offers_codes, my_claims=my_claims,
        evidence_mb=state.settings.portal_evidence_max_bytes // (1024 * 1024), **values,
    )  # fmt: skip


@router.get("/me")
def my_notice(request: Request) -> Response:
    return person_page(request)


@router.post("/me/enrol")
def enrol(request: Request) -> Response:
    """Take the person's activation code (the same one every time they ask)."""
    visitor = portal_visitor(request)
    if visitor is None:
        return _expired(request)
    incident_id, person_id = visitor
    with request.app.state.database.session() as db_session:
        issued = codes.issue_code(
            db_session=db_session,
            keyring=portal_state(request).keyring,
            incident_id=incident_id,
            person_id=person_id,
            actor="portal",
        )
    if issued is None:
        return person_page(request, no_codes=True)
    return person_page(request, code=issued)


@router.post("/me/claims")
async def file_claim(request: Request) -> Response:
    state = portal_state(request)
    limit = state.settings.portal_evidence_max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit * MAX_UPLOAD_FILES + 64 * 1024:
        refused = {"evidence": _evidence_refused(request)}
        return await run_in_threadpool(person_page, request, status=413, claim_errors=refused)
    async with request.form(max_files=MAX_UPLOAD_FILES, max_part_size=limit + 1) as form:
        fields = {
            name: str(form.get(name) or "") for name in ("amount", "charged_on", "description")
        }
        uploads = []
        for item in form.getlist("evidence"):
            if isinstance(item, UploadFile) and item.filename:
                data = await item.read(limit + 1)
                uploads.append(claims.Upload(file_name=item.filename, data=data))
    return await run_in_threadpool(_claim_filed, request, fields, uploads)


def _claim_filed(
    request: Request, fields: dict[str, str], uploads: list[claims.Upload]
) -> Response:
    visitor = portal_visitor(request)
    if visitor is None:
        return _expired(request)
    t = translator(language_of(request))
    state = portal_state(request)
    errors: dict[str, str] = {}
    claim_in = None
    try:
        claim_in = claims.ClaimIn.model_validate(fields)
    except ValidationError as error:
        messages = {"amount": t("invalid_amount"), "charged_on": t("invalid_date")}
        for problem in error.errors(include_url=False):
            name = str(problem["loc"][0])
            errors[name] = messages.get(
                name, t("required") if not fields.get(name) else t("too_long")
            )
    if claim_in is not None and (wait := state.submissions.retry_after(client_address(request))):
        return person_page(request, status=429, claim_form=fields, claim_errors={
            "amount": t("too_many", seconds=int(wait) + 1)})  # fmt: skip
    if claim_in is not None:
        incident_id, person_id = visitor
        try:
            with state.writing() as turn:
                if not turn:  # nothing stored: the form comes back to be sent again
                    busy = {"claim-form": t("busy")}
                    return person_page(request, status=503, claim_form=fields, claim_errors=busy)
                with request.app.state.database.session() as db_session:
                    claim = claims.submit_claim(
                        db_session=db_session,
                        keyring=state.keyring,
                        incident_id=incident_id,
                        person_id=person_id,
                        claim_in=claim_in,
                        evidence=uploads,
                        evidence_dir=state.settings.data_dir / "claim-evidence",
                        max_evidence_bytes=state.settings.portal_evidence_max_bytes,
                        actor="portal",
                    )
                    number = claim.number
        except InputError:  # the evidence: not a PDF, PNG or JPEG, empty, or too large
            errors["evidence"] = _evidence_refused(request)
        else:
            return person_page(request, claim_received=number)
    return person_page(request, status=422, claim_form=fields, claim_errors=errors)


def _evidence_refused(request: Request) -> str:
    limit = portal_state(request).settings.portal_evidence_max_bytes // (1024 * 1024)
    return translator(language_of(request))("evidence_refused", mb=limit, files=MAX_UPLOAD_FILES)
