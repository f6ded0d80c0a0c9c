"""Previewing a person's notice: the incident's current facts, the person's laws and
elements, the organisation's identity, rendered in the person's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from breachdesk.incidents import service as incidents
from breachdesk.incidents.models import DataElement, Organisation
from breachdesk.inputs import InputError
from breachdesk.notices.context import notice_context, owing_laws
from breachdesk.notices.letters import address_block, compile_letters, letter_data
from breachdesk.notices.mime import Address, build_email, message_id
from breachdesk.notices.models import NoticeTemplate
from breachdesk.notices.render import LANGUAGES, RenderedNotice, render_notice
from breachdesk.notices.templates import template_to_use
from breachdesk.people import service as people
from breachdesk.rules.schema import Jurisdiction
from breachdesk.security.crypto import Keyring


@dataclass(frozen=True)
class Preview:
    rendered: RenderedNotice
    # The saved version rendered, or None for the shipped default.
    version: NoticeTemplate | None
    laws: list[Jurisdiction]
    recipient: Address | None  # None when the person has no email address
    sender: Address
    domain: str
    reference: str
    postal: list[str] | None  # the person's address lines; None when there is none
    return_address: list[str]

    def letter(self) -> bytes:
        """The notice as the printed letter, a PDF."""
        if self.postal is None:
            raise InputError("this person has no postal address: preview the email instead")
        data = letter_data(
            self.rendered,
            reference=self.reference,
            sender=self.return_address,
            recipient=self.postal,
        )
        return compile_letters([data])

    def email(self, sent_at: datetime) -> bytes:
        """The notice as the email it would be, unsigned (signing belongs to delivery)."""
        if self.recipient is None:
            raise InputError("this person has no email address: preview the letter instead")
        return build_email(
            sender=self.sender,
            recipient=self.recipient,
            subject=self.rendered.subject,
            text=self.rendered.text,
            html=self.rendered.html,
            date=sent_at,
            message_id=message_id(self.domain),
        )


def preview_notice(
    *,
    db_session: Session,
    keyring: Keyring,
    incident_id: int,
    reference: str,
    actor: str,
    today: date,
    language: str | None = None,
) -> Preview:
    """One person's notice as it would go out; decrypting them is audited."""
    incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
    person = people.show_person(
        db_session=db_session,
        keyring=keyring,
        reference=reference,
        actor=actor,
        incident_id=incident_id,
    )
    language = language or (person.get("language") or "en")[:2]
    template, version = template_to_use(
        db_session=db_session,
        organisation=incident.organisation,
        kind="initial",
        language=language if language in LANGUAGES else "en",
        approved_only=False,
    )
    elements = frozenset(DataElement(name) for name in person["elements"])
    laws = owing_laws(incident, person["jurisdiction"], elements)
    context = notice_context(
        template=template,
        organisation=incident.organisation,
        incident=incident,
        person=person,
        laws=laws,
        today=today,
    )
    rendered = render_notice(template, context, fact_revision=incident.current_revision.number)
    organisation = incident.organisation
    sender = notice_sender(organisation)
    name = " ".join(part for part in (person["first_name"], person["last_name"]) if part)
    postal = (
        address_block(
            name,
            person["address_line1"],
            person["address_line2"],
            person["city"],
            person["subdivision"],
            person["postcode"],
            person["country"],
        )
        if person["address_line1"]
        else None
    )
    return Preview(
        rendered=rendered,
        version=version,
        laws=laws,
        recipient=Address(name, person["email"]) if person["email"] else None,
        sender=sender,
        domain=sender.email.rsplit("@", 1)[1],
        reference=person["reference"],
        postal=postal,
        return_address=return_address(organisation),
    )


def notice_sender(organisation: Organisation) -> Address:
    """The sender identity notices go out from: the one for "notices", else the first."""
    identities = organisation.sender_identities
    identity = next((i for i in identities if i.get("purpose") == "notices"), identities[0])
    return Address(identity["name"], identity["email"])


def return_address(organisation: Organisation) -> list[str]:
    """The organisation's support postal address, as written (its name on the first
    line): a letter's return address."""
    return [
        line.strip() for line in organisation.support_postal_address.splitlines() if line.strip()
    ]
