"""Inquiries by email: read from a Maildir or an IMAP mailbox, each message a new
inquiry, a follow-up on the sender's own ticket, or skipped and counted; moved or
marked seen only once the read is committed."""

from __future__ import annotations

import json
import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import func, select

from breachdesk.audit.models import AuditEventRow
from breachdesk.desk import answers, inbound, mailtext
from breachdesk.desk import service as desk
from breachdesk.desk.inbound import InboundSummary, parse_imap_url, read_imap, read_maildir
from breachdesk.desk.mailtext import html_to_text, strip_quoted
from breachdesk.desk.models import (
    AnswerPurpose,
    DeskMail,
    Inquiry,
    InquiryMessage,
    InquirySource,
    InquiryStatus,
    MessageDirection,
)
from breachdesk.desk.schemas import MESSAGE_LIMIT, AnswerIn, InquiryChange
from breachdesk.incidents.models import Incident
from breachdesk.inputs import InputError
from tests.desk.conftest import person_with
from tests.desk.fake_imap import PASSWORD, USER, FakeImap

ACTOR = "cli:desk@test"
ACKNOWLEDGEMENT = AnswerIn(
    key="acknowledgement",
    language="en",
    purpose=AnswerPurpose.ACKNOWLEDGEMENT,
    question="(sent to every new inquiry)",
    answer="Thank you for writing to us. A member of our response team will answer you.",
)


