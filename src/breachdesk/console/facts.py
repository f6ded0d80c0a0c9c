"""The console's facts pages: the current fact revision and all earlier ones, what changed
between two of them, and the lead's form for recording a new revision.

Revisions are never edited: the form is filled in with the current facts and saving it
records the next numbered revision (incidents/service.py ``revise_facts``, which writes
the audit event and flags a revision that widens what was already made public).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from breachdesk.console.access import Can
from breachdesk.console.web import PREFIX, Form, Staff, page, redirect, signed_in, transaction
from breachdesk.incidents import service as incidents
from breachdesk.incidents.models import DataElement, FactRevision, Incident, Protection
from breachdesk.incidents.schemas import FactsIn
from breachdesk.inputs import InputError, NotFound
from breachdesk.portal.text import ELEMENTS

router = APIRouter(prefix=PREFIX, include_in_schema=False)

FORM_TIME = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows
BLANK_TIMELINE_ROWS = 3
PROTECTION_WORDS = {
    "clear": "not encrypted",
    "hashed": "hashed",
    "encrypted": "encrypted",
}
FRIENDLY = {
    "int_parsing": "enter a whole number, like 1200",
    "greater_than_equal": "cannot be less than 0",
    "datetime_from_date_parsing": "enter a date and time, like 2026-09-01 00:00",
    "datetime_parsing": "enter a date and time, like 2026-09-01 00:00",
}


def element_label(name: str) -> str:
    return ELEMENTS.get(name, {}).get("en", name.replace("_", " "))


@router.get("/incidents/{incident_id}/facts", response_class=HTMLResponse)
def facts(
    request: Request, incident_id: int, staff: Staff = Depends(signed_in(Can.SEE_FACTS))
) -> Response:
    """The current revision in full, and every revision in a list."""
    with transaction(request) as db_session:
        try:
            incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
        except NotFound as error:
            return _missing(request, staff, str(error))
        return page(
            request, "facts.html", staff=staff, incident=incident,
            current=_revision_view(incident.current_revision),
            revisions=[_revision_view(r) for r in reversed(incident.revisions)],
        )  # fmt: skip


@router.get("/incidents/{incident_id}/facts/diff", response_class=HTMLResponse)
def facts_diff(
    request: Request,
    incident_id: int,
    a: int | None = None,
    b: int | None = None,
    staff: Staff = Depends(signed_in(Can.SEE_FACTS)),
) -> Response:
    """Two revisions side by side; by default the one before the current and the current."""
    with transaction(request) as db_session:
        try:
            incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
            newest = incident.current_revision.number
            number_b = b if b is not None else newest
            number_a = a if a is not None else max(number_b - 1, 1)
            change = incidents.diff(incident=incident, number_a=number_a, number_b=number_b)
            first = incidents.get_revision(incident=incident, number=number_a)
            second = incidents.get_revision(incident=incident, number=number_b)
        except NotFound as error:
            return _missing(request, staff, str(error))
        return page(
            request, "facts_diff.html", staff=staff, incident=incident, change=change,
            a=_revision_view(first), b=_revision_view(second),
            rows=_compare(first, second, change), widened=_widened(change),
            numbers=[r.number for r in incident.revisions],
        )  # fmt: skip


@router.get("/incidents/{incident_id}/facts/new", response_class=HTMLResponse)
def facts_form(
    request: Request, incident_id: int, staff: Staff = Depends(signed_in(Can.REVISE_FACTS))
) -> Response:
    """The form for a new revision, filled in with the current facts."""
    with transaction(request) as db_session:
        try:
            incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
        except NotFound as error:
            return _missing(request, staff, str(error))
        return _form_page(request, staff, incident, _fields_of(incident.current_revision), {})


@router.post("/incidents/{incident_id}/facts")
def revise(
    request: Request,
    incident_id: int,
    fields: dict[str, str] = Form,
    staff: Staff = Depends(signed_in(Can.REVISE_FACTS)),
) -> Response:
    """Record the posted facts as the next revision; on a mistake the form comes back with
    what was typed and a message at each field that needs fixing."""
    with transaction(request) as db_session:
        try:
            incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
        except NotFound as error:
            return _missing(request, staff, str(error))
        errors: dict[str, str] = {}
        try:
            facts_in = FactsIn.model_validate(_facts_data(fields))
        except ValidationError as error:
            errors = _field_errors(error)
        if not fields.get("reason", "").strip():
            errors["reason"] = "say why the facts changed (for example, 'forensics report')"
        if not errors:
            try:
                revision = incidents.revise_facts(
                    db_session=db_session, incident=incident, facts_in=facts_in,
                    reason=fields["reason"], actor=staff.email,
                )  # fmt: skip
            except InputError as error:
                field, _, message = str(error).partition(": ")
                errors[field if message else "form"] = message or str(error)
        if errors:
            db_session.rollback()
            return _form_page(request, staff, incident, fields, errors, status=422)
        number, expands = revision.number, revision.expands_revision
    message = f"Revision {number} is recorded."
    if expands:
        message += (
            f" It WIDENS THE SCOPE of revision {expands}, which was already made public: "
            f"people told about revision {expands} need a supplemental notice."
        )
    return redirect(request, f"{PREFIX}/incidents/{incident_id}/facts", flash=message)


# --- what the pages show ------------------------------------------------------------


def _missing(request: Request, staff: Staff, message: str) -> HTMLResponse:
    return page(request, "facts_missing.html", staff=staff, status=404, message=message)


def _revision_view(revision: FactRevision) -> dict[str, Any]:
    return {
        "number": revision.number,
        "created_at": revision.created_at,
        "created_by": revision.created_by,
        "reason": revision.reason,
        "elements": [_exposure_view(item) for item in revision.elements],
        "people_affected": revision.people_affected,
        "occurred_from": revision.occurred_from,
        "occurred_to": revision.occurred_to,
        "timeline": [
            {"at": datetime.fromisoformat(entry["at"]), "what": entry["what"]}
            for entry in revision.timeline
        ],
        "public_description": revision.public_description,
        "internal_description": revision.internal_description,
        "disclosed_at": revision.disclosed_at,
        "disclosure": revision.disclosure.value.replace("_", " ") if revision.disclosure else None,
        "expands_revision": revision.expands_revision,
    }


def _exposure_view(item: dict[str, Any]) -> dict[str, Any]:
    text = f"{element_label(item['element'])} ({PROTECTION_WORDS[item['protection']]}"
    text += ", and the key was taken too)" if item.get("key_compromised") else ")"
    return {"element": item["element"], "text": text}


def _widened(change: Any) -> list[str]:
    """Why a revision widens the scope, in words."""
    reasons = []
    if change.added_elements:
        reasons.append("more kinds of data were exposed")
    if change.weakened_elements:
        reasons.append("some data was less protected than first thought")
    if change.window_widened:
        reasons.append("the breach lasted longer")
    if change.count_change > 0:
        reasons.append(f"more people are affected ({change.count_change:+,})")
    return reasons


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "not known"


def _compare(a: FactRevision, b: FactRevision, change: Any) -> list[dict[str, Any]]:
    """The rows of the side-by-side table, each marked when it differs."""
    weakened = {c.element for c in change.weakened_elements}
    strengthened = {c.element for c in change.strengthened_elements}
    before = {item["element"]: _exposure_view(item)["text"] for item in a.elements}
    after = {item["element"]: _exposure_view(item)["text"] for item in b.elements}
    rows = []
    for element in [*before, *(e for e in after if e not in before)]:
        if element not in before:
            mark = "added"
        elif element not in after:
            mark = "removed"
        elif element in weakened:
            mark = "weaker"
        elif element in strengthened:
            mark = "stronger"
        else:
            mark = ""
        rows.append(
            {
                "label": element_label(element),
                "a": before.get(element, "not exposed"),
                "b": after.get(element, "not exposed"),
                "mark": mark,
                "widens": mark in ("added", "weaker"),
            }
        )
    plain = [
        ("People affected", f"{a.people_affected:,}", f"{b.people_affected:,}",
         change.count_change > 0),
        ("Breach started", _when(a.occurred_from), _when(b.occurred_from), change.window_widened),
        ("Breach ended", _when(a.occurred_to), _when(b.occurred_to), change.window_widened),
        ("Public description", a.public_description, b.public_description, False),
        ("Internal description", a.internal_description, b.internal_description, False),
        ("Timeline", _timeline_text(a), _timeline_text(b), False),
        ("Why recorded", a.reason, b.reason, False),
        ("Recorded by", a.created_by, b.created_by, False),
    ]  # fmt: skip
    for label, first, second, widens in plain:
        mark = "changed" if first != second else ""
        rows.append(
            {"label": label, "a": first, "b": second, "mark": mark, "widens": widens and mark}
        )
    return rows


def _timeline_text(revision: FactRevision) -> str:
    return "\n".join(
        f"{entry['at'][:16].replace('T', ' ')}  {entry['what']}" for entry in revision.timeline
    )


# --- the form ---------------------------------------------------------------------------


def _fields_of(revision: FactRevision) -> dict[str, str]:
    """The current revision as the form's fields (the reason is left for the lead)."""
    fields = {
        "people_affected": str(revision.people_affected),
        "occurred_from": _form_time(revision.occurred_from),
        "occurred_to": _form_time(revision.occurred_to),
        "public_description": revision.public_description,
        "internal_description": revision.internal_description,
        "reason": "",
    }
    for item in revision.elements:
        fields[f"element_{item['element']}"] = "on"
        fields[f"protection_{item['element']}"] = item["protection"]
        if item.get("key_compromised"):
            fields[f"key_{item['element']}"] = "on"
    for position, entry in enumerate(revision.timeline):
        fields[f"timeline_at_{position}"] = _form_time(datetime.fromisoformat(entry["at"]))
        fields[f"timeline_what_{position}"] = entry["what"]
    return fields


