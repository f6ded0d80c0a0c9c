"""The console's inquiry desk as agents and approvers use it: the queue with its clocks,
an inquiry with its suggested answers, replies (sent at once or held for release), bulk
replies, and who may do what."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from sqlalchemy import select

from breachdesk.audit.models import AuditEventRow
from breachdesk.db import utcnow
from breachdesk.desk import answers
from breachdesk.desk import service as desk
from breachdesk.desk.models import DeskMail, Inquiry, InquirySource, InquiryStatus
from breachdesk.desk.schemas import AnswerIn, InquiryIn
from breachdesk.desk.suggest import KeywordRanker
from breachdesk.incidents.models import Incident
from breachdesk.security import service as security
from tests.console.conftest import text_of
from tests.desk.conftest import keyring, listed, session  # noqa: F401  (fixtures)

LIBRARY = {
    "ssn-involved": (
        "Was my Social Security number taken?",
        "Your Social Security number was stored encrypted, and the key was not taken.",
    ),
    "credit-monitoring": (
        "How do I enrol in free credit monitoring?",
        "Use the activation code on your letter on our portal's credit monitoring page.",
    ),
}


def staff_account(db_session, persona: str):
    return security.get_by_email(db_session=db_session, email=f"{persona}@acme-health.example")


@pytest.fixture
def desk_setup(console_app, session, keyring, listed):  # noqa: F811
    """The incident with two approved library answers; suggestions by the keyword
    ranker (quick and deterministic)."""
    console_app.state.ranker = KeywordRanker
    incident = session.get(Incident, listed)
    ids = {}
    for key, (question, answer) in LIBRARY.items():
        saved = answers.save_answer(
            db_session=session, incident=incident, actor="lena@acme-health.example",
            answer_in=AnswerIn(key=key, language="en", question=question, answer=answer),
        )  # fmt: skip
        for approver in ("lou", "cam"):
            user = staff_account(session, approver)
            answers.approve_answer(
                db_session=session, answer=saved, approver=user, actor=user.email
            )
        ids[key] = saved.id
    session.commit()
    return SimpleNamespace(
        incident=listed, session=session, keyring=keyring, answers=ids,
        desk=f"/console/incidents/{listed}/desk",
    )  # fmt: skip


def ask(setup, message: str, *, email: str | None = "ann@example.com") -> SimpleNamespace:
    """A new inquiry on the portal, as its id and ticket."""
    inquiry = desk.receive_inquiry(
        db_session=setup.session, keyring=setup.keyring,
        incident=setup.session.get(Incident, setup.incident),
        inquiry_in=InquiryIn(name="Ann Lee1", email=email, message=message),
        source=InquirySource.PORTAL, actor="portal",
    )  # fmt: skip
    setup.session.commit()
    return SimpleNamespace(id=inquiry.id, ticket=inquiry.ticket)


def refreshed(setup, inquiry: SimpleNamespace) -> SimpleNamespace:
    """The inquiry as stored now (the read ends at once: SQLite lets one writer in)."""
    setup.session.expire_all()
    found = setup.session.get(Inquiry, inquiry.id)
    now = SimpleNamespace(
        status=found.status, category=found.category,
        first_response_at=found.first_response_at,
        assignee=found.assignee.email if found.assignee else None,
    )  # fmt: skip
    setup.session.rollback()
    return now


def events(setup, event_type: str) -> list[dict]:
    setup.session.expire_all()
    rows = setup.session.execute(
        select(AuditEventRow.payload, AuditEventRow.actor).where(
            AuditEventRow.event_type == event_type
        )
    ).all()
    setup.session.rollback()
    return [json.loads(payload) | {"actor": actor} for payload, actor in rows]


def mail_purposes(setup) -> list[str]:
    purposes = list(setup.session.scalars(select(DeskMail.purpose)))
    setup.session.rollback()
    return purposes


def test_the_queue_lists_an_inquiry_with_its_clocks(as_persona, desk_setup):
    inquiry = ask(desk_setup, "Was my Social Security number taken?")
    queue = as_persona("ada").get(desk_setup.desk)
    assert queue.status_code == 200
    text = text_of(queue)
    assert inquiry.ticket in text and "Was my Social Security number taken?" in text
    assert "Acknowledged: at once" in text
    assert "First response: 23 hours 59 minutes left" in text
    assert "Resolution: 2 days 23 hours left" in text
    assert f'hx-get="{desk_setup.desk}/queue?status=open' in queue.text
    assert 'hx-trigger="every 30s"' in queue.text


def test_the_queue_warns_before_a_deadline_and_marks_an_overdue_inquiry(as_persona, desk_setup):
    older = ask(desk_setup, "first question")
    with time_machine.travel(utcnow() + timedelta(hours=21)):
        newer = ask(desk_setup, "second question")
        page = as_persona("ada").get(desk_setup.desk)
        assert "First response: due soon: 2 hours 59 minutes left" in text_of(page)
    with time_machine.travel(utcnow() + timedelta(hours=25, minutes=30)):
        page = as_persona("ada").get(desk_setup.desk)
    text = text_of(page)
    assert "First response: overdue by 1 hour 30 minutes" in text
    assert '<li class="bad">First response: <strong>overdue' in page.text
    # The overdue one comes first.
    assert text.index(older.ticket) < text.index(newer.ticket)


def test_the_queue_refreshes_as_a_fragment_and_filters(as_persona, desk_setup):
    ask(desk_setup, "Was my Social Security number taken?")
    ada = as_persona("ada")
    fragment = ada.get(f"{desk_setup.desk}/queue")
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="queue"' in fragment.text
    assert "No inquiries match" in text_of(ada.get(f"{desk_setup.desk}?mine=yes"))
    assert "No inquiries match" in text_of(ada.get(f"{desk_setup.desk}?category=complaint"))
    bad = ada.get(f"{desk_setup.desk}?status=lost")
    assert bad.status_code == 422 and "is not one of open, answered, resolved, all" in text_of(bad)


def test_the_inquiry_page_suggests_the_approved_answer_and_use_fills_the_reply(
    as_persona, desk_setup
):
    inquiry = ask(desk_setup, "hi, was my social security number stolen in this?")
    ada = as_persona("ada")
    page = ada.get(f"{desk_setup.desk}/{inquiry.id}")
    assert page.status_code == 200
    text = text_of(page)
    assert "hi, was my social security number stolen in this?" in text
    assert "ann@example.com" in text and "Not linked to anyone on the list" in text
    suggestions = text[text.index("Suggested approved answers") : text.index("Or any approved")]
    assert suggestions.index("Was my Social Security number taken?") < suggestions.index(
        "How do I enrol"
    )
    assert "Your Social Security number was stored encrypted" in suggestions
    reply_form = page.text[page.text.index('id="reply"') :]
    assert re.search(r"<textarea[^>]*name=\"text\"[^>]*></textarea>", reply_form)

    ssn = desk_setup.answers["ssn-involved"]
    used = ada.get(f"{desk_setup.desk}/{inquiry.id}?use={ssn}")
    reply_form = used.text[used.text.index('id="reply"') :]
    assert f'name="answer_id" value="{ssn}"' in reply_form
    assert "Your Social Security number was stored encrypted, and the key was not taken." in (
        reply_form
    )
    assert "Send the approved answer" in reply_form


def test_an_agent_sends_the_approved_answer_and_it_is_on_the_record(as_persona, desk_setup):
    inquiry = ask(desk_setup, "Was my Social Security number taken?")
    ssn = desk_setup.answers["ssn-involved"]
    ada = as_persona("ada")
    sent = ada.post(
        f"{desk_setup.desk}/{inquiry.id}/reply",
        {"answer_id": ssn, "text": LIBRARY["ssn-involved"][1], "resolve": "yes"},
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"{desk_setup.desk}/{inquiry.id}"
    after = refreshed(desk_setup, inquiry)
    assert after.status == InquiryStatus.RESOLVED and after.first_response_at is not None
    [replied] = events(desk_setup, "desk.inquiry_replied")
    assert replied["answer"] == ssn and replied["emailed"] and replied["resolved"]
    assert replied["actor"] == "ada@acme-health.example"
    assert mail_purposes(desk_setup).count("reply") == 1
    page = ada.get(sent.headers["location"])
    assert "Reply sent by email to ann@example.com. The inquiry is now resolved." in text_of(page)
    assert "The desk replied with approved answer “ssn-involved” version 1" in text_of(page)
    assert "Resolution: done in time" in text_of(page)


def test_a_reply_in_own_words_is_held_until_an_approver_releases_it(as_persona, desk_setup):
    inquiry = ask(desk_setup, "Can I call you at the weekend?")
    ada = as_persona("ada")
    held = ada.post(
        f"{desk_setup.desk}/{inquiry.id}/reply", {"text": "Yes, we are open at weekends."}
    )
    assert held.status_code == 303
    assert "Your reply is held, not sent" in text_of(ada.get(held.headers["location"]))
    assert refreshed(desk_setup, inquiry).first_response_at is None
    assert events(desk_setup, "desk.inquiry_replied")[0]["emailed"] is False

    lou = as_persona("lou")
    queue = lou.get(desk_setup.desk)
    assert "Yes, we are open at weekends." in text_of(queue)
    assert "Release to the customer" in text_of(queue)
    message = re.search(r'name="message" value="(\d+)"', queue.text).group(1)

    refused = ada.post(f"{desk_setup.desk}/{inquiry.id}/release", {"message": message})
    assert refused.status_code == 403
    assert "only legal_approver, comms_approver, lead may release replies" in text_of(refused)
    released = lou.post(
        f"{desk_setup.desk}/{inquiry.id}/release", {"message": message, "back": "queue"}
    )
    assert released.status_code == 303 and released.headers["location"] == desk_setup.desk
    assert refreshed(desk_setup, inquiry).first_response_at is not None
    assert "No replies are waiting." in text_of(lou.get(desk_setup.desk))


def test_changing_an_approved_answer_makes_the_reply_held(as_persona, desk_setup):
    inquiry = ask(desk_setup, "Was my Social Security number taken?")
    changed = as_persona("ada").post(
        f"{desk_setup.desk}/{inquiry.id}/reply",
        {"answer_id": desk_setup.answers["ssn-involved"], "text": "It was not taken, honest."},
    )
    assert changed.status_code == 303
    [replied] = events(desk_setup, "desk.inquiry_replied")
    assert replied["answer"] is None and replied["emailed"] is False


def test_an_empty_reply_is_refused_with_the_reason_on_the_page(as_persona, desk_setup):
    inquiry = ask(desk_setup, "hello?")
    refused = as_persona("ada").post(f"{desk_setup.desk}/{inquiry.id}/reply", {"text": "  "})
    assert refused.status_code == 422
    assert "Write a reply, or choose an approved answer to send" in text_of(refused)
    assert events(desk_setup, "desk.inquiry_replied") == []


def test_an_agent_assigns_an_inquiry_to_herself_and_adds_a_note(as_persona, desk_setup):
    inquiry = ask(desk_setup, "Was my Social Security number taken?")
    ada = as_persona("ada")
    url = f"{desk_setup.desk}/{inquiry.id}/update"
    assert ada.post(url, {"assign": "me"}).status_code == 303
    changed = ada.post(url, {"category": "affected", "note": "Called back, no answer."})
    assert changed.status_code == 303
    after = refreshed(desk_setup, inquiry)
    assert after.assignee == "ada@acme-health.example" and after.category == "affected"
    assert inquiry.ticket in text_of(ada.get(f"{desk_setup.desk}?mine=yes&category=affected"))
    assert "Internal note (never sent)" in text_of(ada.get(f"{desk_setup.desk}/{inquiry.id}"))
    changes = [event["changes"] for event in events(desk_setup, "desk.inquiry_updated")]
    assert changes == [
        {"assigned_to": "ada@acme-health.example"},
        {"category": "affected", "note": "added"},
    ]


def test_a_bulk_reply_answers_every_matching_inquiry(as_persona, desk_setup):
    matching = [
        ask(desk_setup, "Was my Social Security number taken?"),
        ask(desk_setup, "Social Security number taken?"),
    ]
    other = ask(desk_setup, "How do I enrol in free credit monitoring?")
    ada = as_persona("ada")
    ssn = desk_setup.answers["ssn-involved"]
    preview = ada.get(f"{desk_setup.desk}/bulk?answer_id={ssn}&closeness=0.55")
    assert preview.status_code == 200
    text = text_of(preview)
    assert "2 open inquiries match." in text and "Send to all 2 inquiries" in text
    assert all(inquiry.ticket in text for inquiry in matching) and other.ticket not in text

    ids = re.search(r'name="inquiries" value="([\d ]+)"', preview.text).group(1)
    sent = ada.post(
        f"{desk_setup.desk}/bulk", {"answer_id": ssn, "inquiries": ids, "resolve": "yes"}
    )
    assert sent.status_code == 303
    assert "to 2 inquiries" in text_of(ada.get(sent.headers["location"]))
    assert [refreshed(desk_setup, i).status for i in (*matching, other)] == [
        InquiryStatus.RESOLVED,
        InquiryStatus.RESOLVED,
        InquiryStatus.OPEN,
    ]
    replied = events(desk_setup, "desk.inquiry_replied")
    assert sorted(event["inquiry"] for event in replied) == sorted(i.id for i in matching)
    [bulk] = events(desk_setup, "desk.bulk_reply_sent")
    assert bulk["inquiries"] == 2 and {event["bulk"] for event in replied} == {bulk["bulk"]}


def test_the_auditor_is_refused_the_desk(as_persona, desk_setup):
    inquiry = ask(desk_setup, "Was my Social Security number taken?")
    otto = as_persona("otto")
    for url in (desk_setup.desk, f"{desk_setup.desk}/{inquiry.id}", f"{desk_setup.desk}/bulk"):
        assert otto.get(url).status_code == 403
    refused = otto.post(f"{desk_setup.desk}/{inquiry.id}/reply", {"text": "hello"})
    assert refused.status_code == 403 and "your role may not answer inquiries" in text_of(refused)
    assert events(desk_setup, "desk.inquiry_replied") == []


def test_an_inquiry_of_another_incident_or_none_is_not_found(as_persona, desk_setup):
    inquiry = ask(desk_setup, "hello?")
    ada = as_persona("ada")
    missing = ada.get(f"{desk_setup.desk}/999999")
    assert missing.status_code == 404 and "No inquiry 999999" in text_of(missing)
    elsewhere = ada.get(f"/console/incidents/{desk_setup.incident + 1}/desk/{inquiry.id}")
    assert elsewhere.status_code == 404