def email(
    body: str = "Was my Social Security number in this breach?",
    *,
    sender: str = "Ann Lee <ann.lee@example.com>",
    subject: str = "Question about your letter",
    html: str | None = None,
    **headers: str,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "privacy-inbox@acme-health.example"
    message["Subject"] = subject
    if html is not None and body == "":
        message.set_content(html, subtype="html")
    else:
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
    for name, value in headers.items():  # after the content, which clears Content-*
        message[name.replace("_", "-")] = value
    return message


def drop(folder: Path, *messages: EmailMessage | bytes) -> Path:
    """Deliver messages into the Maildir, as a mail server would (into new/)."""
    box = mailbox.Maildir(folder, create=True)
    for message in messages:
        box.add(message.as_bytes() if isinstance(message, EmailMessage) else message)
    return folder


def left_in(folder: Path) -> int:
    return len(mailbox.Maildir(folder, create=False))


@pytest.fixture
def inbox(tmp_path) -> Path:
    return tmp_path / "inbox"


@pytest.fixture
def the_incident(session, incident) -> Incident:
    return session.get(Incident, incident)


@pytest.fixture
def acknowledged(session, the_incident, staff) -> Incident:
    """The incident, with an approved acknowledgement wording."""
    answer = answers.save_answer(
        db_session=session, incident=the_incident, answer_in=ACKNOWLEDGEMENT, actor="lena"
    )
    for persona in ("lou", "cam"):
        answers.approve_answer(
            db_session=session, answer=answer, approver=staff[persona], actor=persona
        )
    session.commit()
    return the_incident


def read(session, keyring, incident: Incident, folder: Path) -> InboundSummary:
    summary = read_maildir(
        db_session=session, keyring=keyring, incident=incident, path=folder, actor=ACTOR
    )
    session.commit()
    summary.finish()
    return summary


def inquiries(session) -> list[Inquiry]:
    return list(session.execute(select(Inquiry).order_by(Inquiry.id)).scalars())


def texts(session, keyring, inquiry: Inquiry) -> list[str]:
    rows = session.execute(
        select(InquiryMessage)
        .where(InquiryMessage.inquiry_id == inquiry.id)
        .order_by(InquiryMessage.id)
    ).scalars()
    return [desk.message_body(keyring=keyring, message=row) for row in rows]


def counts(summary: InboundSummary) -> tuple[int, int, int, int]:
    return summary.messages, summary.new_inquiries, summary.follow_ups, summary.skipped


def test_a_new_message_becomes_an_acknowledged_inquiry_and_leaves_the_inbox(
    session, keyring, acknowledged, inbox
):
    message = email(Message_ID="<first@mail.example.com>")
    drop(inbox, message)

    summary = read(session, keyring, acknowledged, inbox)

    assert counts(summary) == (1, 1, 0, 0)
    (inquiry,) = inquiries(session)
    assert inquiry.source == InquirySource.EMAIL
    assert inquiry.source_message_id == "<first@mail.example.com>"
    assert inquiry.language == "en" and inquiry.status == InquiryStatus.OPEN
    contact = desk.inquirer(keyring=keyring, inquiry=inquiry)
    assert (contact.name, contact.email) == ("Ann Lee", "ann.lee@example.com")
    assert desk.subject_of(keyring=keyring, inquiry=inquiry) == "Question about your letter"
    assert texts(session, keyring, inquiry) == ["Was my Social Security number in this breach?"]
    ack = session.execute(select(DeskMail)).scalar_one()
    assert ack.purpose == "acknowledgement"
    assert keyring.decrypt(ack.recipient, context="desk_mail.recipient") == "ann.lee@example.com"
    # Moved to the folder .breachdesk-read, flagged seen.
    assert left_in(inbox) == 0
    (moved,) = (inbox / ".breachdesk-read" / "cur").iterdir()
    assert moved.name.endswith(":2,S")
    assert moved.read_bytes() == message.as_bytes()
    event = session.execute(
        select(AuditEventRow).where(AuditEventRow.event_type == "desk.inbound_mail_read")
    ).scalar_one()
    assert json.loads(event.payload) == {
        "incident": acknowledged.id,
        "source": str(inbox),
        "messages": 1,
        "new_inquiries": 1,
        "follow_ups": 0,
        "skipped": 0,
    }
    assert event.actor == ACTOR


def test_nothing_moves_before_the_commit_and_a_rolled_back_read_leaves_the_mail(
    session, keyring, the_incident, inbox
):
    drop(inbox, email())
    summary = read_maildir(
        db_session=session, keyring=keyring, incident=the_incident, path=inbox, actor=ACTOR
    )
    assert summary.new_inquiries == 1 and left_in(inbox) == 1
    session.rollback()  # the transaction failed: the caller does not call finish()

    assert inquiries(session) == [] and left_in(inbox) == 1


def test_reading_twice_adds_nothing_even_after_a_crash_before_the_move(
    session, keyring, the_incident, inbox
):
    drop(inbox, email(Message_ID="<once@mail.example.com>"))
    first = read_maildir(
        db_session=session, keyring=keyring, incident=the_incident, path=inbox, actor=ACTOR
    )
    session.commit()  # ...and the process dies before first.finish()
    assert left_in(inbox) == 1

    again = read(session, keyring, the_incident, inbox)

    assert counts(first) == (1, 1, 0, 0)
    assert counts(again) == (1, 0, 0, 1) and again.skipped_because == {"already read": 1}
    assert len(inquiries(session)) == 1 and left_in(inbox) == 0
    # The same message delivered twice in one folder is one inquiry too.
    drop(inbox, email(Message_ID="<twice@mail.example.com>"))
    drop(inbox, email(Message_ID="<twice@mail.example.com>"))
    assert counts(read(session, keyring, the_incident, inbox)) == (2, 1, 0, 1)


def test_a_read_takes_a_limited_number_and_leaves_the_rest_for_the_next(
    session, keyring, the_incident, inbox
):
    drop(inbox, email("one"), email("two"), email("three"))

    first = read_maildir(
        db_session=session,
        keyring=keyring,
        incident=the_incident,
        path=inbox,
        actor=ACTOR,
        limit=2,
    )
    session.commit()
    first.finish()

    assert counts(first) == (2, 2, 0, 0) and left_in(inbox) == 1
    assert first.line().endswith("; more mail is waiting: run again")
    assert counts(read(session, keyring, the_incident, inbox)) == (1, 1, 0, 0)


def test_a_message_without_a_message_id_gets_one_from_its_bytes(
    session, keyring, the_incident, inbox
):
    message = email()
    del message["Message-ID"]
    drop(inbox, message)
    read(session, keyring, the_incident, inbox)
    drop(inbox, message)

    again = read(session, keyring, the_incident, inbox)

    (inquiry,) = inquiries(session)
    assert inquiry.source_message_id.endswith("@sha256.breachdesk.invalid>")
    assert again.skipped_because == {"already read": 1}


def reply_to(inquiry: Inquiry, text: str, sender: str = "Ann Lee <ann.lee@example.com>"):
    quoted = (
        f"{text}\n\nOn Tue, 24 Nov 2026 at 10:00, Acme Health Supply\n"
        "<privacy@acme-health.example> wrote:\n"
        f"> Your ticket number is {inquiry.ticket}.\n> Thank you for writing to us.\n"
    )
    return email(
        quoted,
        sender=sender,
        subject=f"Re: [{inquiry.ticket}] We received your question",
        Message_ID="<reply@mail.example.com>",
    )


def test_a_reply_on_the_ticket_from_its_inquirer_is_a_follow_up_that_reopens_it(
    session, keyring, the_incident, staff, inbox
):
    drop(inbox, email())
    read(session, keyring, the_incident, inbox)
    (inquiry,) = inquiries(session)
    desk.update_inquiry(
        db_session=session,
        keyring=keyring,
        inquiry=inquiry,
        change=InquiryChange(status=InquiryStatus.RESOLVED),
        agent=staff["ada"],
    )
    session.commit()
    follow_up = reply_to(inquiry, "Thanks. And was my card number taken too?")
    drop(inbox, follow_up)

    summary = read(session, keyring, the_incident, inbox)

    assert counts(summary) == (1, 0, 1, 0)
    session.refresh(inquiry)
    assert inquiry.status == InquiryStatus.OPEN and inquiry.resolved_at is None
    assert texts(session, keyring, inquiry)[-1] == "Thanks. And was my card number taken too?"
    last = session.scalars(select(InquiryMessage).order_by(InquiryMessage.id.desc())).first()
    assert last.direction == MessageDirection.IN and last.author == ACTOR
    assert last.source_message_id == "<reply@mail.example.com>"
    # Read again (say the move failed): the follow-up is not added twice.
    drop(inbox, follow_up)
    again = read(session, keyring, the_incident, inbox)
    assert again.skipped_because == {"already read": 1}
    assert len(texts(session, keyring, inquiry)) == 2 and len(inquiries(session)) == 1


def test_a_follow_up_another_reader_recorded_meanwhile_is_skipped_and_the_read_goes_on(
    session, keyring, the_incident, staff, inbox, monkeypatch
):
    drop(inbox, email())
    read(session, keyring, the_incident, inbox)
    (inquiry,) = inquiries(session)
    follow_up = reply_to(inquiry, "And my card number?")
    drop(inbox, follow_up)
    read(session, keyring, the_incident, inbox)
    desk.update_inquiry(
        db_session=session,
        keyring=keyring,
        inquiry=inquiry,
        change=InquiryChange(status=InquiryStatus.RESOLVED),
        agent=staff["ada"],
    )
    session.commit()
    on_record = inbound._on_record
    raced = []

    def checked_before_the_other_reader_committed(db_session, message_id: str) -> bool:
        if message_id == follow_up["Message-ID"] and not raced:
            raced.append(message_id)
            return False
        return on_record(db_session, message_id)

    monkeypatch.setattr(inbound, "_on_record", checked_before_the_other_reader_committed)
    drop(inbox, follow_up, email("A new question", Message_ID="<new@mail.example.com>"))

    summary = read(session, keyring, the_incident, inbox)

    assert raced and counts(summary) == (2, 1, 0, 1)
    assert summary.skipped_because == {"already read": 1}
    assert len(texts(session, keyring, inquiry)) == 2
    session.refresh(inquiry)
    assert inquiry.status == InquiryStatus.RESOLVED  # the undone follow-up reopened nothing
    follow_up_events = select(func.count()).where(
        AuditEventRow.event_type == "desk.inquiry_follow_up"
    )
    assert session.scalar(follow_up_events) == 1
    assert len(inquiries(session)) == 2 and left_in(inbox) == 0


def test_the_same_ticket_quoted_by_a_stranger_is_a_new_inquiry(
    session, keyring, the_incident, inbox
):
    drop(inbox, email())
    read(session, keyring, the_incident, inbox)
    (inquiry,) = inquiries(session)
    drop(inbox, reply_to(inquiry, "I am Ann's husband: what about me?", "Bo <bo@example.net>"))

    summary = read(session, keyring, the_incident, inbox)

    assert counts(summary) == (1, 1, 0, 0)
    first, second = inquiries(session)
    assert texts(session, keyring, first) == ["Was my Social Security number in this breach?"]
    assert desk.inquirer(keyring=keyring, inquiry=second).email == "bo@example.net"
    assert "I am Ann's husband" in texts(session, keyring, second)[0]


def test_a_reply_to_the_desks_email_from_another_address_is_a_follow_up(
    session, keyring, acknowledged, inbox
):
    drop(inbox, email())
    read(session, keyring, acknowledged, inbox)
    (inquiry,) = inquiries(session)
    ack = session.execute(select(DeskMail)).scalar_one()
    reply = reply_to(inquiry, "Writing from my work address.", "Ann Lee <ann@work.example>")
    reply["In-Reply-To"] = ack.message_id
    reply["References"] = ack.message_id
    drop(inbox, reply)

    assert counts(read(session, keyring, acknowledged, inbox)) == (1, 0, 1, 0)
    assert texts(session, keyring, inquiry)[-1] == "Writing from my work address."


AUTOMATIC = [
    email(Auto_Submitted="auto-replied"),
    email(X_Autoreply="yes"),
    email(Precedence="bulk"),
    email(Precedence="auto_reply"),
    email(X_Auto_Response_Suppress="All"),
    email(subject="Out of Office: back on Monday"),
    email(subject="Automatic reply: [Q-7K3M-9XWP] We received your question"),
    email(subject="Respuesta automática: vacaciones"),
]


def bounce(sender: str = "MAILER-DAEMON@mx.example.com") -> bytes:
    return (
        f"From: {sender}\r\nTo: privacy-inbox@acme-health.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nUser unknown\r\n--B\r\n"
        "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n"
        "\r\nFinal-Recipient: rfc822; x@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "--B--\r\n"
    ).encode()


def test_automatic_replies_bounces_and_the_desks_own_mail_are_skipped(
    session, keyring, the_incident, inbox
):
    postmaster = email("Your message could not be delivered", sender="postmaster@example.org")
    own = email("Our answer", sender="Acme Health Supply <notice@mail.acme-health.example>")
    drop(inbox, *AUTOMATIC, bounce(), bounce("Mail Delivery <mailer-daemon>"), postmaster, own)
    drop(inbox, email("A real question", Auto_Submitted="no"))

    summary = read(session, keyring, the_incident, inbox)

    assert counts(summary) == (13, 1, 0, 12)
    assert summary.skipped_because == {
        "automatic reply": len(AUTOMATIC),
        "bounce report": 3,
        "sent by the desk itself": 1,
    }
    (inquiry,) = inquiries(session)
    assert texts(session, keyring, inquiry) == ["A real question"]
    assert left_in(inbox) == 0  # skipped mail is handled too: it is not read again


def test_garbage_and_senderless_mail_is_skipped_and_counted_not_fatal(
    session, keyring, the_incident, inbox, monkeypatch
):
    parse = mailtext.parse_message

    def parse_or_fail(data: bytes):
        if b"EXPLODE" in data:
            raise ValueError("a parser bug")
        return parse(data)

    monkeypatch.setattr(inbound, "parse_message", parse_or_fail)
    garbage = bytes(range(256)) * 40
    drop(inbox, garbage, email(sender="not an address"), email("EXPLODE"), email("Fine"))

    summary = read(session, keyring, the_incident, inbox)

    assert counts(summary) == (4, 1, 0, 3)
    assert summary.skipped_because == {"no usable sender address": 2, "unreadable": 1}
    assert left_in(inbox) == 0


def test_an_html_only_message_gives_readable_text(session, keyring, the_incident, inbox):
    html = (
        "<html><head><style>p {color: red}</style><title>x</title></head><body>"
        "<p>Hello,</p><p>Is this letter <b>real</b>? Q&amp;A&nbsp;page says&#8230;</p>"
        "<ul><li>one</li><li>two</li></ul><script>alert(1)</script>"
        "<div>Ann<br>Austin</div></body></html>"
    )
    drop(inbox, email("", html=html))

    read(session, keyring, the_incident, inbox)

    (inquiry,) = inquiries(session)
    assert texts(session, keyring, inquiry) == [
        "Hello,\n\nIs this letter real? Q&A page says…\n\n- one\n- two\n\nAnn\nAustin"
    ]


def test_plain_text_is_preferred_to_html():
    mail = mailtext.parse_message(email("the plain words", html="<p>the html words</p>").as_bytes())
    assert mail.text == "the plain words" and mail.attachments == ()


@pytest.mark.parametrize(
    "text",
    [
        "Got it, thanks.\n\nOn Mon, Nov 23, 2026 at 9:00 AM Acme <privacy@acme.example> wrote:\n"
        "> Your ticket number is Q-7K3M-9XWP.",
        "Got it, thanks.\n\nOn Mon, Nov 23, 2026 at 9:00 AM Acme Health Supply\n"
        "<privacy@acme.example> wrote:\n\n> quoted",
        "Got it, thanks.\n\nEl lun, 23 nov 2026 a las 9:00, Acme escribió:\n> Su número de caso",
        "> earlier text\nGot it, thanks.\n> more quoted",
        "Got it, thanks.\n\n-----Original Message-----\nFrom: Acme\nSent: Monday",
    ],
)
def test_a_quoted_reply_is_stripped_to_the_new_text(text):
    assert strip_quoted(text) == "Got it, thanks."


def test_quoted_html_is_stripped_too():
    html = (
        '<div>Got it, thanks.</div><div class="gmail_quote"><div>On Mon, Nov 23, 2026 Acme '
        "wrote:</div><blockquote><p>Your ticket number is Q-7K3M-9XWP.</p></blockquote></div>"
    )
    assert strip_quoted(html_to_text(html)) == "Got it, thanks."


def test_a_reply_that_is_all_quote_keeps_its_text():
    assert strip_quoted("> only quoted") == "> only quoted"


def test_a_huge_message_is_shortened_not_refused_and_attachments_are_listed_not_kept(
    session, keyring, the_incident, inbox
):
    body = "I have a long story. " * 2000  # 42,000 characters
    message = email(body)
    message.add_attachment(
        b"%PDF-1.4 " + b"x" * 2039, maintype="application", subtype="pdf", filename="bank.pdf"
    )
    drop(inbox, message)

    summary = read(session, keyring, the_incident, inbox)

    assert counts(summary) == (1, 1, 0, 0)
    (text,) = texts(session, keyring, inquiries(session)[0])
    assert MESSAGE_LIMIT - 20 < len(text) <= MESSAGE_LIMIT
    assert text.startswith("I have a long story.")
    assert text.endswith(
        f"story.\n\n[message shortened: {len(body.strip()):,} characters]"
        "\n\n[attachments, not kept: bank.pdf (2,048 bytes)]"
    )
    small = email("See the statement.")
    small.add_attachment(b"x" * 2048, maintype="application", subtype="pdf", filename="s.pdf")
    mail = mailtext.parse_message(small.as_bytes())
    assert mailtext.inquiry_text(mail, follow_up=False) == (
        "See the statement.\n\n[attachments, not kept: s.pdf (2,048 bytes)]"
    )


def test_a_spanish_message_gets_language_es(session, keyring, the_incident, inbox):
    spanish = "Hola, recibí una carta de ustedes. ¿Qué datos de mi tarjeta fueron robados?"
    declared = email("Hello, is my data safe?", Content_Language="es-MX")
    drop(inbox, email(spanish, subject="Pregunta sobre la carta"), declared, email())

    read(session, keyring, the_incident, inbox)

    assert sorted(inquiry.language for inquiry in inquiries(session)) == ["en", "es", "es"]


def test_a_reference_code_in_the_text_links_the_person(session, keyring, listed, inbox):
    incident = session.get(Incident, listed)
    person, _contact, reference = person_with(session, keyring, listed, "Lee3")
    drop(inbox, email(f"My reference code is {reference.lower()}. Am I affected?"))

    read(session, keyring, incident, inbox)

    (inquiry,) = inquiries(session)
    assert inquiry.person_id == person.id


def test_a_folder_that_is_not_a_maildir_is_refused(session, keyring, the_incident, tmp_path):
    with pytest.raises(InputError, match="not a Maildir"):
        read_maildir(
            db_session=session, keyring=keyring, incident=the_incident, path=tmp_path, actor=ACTOR
        )


# IMAP --------------------------------------------------------------------------------


@pytest.fixture
def imap():
    with FakeImap() as server:
        yield server


def test_imap_reads_the_unseen_messages_and_marks_them_seen_only_after_the_commit(
    session, keyring, the_incident, imap
):
    first = imap.deliver(email("First question", Message_ID="<i1@example.com>").as_bytes())
    imap.deliver(email("Read by someone already").as_bytes(), seen=True)
    third = imap.deliver(email(sender="MAILER-DAEMON@mx.example.com").as_bytes())

    summary = read_imap(
        db_session=session, keyring=keyring, incident=the_incident, url=imap.url(), actor=ACTOR
    )

    assert counts(summary) == (2, 1, 0, 1)
    assert imap.unseen() == [first, third]  # nothing marked before the commit
    assert not any(command.startswith(("UID STORE", "STORE")) for command in imap.commands)
    session.commit()
    summary.finish()
    assert imap.unseen() == []
    assert summary.source == f"imap://{USER}@127.0.0.1:{imap.port}/INBOX"
    assert PASSWORD not in json.dumps([row.payload for row in session.query(AuditEventRow)])
    again = read_imap(
        db_session=session, keyring=keyring, incident=the_incident, url=imap.url(), actor=ACTOR
    )
    assert counts(again) == (0, 0, 0, 0)
    assert again.line() == f"no new mail in {summary.source}"


def test_imap_recognises_what_it_read_when_marking_failed(session, keyring, the_incident, imap):
    imap.deliver(email(Message_ID="<i2@example.com>").as_bytes())
    read_imap(
        db_session=session, keyring=keyring, incident=the_incident, url=imap.url(), actor=ACTOR
    )
    session.commit()  # ...and finish() never ran

    again = read_imap(
        db_session=session, keyring=keyring, incident=the_incident, url=imap.url(), actor=ACTOR
    )
    session.commit()
    again.finish()

    assert again.skipped_because == {"already read": 1} and imap.unseen() == []
    assert session.scalar(select(func.count()).select_from(Inquiry)) == 1


def test_imap_marks_nothing_when_the_mailbox_was_renumbered(session, keyring, the_incident, imap):
    uid = imap.deliver(email().as_bytes())
    summary = read_imap(
        db_session=session, keyring=keyring, incident=the_incident, url=imap.url(), actor=ACTOR
    )
    session.commit()
    imap.uid_validity += 1  # the UIDs read now name other messages

    summary.finish()

    assert imap.unseen() == [uid]


def test_imap_refuses_a_wrong_password_and_an_unknown_mailbox(session, keyring, the_incident, imap):
    wrong = f"imap://{USER}:nope@127.0.0.1:{imap.port}/INBOX"
    with pytest.raises(InputError, match=r"refused desk@acme-health\.example"):
        read_imap(db_session=session, keyring=keyring, incident=the_incident, url=wrong, actor="t")
    with pytest.raises(InputError, match="no mailbox 'Archive'"):
        read_imap(
            db_session=session,
            keyring=keyring,
            incident=the_incident,
            url=imap.url("Archive"),
            actor=ACTOR,
        )


def test_imap_urls():
    address = parse_imap_url("imaps://desk%40acme.example:p%40ss%2Fw%3Ard@mail.acme.example")
    assert (address.host, address.port, address.tls) == ("mail.acme.example", 993, True)
    assert (address.user, address.password) == ("desk@acme.example", "p@ss/w:rd")
    assert address.mailbox == "INBOX"
    assert parse_imap_url("imaps://u:p@h:1993/Support%20Inbox").mailbox == "Support Inbox"
    assert parse_imap_url("imap://u:p@localhost/X").port == 143
    with pytest.raises(InputError, match="in clear"):
        parse_imap_url("imap://u:p@mail.acme.example/INBOX")
    with pytest.raises(InputError, match="user and password"):
        parse_imap_url("imaps://mail.acme.example/INBOX")
    with pytest.raises(InputError, match="imaps://"):
        parse_imap_url("https://u:p@mail.acme.example/")


# The command -------------------------------------------------------------------------


def test_the_command_reads_a_maildir_and_prints_the_summary(
    run_cli, session, incident, inbox, monkeypatch
):
    drop(inbox, email(), email(Auto_Submitted="auto-replied"))

    result = run_cli("desk", "read-mail", "--incident", str(incident), "--maildir", str(inbox))

    assert result.exit_code == 0, result.output
    assert result.output == (
        f"2 messages read from {inbox}: 1 new inquiry, 0 follow-ups, 1 skipped "
        "(1 automatic reply)\n"
    )
    assert left_in(inbox) == 0
    assert session.scalar(select(func.count()).select_from(Inquiry)) == 1
    session.rollback()  # SQLite: the command waits for a transaction left open
    monkeypatch.setenv("BREACHDESK_INBOUND_MAILDIR", str(inbox))
    result = run_cli("desk", "read-mail", "--incident", str(incident))
    assert result.output == f"no new mail in {inbox}\n"


def test_the_command_reads_imap_when_configured(run_cli, incident, imap, monkeypatch):
    imap.deliver(email().as_bytes())
    monkeypatch.setenv("BREACHDESK_INBOUND_IMAP_URL", imap.url())

    result = run_cli("desk", "read-mail", "--incident", str(incident), "--imap")

    assert result.exit_code == 0, result.output
    assert "1 message read from imap://" in result.output and "1 new inquiry" in result.output
    assert imap.unseen() == []


def test_the_command_explains_what_is_missing(run_cli, incident, tmp_path):
    result = run_cli("desk", "read-mail", "--incident", str(incident))
    assert result.exit_code == 2
    assert "no inbound mailbox: give --maildir" in result.output
    result = run_cli("desk", "read-mail", "--incident", str(incident), "--imap")
    assert "BREACHDESK_INBOUND_IMAP_URL is not set" in result.output
    result = run_cli("desk", "read-mail", "--incident", "999", "--maildir", str(tmp_path))
    assert "no incident 999" in result.output
    result = run_cli("desk", "read-mail", "--incident", str(incident), "--imap", "--maildir", "x")
    assert "give --maildir or --imap, not both" in result.output
