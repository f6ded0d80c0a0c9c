"""The console's notices pages: the organisation's template versions with their
sign-offs; one version's lint findings and a live preview for a sample person in any
jurisdiction and language; sign-off by the two approvers; edits saved as new versions
(which need new sign-offs)."""

from __future__ import annotations

from typing import Any

import yaml
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from breachdesk.console import notices_preview as preview
from breachdesk.console.access import Can
from breachdesk.console.notices_preview import (
    ERROR,
    LANGUAGE_NAMES,
    choice,
    found,
    kind_name,
    missing,
    preview_values,
    residence_name,
    template_yaml,
    version_row,
)
from breachdesk.console.web import PREFIX, Form, Staff, page, redirect, signed_in, transaction
from breachdesk.incidents import service as incidents
from breachdesk.incidents.models import Incident
from breachdesk.inputs import InputError, NotFound, parse_yaml
from breachdesk.notices import templates
from breachdesk.notices.models import NoticeTemplate
from breachdesk.notices.render import (
    DEFAULTS_DIR,
    LANGUAGES,
    TemplateFile,
    default_template,
    parse_template,
)
from breachdesk.security.models import StaffUser

router = APIRouter(prefix=PREFIX, include_in_schema=False)
router.include_router(preview.router)
# Paths of the routes (under the router's /console prefix), and the URLs they answer.
NOTICES_PATH, VERSION_PATH = preview.NOTICES, preview.VERSION
NOTICES = PREFIX + NOTICES_PATH
VERSION = PREFIX + VERSION_PATH


def _groups(saved: list[NoticeTemplate]) -> list[dict[str, Any]]:
    """One group per kind and language: its versions newest first, the one in use."""
    shipped = {path.name.split(".")[0] for path in DEFAULTS_DIR.glob("*.yaml")}
    groups = []
    for kind in sorted(shipped | {version.kind for version in saved}):
        for language in LANGUAGES:
            rows = [version_row(v) for v in saved if (v.kind, v.language) == (kind, language)]
            approved = [row for row in rows if row["approved"]]
            groups.append(
                {
                    "kind": kind,
                    "language": language,
                    "title": f"{kind_name(kind)} in {LANGUAGE_NAMES[language]}",
                    "versions": list(reversed(rows)),
                    "in_use": approved[-1]["id"] if approved else None,
                    "has_default": kind in shipped,
                }
            )
    return groups


@router.get(NOTICES_PATH, response_class=HTMLResponse)
def notices(
    request: Request, incident_id: int, staff: Staff = Depends(signed_in(Can.SEE_NOTICES))
) -> Response:
    """Every kind and language of notice, with its versions and their sign-offs."""
    try:
        with transaction(request) as db_session:
            incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
            groups = _groups(
                templates.versions(db_session=db_session, organisation=incident.organisation)
            )
    except NotFound as error:
        return missing(request, staff, error)
    return page(request, "notices.html", staff=staff, incident=incident, groups=groups)


@router.post(NOTICES_PATH)
def start_from_default(
    request: Request,
    incident_id: int,
    staff: Staff = Depends(signed_in(Can.EDIT_NOTICES)),
    fields: dict[str, str] = Form,
) -> Response:
    """Save the shipped default of a kind and language as the organisation's version 1."""
    try:
        with transaction(request) as db_session:
            incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
            template = default_template(fields.get("kind", ""), fields.get("language", ""))
            version = templates.save_version(
                db_session=db_session,
                organisation=incident.organisation,
                template=template,
                actor=staff.email,
            )
            saved_id, number = version.id, version.version
    except NotFound as error:
        return missing(request, staff, error)
    except InputError as error:
        return redirect(request, NOTICES.format(incident_id=incident_id), flash=str(error))
    return redirect(
        request,
        VERSION.format(incident_id=incident_id, template_id=saved_id),
        flash=f"Saved the shipped wording as version {number}. It needs a legal and a "
        "communications sign-off before any campaign can send it.",
    )


def _version_page(
    request: Request,
    staff: Staff,
    incident_id: int,
    template_id: int,
    *,
    residence: str | None = None,
    language: str | None = None,
    error: str = "",
    status: int = 200,
) -> Response:
    try:
        with transaction(request) as db_session:
            incident, version = found(db_session, incident_id, template_id)
            template = templates.template_file(version)
            errors = templates.lint_everywhere(template, incident.organisation)
            residence, language = choice(version, residence, language)
            preview = preview_values(db_session, incident, version, residence, language)
            row = version_row(version)
            source = template_yaml(template.model_dump(mode="json"))
    except NotFound as error_found:
        return missing(request, staff, error_found)
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for where, finding in errors:
        entry = grouped.setdefault(
            (finding.rule, finding.message), {"finding": finding, "where": []}
        )
        if where not in entry["where"]:
            entry["where"].append(where)
    everywhere = len(templates.sample_residences())
    for entry in grouped.values():
        count = len(entry["where"])
        entry["where"] = (
            f"every one of the {count} checked"
            if count == everywhere
            else ", ".join(entry["where"])
        )
    return page(
        request, "notices_version.html", staff=staff, incident=incident, status=status,
        title=f"{kind_name(version.kind)} in {LANGUAGE_NAMES[version.language]}",
        row=row, kind=version.kind, language_name=LANGUAGE_NAMES[version.language],
        lint_errors=list(grouped.values()), error_count=len(grouped),
        checked=len(templates.sample_residences()), preview=preview, source=source,
        residences=[(code, residence_name(code)) for code in templates.sample_residences()],
        languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        error=error, ERROR=ERROR,
    )  # fmt: skip


