"""The console's people pages: finding an affected person by the reference code on their
notice or by their email address, one person's page, and the rows an import set aside.

Look-ups are equality matches on the reference code or the email's blind index; nothing
decrypted is ever searched. Every page that shows decrypted names or contact details is
on the audit record (``people.viewed``), as the CLI's ``people show`` is.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from breachdesk.console.access import Can
from breachdesk.console.web import PREFIX, Staff, console_state, page, signed_in, transaction
from breachdesk.incidents import service as incidents
from breachdesk.inputs import InputError, NotFound
from breachdesk.people import dossier
from breachdesk.people import service as people
from breachdesk.portal.text import ELEMENTS
from breachdesk.rules import service as rules

router = APIRouter(prefix=PREFIX, include_in_schema=False)

PAGE_SIZE = 50


@router.get("/incidents/{incident_id}/people", response_class=HTMLResponse)
def search(
    request: Request,
    incident_id: int,
    q: str = "",
    staff: Staff = Depends(signed_in(Can.SEE_PEOPLE)),
) -> Response:
    """Find people by reference code or email; without a query, the imports so far."""
    state = console_state(request)
    with transaction(request) as db_session:
        try:
            incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
        except NotFound as error:
            return _missing(request, staff, None, str(error))
        found, error_text = None, ""
        if q.strip():
            try:
                found = people.search_people(
                    db_session=db_session, keyring=state.keyring, incident_id=incident_id,
                    query=q, actor=staff.email,
                )  # fmt: skip
            except InputError as error:
                error_text = str(error).removeprefix("q: ")
        imports = people.list_imports(db_session=db_session, incident_id=incident_id)
        return page(
            request, "people.html", staff=staff, incident=incident,
            status=422 if error_text else 200, q=q, found=found, error=error_text,
            imports=imports,
        )  # fmt: skip


@router.get("/incidents/{incident_id}/people/quarantine", response_class=HTMLResponse)
def quarantine(
    request: Request,
    incident_id: int,
    page_number: int = Query(1, alias="page"),
    staff: Staff = Depends(signed_in(Can.SEE_PEOPLE)),
) -> Response:
    """The rows imports set aside, with their row numbers and reasons, a page at a time."""
    page_number = max(page_number, 1)
    with transaction(request) as db_session:
        try:
            incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
        except NotFound as error:
            return _missing(request, staff, None, str(error))
        rows, total = people.quarantined_rows(
            db_session=db_session, incident_id=incident_id,
            offset=(page_number - 1) * PAGE_SIZE, limit=PAGE_SIZE,
        )  # fmt: skip
        imports = people.list_imports(db_session=db_session, incident_id=incident_id)
        return page(
            request, "people_quarantine.html", staff=staff, incident=incident, rows=rows,
            total=total, page_number=page_number, pages=max(-(-total // PAGE_SIZE), 1),
            first=(page_number - 1) * PAGE_SIZE + 1, imports=imports,
        )  # fmt: skip


@router.get("/incidents/{incident_id}/people/{person_id}", response_class=HTMLResponse)
def person(
    request: Request,
    incident_id: int,
    person_id: int,
    staff: Staff = Depends(signed_in(Can.SEE_PEOPLE)),
) -> Response:
    """One person: contact details (decrypted, and audited), residence, what was exposed,
    what the law owes them, and every notice, question, code and claim of theirs."""
    state = console_state(request)
    with transaction(request) as db_session:
        try:
            incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
        except NotFound as error:
            return _missing(request, staff, None, str(error))
        try:
            shown = people.view_person(
                db_session=db_session, keyring=state.keyring, incident_id=incident_id,
                person_id=person_id, actor=staff.email,
            )  # fmt: skip
        except NotFound as error:
            return _missing(request, staff, incident, str(error))
        explained = rules.explain_person(
            db_session=db_session, reference=shown["reference"], incident_id=incident_id,
            actor=staff.email,
        )  # fmt: skip
        record = dossier.dossier(db_session=db_session, keyring=state.keyring, person_id=person_id)
        return page(
            request, "people_person.html", staff=staff, incident=incident, person=shown,
            decisions=[_worded(decision) for decision in explained["decisions"]],
            record=record, elements=[_word(element) for element in shown["elements"]],
        )  # fmt: skip


def _word(element: str) -> str:
    return ELEMENTS.get(element, {}).get("en", element.replace("_", " "))


def _worded(decision: dict) -> dict:
    """A law's decision, with the data that counts under it in words."""
    return {**decision, "elements_counting": [_word(e) for e in decision["elements_counting"]]}


def _missing(request: Request, staff: Staff, incident: object, message: str) -> HTMLResponse:
    return page(
        request, "people_missing.html", staff=staff, incident=incident, status=404,
        message=message,
    )  # fmt: skip
