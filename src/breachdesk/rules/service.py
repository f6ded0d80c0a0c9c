"""Assessing a stored incident: its facts, and its people counted by residence and elements."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from breachdesk.audit import service as audit
from breachdesk.incidents import service as incidents
from breachdesk.people import references
from breachdesk.people.models import AffectedPerson
from breachdesk.people.records import element_set
from breachdesk.people.service import find_person
from breachdesk.rules.catalog import shipped_rules
from breachdesk.rules.engine import Assessment, PeopleGroup, assess, covers, decide
from breachdesk.rules.events import PersonAssessmentExplained
from breachdesk.rules.facts import incident_facts


def people_groups(*, db_session: Session, incident_id: int) -> list[PeopleGroup]:
    """The incident's people counted by residence and exposed elements."""
    person = AffectedPerson
    rows = db_session.execute(
        select(person.jurisdiction, person.elements, func.count())
        .where(person.incident_id == incident_id)
        .group_by(person.jurisdiction, person.elements)
    )
    return [PeopleGroup(residence, element_set(bits), count) for residence, bits, count in rows]


_REUSED = "breachdesk.reused_assessments"  # the db_session.info key of the block below


@contextmanager
def assessments_reused(db_session: Session) -> Iterator[None]:
    """Within the block, `assess_incident` assesses each incident once for this session and
    gives every later caller the same result. For a page that only reads and whose parts
    each need the assessment (the dashboard's panels, the scorecard): counting the people
    by residence and elements is a scan of the incident's people, so doing it once per
    part made the page several times slower. Only for blocks that change nothing an
    assessment depends on (facts, people), and whose callers do not modify the result."""
    db_session.info[_REUSED] = {}
    try:
        yield
    finally:
        db_session.info.pop(_REUSED, None)


def assess_incident(
    *, db_session: Session, incident_id: int, no_harm_determinations: Iterable[str] = ()
) -> Assessment:
    determinations = tuple(sorted(no_harm_determinations))
    reused = db_session.info.get(_REUSED)
    if reused is not None and (incident_id, determinations) in reused:
        return reused[incident_id, determinations]
    incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
    facts = incident_facts(incident, determinations)
    groups = people_groups(db_session=db_session, incident_id=incident_id)
    assessment = assess(shipped_rules(), facts, groups)
    if reused is not None:
        reused[incident_id, determinations] = assessment
    return assessment


def explain_person(
    *,
    db_session: Session,
    reference: str,
    actor: str,
    incident_id: int | None = None,
    no_harm_determinations: Iterable[str] = (),
) -> dict[str, Any]:
    """Every law's decision for one person, with its reasons; the look-up is audited."""
    person = find_person(db_session=db_session, reference=reference, incident_id=incident_id)
    incident = incidents.get_incident(db_session=db_session, incident_id=person.incident_id)
    facts = incident_facts(incident, no_harm_determinations)
    elements = element_set(person.elements)
    decisions = [
        decide(rule, facts, person.jurisdiction, elements).as_dict()
        for rule in shipped_rules().values()
        if covers(rule, facts, person.jurisdiction)
    ]
    display = references.display(person.reference)
    audit.record(
        db_session=db_session,
        event=PersonAssessmentExplained(incident=incident.id, reference=display),
        actor=actor,
    )
    return {
        "reference": display,
        "incident": incident.id,
        "residence": person.jurisdiction,
        "elements": sorted(e.value for e in (elements or facts.elements)),
        "decisions": decisions,
    }
