"""The notices preview: one version rendered for a sample person in a chosen
jurisdiction and language (the panel htmx swaps in, the email's HTML part for a
sandboxed frame, the printed letter), and what the notices pages share."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import yaml
from babel import Locale
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from breachdesk.console.access import Can
from breachdesk.console.web import PREFIX, Staff, page, signed_in, transaction
from breachdesk.incidents import service as incidents
from breachdesk.incidents.models import Incident
from breachdesk.inputs import NotFound
from breachdesk.notices import templates
from breachdesk.notices.findings import ERROR
from breachdesk.notices.letters import address_block, compile_letters, letter_data
from breachdesk.notices.models import NoticeTemplate
from breachdesk.notices.render import LANGUAGES, RenderedNotice, TemplateFile
from breachdesk.notices.service import return_address
from breachdesk.rules.catalog import shipped_rules
from breachdesk.security.approvals import APPROVER_ROLES

# Mounted by notices.py, whose router carries the /console prefix.
router = APIRouter(include_in_schema=False)
NOTICES = "/incidents/{incident_id}/notices"
VERSION = NOTICES + "/{template_id}"
LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}
ROLE_NAMES = {"legal_approver": "Legal", "comms_approver": "Communications"}
DEFAULT_RESIDENCE = "US-CA"
# The email's HTML part, shown in a sandboxed frame: its own inline styles only, no
# scripts, no fetches, framed only by the console.
FRAME_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
    ),
    "x-frame-options": "SAMEORIGIN",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
}


class _Readable(yaml.SafeDumper):
    """YAML with each multi-line text as a block, as a person would write it."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Readable.add_representer(str, _text)


def template_yaml(content: dict[str, Any]) -> str:
    """A template's fields as the YAML file `notice template show` prints, for reading
    and editing."""
    return yaml.dump(content, Dumper=_Readable, sort_keys=False, allow_unicode=True, width=100)


def kind_name(kind: str) -> str:
    return f"{kind.capitalize()} notice"


def residence_name(code: str) -> str:
    """A sample residence as a reader knows it: "Texas (US-TX)", "Germany (DE)"."""
    rule = shipped_rules().get(code)
    name = rule.name if rule is not None else Locale("en").territories.get(code, code)
    return f"{name} ({code})"


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def version_row(version: NoticeTemplate) -> dict[str, Any]:
    signed = {approval.role: approval for approval in version.approvals}
    return {
        "id": version.id,
        "version": version.version,
        "hash": version.content_hash,
        "created_by": version.created_by,
        "created_at": when(version.created_at),
        "approved": version.approved,
        "sign_offs": [
            {
                "role": ROLE_NAMES[role.value],
                "by": signed[role.value].staff_user.email if role.value in signed else None,
                "at": when(signed[role.value].approved_at) if role.value in signed else None,
            }
            for role in APPROVER_ROLES
        ],
        "signed_roles": set(signed),
    }


def found(db_session: Session, incident_id: int, template_id: int) -> tuple[Incident, Any]:
    incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
    version = templates.get_version(db_session=db_session, template_id=template_id)
    if version.organisation_id != incident.organisation_id:
        raise NotFound(f"template version {template_id} is not one of this organisation's")
    return incident, version


def missing(request: Request, staff: Staff, error: NotFound) -> HTMLResponse:
    return page(request, "notices_missing.html", staff=staff, status=404, message=str(error))


def shown(
    db_session: Session, incident: Incident, version: NoticeTemplate, language: str
) -> tuple[TemplateFile, str]:
    """The template the preview shows in ``language`` (this version in its own
    language, else the latest of its kind in the other), and a caption saying which."""
    if language == version.language:
        return templates.template_file(version), f"version {version.version} (this one)"
    template, sibling = templates.template_to_use(
        db_session=db_session,
        organisation=incident.organisation,
        kind=version.kind,
        language=language,
        approved_only=False,
    )
    words = f"{kind_name(version.kind).lower()} in {LANGUAGE_NAMES[language]}"
    if sibling is None:
        return template, f"the shipped {words} (not saved or approved yet)"
    state = "approved" if sibling.approved else "not approved yet"
    return template, f"the latest {words}, version {sibling.version} ({state})"


