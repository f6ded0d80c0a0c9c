"""The console's audit pages: the audit trail, newest first, narrowed by event type,
actor, incident and dates; and checking the hash chain (``breachdesk audit verify``),
which only reads and so writes no event of its own."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from breachdesk.audit import service as audit
from breachdesk.audit.events import all_event_types
from breachdesk.console.access import Can
from breachdesk.console.web import PREFIX, Form, Staff, page, signed_in, transaction
from breachdesk.db import utcnow
from breachdesk.incidents import service as incidents

router = APIRouter(prefix=PREFIX, include_in_schema=False)

PAGE_SIZE = 50
FILTERS = ("event_type", "actor", "incident", "since", "until")


@router.get("/audit", response_class=HTMLResponse)
def trail(
    request: Request,
    event_type: str = "",
    actor: str = "",
    incident: str = "",
    since: str = "",
    until: str = "",
    page_number: int = Query(1, alias="page"),
    staff: Staff = Depends(signed_in(Can.SEE_AUDIT)),
) -> Response:
    """The events, newest first, a page at a time; each filter given narrows the list."""
    given = {"event_type": event_type, "actor": actor, "incident": incident,
             "since": since, "until": until}  # fmt: skip
    errors: dict[str, str] = {}
    incident_id = _whole_number(incident.strip(), "incident", errors)
    since_at = _day(since, "since", errors)
    until_day = _day(until, "until", errors)
    page_number = max(page_number, 1)
    with transaction(request) as db_session:
        known = [(i.id, i.title) for i in incidents.list_incidents(db_session=db_session)]
        rows, total = ([], 0)
        if not errors:
            rows, total = audit.search(
                db_session=db_session,
                event_type=event_type.strip() or None,
                actor=actor.strip() or None,
                incident_id=incident_id,
                since=since_at,
                before=until_day + timedelta(days=1) if until_day else None,
                offset=(page_number - 1) * PAGE_SIZE,
                limit=PAGE_SIZE,
            )
        events = [_event_view(row) for row in rows]
    query = {name: value for name, value in given.items() if value}
    pages = max(-(-total // PAGE_SIZE), 1)
    return page(
        request, "audit.html", staff=staff, status=422 if errors else 200,
        events=events, total=total, given=given, errors=errors, incidents=known,
        event_types=list(all_event_types()), page_number=page_number, pages=pages,
        first=(page_number - 1) * PAGE_SIZE + 1,
        prev_url=_page_url(query, page_number - 1) if page_number > 1 else None,
        next_url=_page_url(query, page_number + 1) if page_number < pages else None,
    )  # fmt: skip


@router.post("/audit/verify", response_class=HTMLResponse)
def verify(
    request: Request,
    _fields: dict[str, str] = Form,
    staff: Staff = Depends(signed_in(Can.SEE_AUDIT)),
) -> Response:
    """Walk the whole chain and say whether it holds, or where it breaks."""
    with transaction(request) as db_session:
        result = audit.verify(db_session=db_session)
    return page(request, "audit_verify.html", staff=staff, result=result,
                checked_at=utcnow())  # fmt: skip


def _page_url(query: dict[str, str], number: int) -> str:
    return f"{PREFIX}/audit?" + urlencode({**query, "page": number})


def _whole_number(text: str, field: str, errors: dict[str, str]) -> int | None:
    if not text:
        return None
    if not text.isdigit():
        errors[field] = "choose an incident from the list"
        return None
    return int(text)


def _day(text: str, field: str, errors: dict[str, str]) -> datetime | None:
    """A date from a date input, as 00:00 UTC that day."""
    if not text.strip():
        return None
    try:
        return datetime.combine(date.fromisoformat(text.strip()), time(0, 0), tzinfo=UTC)
    except ValueError:
        errors[field] = "enter a date like 2026-11-02"
        return None


def _event_view(row: Any) -> dict[str, Any]:
    payload = json.loads(row.payload)
    return {
        "seq": row.seq,
        "occurred_at": row.occurred_at,
        "actor": row.actor,
        "event_type": row.event_type,
        "incident_id": row.incident_id,
        "details": [(name, _short(value)) for name, value in payload.items()],
        "hash": row.hash,
    }


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 300 else text[:300] + "…"
