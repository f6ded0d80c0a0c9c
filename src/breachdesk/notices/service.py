"""Previewing a person's notice: the incident's current facts, the person's laws and
elements, the organisation's identity, rendered in the person's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from breachdesk.incidents import service as incidents
from breachdesk.incidents.models import DataElement, Incident, Organisation, Protection
from breachdesk.incidents.schemas import ElementExposure
from breachdesk.inputs import InputError
from breachdesk.notices.mime import Address, build_email, message_id
from breachdesk.notices.render import (
    RenderedNotice,
    TemplateFile,
    default_template,
    elements_context,
    law_context,
    long_date,
    render_notice,
)
from breachdesk.people import service as people
from breachdesk.rules.catalog import shipped_rules
from breachdesk.rules.engine import decide
from breachdesk.rules.facts import incident_facts
from breachdesk.rules.schema import Jurisdiction
from breachdesk.security.crypto import Keyring


def owing_laws(incident: Incident, residence: str | None, elements: frozenset[DataElement]):
    """The laws that require notice to this person (their content rules shape the notice)."""
    facts = incident_facts(incident)
    return [
        rule for rule in shipped_rules().values() if decide(rule, facts, residence, elements).owed
    ]


def notice_context(
    *,
    template: TemplateFile,
    organisation: Organisation,
    incident: Incident,
    person: dict[str, Any],
    laws: list[Jurisdiction],
    today: date,
    remedy: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything a template may use; docs/notices.md lists each name."""
    language = template.language
    revision = incident.current_revision
    exposures = [ElementExposure.model_validate(item) for item in revision.elements]
    protection: dict[DataElement, tuple[Protection, bool]] = {
        item.element: (item.protection, item.key_compromised) for item in exposures
    }
    elements = [DataElement(name) for name in person["elements"]]

    def day(value: Any) -> str | None:
        return long_date(value.date(), language) if value else None

    website = f"https://{organisation.owned_domains[0]}"
    return {
        "org": {
            "name": organisation.display_name,
            "phone": organisation.support_phone,
            "email": organisation.support_email,
            "postal_address": " ".join(organisation.support_postal_address.split()),
            "website": website,
            "signatory": organisation.signatory_name,
            "signatory_title": organisation.signatory_title,
        },
        "person": {
            "first_name": person.get("first_name"),
            "last_name": person.get("last_name"),
            "reference": person["reference"],
        },
        "facts": {
            "description": revision.public_description.strip(),
            "occurred_from": day(revision.occurred_from),
            "occurred_to": day(revision.occurred_to),
            "discovered": day(incident.discovered_at),
            "people_affected": f"{revision.people_affected:,}",
            "revision": revision.number,
        },
        "elements": elements_context(template, elements, protection),
        "law": {
            **law_context(laws, person.get("jurisdiction")),
            "delayed_by_law_enforcement": incident.law_enforcement_delay_until is not None,
        },
        "remedy": remedy,
        "notice_date": long_date(today, language),
    }


@dataclass(frozen=True)
class Preview:
    rendered: RenderedNotice
    laws: list[Jurisdiction]
    recipient: Address | None  # None when the person has no email address
    sender: Address
    domain: str

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
    template = default_template("initial", language if language in ("en", "es") else "en")
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
    sender = next(
        (item for item in organisation.sender_identities if item.get("purpose") == "notices"),
        organisation.sender_identities[0],
    )
    name = " ".join(part for part in (person["first_name"], person["last_name"]) if part)
    return Preview(
        rendered=rendered,
        laws=laws,
        recipient=Address(name, person["email"]) if person["email"] else None,
        sender=Address(sender["name"], sender["email"]),
        domain=sender["email"].rsplit("@", 1)[1],
    )
