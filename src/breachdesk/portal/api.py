"""The portal's stable JSON routes: ``POST /api/portal/verify``, ``/api/portal/lookup``
and ``/api/portal/inquiries``. A public interface other tools use: fields are added,
never renamed or removed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from breachdesk.desk.schemas import InquiryIn
from breachdesk.portal import service as portal
from breachdesk.portal.web import (
    LookupIn,
    busy,
    client_address,
    invalid,
    json_body,
    look_up,
    notice_for,
    portal_state,
    receive,
    run_reads,
    too_many,
)

router = APIRouter(tags=["portal"])


class VerifyIn(BaseModel):
    reference: str = Field(max_length=40)


@router.post("/api/portal/verify", tags=["portal"])
async def verify_api(verify_in: VerifyIn, request: Request) -> JSONResponse:
    """Whether a notice with this reference code was issued: when, by which channel.
    Nothing personal."""
    return await run_reads(request, _verified, request, verify_in)


def _verified(request: Request, verify_in: VerifyIn) -> JSONResponse:
    state = portal_state(request)
    if wait := state.by_client.retry_after(client_address(request)):
        return too_many(wait)
    incident_id = state.incident_id()
    issued = None
    if incident_id is not None:
        with state.reading() as connection:
            issued = portal.verify_reference(
                connection=connection, incident_id=incident_id, given=verify_in.reference
            )
    notices = [{"channel": i.channel, "sent_on": i.sent_on.isoformat()} for i in issued or []]
    return JSONResponse({"issued": bool(notices), "notices": notices})


LOOKUP_FAILED = {
    "found": False,
    "detail": "no notice matches these details: check the reference code, last name and "
    "postcode as printed on the notice",
}


@router.post("/api/portal/lookup", tags=["portal"], openapi_extra=json_body(LookupIn))
async def lookup_api(request: Request) -> JSONResponse:
    """The person's own notice, for the holder of its reference code with the matching
    last name and postcode; every other combination gets the same 404."""
    # Validated here rather than by a body parameter: the busiest route in a surge skips
    # FastAPI's dependency resolution, a third of its cost.
    try:
        lookup_in = LookupIn.model_validate_json(await request.body())
    except ValidationError as error:
        return invalid(error)
    return await run_reads(request, _looked_up, request, lookup_in)


def _looked_up(request: Request, lookup_in: LookupIn) -> JSONResponse:
    # One read connection for the look-up and the notice: this is the busiest route.
    with portal_state(request).reading() as connection:
        wait, found = look_up(request, lookup_in, connection=connection)
        if wait:
            return too_many(wait)
        if found is None:
            return JSONResponse(LOOKUP_FAILED, 404)
        mine = notice_for(request, found, connection=connection)
    return JSONResponse(
        {"found": True, **_notice_json(mine)}, headers={"cache-control": "no-store"}
    )


def _notice_json(mine: portal.PersonalNotice) -> dict[str, Any]:
    notice = mine.notice
    return {
        "reference": mine.reference,
        "first_name": mine.first_name,
        "language": mine.language,
        "elements": mine.elements,
        "issued": [{"channel": i.channel, "sent_on": i.sent_on.isoformat()} for i in mine.issued],
        "notice": {
            "title": notice.title,
            "fact_revision": notice.fact_revision,
            "sections": [
                {"heading": heading, "paragraphs": list(paragraphs)}
                for heading, paragraphs in notice.parts
            ],
        }
        if notice
        else None,
    }


class PortalInquiryIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    message: str = Field(min_length=1, max_length=10_000)
    reference: str | None = Field(default=None, max_length=40)
    phone: str | None = Field(default=None, max_length=40)
    language: str = "en"


@router.post("/api/portal/inquiries", status_code=201, tags=["portal"])
def inquiry_api(inquiry: PortalInquiryIn, request: Request) -> JSONResponse:
    """Ask a question: the ticket number comes back at once, and an acknowledgement goes
    to the email address given. Stored before this answers, so a 201 is never lost."""
    state = portal_state(request)
    try:
        inquiry_in = InquiryIn.model_validate(inquiry.model_dump())
    except ValidationError as error:
        return invalid(error)
    if wait := state.submissions.retry_after(client_address(request)):
        return too_many(wait)
    incident_id = state.incident_id()
    if incident_id is None:
        return JSONResponse({"detail": "no incident is published on this portal"}, 503)
    with state.writing() as turn:
        if not turn:
            return busy()
        with request.app.state.database.session() as db_session:
            received = receive(db_session, state, incident_id, inquiry_in)
            ticket, received_at = received.ticket, received.received_at
    return JSONResponse({"ticket": ticket, "received_at": received_at.isoformat()}, 201)
