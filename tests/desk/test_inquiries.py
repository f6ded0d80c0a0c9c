"""Inquiries: received, acknowledged at once, answered from approved answers or held for
release, timed against the service levels, and answered in bulk."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from breachdesk.audit.models import AuditEventRow as AuditRow
from breachdesk.delivery.senders import MaildirSender
from breachdesk.desk import answers, bulk
from breachdesk.desk import service as desk
from breachdesk.desk.mail import send_queued_mail
from breachdesk.desk.models import (
    AnswerPurpose,
    DeskMail,
    InquirySource,
    InquiryStatus,
    MailState,
)
from breachdesk.desk.schemas import AnswerIn, InquiryChange, InquiryIn, ReplyIn
from breachdesk.desk.suggest import KeywordRanker
from breachdesk.incidents.models import Incident
from breachdesk.inputs import InputError
from tests.desk.conftest import person_with
from tests.factories import at

ACKNOWLEDGEMENT = AnswerIn(
    key="acknowledgement",
    language="en",
    purpose=AnswerPurpose.ACKNOWLEDGEMENT,
    question="(sent to every new inquiry)",
    answer="Thank you for writing to us. A member of our response team will answer you.",
)
SSN_ANSWER = AnswerIn(
    key="ssn-involved",
    language="en",
    question="Was my Social Security number taken?",
    answer="Your Social Security number was stored encrypted, and the key was not taken.",
)
MONITORING_ANSWER = AnswerIn(
    key="credit-monitoring",
    language="en",
    question="How do I enrol in free credit monitoring?",
    answer="Use the activation code on your letter at our portal's credit monitoring page.",
)


def approved(session, incident, staff, answer_in):
    answer = answers.save_answer(
        db_session=session, incident=incident, answer_in=answer_in, actor="lena"
    )
    for persona in ("lou", "cam"):
        answers.approve_answer(
            db_session=session, answer=answer, approver=staff[persona], actor=persona
        )
    return answer


def ask(session, keyring, incident, **fields):
    values = {"name": "Ann Lee1", "email": "ann.lee1@example.com", "message": "Hello?"}
    return desk.receive_inquiry(
        db_session=session,
        keyring=keyring,
        incident=incident,
        inquiry_in=InquiryIn(**{**values, **fields}),
        source=InquirySource.PORTAL,
        actor="portal",
    )


@pytest.fixture
def incident(session, listed):
    return session.get(Incident, listed)


def test_an_inquiry_is_acknowledged_at_once_and_by_email(session, keyring, incident, staff):
    approved(session, incident, staff, ACKNOWLEDGEMENT)
    inquiry = ask(session, keyring, incident, message="Was my SSN in this?")
    session.commit()

    assert inquiry.ticket.startswith("Q-") and len(inquiry.ticket) == 11
    assert inquiry.acknowledged_at == inquiry.received_at
    assert inquiry.status == InquiryStatus.OPEN
    mail = session.execute(select(DeskMail)).scalar_one()
    assert mail.purpose == "acknowledgement" and mail.state == MailState.QUEUED
    body = keyring.decrypt(mail.body, context="desk_mail.body")
    assert "Thank you for writing to us" in body and inquiry.ticket in body


def test_nothing_unapproved_is_emailed_as_an_acknowledgement(session, keyring, incident, staff):
    answers.save_answer(
        db_session=session, incident=incident, answer_in=ACKNOWLEDGEMENT, actor="lena"
    )
    inquiry = ask(session, keyring, incident)
    session.commit()
    assert inquiry.acknowledged_at is not None  # the ticket on screen is the acknowledgement
    assert session.execute(select(func.count()).select_from(DeskMail)).scalar_one() == 0


def test_what_customers_write_is_stored_encrypted(session, keyring, incident, database_url):
    ask(session, keyring, incident, message="my card ending 4242 was charged twice")
    session.commit()
    stored = session.execute(select(desk.InquiryMessage.body)).scalar_one()
    assert "4242" not in stored
    contact = session.execute(select(desk.Inquiry.contact)).scalar_one()
    assert "ann.lee1" not in contact


def test_a_reference_code_links_the_inquiry_to_its_person(session, keyring, incident):
    person, _contact, reference = person_with(session, keyring, incident.id, "Lee3")
    linked = ask(session, keyring, incident, reference=reference.lower())
    unknown = ask(session, keyring, incident, reference="ABCD-2345-EFGH")
    assert linked.person_id == person.id
    assert unknown.person_id is None


def test_a_reply_from_an_approved_answer_is_sent_and_resolves(session, keyring, incident, staff):
    answer = approved(session, incident, staff, SSN_ANSWER)
    inquiry = ask(session, keyring, incident)
    desk.reply(
        db_session=session,
        keyring=keyring,
        inquiry=inquiry,
        reply_in=ReplyIn(answer_id=answer.id),
        agent=staff["ada"],
    )
    session.commit()
    assert inquiry.status == InquiryStatus.RESOLVED
    assert inquiry.first_response_at is not None
    mail = session.execute(select(DeskMail).where(DeskMail.purpose == "reply")).scalar_one()
    assert "stored encrypted" in keyring.decrypt(mail.body, context="desk_mail.body")


def test_an_unapproved_answer_cannot_be_sent(session, keyring, incident, staff):
    draft = answers.save_answer(
        db_session=session, incident=incident, answer_in=SSN_ANSWER, actor="lena"
    )
    inquiry = ask(session, keyring, incident)
    with pytest.raises(InputError, match="not approved"):
        desk.reply(
            db_session=session, keyring=keyring, inquiry=inquiry,
            reply_in=ReplyIn(answer_id=draft.id), agent=staff["ada"],
        )  # fmt: skip


def test_an_agents_own_words_wait_for_an_approver(session, keyring, incident, staff):
    inquiry = ask(session, keyring, incident)
    held = desk.reply(
        db_session=session, keyring=keyring, inquiry=inquiry,
        reply_in=ReplyIn(text="We are checking your account.", resolve=False), agent=staff["ada"],
    )  # fmt: skip
    session.commit()
    assert held.released_at is None
    assert session.execute(select(func.count()).select_from(DeskMail)).scalar_one() == 0
    assert inquiry.first_response_at is None
    assert [m.id for m in desk.held_replies(db_session=session, incident_id=incident.id)] == [
        held.id
    ]

    with pytest.raises(PermissionError, match="only legal_approver, comms_approver, lead"):
        desk.release_reply(db_session=session, keyring=keyring, message=held, approver=staff["ada"])
    assert desk.release_reply(
        db_session=session, keyring=keyring, message=held, approver=staff["lou"]
    )
    session.commit()
    assert inquiry.first_response_at is not None
    assert desk.held_replies(db_session=session, incident_id=incident.id) == []


def test_an_auditor_cannot_answer(session, keyring, incident, staff):
    inquiry = ask(session, keyring, incident)
    with pytest.raises(PermissionError, match=r"otto@acme-health\.example is auditor"):
        desk.reply(
            db_session=session, keyring=keyring, inquiry=inquiry,
            reply_in=ReplyIn(text="hi"), agent=staff["otto"],
        )  # fmt: skip


def test_the_clocks_warn_before_and_report_a_breach(session, keyring, incident):
    levels = desk.ServiceLevels(
        first_response=timedelta(hours=24),
        resolution=timedelta(hours=72),
        warning=timedelta(hours=4),
    )
    with time_machine.travel(at("2026-10-01T09:00:00"), tick=False):
        inquiry = ask(session, keyring, incident)
    assert levels.clocks(inquiry, at("2026-10-01T10:00:00")).state == "ok"
    assert levels.clocks(inquiry, at("2026-10-02T06:00:00")).state == "warning"
    late = levels.clocks(inquiry, at("2026-10-02T09:00:01"))
    assert late.state == "breached"
    assert late.first_response_due == at("2026-10-02T09:00:00")

    inquiry.first_response_at = at("2026-10-01T12:00:00")
    assert levels.clocks(inquiry, at("2026-10-02T10:00:00")).state == "ok"
    inquiry.resolved_at = at("2026-10-02T12:00:00")
    assert levels.clocks(inquiry, at("2026-10-09T00:00:00")).state == "met"


def test_a_follow_up_reopens_a_resolved_inquiry(session, keyring, incident, staff):
    inquiry = ask(session, keyring, incident)
    desk.update_inquiry(
        db_session=session, keyring=keyring, inquiry=inquiry,
        change=InquiryChange(status=InquiryStatus.RESOLVED, note="called back"),
        agent=staff["ada"],
    )  # fmt: skip
    assert inquiry.status == InquiryStatus.RESOLVED
    desk.add_follow_up(
        db_session=session, keyring=keyring, inquiry=inquiry, text="One more thing", actor="mail"
    )
    assert inquiry.status == InquiryStatus.OPEN and inquiry.resolved_at is None


def test_a_bulk_reply_answers_every_matching_open_inquiry(session, keyring, incident, staff):
    ssn = approved(session, incident, staff, SSN_ANSWER)
    approved(session, incident, staff, MONITORING_ANSWER)
    ssn_questions = [
        ask(session, keyring, incident, message="was my social security number stolen?"),
        ask(session, keyring, incident, message="Is my SSN taken? social security number"),
    ]
    other = ask(session, keyring, incident, message="how do I enrol in credit monitoring")
    session.commit()

    matches = bulk.bulk_matches(
        db_session=session, keyring=keyring, answer=ssn, ranker=KeywordRanker(), min_score=0.0
    )
    assert {inquiry.id for inquiry, _score in matches} == {q.id for q in ssn_questions}

    bulk_id, answered = bulk.bulk_reply(
        db_session=session,
        keyring=keyring,
        answer=ssn,
        inquiry_ids=[inquiry.id for inquiry, _score in matches],
        agent=staff["ada"],
    )
    session.commit()
    assert answered == 2
    assert all(q.status == InquiryStatus.RESOLVED for q in ssn_questions)
    assert other.status == InquiryStatus.OPEN
    replied = session.execute(
        select(func.count())
        .select_from(AuditRow)
        .where(AuditRow.event_type == "desk.inquiry_replied", AuditRow.payload.contains(bulk_id))
    ).scalar_one()
    assert replied == 2


def test_queued_desk_mail_is_sent_once(session, keyring, incident, staff, tmp_path):
    approved(session, incident, staff, ACKNOWLEDGEMENT)
    ask(session, keyring, incident)
    session.commit()
    sender = MaildirSender(tmp_path / "capture")
    first = send_queued_mail(db_session=session, keyring=keyring, sender=sender, actor="test")
    session.commit()
    again = send_queued_mail(db_session=session, keyring=keyring, sender=sender, actor="test")
    assert (first.sent, again.sent) == (1, 0)
    captured = list(sender._maildir)
    assert len(captured) == 1
    assert captured[0]["To"] == "ann.lee1@example.com"
    assert captured[0]["From"] == "Acme Health Supply <notice@mail.acme-health.example>"
    assert captured[0]["Subject"].startswith("[Q-")
    assert captured[0]["Auto-Submitted"] == "auto-replied"  # no autoresponder loops
