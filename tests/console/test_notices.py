"""The notices pages: each template version with its sign-offs, its lint findings, a live
preview for a sample person, sign-off by the two approvers, and edits as new versions."""

from __future__ import annotations

import pytest
import yaml

from breachdesk.db import Database
from breachdesk.incidents import service as incidents
from breachdesk.notices import templates
from breachdesk.notices.render import default_template
from tests.console.conftest import text_of


def _url(incident: int, template_id: int | None = None, tail: str = "") -> str:
    base = f"/console/incidents/{incident}/notices"
    return base + (f"/{template_id}" if template_id is not None else "") + tail


def _save(database_url: str, data: dict | None = None, language: str = "en") -> int:
    """A version of the organisation's template saved through the service, unapproved."""
    template = templates.TemplateFile.model_validate(
        data or default_template("initial", language).model_dump(mode="json")
    )
    database = Database(database_url)
    try:
        with database.session() as db_session:
            organisation = incidents.get_organisation(db_session=db_session, slug="acme")
            version = templates.save_version(
                db_session=db_session, organisation=organisation, template=template, actor="test"
            )
            return version.id
    finally:
        database.dispose()


@pytest.fixture
def saved(as_persona, incident) -> int:
    """Lena saves the shipped English wording as version 1 from the notices page."""
    lena = as_persona("lena")
    response = lena.post(_url(incident), {"kind": "initial", "language": "en"})
    assert response.status_code == 303, response.text
    template_id = int(response.headers["location"].rstrip("/").rsplit("/", 1)[1])
    assert "needs a legal and a communications sign-off" in text_of(
        lena.get(response.headers["location"])
    )
    return template_id


def test_the_templates_list_shows_each_version_and_its_approval_state(
    as_persona, incident, saved
) -> None:
    lena = as_persona("lena")
    page = text_of(lena.get(_url(incident)))
    assert "Initial notice in English" in page and "Version 1" in page
    assert "Waiting for sign-off" in page and "Approved" not in page
    # Kinds and languages with nothing saved offer the shipped wording as a start.
    assert "Initial notice in Spanish" in page
    assert "Save the shipped wording as version 1" in page

    assert as_persona("lou").post(_url(incident, saved, "/approve")).status_code == 303
    assert as_persona("cam").post(_url(incident, saved, "/approve")).status_code == 303
    page = text_of(lena.get(_url(incident)))
    assert "Approved · in use" in page
    assert "lou@acme-health.example" in page and "cam@acme-health.example" in page


def test_the_preview_renders_for_a_person_in_texas_in_spanish(
    as_persona, incident, saved, database_url
) -> None:
    _save(database_url, language="es")
    lou = as_persona("lou")
    page = lou.get(_url(incident, saved) + "?residence=US-TX&language=es")
    assert page.status_code == 200
    text = text_of(page)
    assert "A sample person in Texas (US-TX)" in text
    assert "Aviso de violación de datos de Acme Health Supply" in text
    assert "the latest initial notice in Spanish, version 1 (not approved yet)" in text
    assert '<option value="US-TX" selected>' in page.text

    # htmx swaps just the panel in when the choice changes.
    panel = lou.get(_url(incident, saved, "/preview") + "?residence=US-TX&language=es")
    assert panel.text.lstrip().startswith('<div id="preview"') and "<h1" not in panel.text
    assert 'hx-get="/console/incidents/' in page.text and 'hx-target="#preview"' in page.text

    # The email's HTML part is served for a sandboxed frame, under its own strict policy.
    assert '<iframe class="preview" sandbox=""' in page.text
    frame = lou.get(_url(incident, saved, "/email") + "?residence=US-TX&language=es")
    assert frame.status_code == 200 and 'lang="es"' in frame.text
    assert frame.headers["content-security-policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
    )
    assert frame.headers["x-frame-options"] == "SAMEORIGIN"

    letter = lou.get(_url(incident, saved, "/letter.pdf") + "?residence=US-TX&language=es")
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")


