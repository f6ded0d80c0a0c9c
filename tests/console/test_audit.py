"""The audit pages: the trail newest first, narrowed by filters, a page at a time; and
checking the hash chain, which finds a row changed behind breachdesk's back."""

from __future__ import annotations

import re

from sqlalchemy import text

from breachdesk.audit import service as audit
from breachdesk.db import Database
from breachdesk.security.events import StaffPasswordChanged
from tests.console.conftest import text_of


def record(console_app, count: int, actor: str = "test") -> None:
    database: Database = console_app.state.database
    with database.session() as session:
        for number in range(count):
            audit.record(
                db_session=session,
                event=StaffPasswordChanged(user=number, email=f"user{number}@example.com"),
                actor=actor,
            )


def numbers(response) -> list[int]:
    return [int(n) for n in re.findall(r'<th scope="row" class="number">(\d+)</th>', response.text)]


def kinds(response) -> set[str]:
    return set(re.findall(r'<td class="rec-mono">([a-z_.]+)</td>', response.text))


def test_the_trail_lists_events_newest_first(as_persona, incident):
    page = as_persona("otto").get("/console/audit")
    assert page.status_code == 200
    shown = numbers(page)
    assert shown == sorted(shown, reverse=True) and len(shown) >= 3
    assert {"incident.created", "organisation.created"} <= kinds(page)


def test_filters_narrow_the_list(as_persona, incident, console_app):
    record(console_app, 3, actor="cli:someone@host")
    otto = as_persona("otto")
    everything = numbers(otto.get("/console/audit"))

    by_type = otto.get("/console/audit", params={"event_type": "incident.created"})
    assert len(numbers(by_type)) == 1 and "1 event" in text_of(by_type)

    by_actor = otto.get("/console/audit", params={"actor": "SOMEONE"})
    assert len(numbers(by_actor)) == 3
    assert kinds(by_actor) == {"staff.password_changed"}

    by_incident = otto.get("/console/audit", params={"incident": str(incident)})
    assert 0 < len(numbers(by_incident)) < len(everything)
    assert "staff.password_changed" not in kinds(by_incident)

    tomorrow = otto.get("/console/audit", params={"since": "2999-01-01"})
    assert numbers(tomorrow) == [] and "No events match" in text_of(tomorrow)
    today = otto.get("/console/audit", params={"until": "2999-01-01", "actor": "someone"})
    assert len(numbers(today)) == 3


def test_a_bad_date_is_explained_at_its_field(as_persona):
    answer = as_persona("otto").get("/console/audit", params={"since": "yesterday"})
    assert answer.status_code == 422
    assert "enter a date like 2026-11-02" in text_of(answer)


def test_a_long_trail_comes_a_page_at_a_time(as_persona, console_app):
    record(console_app, 60)
    otto = as_persona("otto")
    first = otto.get("/console/audit")
    assert len(numbers(first)) == 50 and "Page 1 of 2" in text_of(first)
    second = otto.get("/console/audit", params={"page": 2})
    assert numbers(second) and max(numbers(second)) < min(numbers(first))


def test_verify_reports_an_intact_chain_and_then_the_tampered_event(as_persona, console_app):
    record(console_app, 5)
    otto = as_persona("otto")
    intact = otto.post("/console/audit/verify")
    assert intact.status_code == 200
    verdict = text_of(intact)
    assert "The audit chain is intact." in verdict
    database: Database = console_app.state.database
    with database.session() as session:
        head = audit.verify(db_session=session)
    assert f"All {head.events_checked} events were checked" in verdict
    assert head.head_hash in verdict

    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET payload = '{}' WHERE seq = 3"))
    broken = text_of(otto.post("/console/audit/verify"))
    assert "The audit chain is broken at event 3." in broken
    assert "Event 3 was changed after it was written" in broken

    with database.session() as session:  # verifying wrote nothing
        assert audit.verify(db_session=session).head_seq == head.head_seq


def test_agents_and_approvers_may_not_read_the_trail(as_persona):
    for persona in ("ada", "lou", "cam"):
        client = as_persona(persona)
        assert client.get("/console/audit").status_code == 403
        assert client.post("/console/audit/verify").status_code == 403
