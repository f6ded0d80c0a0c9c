"""The desk's part of the demo story: an approved answer library and executive
statement, a pool of credit-monitoring codes, questions arriving from the portal, a
phone call and email, replies, and reimbursement claims, one of them decided."""

from __future__ import annotations

import mailbox
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import typer
from sqlalchemy import select

from breachdesk.config import Settings
from breachdesk.db import Database, utcnow
from breachdesk.delivery.models import MessageState, OutboxMessage
from breachdesk.desk import answers, claims, codes
from breachdesk.desk import service as desk
from breachdesk.desk.cli import DEFAULT_LIBRARY, load_answers
from breachdesk.desk.inbound import read_maildir
from breachdesk.desk.models import ClaimStatus, InquiryCategory, InquirySource
from breachdesk.desk.schemas import AnswerIn, InquiryIn, ReplyIn
from breachdesk.incidents import service as incidents
from breachdesk.people.contact import CONTEXT, Contact
from breachdesk.people.models import AffectedPerson
from breachdesk.people.references import display
from breachdesk.security import service as security
from breachdesk.security.crypto import Keyring, load_keyring

ACTOR = "demo"
DEMO_CODES = 5_000
# A one-page PDF, enough to stand for a bank statement.
STATEMENT_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

STATEMENT = {
    "en": "I am sorry. You trusted us with your information and we did not keep it safe. "
    "We have removed the malware, brought in outside experts, and we are paying for two "
    "years of credit monitoring for everyone affected. This page will always have the "
    "latest facts, and we will tell you if they change.",
    "es": "Lo siento. Usted nos confió su información y no la protegimos. Eliminamos el "
    "programa malicioso, contratamos a expertos externos y pagaremos dos años de monitoreo "
    "de crédito para todas las personas afectadas. Esta página siempre tendrá los datos "
    "más recientes y le avisaremos si cambian.",
}

QUESTIONS = [
    ("Maria Lopez", "maria@example.net", "es", "¿Mis datos de tarjeta fueron robados?"),
    ("Tom Baker", "tom.baker@example.com", "en", "Was my Social Security number taken?"),
    ("Priya Shah", "priya@example.org", "en", "How do I sign up for the credit monitoring?"),
    ("Sam Lee", None, "en", "I got a letter about this. Is it real or a scam?"),
]


