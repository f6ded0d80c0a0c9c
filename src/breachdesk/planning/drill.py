"""Drills: a full synthetic breach run through a copy of the configuration, timed, with
the gaps it finds and the scorecard it earns.

The copy lives in a fresh data dir with its own SQLite file and its own keys (see
drill_copy.py for what is copied); the configured database is only read, and no email
leaves the machine: notices go to the data dir's mail capture. The steps are the ones a
real response takes, through the same services: create the incident, import people,
assess, lint the notices for every residence, plan the waves against the contact centre,
send a wave, answer questions at the desk, prepare the regulator notices, and grade the
result.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from breachdesk.audit import service as audit
from breachdesk.config import Settings
from breachdesk.db import Database
from breachdesk.demo import prepare_data_dir
from breachdesk.desk.service import ServiceLevels
from breachdesk.inputs import InputError
from breachdesk.planning import drill_scenarios as scenarios
from breachdesk.planning.drill_copy import read_source
from breachdesk.planning.drill_desk import run_desk
from breachdesk.planning.drill_send import lint_notices, plan_waves, send_notices
from breachdesk.planning.drill_steps import (
    Drill,
    Gap,
    assess,
    copy_configuration,
    create_incident,
    import_people,
)
from breachdesk.reports.regulators import regulator_documents
from breachdesk.reports.scorecard import Scorecard, build_scorecard
from breachdesk.reports.scorecard_grades import POOR_GRADES
from breachdesk.security.crypto import load_keyring

DRILL_PEOPLE = 2_000
DRILL_DATA_DIR = Path("breachdesk-drill")
# What to do about a dimension the drill's scorecard grades D or F.
DIMENSION_FIXES = {
    "scope_clarity": "establish the full scope before the first disclosure, and send a "
    "supplemental notice (`breachdesk campaign plan-supplemental`) to everyone an "
    "expansion affects",
    "timeliness": "start notices as soon as the assessment allows, and pace waves to meet "
    "the earliest deadline (`breachdesk plan check`)",
    "reassurance": "name every exposed element, say how each was protected, and write at "
    "grade 8 or below (`breachdesk lint`)",
    "trustworthy_communications": "send from and link only to the organisation's main "
    "domain, sign with DKIM, and lint every customer-facing text",
    "remedies": "offer at least the monitoring the law requires, after the scope is final, "
    "with codes for everyone, and tell people how to claim back fraudulent charges",
    "responsiveness": "staff the desk to answer within the service level (`breachdesk plan "
    "check`), and answer from the approved library",
    "executive_voice": "apologise in every notice, sign it as the executive, and publish "
    "the executive statement",
}


@dataclass(frozen=True)
class Step:
    name: str
    seconds: float
    detail: str
    rates: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "seconds": round(self.seconds, 3),
            "detail": self.detail,
            "rates": self.rates,
        }


@dataclass
class DrillReport:
    scenario: str
    data_dir: Path
    source: str
    organisation: str
    people: int
    steps: list[Step] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    sabotage: list[str] = field(default_factory=list)
    incident: int | None = None
    scorecard: Scorecard | None = None
    audit_events: int = 0
    audit_intact: bool = False

    @property
    def seconds(self) -> float:
        return sum(step.seconds for step in self.steps)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "data_dir": str(self.data_dir),
            "source": self.source,
            "organisation": self.organisation,
            "people": self.people,
            "incident": self.incident,
            "seconds": round(self.seconds, 3),
            "steps": [step.as_dict() for step in self.steps],
            "sabotage": self.sabotage,
            "gaps": [gap.as_dict() for gap in self.gaps],
            "scorecard": self.scorecard.as_dict() if self.scorecard else None,
            "audit": {"events": self.audit_events, "intact": self.audit_intact},
        }


def drill_settings(settings: Settings, data_dir: Path) -> Settings:
    """The configuration with everything that reaches outside the drill taken away: its
    own data dir and SQLite file, keys made there, mail to the local capture only."""
    return settings.model_copy(
        update={
            "data_dir": data_dir,
            "database_url": None,
            "data_key": None,
            "index_key": None,
            "retired_data_keys": None,
            "smtp_url": None,
            "ses_region": None,
            "ses_access_key_id": None,
            "ses_secret_access_key": None,
            "ses_session_token": None,
            "dkim_selector": None,
            "dkim_private_key": None,
            "inbound_maildir": None,
            "inbound_imap_url": None,
            "portal_incident": None,
        }
    )


def run_drill(
    *,
    settings: Settings,
    scenario: str,
    people: int,
    data_dir: Path,
    organisation: str | None = None,
    on_step: Callable[[Step], None] | None = None,
) -> DrillReport:
    """Run the scenario on a copy of the configuration ``settings`` describe, in a fresh
    ``data_dir``; never writes to the configured database."""
    if scenario not in scenarios.SCENARIOS:
        raise InputError(f"--scenario: {scenario!r} is not one of {', '.join(scenarios.SCENARIOS)}")
    if people < 1:
        raise InputError("--people: a drill needs at least 1 person")
    source = read_source(settings, organisation)
    prepare_data_dir(data_dir, "drill")
    own = drill_settings(settings, data_dir)
    database = Database.from_settings(own)
    database.ensure_schema()
    drill = Drill(
        scenario=scenario,
        settings=own,
        database=database,
        keyring=load_keyring(own),
        source=source,
        people=people,
        dkim_selector=settings.dkim_selector if settings.dkim_private_key else None,
    )
    report = DrillReport(scenario, data_dir, source.described, source.organisation.slug, people)

    def timed(name: str, work: Callable[[Drill], tuple[str, dict[str, float]]]) -> None:
        started = time.perf_counter()
        detail, rates = work(drill)
        step = Step(name, time.perf_counter() - started, detail, rates)
        report.steps.append(step)
        if on_step is not None:
            on_step(step)

    try:
        timed("copy", copy_configuration)
        timed("incident", create_incident)
        timed("import", import_people)
        timed("assess", assess)
        timed("lint", lint_notices)
        timed("plan", plan_waves)
        timed("send", send_notices)
        timed("desk", run_desk)
        timed("regulators", _regulator_notices)
        timed("scorecard", lambda drill: _grade(drill, report))
        with database.session() as db_session:
            verified = audit.verify(db_session=db_session)
        report.audit_events, report.audit_intact = verified.events_checked, verified.intact
    finally:
        database.dispose()
    report.incident = drill.incident_id
    report.gaps, report.sabotage = drill.gaps, drill.sabotage
    return report


def _regulator_notices(drill: Drill) -> tuple[str, dict[str, float]]:
    with drill.database.session() as db_session:
        documents = regulator_documents(
            db_session=db_session, incident_id=drill.incident_id, today=drill.now.date()
        )
    gaps = [(document.name, gap) for document in documents for gap in document.gaps]
    for name, gap in gaps:
        drill.gap(
            "regulators",
            f"{name}: {gap}",
            "complete it before filing: `breachdesk report regulators --incident ID --out DIR`",
        )
    return f"{len(documents)} regulator and credit-bureau notices prepared", {}


def _grade(drill: Drill, report: DrillReport) -> tuple[str, dict[str, float]]:
    with drill.database.session() as db_session:
        card = build_scorecard(
            db_session=db_session,
            incident_id=drill.incident_id,
            service_levels=ServiceLevels.from_settings(drill.settings),
            dkim_signed=drill.dkim is not None,
        )
    report.scorecard = card
    for dimension in card.dimensions:
        if dimension.grade in POOR_GRADES:
            worst = next(m for m in dimension.measures if m.grade == dimension.grade)
            drill.gap(
                "scorecard",
                f"{dimension.title} graded {dimension.grade}: {worst.sentence}",
                DIMENSION_FIXES[dimension.name],
            )
    grades = ", ".join(f"{d.name.replace('_', ' ')} {d.grade or '-'}" for d in card.dimensions)
    return f"overall {card.overall.grade or '-'}: {grades}", {}
