"""Filling a regulator notice's fields: each item of the rule files' content vocabulary
(``ContentItem``) from what breachdesk stores about the incident, or a gap saying what
must be completed before the notice is sent. Nothing here knows what any one regulator
asks for: the rule file's ``required_content`` decides which items a notice has.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from breachdesk.incidents.models import DataElement
from breachdesk.notices.context import notice_context, owing_laws
from breachdesk.notices.render import render_notice
from breachdesk.notices.wording import ELEMENTS
from breachdesk.reports.schemas import NoticeField, SampleNotice
from breachdesk.rules.engine import covers, decide
from breachdesk.rules.schema import ContentItem, Counting, Jurisdiction, RegulatorNotice

if TYPE_CHECKING:
    from breachdesk.reports.regulators import OwedNotice, Sources

# The sample person a copy of the consumer notice is rendered for.
SAMPLE_PERSON = {"first_name": "Sample", "last_name": "Resident", "reference": "SAMP-LE00-0000"}
COUNTED_WORDS = {
    Counting.OWED_NOTICE: "residents owed notice",
    Counting.NOTIFIABLE: "residents whose personal information was involved",
    Counting.AFFECTED: "residents whose data was involved",
}
LABELS = {
    ContentItem.INCIDENT_DESCRIPTION: "Description of the breach",
    ContentItem.BREACH_DATE: "Date of the breach",
    ContentItem.DISCOVERY_DATE: "Date of discovery",
    ContentItem.NOTICE_DATE: "Date of notice to individuals",
    ContentItem.ELEMENTS_EXPOSED: "Personal information involved",
    ContentItem.LAW_ENFORCEMENT_DELAY: "Law-enforcement delay",
    ContentItem.ACTIONS_TAKEN: "Actions taken",
    ContentItem.CONTACT_INFORMATION: "Contact information",
    ContentItem.TOLL_FREE_NUMBER: "Telephone number",
    ContentItem.CONSUMER_STEPS: "Steps individuals can take",
    ContentItem.REMAIN_VIGILANT: "Advice to remain vigilant",
    ContentItem.CREDIT_REPORTING_AGENCIES: "Credit reporting agencies",
    ContentItem.FTC_CONTACT: "Federal Trade Commission contact",
    ContentItem.REGULATOR_CONTACT: "Regulator contact",
    ContentItem.SECURITY_FREEZE: "Security freeze",
    ContentItem.FRAUD_ALERT: "Fraud alert",
    ContentItem.POLICE_REPORT: "Police report",
    ContentItem.CREDIT_MONITORING_OFFER: "Credit monitoring offered",
    ContentItem.NATURE_OF_BREACH: "Nature of the breach",
    ContentItem.NUMBER_AFFECTED: "Total number of people affected",
    ContentItem.RESIDENTS_AFFECTED: "Residents affected",
    ContentItem.SAMPLE_NOTICE: "Copy of the notice to individuals",
    ContentItem.LIKELY_CONSEQUENCES: "Likely consequences",
    ContentItem.MITIGATION_MEASURES: "Measures to mitigate the breach",
    ContentItem.CONTACT_PERSON: "Contact person",
    ContentItem.MATERIAL_IMPACT: "Material impact",
}
# The consumer notice's own advice: a regulator asking for it gets the words residents
# were given, copied from the consumer notice.
CONSUMER_ADVICE = frozenset(
    {
        ContentItem.CONSUMER_STEPS,
        ContentItem.REMAIN_VIGILANT,
        ContentItem.CREDIT_REPORTING_AGENCIES,
        ContentItem.FTC_CONTACT,
        ContentItem.REGULATOR_CONTACT,
        ContentItem.SECURITY_FREEZE,
        ContentItem.FRAUD_ALERT,
        ContentItem.POLICE_REPORT,
    }
)
# The items that need the consumer notice rendered.
SAMPLE_ITEMS = CONSUMER_ADVICE | {ContentItem.SAMPLE_NOTICE}


@dataclass
class Scope:
    """One notice being filled: the incident's sources and the notice's law."""

    sources: Sources
    owed: OwedNotice

    @property
    def rule(self) -> Jurisdiction:
        return self.owed.result.rule

    @cached_property
    def residences(self) -> frozenset[str] | None:
        """The residences the law covers; None when it covers everyone (through the
        organisation's sector or establishment)."""
        if covers(self.rule, self.sources.assessment.facts, None):
            return None
        return frozenset(self.rule.applies_to.residence)

    def earliest(self, dates: Mapping[str | None, datetime]) -> datetime | None:
        """The earliest of the dates kept for the residents this law covers."""
        found = [
            at
            for residence, at in dates.items()
            if self.residences is None or residence in self.residences
        ]
        return min(found, default=None)

    @cached_property
    def sample(self) -> SampleNotice | str:
        """The consumer notice as the law's most common kind of resident gets it, or
        why it cannot be rendered."""
        sources = self.sources
        if sources.template is None:
            return str(sources.template_gap)
        facts = sources.assessment.facts
        covered = [
            group
            for group in sources.groups
            if group.count > 0 and covers(self.rule, facts, group.residence)
        ]
        owed = [
            group
            for group in covered
            if decide(self.rule, facts, group.residence, group.elements).owed
        ]
        if not covered:
            return "no affected people are imported yet (`breachdesk import people`)"
        # Ties are broken by residence and elements, so the same data gives the same copy.
        group = max(
            owed or covered,
            key=lambda g: (g.count, g.residence or "", sorted(g.elements or ())),
        )
        elements = group.elements if group.elements is not None else facts.elements
        key = (group.residence, elements)
        if key not in sources.samples:
            sent = self.earliest(sources.first_sent)
            day = sent.date() if sent else sources.today
            sources.samples[key] = _render_sample(sources, group.residence, elements, day)
        return sources.samples[key]


def _render_sample(
    sources: Sources, residence: str | None, elements: frozenset[DataElement], day: date
) -> SampleNotice:
    incident, template = sources.incident, sources.template
    assert template is not None
    person = {
        **SAMPLE_PERSON,
        "remedy_code": "SAMPLE-CODE" if sources.remedy else None,
        "jurisdiction": residence,
        "elements": sorted(element.value for element in elements),
    }
    context = notice_context(
        template=template,
        organisation=incident.organisation,
        incident=incident,
        person=person,
        laws=owing_laws(incident, residence, elements),
        today=day,
        remedy=sources.remedy,
    )
    revision = incident.current_revision.number
    rendered = render_notice(template, context, fact_revision=revision)
    return SampleNotice(
        residence=residence,
        template_version=rendered.template_version,
        language=rendered.language,
        fact_revision=revision,
        title=rendered.title,
        parts=rendered.parts,
        text=rendered.text,
    )


def _field(item: ContentItem, value: str, data: Any = None) -> NoticeField:
    return NoticeField(item.value, LABELS[item], value, data)


def _gap(item: ContentItem, gap: str) -> NoticeField:
    return NoticeField(item.value, LABELS[item], None, None, gap)


def _day(value: datetime | None) -> str | None:
    return value.date().isoformat() if value else None


def _residents(scope: Scope, item: ContentItem) -> NoticeField:
    block = scope.owed.block
    counting = block.counts if isinstance(block, RegulatorNotice) else Counting.OWED_NOTICE
    counted = scope.owed.counted
    return _field(item, f"{counted:,} ({scope.rule.name}: {COUNTED_WORDS[counting]})", counted)


def _number(scope: Scope, item: ContentItem) -> NoticeField:
    revision = scope.sources.incident.current_revision
    value = f"{revision.people_affected:,} (the estimate of fact revision {revision.number})"
    imported = scope.sources.assessment.people
    if imported != revision.people_affected:
        value += f"; {imported:,} people imported so far"
    return _field(item, value, revision.people_affected)


def _breach_date(scope: Scope, item: ContentItem) -> NoticeField:
    incident = scope.sources.incident
    start, end = _day(incident.occurred_from), _day(incident.occurred_to)
    data = {"from": start, "to": end}
    if start and end:
        return _field(item, start if start == end else f"{start} to {end}", data)
    if start:
        return _field(item, f"from {start} (end not known)", data)
    if end:
        return _field(item, f"until {end} (start not known)", data)
    return _gap(item, "the dates of the breach (occurred_from and occurred_to in the facts)")


def _discovery(scope: Scope, item: ContentItem) -> NoticeField:
    day = _day(scope.sources.incident.discovered_at)
    return _field(item, str(day), day)


def _notice_date(scope: Scope, item: ContentItem) -> NoticeField:
    sent = _day(scope.earliest(scope.sources.first_sent))
    planned = _day(scope.earliest(scope.sources.planned))
    data = {"sent": sent, "planned": planned}
    if sent:
        return _field(item, f"{sent} (the first notice sent)", data)
    if planned:
        return _field(item, f"planned: {planned} (no notice sent yet)", data)
    return _field(item, "planned (no notice sent or scheduled yet)", data)


def _description(scope: Scope, item: ContentItem) -> NoticeField:
    return _field(item, scope.sources.incident.current_revision.public_description.strip())


def _elements(scope: Scope, item: ContentItem) -> NoticeField:
    described = []
    for exposure in scope.sources.assessment.facts.exposures:
        held = exposure.protection.value
        if exposure.key_compromised:
            held += ", with its key also taken"
        described.append(f"{ELEMENTS[exposure.element]} ({held})")
    return _field(item, "; ".join(described), scope.sources.incident.current_revision.elements)


def _actions(scope: Scope) -> list[dict[str, str]]:
    """The response so far: containment, and the facts' timeline from discovery on."""
    incident = scope.sources.incident
    entries = []
    if incident.contained_at:
        entries.append({"at": incident.contained_at.isoformat(), "what": "Breach contained"})
    for entry in incident.current_revision.timeline:
        if datetime.fromisoformat(entry["at"]) >= incident.discovered_at:
            entries.append(entry)
    return sorted(entries, key=lambda entry: entry["at"])


def _actions_text(entries: list[dict[str, str]]) -> str:
    return "; ".join(f"{entry['at'][:10]}: {entry['what']}" for entry in entries)


def _actions_taken(scope: Scope, item: ContentItem) -> NoticeField:
    entries = _actions(scope)
    if not entries:
        return _gap(item, "what was done: add it to the facts' timeline (`incident revise`)")
    return _field(item, _actions_text(entries), entries)


def _offer(scope: Scope) -> str | None:
    remedy = scope.sources.remedy
    if remedy is None:
        return None
    return f"free credit monitoring for {remedy['months']} months, enrolment at {remedy['url']}"


def _mitigation(scope: Scope, item: ContentItem) -> NoticeField:
    parts = [part for part in (_actions_text(_actions(scope)), _offer(scope)) if part]
    if not parts:
        return _gap(item, "the measures taken or proposed to mitigate the breach")
    return _field(item, "; ".join(parts))


def _contact(scope: Scope, item: ContentItem) -> NoticeField:
    organisation = scope.sources.incident.organisation
    address = ", ".join(organisation.support_postal_address.splitlines())
    parts = (organisation.support_phone, organisation.support_email, address)
    return _field(item, "; ".join(part for part in parts if part))


def _phone(scope: Scope, item: ContentItem) -> NoticeField:
    return _field(item, scope.sources.incident.organisation.support_phone)


def _person(scope: Scope, item: ContentItem) -> NoticeField:
    org = scope.sources.incident.organisation
    reach = "; ".join(part for part in (org.support_phone, org.support_email) if part)
    return _field(item, f"{org.signatory_name}, {org.signatory_title}, {org.legal_name}; {reach}")


def _delay(scope: Scope, item: ContentItem) -> NoticeField:
    incident = scope.sources.incident
    until = _day(incident.law_enforcement_delay_until)
    if until is None:
        return _field(item, "Notice was not delayed at law enforcement's request.")
    requested = incident.law_enforcement_delay_requested_by
    value = f"Notice was delayed at the request of {requested} until {until}."
    return _field(item, value, {"requested_by": requested, "until": until})


def _monitoring(scope: Scope, item: ContentItem) -> NoticeField:
    offer = _offer(scope)
    if offer:
        return _field(item, offer, scope.sources.remedy)
    if scope.sources.has_campaign:
        return _field(item, "No credit monitoring is offered.")
    return _gap(item, "no notice campaign yet, so no offer is recorded (`campaign create`)")


def _sample_notice(scope: Scope, item: ContentItem) -> NoticeField:
    sample = scope.sample
    if isinstance(sample, str):
        return _gap(item, sample)
    value = (
        f"Attached: the notice to individuals (template version {sample.template_version}, "
        f"language {sample.language}) for a resident of {sample.residence or 'no known place'}"
        f", rendered from fact revision {sample.fact_revision} with a sample name and reference."
    )
    return _field(item, value, {"template_version": sample.template_version})


def _advice(scope: Scope, item: ContentItem) -> NoticeField:
    sample = scope.sample
    if isinstance(sample, str):
        return _gap(item, sample)
    template = scope.sources.template
    assert template is not None
    heading = template.headings["what_you_can_do"]
    section = next((texts for title, texts in sample.parts if title == heading), ())
    return _field(item, "As the notice to individuals tells them: " + " ".join(section))


def _not_recorded(what: str) -> Callable[[Scope, ContentItem], NoticeField]:
    return lambda _scope, item: _gap(item, f"{what} (breachdesk does not record it)")


FILLERS: dict[ContentItem, Callable[[Scope, ContentItem], NoticeField]] = {
    ContentItem.INCIDENT_DESCRIPTION: _description,
    ContentItem.NATURE_OF_BREACH: _description,
    ContentItem.BREACH_DATE: _breach_date,
    ContentItem.DISCOVERY_DATE: _discovery,
    ContentItem.NOTICE_DATE: _notice_date,
    ContentItem.ELEMENTS_EXPOSED: _elements,
    ContentItem.LAW_ENFORCEMENT_DELAY: _delay,
    ContentItem.ACTIONS_TAKEN: _actions_taken,
    ContentItem.MITIGATION_MEASURES: _mitigation,
    ContentItem.CONTACT_INFORMATION: _contact,
    ContentItem.TOLL_FREE_NUMBER: _phone,
    ContentItem.CONTACT_PERSON: _person,
    ContentItem.CREDIT_MONITORING_OFFER: _monitoring,
    ContentItem.NUMBER_AFFECTED: _number,
    ContentItem.RESIDENTS_AFFECTED: _residents,
    ContentItem.SAMPLE_NOTICE: _sample_notice,
    **dict.fromkeys(CONSUMER_ADVICE, _advice),
    ContentItem.LIKELY_CONSEQUENCES: _not_recorded("the likely consequences: counsel's assessment"),
    ContentItem.MATERIAL_IMPACT: _not_recorded("the material impact: the registrant's finding"),
}


def fill(scope: Scope, items: list[ContentItem]) -> tuple[NoticeField, ...]:
    return tuple(FILLERS[item](scope, item) for item in items)