def choice(version: NoticeTemplate, residence: str | None, language: str | None) -> tuple[str, str]:
    residences = templates.sample_residences()
    chosen = residence if residence in residences else DEFAULT_RESIDENCE
    return chosen, language if language in LANGUAGES else version.language


def preview_values(
    db_session: Session, incident: Incident, version: NoticeTemplate, residence: str, language: str
) -> dict[str, Any]:
    template, caption = shown(db_session, incident, version, language)
    rendered, laws, findings = templates.lint_sample(template, incident.organisation, residence)
    query = f"residence={residence}&language={language}"
    base = PREFIX + VERSION.format(incident_id=incident.id, template_id=version.id)
    return {
        "caption": caption,
        "residence": residence,
        "residence_name": residence_name(residence),
        "language": language,
        "laws": [f"{law.name} ({law.code})" for law in laws],
        "subject": rendered.subject,
        "text": rendered.text,
        "findings": findings,
        "frame_url": f"{base}/email?{query}",
        "letter_url": f"{base}/letter.pdf?{query}",
    }


@router.get(VERSION + "/preview", response_class=HTMLResponse)
def preview_panel(
    request: Request,
    incident_id: int,
    template_id: int,
    residence: str | None = None,
    language: str | None = None,
    staff: Staff = Depends(signed_in(Can.SEE_NOTICES)),
) -> Response:
    """The preview panel alone, for htmx to swap in when the choice changes."""
    try:
        with transaction(request) as db_session:
            incident, version = found(db_session, incident_id, template_id)
            residence, language = choice(version, residence, language)
            preview = preview_values(db_session, incident, version, residence, language)
    except NotFound as error:
        return missing(request, staff, error)
    return page(request, "notices_preview.html", staff=staff, preview=preview, ERROR=ERROR)


def _rendered(
    request: Request,
    incident_id: int,
    template_id: int,
    residence: str | None,
    language: str | None,
) -> tuple[RenderedNotice, Incident]:
    with transaction(request) as db_session:
        incident, version = found(db_session, incident_id, template_id)
        residence, language = choice(version, residence, language)
        template, _caption = shown(db_session, incident, version, language)
        rendered, _laws = templates.render_sample(template, incident.organisation, residence)
    return rendered, incident


@router.get(VERSION + "/email", response_class=HTMLResponse)
def email_part(
    request: Request,
    incident_id: int,
    template_id: int,
    residence: str | None = None,
    language: str | None = None,
    staff: Staff = Depends(signed_in(Can.SEE_NOTICES)),
) -> Response:
    """The sample email's HTML part, as is, for the preview's sandboxed frame."""
    try:
        rendered, _incident = _rendered(request, incident_id, template_id, residence, language)
    except NotFound as error:
        return Response(str(error), 404, media_type="text/plain", headers=FRAME_HEADERS)
    return HTMLResponse(rendered.html, headers=FRAME_HEADERS)


@router.get(VERSION + "/letter.pdf")
def letter_pdf(
    request: Request,
    incident_id: int,
    template_id: int,
    residence: str | None = None,
    language: str | None = None,
    staff: Staff = Depends(signed_in(Can.SEE_NOTICES)),
) -> Response:
    """The sample person's printed letter, as a PDF."""
    try:
        rendered, incident = _rendered(request, incident_id, template_id, residence, language)
    except NotFound as error:
        return missing(request, staff, error)
    code = rendered.personal.get("jurisdiction") or DEFAULT_RESIDENCE
    country, _dash, subdivision = str(code).partition("-")
    recipient = address_block(
        "Sample Person", "1 Sample Street", None, "Sample City", subdivision or None, "00000",
        country,
    )  # fmt: skip
    pdf = compile_letters([
        letter_data(
            rendered,
            reference="SAMP-LE00-0000",
            sender=return_address(incident.organisation),
            recipient=recipient,
        )
    ])  # fmt: skip
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "content-disposition": f'inline; filename="sample-letter-{template_id}.pdf"',
            "cache-control": "no-store",
        },
    )
