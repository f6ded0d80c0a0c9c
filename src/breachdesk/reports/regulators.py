"""Notices to regulators and to the consumer reporting agencies: for each notice an
incident's laws require, a document with every field that regulator asks for, filled
from the stored incident or listed as a gap to complete before sending; written as PDF
and JSON under stable names, with their SHA-256.

Which notices, to whom, by when, where to send them and what each must say all come
from the rule files (``regulator_notices``, ``cra_notice``); regulator_fields.py fills
the items of their shared vocabulary.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import typst
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from breachdesk.db import utcnow
from breachdesk.delivery import service as delivery
from breachdesk.delivery.models import Campaign, CampaignState, MessageState, OutboxMessage, Wave
from breachdesk.incidents import service as incidents
from breachdesk.incidents.models import Incident
from breachdesk.inputs import InputError, NotFound
from breachdesk.notices import templates as notice_templates
from breachdesk.notices.render import TemplateFile
from breachdesk.people.models import AffectedPerson
from breachdesk.reports.regulator_fields import SAMPLE_ITEMS, Scope, fill
from breachdesk.reports.schemas import CRA, Deadline, NoticeDocument, SampleNotice
from breachdesk.rules.catalog import shipped_rules
from breachdesk.rules.deadlines import Due
from breachdesk.rules.engine import Assessment, JurisdictionAssessment, PeopleGroup, assess
from breachdesk.rules.facts import incident_facts
from breachdesk.rules.schema import ClockStart, CraNotice, RegulatorNotice, Timing
from breachdesk.rules.service import people_groups

LAYOUT = Path(__file__).parent / "templates" / "regulator-notice.typ"
CHECKSUMS = "SHA256SUMS"
DISCLAIMER = (
    "Prepared by breachdesk from breach-notification rules kept as data with their "
    "citations. It is not legal advice: have counsel confirm it before it is sent."
)
CRA_AGENCY = "Nationwide consumer reporting agencies"
CLOCK_WORDS = {
    ClockStart.DISCOVERY: "discovery",
    ClockStart.AWARENESS: "becoming aware of the breach",
    ClockStart.DETERMINATION: "the breach was determined",
    ClockStart.INDIVIDUAL_NOTICE: "the notices to individuals",
    ClockStart.CALENDAR_YEAR_END: "the end of the calendar year of discovery",
}
TIMING_WORDS = {
    Timing.BEFORE_INDIVIDUAL_NOTICE: "before the notices to individuals",
    Timing.WITH_INDIVIDUAL_NOTICE: "at the same time as the notices to individuals",
    Timing.AFTER_INDIVIDUAL_NOTICE: "after the notices to individuals",
    Timing.INDEPENDENT: "on its own deadline, whenever individuals are told",
}
# Timings whose deadline, without a number of its own, is the individual notice's.
TIED_TO_INDIVIDUAL = (Timing.WITH_INDIVIDUAL_NOTICE, Timing.BEFORE_INDIVIDUAL_NOTICE)


@dataclass
class Sources:
    """Everything the notices of one incident are filled from, read once."""

    incident: Incident
    assessment: Assessment
    groups: list[PeopleGroup]
    # The earliest individual notice sent, and the earliest still scheduled, by residence.
    first_sent: Mapping[str | None, datetime]
    planned: Mapping[str | None, datetime]
    has_campaign: bool
    remedy: dict[str, Any] | None  # the campaign's credit-monitoring offer
    template: TemplateFile | None  # the approved consumer notice template
    template_gap: str | None  # why there is none
    today: date
    # Consumer notices rendered so far, by (residence, elements): shared between notices.
    samples: dict[tuple[Any, ...], SampleNotice] = field(default_factory=dict)


@dataclass(frozen=True)
class OwedNotice:
    """One regulator or credit-bureau notice of a law that applies, required or not."""

    result: JurisdictionAssessment
    notice: str  # the rule file's id, or CRA
    agency: str
    block: RegulatorNotice | CraNotice
    counted: int
    required: bool
    due: Due | None

    @property
    def timing(self) -> Timing | None:
        return self.block.timing if isinstance(self.block, RegulatorNotice) else None

    @property
    def condition(self) -> str | None:
        return self.block.condition if isinstance(self.block, RegulatorNotice) else None

    @property
    def submit_to(self) -> str | None:
        return self.block.submit_to if isinstance(self.block, RegulatorNotice) else None

    @property
    def threshold(self) -> int:
        return self.block.threshold_residents

    @property
    def max_residents(self) -> int | None:
        return self.block.max_residents if isinstance(self.block, RegulatorNotice) else None

    def deadline(self) -> Deadline:
        rule_deadline = self.block.deadline
        clock = CLOCK_WORDS[rule_deadline.clock_starts]
        business = "business " if rule_deadline.business_days else ""
        if rule_deadline.hours is not None:
            measure = f"{rule_deadline.hours} hours after {clock}"
        elif rule_deadline.days is not None:
            measure = f"{rule_deadline.days} {business}days after {clock}"
        elif self.timing in TIED_TO_INDIVIDUAL:
            measure = TIMING_WORDS[self.timing]
            if self.due:  # the law's own deadline for individual notice
                measure += ", which are due by then"
        else:
            measure = None
        tied = (
            rule_deadline.clock_starts == ClockStart.INDIVIDUAL_NOTICE
            or self.timing in TIED_TO_INDIVIDUAL
        )
        return Deadline(
            day=self.due.day if self.due else None,
            at=self.due.instant if self.due else None,
            measure=measure,
            standard=rule_deadline.standard,
            # A law-enforcement delay moves the individual notice, and so this one.
            reasons=tuple(self.result.deadline_reasons) if tied else (),
        )


def owed_notices(assessment: Assessment) -> list[OwedNotice]:
    """Every regulator and credit-bureau notice of the laws that apply to the incident."""
    owed = []
    for result in assessment.jurisdictions.values():
        for decision in result.regulators:
            notice = decision.notice
            owed.append(
                OwedNotice(
                    result=result,
                    notice=notice.id,
                    agency=notice.agency,
                    block=notice,
                    counted=decision.counted,
                    required=decision.required,
                    due=decision.due,
                )
            )
        if result.rule.cra_notice is not None:
            owed.append(
                OwedNotice(
                    result=result,
                    notice=CRA,
                    agency=CRA_AGENCY,
                    block=result.rule.cra_notice,
                    counted=result.residents_owed_notice,
                    required=result.cra_notice_required,
                    due=result.cra_due,
                )
            )
    return owed


# What the notices are filled from


def gather(*, db_session: Session, incident_id: int, today: date | None = None) -> Sources:
    incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
    groups = people_groups(db_session=db_session, incident_id=incident_id)
    assessment = assess(shipped_rules(), incident_facts(incident), groups)
    first_sent, planned = _outbox_dates(db_session=db_session, incident_id=incident_id)
    campaigns = [
        campaign
        for campaign in delivery.list_campaigns(db_session=db_session, incident_id=incident_id)
        if campaign.state != CampaignState.CANCELLED
    ]
    initial = [campaign for campaign in campaigns if campaign.kind == "initial"]
    campaign = (initial or campaigns)[-1] if campaigns else None
    template, template_gap = None, None
    try:
        template = _consumer_template(db_session, incident, campaign)
    except InputError as error:
        template_gap = str(error)
    return Sources(
        incident=incident,
        assessment=assessment,
        groups=groups,
        first_sent=first_sent,
        planned=planned,
        has_campaign=campaign is not None,
        remedy=campaign.remedy if campaign else None,
        template=template,
        template_gap=template_gap,
        today=today or utcnow().date(),
    )


def _outbox_dates(
    *, db_session: Session, incident_id: int
) -> tuple[dict[str | None, datetime], dict[str | None, datetime]]:
    """By residence: when the first individual notice went, and when the first one
    still waiting is scheduled to go."""
    waiting = OutboxMessage.state.in_(
        [MessageState.QUEUED, MessageState.DEFERRED, MessageState.SENDING]
    )
    rows = db_session.execute(
        select(
            AffectedPerson.jurisdiction,
            func.min(OutboxMessage.sent_at),
            func.min(Wave.starts_at).filter(waiting),
        )
        .join(AffectedPerson, AffectedPerson.id == OutboxMessage.person_id)
        .join(Wave, Wave.id == OutboxMessage.wave_id)
        .where(AffectedPerson.incident_id == incident_id)
        .group_by(AffectedPerson.jurisdiction)
    )
    first_sent, planned = {}, {}
    for residence, sent, starts in rows:
        if sent is not None:
            first_sent[residence] = sent
        if starts is not None:
            planned[residence] = starts
    return first_sent, planned


def _consumer_template(
    db_session: Session, incident: Incident, campaign: Campaign | None
) -> TemplateFile:
    """What residents get: the campaign's English template (else its first language's),
    or without a campaign the organisation's latest approved initial template."""
    if campaign is not None and campaign.templates:
        language = "en" if "en" in campaign.templates else sorted(campaign.templates)[0]
        version = notice_templates.get_version(
            db_session=db_session, template_id=campaign.templates[language]
        )
        return notice_templates.template_file(version)
    template, version = notice_templates.template_to_use(
        db_session=db_session, organisation=incident.organisation, kind="initial", language="en"
    )
    if version is None:  # the shipped default, which is never sent unapproved
        raise InputError(
            "the organisation has no approved initial notice template: save one with "
            "`breachdesk notice template edit` and have it approved"
        )
    return template


