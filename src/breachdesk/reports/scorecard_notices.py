"""Scorecard dimensions read from what people were actually sent: reassurance (the
exposed elements explained, encryption stated, readability) and executive voice (an
apology, a named signatory, a published statement); trustworthy communications, read
from the same notices, is in scorecard_trust.py.

The notices are the template versions the incident's campaigns sent, rendered again for
each residence and set of elements they went to (with the incident's current facts),
and linted as the email's HTML; the approved answers in use at the desk are linted for
trust too (scorecard_trust.py), since they reach customers as replies and on the portal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from breachdesk.delivery.models import MessageState, OutboxMessage
from breachdesk.delivery.service import campaign_templates, get_campaign
from breachdesk.desk import answers
from breachdesk.desk.answers import STATEMENT_KEY
from breachdesk.desk.models import AnswerPurpose, ApprovedAnswer
from breachdesk.incidents.models import DataElement, Incident
from breachdesk.notices.context import NoticeBatch
from breachdesk.notices.documents import Document, document_from_html, document_from_text
from breachdesk.notices.extract import extract
from breachdesk.notices.findings import Finding, LintContext
from breachdesk.notices.lint import LintResult, lint
from breachdesk.notices.lint_content import ELEMENT_WORDS
from breachdesk.notices.lint_reader import trust_rules
from breachdesk.notices.readability import readability
from breachdesk.notices.render import RenderedNotice
from breachdesk.notices.templates import template_file
from breachdesk.people.models import AffectedPerson
from breachdesk.people.records import bits_to_elements
from breachdesk.reports.scorecard_grades import Dimension, Measure, at_most

# Flesch-Kincaid grade of the hardest English notice: at most this, this grade; more, F.
READING_GRADE_BANDS = ((8, "A"), (10, "B"), (12, "C"), (14, "D"))
# A notice that leaves an exposed element out, or does not say that an encrypted one was
# encrypted (or that its key was taken), misleads its reader.
ELEMENT_MISSING_GRADE = "D"
PROTECTION_UNSTATED_GRADE = "D"
# No apology, no named signatory, no published statement: "no one in charge".
NO_APOLOGY_GRADE = "D"
NO_SIGNATORY_GRADE = "D"
NO_STATEMENT_GRADE = "D"
SAMPLE_REFERENCE = "XXXX-XXXX-XXXX"


@dataclass(frozen=True)
class SentNotice:
    """One notice as sent to a group of people sharing a residence and elements."""

    campaign_id: int
    template_id: int
    label: str  # "initial.en v1"
    residence: str | None
    elements: frozenset[DataElement]
    people: int
    rendered: RenderedNotice
    protection_words: dict[str, str]
    document: Document
    result: LintResult

    @property
    def where(self) -> str:
        return f"the {self.label} notice to {self.residence or 'people of unknown residence'}"

    def findings(self, prefix: str) -> list[Finding]:
        return [finding for finding in self.result.findings if finding.rule.startswith(prefix)]


@dataclass(frozen=True)
class AnswerInUse:
    answer: ApprovedAnswer
    findings: list[Finding]

    @property
    def where(self) -> str:
        return f'the approved answer "{self.answer.key}" ({self.answer.language})'


def sent_notices(*, db_session: Session, incident: Incident, today: date) -> list[SentNotice]:
    """The notices the incident's campaigns sent, one a residence and template version,
    rendered again and linted."""
    person_columns = AffectedPerson
    rows = db_session.execute(
        select(
            OutboxMessage.campaign_id,
            OutboxMessage.template_version,
            person_columns.jurisdiction,
            OutboxMessage.elements,
            func.count(),
        )
        .join(person_columns, person_columns.id == OutboxMessage.person_id)
        .where(person_columns.incident_id == incident.id, OutboxMessage.state == MessageState.SENT)
        .group_by(
            OutboxMessage.campaign_id,
            OutboxMessage.template_version,
            person_columns.jurisdiction,
            OutboxMessage.elements,
        )
        .order_by(OutboxMessage.campaign_id, person_columns.jurisdiction)
    ).all()
    # One notice a residence and template version: the one sent to the group there with
    # the most exposed elements (then the most people), counted for everyone there.
    groups: dict[tuple[int, str | None, str | None], list[tuple[int | None, int]]] = {}
    for campaign_id, version_hash, residence, bits, people in rows:
        groups.setdefault((campaign_id, version_hash, residence), []).append((bits, people))
    organisation = incident.organisation
    owned = (*organisation.owned_domains, *organisation.sending_domains)
    facts = incident.current_revision.element_names
    batches: dict[tuple[int, int], NoticeBatch] = {}
    found = []
    for (campaign_id, version_hash, residence), sent in groups.items():
        bits, _most = max(sent, key=lambda group: (_width(group[0]), group[1]))
        people = sum(count for _bits, count in sent)
        campaign = get_campaign(db_session=db_session, campaign_id=campaign_id)
        versions = campaign_templates(db_session=db_session, campaign=campaign).values()
        version = next((v for v in versions if v.content_hash == version_hash), None)
        if version is None:
            continue  # sent before notices recorded their template version
        template = template_file(version)
        if (campaign_id, version.id) not in batches:
            batches[(campaign_id, version.id)] = NoticeBatch(
                template=template,
                organisation=organisation,
                incident=incident,
                today=today,
                remedy=campaign.remedy,
            )
        names = bits_to_elements(bits) if bits is not None else facts
        rendered = batches[(campaign_id, version.id)].render(
            {"jurisdiction": residence, "elements": names, "reference": SAMPLE_REFERENCE}
        )
        elements = frozenset(DataElement(name) for name in names)
        document = document_from_html(rendered.html)
        context = LintContext(
            owned_domains=owned,
            facts_elements=elements,
            signatory=organisation.signatory_name,
            language=template.language,
        )
        found.append(
            SentNotice(
                campaign_id=campaign_id,
                template_id=version.id,
                label=f"{version.kind}.{version.language} v{version.version}",
                residence=residence,
                elements=elements,
                people=people,
                rendered=rendered,
                protection_words=template.protection,
                document=document,
                result=lint(document, context),
            )
        )
    return found


def _width(bits: int | None) -> int:
    """How many elements a notice listed (None: the incident's facts, taken as widest)."""
    return 64 if bits is None else bin(bits).count("1")


def answers_in_use(*, db_session: Session, incident: Incident) -> list[AnswerInUse]:
    """The latest approved version of each library entry, with its trust findings."""
    organisation = incident.organisation
    owned = (*organisation.owned_domains, *organisation.sending_domains)
    in_use = []
    for purpose in AnswerPurpose:
        for answer in answers.approved_answers(
            db_session=db_session, incident_id=incident.id, purpose=purpose
        ):
            document = document_from_text(answer.answer)
            context = LintContext(owned_domains=owned, language=answer.language)
            findings = list(trust_rules(document, extract(document), context))
            in_use.append(AnswerInUse(answer, findings))
    return in_use


def _people(notices: Iterable[SentNotice]) -> int:
    return sum(notice.people for notice in notices)


def listed(items: list[str], limit: int = 3) -> str:
    unique = list(dict.fromkeys(items))
    shown = "; ".join(unique[:limit])
    return shown + (f"; and {len(unique) - limit} more" if len(unique) > limit else "")


NOTHING_SENT = "no notice has been sent yet, so there is nothing people read to judge."


def reassurance(*, incident: Incident, notices: list[SentNotice]) -> Dimension:
    revision = incident.current_revision
    held = {
        item["element"]: "key_taken" if item.get("key_compromised") else item["protection"]
        for item in revision.elements
    }
    protected = {element: state for element, state in held.items() if state != "clear"}
    missing = [notice for notice in notices if notice.findings("facts.element-missing")]
    unstated = [
        (notice, element)
        for notice in notices
        for element, state in protected.items()
        if DataElement(element) in notice.elements
        and _plain(notice.protection_words[state]) not in _plain(notice.rendered.text)
    ]
    english = [notice for notice in notices if notice.rendered.language == "en"]
    grades = {id(notice): _reading_grade(notice.document) for notice in english}
    hardest = max(english, key=lambda notice: grades[id(notice)], default=None)
    figures = {
        "notices_checked": len(notices),
        "people_told": _people(notices),
        "elements_exposed": revision.element_names,
        "notices_missing_an_element": len(missing),
        "people_with_an_element_missing": _people(missing),
        "protected_elements": protected,
        "notices_not_stating_protection": len({id(notice) for notice, _ in unstated}),
        "hardest_reading_grade": grades[id(hardest)] if hardest else None,
        "hardest_reading_notice": hardest.where if hardest else None,
    }
    if not notices:
        return Dimension("reassurance", "Reassurance", figures, not_gradable=NOTHING_SENT)
    measures = []
    if missing:
        measures.append(
            Measure(
                "elements_explained",
                ELEMENT_MISSING_GRADE,
                f"{len(missing)} of {len(notices)} notices ({_people(missing):,} people) "
                f"leave an exposed element out: "
                + listed(
                    [
                        f"{n.where}: {n.findings('facts.element-missing')[0].message}"
                        for n in missing
                    ]
                ),
            )
        )
    else:
        measures.append(
            Measure(
                "elements_explained",
                "A",
                f"Every notice sent ({len(notices)} checked, {_people(notices):,} people) names "
                f"each exposed element in plain words ({_words(revision.element_names)}).",
            )
        )
    if protected:
        words = ", ".join(
            f"{_words([element])} ({state.replace('_', ' ')})"
            for element, state in protected.items()
        )
        if unstated:
            measures.append(
                Measure(
                    "protection_stated",
                    PROTECTION_UNSTATED_GRADE,
                    f"{figures['notices_not_stating_protection']} notices do not say how "
                    f"{words} was protected: "
                    + listed([f"{notice.where} ({element})" for notice, element in unstated]),
                )
            )
        else:
            measures.append(
                Measure(
                    "protection_stated",
                    "A",
                    f"Every notice says how the protected elements were held: {words}.",
                )
            )
    if hardest is not None:
        grade = grades[id(hardest)]
        measures.append(
            Measure(
                "readability",
                at_most(grade, READING_GRADE_BANDS),
                f"The hardest English notice ({hardest.where}) reads at US school grade "
                f"{grade:g} (Flesch-Kincaid; {READING_GRADE_BANDS[0][0]} or below is plain).",
            )
        )
    return Dimension("reassurance", "Reassurance", figures, tuple(measures))


def _words(elements: Iterable[str]) -> str:
    return ", ".join(ELEMENT_WORDS[DataElement(element)] for element in elements)


def _plain(text: str) -> str:
    return " ".join(text.split()).lower()


def _reading_grade(document: Document) -> float:
    prose = "\n".join(block.text for block in document.blocks if block.kind != "heading")
    return readability(prose).grade


def executive_voice(
    *, db_session: Session, incident: Incident, notices: list[SentNotice]
) -> Dimension:
    organisation = incident.organisation
    signatory = f"{organisation.signatory_name}, {organisation.signatory_title}"
    unapologetic = [notice for notice in notices if notice.findings("tone.apology")]
    unsigned = [notice for notice in notices if notice.findings("tone.signatory")]
    statements = [
        answer
        for answer in answers.approved_answers(db_session=db_session, incident_id=incident.id)
        if answer.key == STATEMENT_KEY and answer.public
    ]
    figures = {
        "notices_checked": len(notices),
        "notices_without_apology": len(unapologetic),
        "notices_without_signatory": len(unsigned),
        "signatory": signatory,
        "statement_published": bool(statements),
        "statement_languages": sorted(answer.language for answer in statements),
    }
    if not notices:
        return Dimension("executive_voice", "Executive voice", figures, not_gradable=NOTHING_SENT)
    measures = [
        Measure(
            "apology",
            NO_APOLOGY_GRADE if unapologetic else "A",
            f"{len(unapologetic)} of {len(notices)} notices do not apologise: "
            + listed([notice.where for notice in unapologetic])
            + "."
            if unapologetic
            else f"Every notice apologises ({len(notices)} checked).",
        ),
        Measure(
            "signatory",
            NO_SIGNATORY_GRADE if unsigned else "A",
            f"{len(unsigned)} notices are not signed by {signatory}: "
            + listed([notice.where for notice in unsigned])
            + "."
            if unsigned
            else f"Every notice is signed by a named executive, {signatory}.",
        ),
        Measure(
            "statement",
            "A" if statements else NO_STATEMENT_GRADE,
            "An executive statement is published on the notice page ("
            + ", ".join(figures["statement_languages"])
            + ")."
            if statements
            else f"No executive statement is published: the portal shows the approved answer "
            f'"{STATEMENT_KEY}", and there is none.',
        ),
    ]
    return Dimension("executive_voice", "Executive voice", figures, tuple(measures))
