"""What a template may use for one person: the organisation, the incident's current facts,
the person's elements in plain words, and what their laws change in the wording."""

from __future__ import annotations

from datetime import date
from typing import Any

from breachdesk.incidents.models import DataElement, Incident, Organisation
from breachdesk.notices.render import (
    NoticeShape,
    RenderedNotice,
    TemplateFile,
    elements_context,
    law_context,
    long_date,
    notice_shape,
)
from breachdesk.notices.shape import PERSONAL_FIELDS, presence
from breachdesk.rules.catalog import shipped_rules
from breachdesk.rules.engine import decide
from breachdesk.rules.facts import incident_facts
from breachdesk.rules.schema import Jurisdiction


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
        "person": {field: person.get(field) for field in PERSONAL_FIELDS},
        "facts": {
            "description": revision.public_description.strip(),
            "occurred_from": day(revision.occurred_from),
            "occurred_to": day(revision.occurred_to),
            "discovered": day(incident.discovered_at),
            "people_affected": f"{revision.people_affected:,}",
            "revision": revision.number,
        },
        "elements": elements_context(template, elements, incident_facts(incident)),
        "law": {
            **law_context(laws, person.get("jurisdiction")),
            "delayed_by_law_enforcement": incident.law_enforcement_delay_until is not None,
        },
        "remedy": remedy,
        "notice_date": long_date(today, language),
    }


class NoticeBatch:
    """Notices for many people of one incident in one template.

    Everyone with the same residence, exposed elements and set of personal values gets
    the same notice but for those values, so each such group is rendered once and each
    person's notice is filled in from it (see shape.py)."""

    def __init__(
        self,
        *,
        template: TemplateFile,
        organisation: Organisation,
        incident: Incident,
        today: date,
        remedy: dict[str, Any] | None = None,
    ) -> None:
        self._template = template
        self._organisation = organisation
        self._incident = incident
        self._today = today
        self._remedy = remedy
        self._shapes: dict[tuple[Any, ...], NoticeShape] = {}

    def render(self, person: dict[str, Any]) -> RenderedNotice:
        """``person`` as for ``notice_context``: jurisdiction, elements, personal values."""
        personal = {field: person.get(field) for field in PERSONAL_FIELDS}
        key = (person.get("jurisdiction"), frozenset(person["elements"]), presence(personal))
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shapes[key] = self._shape(person)
        return shape.fill(personal)

    def _shape(self, person: dict[str, Any]) -> NoticeShape:
        elements = frozenset(DataElement(name) for name in person["elements"])
        context = notice_context(
            template=self._template,
            organisation=self._organisation,
            incident=self._incident,
            person=person,
            laws=owing_laws(self._incident, person.get("jurisdiction"), elements),
            today=self._today,
            remedy=self._remedy,
        )
        revision = self._incident.current_revision.number
        return notice_shape(self._template, context, fact_revision=revision)