def _form_time(value: datetime | None) -> str:
    return value.strftime(FORM_TIME) if value else ""


def _timeline_positions(fields: dict[str, str]) -> list[int]:
    taken = [
        int(name.rsplit("_", 1)[1])
        for name in fields
        if name.startswith("timeline_at_") and name.rsplit("_", 1)[1].isdigit()
    ]
    return sorted(set(taken))


def _facts_data(fields: dict[str, str]) -> dict[str, Any]:
    """The posted fields in the shape of a facts file."""
    elements = [
        {
            "element": element.value,
            "protection": fields.get(f"protection_{element.value}") or Protection.CLEAR.value,
            "key_compromised": bool(fields.get(f"key_{element.value}")),
        }
        for element in DataElement
        if fields.get(f"element_{element.value}")
    ]
    timeline = []
    for position in _timeline_positions(fields):
        at = fields.get(f"timeline_at_{position}", "").strip()
        what = fields.get(f"timeline_what_{position}", "").strip()
        if at or what:
            timeline.append({"at": at or None, "what": what})
    return {
        "elements": elements,
        "people_affected": fields.get("people_affected", "").replace(",", "").strip(),
        "occurred_from": fields.get("occurred_from", "").strip() or None,
        "occurred_to": fields.get("occurred_to", "").strip() or None,
        "timeline": timeline,
        "public_description": fields.get("public_description", ""),
        "internal_description": fields.get("internal_description", ""),
    }