def test_lint_findings_appear_and_a_version_with_errors_cannot_be_signed(
    as_persona, incident, database_url
) -> None:
    data = default_template("initial", "en").model_dump(mode="json")
    data["sections"]["greeting"] = "Dear customer, here is an update."  # no apology
    template_id = _save(database_url, data)
    lou = as_persona("lou")
    page = text_of(lou.get(_url(incident, template_id)))
    assert "tone.apology" in page and "error" in page
    assert "It cannot be signed off" in page and "Sign off version" not in page

    refused = lou.post(_url(incident, template_id, "/approve"))
    assert refused.status_code == 422
    assert "Your sign-off was not recorded" in text_of(refused)
    assert "does not lint clean" in text_of(refused)


def test_lou_then_cam_sign_off_and_the_version_is_approved_on_the_record(
    as_persona, incident, saved, run_cli
) -> None:
    lou, cam = as_persona("lou"), as_persona("cam")
    first = lou.post(_url(incident, saved, "/approve"))
    assert first.status_code == 303
    assert "waits for the other approver" in text_of(lou.get(first.headers["location"]))
    page = text_of(cam.get(_url(incident, saved)))
    assert "Not approved yet" in page and "lou@acme-health.example" in page

    second = cam.post(_url(incident, saved, "/approve"))
    assert second.status_code == 303
    page = text_of(cam.get(second.headers["location"]))
    assert "campaigns can send it" in page and "Approved: both approvers signed" in page

    events = run_cli("audit", "export").output
    assert events.count('"notice.template_approved"') == 2
    assert "lou@acme-health.example" in events and "cam@acme-health.example" in events


def test_the_same_approver_signing_twice_is_refused_with_the_reason(
    as_persona, incident, saved
) -> None:
    lou = as_persona("lou")
    assert lou.post(_url(incident, saved, "/approve")).status_code == 303
    again = lou.post(_url(incident, saved, "/approve"))
    assert again.status_code == 422
    assert "version 1 already has its legal_approver sign-off" in text_of(again)


def test_an_agent_may_not_approve_or_even_read_the_templates(as_persona, incident, saved) -> None:
    ada = as_persona("ada")
    assert ada.post(_url(incident, saved, "/approve")).status_code == 403
    assert ada.get(_url(incident, saved)).status_code == 403


def test_an_edit_is_saved_as_a_new_version_that_needs_new_sign_offs(
    as_persona, incident, saved
) -> None:
    as_persona("lou").post(_url(incident, saved, "/approve"))
    as_persona("cam").post(_url(incident, saved, "/approve"))
    lena = as_persona("lena")
    form = lena.get(_url(incident, saved, "/edit"))
    assert form.status_code == 200 and "Save as a new version" in text_of(form)
    data = default_template("initial", "en").model_dump(mode="json")
    data["sections"]["what_we_are_doing"] = "We reset every password and hired outside experts."
    saved_again = lena.post(_url(incident, saved, "/edit"), {"source": yaml.safe_dump(data)})
    assert saved_again.status_code == 303
    page = text_of(lena.get(saved_again.headers["location"]))
    assert "version 2" in page and "Not approved yet" in page
    listing = text_of(lena.get(_url(incident)))
    assert "Version 2" in listing and "Approved · in use" in listing  # version 1 still sends


def test_an_edit_that_is_not_a_template_is_refused_and_kept_for_fixing(
    as_persona, incident, saved
) -> None:
    lena = as_persona("lena")
    refused = lena.post(_url(incident, saved, "/edit"), {"source": "kind: initial\n  bad: [\n"})
    assert refused.status_code == 422
    assert "Nothing was saved: the template is not valid YAML at line" in text_of(refused)
    assert "bad: [" in refused.text
    missing = lena.post(_url(incident, saved, "/edit"), {"source": "kind: initial\n"})
    assert missing.status_code == 422 and "Nothing was saved" in text_of(missing)


def test_a_version_of_another_number_is_not_found(as_persona, incident) -> None:
    response = as_persona("lena").get(_url(incident, 999))
    assert response.status_code == 404 and "no template version 999" in text_of(response)
