"""The facts pages: the current revision, every revision, what changed between two, and
the lead's form for recording new facts."""

from __future__ import annotations

import re

from breachdesk.audit import service as audit
from breachdesk.db import Database
from breachdesk.incidents import service as incidents
from tests.console.conftest import text_of
from tests.factories import disclose


def facts_form(client, incident: int) -> dict[str, str]:
    """The fields the form comes with (the current facts), as a browser would post them."""
    html = client.get(f"/console/incidents/{incident}/facts/new").text
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrf":
            continue
        if 'type="checkbox"' in tag and " checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        fields[name.group(1)] = value.group(1) if value else "on"
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', html):
        fields[name] = value
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]+)" selected', body)
        fields[name] = chosen.group(1) if chosen else ""
    return fields


def test_the_facts_page_shows_the_current_revision(as_persona, incident):
    page = as_persona("ada").get(f"/console/incidents/{incident}/facts")
    assert page.status_code == 200
    text = text_of(page)
    assert "Facts: revision 1" in text
    assert "1,000" in text
    assert "Social Security number (encrypted)" in text
    assert "Someone copied part of our customer database." in text
    assert "Not yet" in text  # not made public


def test_the_form_starts_from_the_current_facts(as_persona, incident):
    fields = facts_form(as_persona("lena"), incident)
    assert fields["people_affected"] == "1000"
    assert fields["element_ssn"] == "on" and fields["protection_ssn"] == "encrypted"
    assert "element_payment_card" not in fields
    assert fields["occurred_from"] == "2026-09-01T00:00"
    assert fields["timeline_what_0"] == "Alert from monitoring"


def test_the_lead_revises_the_facts_and_the_diff_shows_the_change(
    as_persona, incident, console_app
):
    lena = as_persona("lena")
    fields = facts_form(lena, incident)
    fields.update(people_affected="2500", element_payment_card="on", reason="forensics report")
    saved = lena.post(f"/console/incidents/{incident}/facts", fields)
    assert saved.status_code == 303, text_of(saved)
    assert saved.headers["location"] == f"/console/incidents/{incident}/facts"
    assert "Revision 2 is recorded" in text_of(lena.get(saved.headers["location"]))

    diff = lena.get(f"/console/incidents/{incident}/facts/diff")
    text = text_of(diff)
    assert "What changed from revision 1 to 2" in text
    assert "Revision 2 widens the scope" in text
    assert "payment card number (not encrypted) newly exposed" in text
    assert "1,000 2,500 wider" in text

    database: Database = console_app.state.database
    with database.session() as session:
        [event] = audit.events_for_incident(
            db_session=session, incident_id=incident, event_type="incident.facts_revised"
        )[1:]
    assert event.actor == "lena@acme-health.example"


def test_a_revision_that_widens_disclosed_facts_says_so_after_saving(
    as_persona, incident, console_app
):
    database: Database = console_app.state.database
    with database.session() as session:
        disclose(session, incidents.get_incident(db_session=session, incident_id=incident))
    lena = as_persona("lena")
    fields = facts_form(lena, incident)
    fields.update(people_affected="5000", reason="more records found")
    saved = lena.post(f"/console/incidents/{incident}/facts", fields)
    facts = text_of(lena.get(saved.headers["location"]))
    assert "WIDENS THE SCOPE of revision 1" in facts
    assert "This revision widens the scope" in facts
    assert "need a supplemental notice" in facts


def test_mistakes_come_back_at_their_fields_with_the_form_kept(as_persona, incident):
    lena = as_persona("lena")
    fields = facts_form(lena, incident)
    for name in [n for n in fields if n.startswith("element_")]:
        del fields[name]
    fields.update(people_affected="lots", public_description="Changed words", reason="")
    answer = lena.post(f"/console/incidents/{incident}/facts", fields)
    assert answer.status_code == 422
    text = text_of(answer)
    assert "tick at least one kind of data that was exposed" in text
    assert "enter a whole number" in text
    assert "say why the facts changed" in text
    assert "Changed words" in answer.text  # what was typed is kept
    assert 'id="people_affected" name="people_affected" inputmode="numeric" value="lots"' in (
        answer.text
    )
    assert "Facts: revision 1" in text_of(lena.get(f"/console/incidents/{incident}/facts"))


def test_an_agent_may_read_the_facts_but_not_revise_them(as_persona, incident):
    ada = as_persona("ada")
    assert ada.get(f"/console/incidents/{incident}/facts/new").status_code == 403
    refused = ada.post(
        f"/console/incidents/{incident}/facts", {"people_affected": "1", "reason": "x"}
    )
    assert refused.status_code == 403
    assert "may not revise the facts" in text_of(refused)
    page = ada.get(f"/console/incidents/{incident}/facts")
    assert "Record new facts" not in page.text


def test_an_unknown_revision_or_incident_is_a_clear_404(as_persona, incident):
    lena = as_persona("lena")
    missing = lena.get(f"/console/incidents/{incident}/facts/diff?a=1&b=9")
    assert missing.status_code == 404
    assert "has no revision 9" in text_of(missing)
    assert lena.get("/console/incidents/999/facts").status_code == 404