# The documents


def notice_document(sources: Sources, owed: OwedNotice) -> NoticeDocument:
    scope = Scope(sources, owed)
    rule, block = scope.rule, owed.block
    deadline = owed.deadline()
    extra = []
    if owed.submit_to is None:
        extra.append("where to send it: the rule file names no address for this notice")
    if deadline.day is None and (block.deadline.days is not None or block.deadline.hours):
        extra.append(f"the deadline: {deadline.measure}, a date not known yet")
    notes = list(block.notes)
    exemption = owed.result.exemption
    if exemption is not None:
        notes.append(
            f"Exemption ({exemption.kind.value}): {exemption.condition}; this notice is "
            "still required."
        )
    incident, organisation = sources.incident, sources.incident.organisation
    sample = scope.sample if SAMPLE_ITEMS & set(block.required_content) else None
    return NoticeDocument(
        jurisdiction=rule.code,
        jurisdiction_name=rule.name,
        notice=owed.notice,
        agency=owed.agency,
        citation=block.citation,
        source=block.source,
        counted=owed.counted,
        deadline=deadline,
        timing=TIMING_WORDS[owed.timing] if owed.timing else None,
        submit_to=owed.submit_to,
        condition=owed.condition,
        rules_last_reviewed=rule.last_reviewed,
        incident=incident.id,
        fact_revision=incident.current_revision.number,
        organisation={
            "legal_name": organisation.legal_name,
            "address": ", ".join(organisation.support_postal_address.splitlines()),
        },
        fields=fill(scope, block.required_content),
        notes=tuple(notes),
        sample=sample if isinstance(sample, SampleNotice) else None,
        disclaimer=DISCLAIMER,
        extra_gaps=tuple(extra),
    )