@router.get(VERSION_PATH, response_class=HTMLResponse)
def version_page(
    request: Request,
    incident_id: int,
    template_id: int,
    residence: str | None = None,
    language: str | None = None,
    staff: Staff = Depends(signed_in(Can.SEE_NOTICES)),
) -> Response:
    """One version: its sign-offs, lint findings, a preview and its source."""
    return _version_page(
        request, staff, incident_id, template_id, residence=residence, language=language
    )


@router.post(VERSION_PATH + "/approve")
def approve(
    request: Request,
    incident_id: int,
    template_id: int,
    staff: Staff = Depends(signed_in(Can.APPROVE_NOTICES)),
    fields: dict[str, str] = Form,
) -> Response:
    """Sign off this exact version in the approver's role (the service checks the
    two-person rule and that the version lints clean, and records it in the audit)."""
    try:
        with transaction(request) as db_session:
            _incident, version = found(db_session, incident_id, template_id)
            approver = db_session.get_one(StaffUser, staff.id)
            templates.approve(
                db_session=db_session, version=version, approver=approver, actor=staff.email
            )
            number, usable = version.version, version.approved
    except NotFound as error:
        return missing(request, staff, error)
    except InputError as error:
        return _version_page(
            request, staff, incident_id, template_id, status=422,
            error=f"Your sign-off was not recorded: {error}.",
        )  # fmt: skip
    after = (
        "Both approvers have now signed it: campaigns can send it."
        if usable
        else "It now waits for the other approver."
    )
    return redirect(
        request,
        VERSION.format(incident_id=incident_id, template_id=template_id),
        flash=f"Your sign-off of version {number} is recorded. {after}",
    )


@router.get(VERSION_PATH + "/edit", response_class=HTMLResponse)
def edit_form(
    request: Request,
    incident_id: int,
    template_id: int,
    staff: Staff = Depends(signed_in(Can.EDIT_NOTICES)),
) -> Response:
    """The version's source in a text box, to save as a new version."""
    try:
        with transaction(request) as db_session:
            incident, version = found(db_session, incident_id, template_id)
            source = template_yaml(version.content)
            row = version_row(version)
    except NotFound as error:
        return missing(request, staff, error)
    return _edit_page(request, staff, incident, row, version.kind, source)


def _edit_page(
    request: Request,
    staff: Staff,
    incident: Incident,
    row: dict[str, Any],
    kind: str,
    source: str,
    error: str = "",
    status: int = 200,
) -> HTMLResponse:
    return page(
        request, "notices_edit.html", staff=staff, incident=incident, row=row,
        kind_title=kind_name(kind), source=source, error=error, status=status,
    )  # fmt: skip


def parse_source(source: str) -> TemplateFile:
    """The template in the text box, or an InputError saying what is wrong and where."""
    try:
        data = parse_yaml(source)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "malformed YAML"
        raise InputError(f"the template is not valid YAML{where}: {problem}") from error
    if not isinstance(data, dict):
        raise InputError(
            "the template must be a set of fields (kind, language, subject, sections…), "
            "as the version you started from"
        )
    return parse_template(data, source="the template")


@router.post(VERSION_PATH + "/edit")
def save_edit(
    request: Request,
    incident_id: int,
    template_id: int,
    staff: Staff = Depends(signed_in(Can.EDIT_NOTICES)),
    fields: dict[str, str] = Form,
) -> Response:
    """Save the edited text as a new version; it needs both sign-offs again."""
    source = fields.get("source", "").replace("\r\n", "\n")
    try:
        with transaction(request) as db_session:
            incident, version = found(db_session, incident_id, template_id)
            row, kind = version_row(version), version.kind
            try:
                saved = templates.save_version(
                    db_session=db_session,
                    organisation=incident.organisation,
                    template=parse_source(source),
                    actor=staff.email,
                )
                saved_id, number = saved.id, saved.version
                problem = ""
            except InputError as error:
                problem = str(error)
    except NotFound as error:
        return missing(request, staff, error)
    if problem:
        return _edit_page(
            request, staff, incident, row, kind, source, status=422,
            error=f"Nothing was saved: {problem}.",
        )  # fmt: skip
    return redirect(
        request,
        VERSION.format(incident_id=incident_id, template_id=saved_id),
        flash=f"Saved as version {number}. It needs a legal and a communications sign-off "
        "before any campaign can send it.",
    )