def _field_errors(error: ValidationError) -> dict[str, str]:
    """Each problem at the form field it belongs to (``form`` when it is about several)."""
    errors: dict[str, str] = {}
    for problem in error.errors(include_url=False):
        location = problem["loc"]
        message = FRIENDLY.get(problem["type"], problem["msg"].removeprefix("Value error, "))
        if location and location[0] == "elements":
            field = "elements"
            if problem["type"] == "too_short":
                message = "tick at least one kind of data that was exposed"
        elif location and location[0] == "timeline" and len(location) > 1:
            field = f"timeline_{location[1]}"
            if location[-1] == "what":
                message = "say what happened at this time"
            elif problem["type"] == "datetime_type":
                message = "enter when this happened"
        elif location:
            field = str(location[0])
            if field == "public_description" and problem["type"] == "string_too_short":
                message = "write what happened, in words a customer understands"
        else:
            field = next(
                (name for name in ("occurred_from", "occurred_to") if message.startswith(name)),
                "form",
            )
        errors.setdefault(field, message)
    return errors


def _form_page(
    request: Request,
    staff: Staff,
    incident: Incident,
    fields: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    elements = [
        {
            "name": element.value,
            "label": element_label(element.value),
            "checked": bool(fields.get(f"element_{element.value}")),
            "protection": fields.get(f"protection_{element.value}") or "clear",
            "key": bool(fields.get(f"key_{element.value}")),
        }
        for element in DataElement
    ]
    positions = [
        position
        for position in _timeline_positions(fields)
        if fields.get(f"timeline_at_{position}", "").strip()
        or fields.get(f"timeline_what_{position}", "").strip()
    ]
    # The posted rows keep their numbers (errors name them); blank rows follow.
    start = max(positions, default=-1) + 1
    timeline = [
        {
            "position": position,
            "at": fields.get(f"timeline_at_{position}", ""),
            "what": fields.get(f"timeline_what_{position}", ""),
        }
        for position in [*positions, *range(start, start + BLANK_TIMELINE_ROWS)]
    ]
    return page(
        request, "facts_form.html", staff=staff, incident=incident, status=status,
        fields=fields, errors=errors, elements=elements, timeline=timeline,
        protections=PROTECTION_WORDS, current=incident.current_revision.number,
    )  # fmt: skip
