"""The response scorecard: the press's grading of a breach response, made computable.

Target's 2013 response was graded by the press on what it told and when: the scope told
in instalments, late notice, emails from a marketing vendor's domain that looked like
phishing, offers and call centres that could not keep up. The scorecard grades a stored
incident the same way, A to F, in seven dimensions, each from the figures breachdesk
holds and against the thresholds documented in docs/reports.md (the named constants in
scorecard_*.py). Every grade comes with its figures and a sentence a journalist or
counsel could read; a dimension that cannot be measured yet says why and is not graded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from breachdesk.config import Settings
from breachdesk.db import utcnow
from breachdesk.desk.service import ServiceLevels
from breachdesk.incidents import service as incidents
from breachdesk.incidents.models import Incident
from breachdesk.reports.scorecard_desk import remedies, responsiveness
from breachdesk.reports.scorecard_facts import scope_clarity, timeliness
from breachdesk.reports.scorecard_grades import Dimension, Overall, overall
from breachdesk.reports.scorecard_notices import (
    answers_in_use,
    executive_voice,
    reassurance,
    sent_notices,
)
from breachdesk.reports.scorecard_trust import trustworthy_communications
from breachdesk.rules.service import assess_incident

DISCLAIMER = (
    "A grading of the response's communication, computed from what breachdesk holds; "
    "not legal advice."
)


@dataclass(frozen=True)
class Scorecard:
    incident: Incident
    generated_at: datetime
    dimensions: list[Dimension]
    overall: Overall

    def dimension(self, name: str) -> Dimension:
        return next(dimension for dimension in self.dimensions if dimension.name == name)

    def as_dict(self) -> dict[str, Any]:
        incident = self.incident
        return {
            "incident": {
                "id": incident.id,
                "title": incident.title,
                "organisation": incident.organisation.slug,
                "discovered_at": incident.discovered_at.isoformat(),
                "current_revision": incident.current_revision.number,
            },
            "generated_at": self.generated_at.isoformat(),
            "dimensions": [dimension.as_dict() for dimension in self.dimensions],
            "overall": self.overall.as_dict(),
            "note": DISCLAIMER,
        }


def dkim_signing(settings: Settings) -> bool:
    """Whether the settings sign every notice email (a selector and a key, both)."""
    return settings.dkim_selector is not None and settings.dkim_private_key is not None


def build_scorecard(
    *,
    db_session: Session,
    incident_id: int,
    service_levels: ServiceLevels,
    dkim_signed: bool,
    now: datetime | None = None,
) -> Scorecard:
    """Grade the incident's response as it stands at ``now`` (default: the present)."""
    now = now or utcnow()
    incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
    assessment = assess_incident(db_session=db_session, incident_id=incident_id)
    notices = sent_notices(db_session=db_session, incident=incident, today=now.date())
    in_use = answers_in_use(db_session=db_session, incident=incident)
    dimensions = [
        scope_clarity(db_session=db_session, incident=incident),
        timeliness(db_session=db_session, incident=incident, assessment=assessment, now=now),
        reassurance(incident=incident, notices=notices),
        trustworthy_communications(
            incident=incident, notices=notices, in_use=in_use, dkim_signed=dkim_signed
        ),
        remedies(db_session=db_session, incident=incident, assessment=assessment, notices=notices),
        responsiveness(db_session=db_session, incident=incident, levels=service_levels, now=now),
        executive_voice(db_session=db_session, incident=incident, notices=notices),
    ]
    return Scorecard(incident, now, dimensions, overall(dimensions))