def notice_documents(sources: Sources) -> list[NoticeDocument]:
    """A document for every notice the incident's laws require, in jurisdiction order."""
    return [
        notice_document(sources, owed) for owed in owed_notices(sources.assessment) if owed.required
    ]


def regulator_documents(
    *, db_session: Session, incident_id: int, today: date | None = None
) -> list[NoticeDocument]:
    return notice_documents(gather(db_session=db_session, incident_id=incident_id, today=today))


def regulator_document(
    *, db_session: Session, incident_id: int, jurisdiction: str, notice: str
) -> NoticeDocument:
    """The one required notice ``jurisdiction`` ``notice`` (``US-MA`` ``ag``), for a
    download; NotFound when the incident's laws do not require it."""
    sources = gather(db_session=db_session, incident_id=incident_id)
    for owed in owed_notices(sources.assessment):
        named = (owed.result.code, owed.notice) == (jurisdiction.upper(), notice.lower())
        if named and owed.required:
            return notice_document(sources, owed)
    raise NotFound(
        f"incident {incident_id} owes no notice {jurisdiction} {notice}: the regulators page "
        "lists the notices its laws require"
    )


# Writing them


@cache
def _compiler() -> typst.Compiler:
    return typst.Compiler(str(LAYOUT))


def _layout_data(document: NoticeDocument) -> dict[str, Any]:
    """What the typst layout sets, all as text (never read as markup)."""
    organisation = document.organisation
    rows = [
        ("To", document.agency),
        ("Jurisdiction", f"{document.jurisdiction_name} ({document.jurisdiction})"),
        ("From", f"{organisation['legal_name']}, {organisation['address']}"),
        ("Law", document.citation),
        ("Source", document.source),
        ("Deadline", document.deadline.text),
        *(("Deadline moved", reason) for reason in document.deadline.reasons),
        ("Timing", document.timing),
        ("Submit to", document.submit_to),
        ("Condition", document.condition),
        ("Residents counted", f"{document.counted:,}"),
        ("Incident", f"{document.incident}, fact revision {document.fact_revision}"),
        ("Rule file reviewed", document.rules_last_reviewed.isoformat()),
    ]
    sample = document.sample
    return {
        "title": f"Notice of a data breach to: {document.agency}",
        "rows": [[label, value] for label, value in rows if value],
        "fields": [
            {"label": item.label, "value": item.value, "gap": item.gap} for item in document.fields
        ],
        "gaps": document.gaps,
        "notes": list(document.notes),
        "disclaimer": document.disclaimer,
        "footer": f"{document.name}, incident {document.incident}, "
        f"fact revision {document.fact_revision}",
        "sample": None
        if sample is None
        else {
            "title": sample.title,
            "caption": "Copy of the notice to individuals, as a resident of "
            f"{sample.residence or 'no known place'} gets it (a sample name and reference "
            f"in place of theirs; template version {sample.template_version})",
            "parts": [
                {"heading": heading, "paragraphs": [text.splitlines() for text in paragraphs]}
                for heading, paragraphs in sample.parts
            ],
        },
    }