def seed_desk(settings: Settings, database: Database, incident_id: int, domain: str) -> None:
    keyring = load_keyring(settings)
    with database.session() as db_session:
        incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
        legal, comms, agent = (
            security.get_by_email(db_session=db_session, email=f"{name}@{domain}")
            for name in ("legal.approver", "comms.approver", "agent")
        )
        library = demo_library()
        for answer_in in library:
            answer = answers.save_answer(
                db_session=db_session, incident=incident, answer_in=answer_in, actor=ACTOR
            )
            for approver in (legal, comms):
                answers.approve_answer(
                    db_session=db_session, answer=answer, approver=approver, actor=approver.email
                )
        pool_file = write_codes(settings.data_dir / "demo-monitoring-codes.csv", DEMO_CODES)
        pool = codes.import_codes(
            db_session=db_session,
            keyring=keyring,
            incident=incident,
            pool_name="experian",
            vendor="Experian IdentityWorks",
            enrol_url="https://www.experianidworks.com/3bcredit",
            months=24,
            low_water=500,
            path=pool_file,
            actor=ACTOR,
        )
        tickets = [
            desk.receive_inquiry(
                db_session=db_session,
                keyring=keyring,
                incident=incident,
                inquiry_in=InquiryIn(name=name, email=email, language=language, message=text),
                source=InquirySource.PORTAL,
                actor="portal",
            ).ticket
            for name, email, language, text in QUESTIONS
        ]
        phoned = desk.receive_inquiry(
            db_session=db_session,
            keyring=keyring,
            incident=incident,
            inquiry_in=InquiryIn(
                name="Walter Kim",
                phone="+1 503 555 0101",
                category=InquiryCategory.COMPLAINT,
                message="Called angry: why did it take a month to tell us?",
            ),
            source=InquirySource.PHONE,
            actor=agent.email,
        )
        faq = {
            a.key: a
            for a in answers.approved_answers(
                db_session=db_session, incident_id=incident_id, language="en"
            )
        }
        answered = desk.find_by_ticket(db_session=db_session, ticket=tickets[2])
        desk.reply(
            db_session=db_session,
            keyring=keyring,
            inquiry=answered,
            reply_in=ReplyIn(answer_id=faq["credit-monitoring"].id),
            agent=agent,
        )
        desk.reply(
            db_session=db_session,
            keyring=keyring,
            inquiry=phoned,
            reply_in=ReplyIn(
                text="We are sorry for the delay. The investigation had to "
                "confirm whose data was taken before we could write to you.",
                resolve=False,
            ),
            agent=agent,
        )
        claimants = _notified_people(db_session, keyring, incident_id, 2)
        filed = [
            claims.submit_claim(
                db_session=db_session,
                keyring=keyring,
                incident_id=incident_id,
                person_id=person.id,
                claim_in=claims.ClaimIn(
                    amount=amount,
                    charged_on=(utcnow() - timedelta(days=days)).date(),
                    description="A charge at a store I have never visited.",
                ),
                evidence=[claims.Upload(file_name="statement.pdf", data=STATEMENT_PDF)],
                evidence_dir=settings.data_dir / "claim-evidence",
                max_evidence_bytes=settings.portal_evidence_max_bytes,
                actor="portal",
            )
            for (person, _contact), amount, days in zip(
                claimants, ("129.95", "48.10"), (9, 4), strict=True
            )
        ]
        claims.decide(
            db_session=db_session,
            keyring=keyring,
            claim=filed[0],
            status=ClaimStatus.APPROVED,
            note="We will refund the full amount within 10 business days.",
            reviewer=security.get_by_email(db_session=db_session, email=f"lead@{domain}"),
        )
    inbound = _write_inbound_mail(settings.data_dir / "inbound-mail")
    with database.session() as db_session:
        incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
        read = read_maildir(
            db_session=db_session, keyring=keyring, incident=incident, path=inbound, actor=ACTOR
        )
    read.finish()
    (person, contact), _second = claimants
    typer.echo(
        f"desk          {len(library) - len(STATEMENT)} approved answers (English, Spanish) "
        f"and the executive statement; {pool.added:,} monitoring codes; "
        f"{len(tickets) + 1 + read.new_inquiries} inquiries (portal, phone, email): one "
        f"answered, one reply waiting for an approver to release it; {len(filed)} claims, "
        f"one approved\n"
        f'              try the portal\'s "Was I affected?" with {display(person.reference)}, '
        f"{contact.last_name}, {contact.postcode}"
    )


def demo_library() -> list[AnswerIn]:
    """The shipped answer library and the demo's executive statement."""
    return load_answers(DEFAULT_LIBRARY) + [
        AnswerIn(key="statement", language=language, question="A statement", answer=text)
        for language, text in STATEMENT.items()
    ]


def write_codes(path: Path, count: int) -> Path:
    """A vendor's code file of ``count`` made-up activation codes."""
    path.write_text(
        "activation_code\n" + "".join(f"NWO{n:07d}X\n" for n in range(count)),
        encoding="utf-8",
    )
    return path


def _notified_people(
    db_session, keyring: Keyring, incident_id: int, count: int
) -> list[tuple[AffectedPerson, Contact]]:
    """People the first wave emailed, with a last name and postcode to look them up by."""
    found = []
    for person in db_session.execute(
        select(AffectedPerson)
        .join(OutboxMessage, OutboxMessage.person_id == AffectedPerson.id)
        .where(AffectedPerson.incident_id == incident_id, OutboxMessage.state == MessageState.SENT)
        .order_by(AffectedPerson.id)
        .limit(50)
    ).scalars():
        contact = Contact.decode(keyring.decrypt(person.contact, context=CONTEXT))
        if contact.last_name and contact.postcode:
            found.append((person, contact))
        if len(found) == count:
            break
    return found


def _write_inbound_mail(path: Path) -> Path:
    folder = mailbox.Maildir(path, create=True)
    message = EmailMessage()
    message["From"] = "Dana Cruz <dana.cruz@example.com>"
    message["To"] = "help@northwind-outfitters.example"
    message["Subject"] = "Do I need to cancel my card?"
    message["Message-ID"] = "<demo-inbound-1@example.com>"
    message.set_content("I shopped at your Portland store in October. Should I cancel my card?")
    folder.add(message)
    folder.close()
    return path