def render_pdf(document: NoticeDocument) -> bytes:
    """The notice as a PDF; the same document gives the same bytes."""
    return _compiler().compile(sys_inputs={"notice": json.dumps(_layout_data(document))})


def render_json(document: NoticeDocument) -> bytes:
    return (json.dumps(document.as_json(), indent=2, ensure_ascii=False) + "\n").encode()


@dataclass(frozen=True)
class WrittenFile:
    name: str
    sha256: str
    gaps: int


def write_documents(documents: list[NoticeDocument], out: Path) -> list[WrittenFile]:
    """Each document as ``<code>-<notice>.pdf`` and ``.json`` in ``out``, and a
    ``SHA256SUMS`` file listing them (``sha256sum -c SHA256SUMS`` checks the files)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"--out: cannot create {out}: {error.strerror}") from error
    written = []
    for document in documents:
        for suffix, content in (("pdf", render_pdf(document)), ("json", render_json(document))):
            name = f"{document.name}.{suffix}"
            (out / name).write_bytes(content)
            digest = hashlib.sha256(content).hexdigest()
            written.append(WrittenFile(name, digest, len(document.gaps)))
    sums = "".join(f"{file.sha256}  {file.name}\n" for file in written)
    (out / CHECKSUMS).write_text(sums, encoding="utf-8")
    return written
