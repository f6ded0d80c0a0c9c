"""The steps of a drill, each through the same services a real response uses, in the
drill's own database: each returns what it did and its rates, and notes the gaps it
finds (with a fix) and, in the troubled drill, what it deliberately did wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from breachdesk.config import Settings
from breachdesk.db import Database, utcnow
from breachdesk.delivery import service as delivery
from breachdesk.demo import create_staff, import_synthetic_people
from breachdesk.incidents import service as incidents
from breachdesk.incidents.models import Disclosure
from breachdesk.notices.mime import DkimKey
from breachdesk.planning import drill_scenarios as scenarios
from breachdesk.planning.drill_copy import Source, approve_templates, approvers
from breachdesk.reports.scorecard_desk import MONITORING_EXPECTED_MONTHS
from breachdesk.rules.engine import Assessment
from breachdesk.rules.service import assess_incident
from breachdesk.security.crypto import Keyring

ACTOR = "drill"


@dataclass(frozen=True)
class Gap:
    area: str
    gap: str
    fix: str

    def as_dict(self) -> dict[str, str]:
        return {"area": self.area, "gap": self.gap, "fix": self.fix}


@dataclass
class Drill:
    """What the steps share while a drill runs."""

    scenario: str
    settings: Settings  # the drill's own: its data dir, its SQLite file, its keys
    database: Database
    keyring: Keyring
    source: Source
    people: int
    dkim_selector: str | None  # the configured one: the drill signs with a key of its own
    now: datetime = field(default_factory=lambda: utcnow().replace(microsecond=0))
    gaps: list[Gap] = field(default_factory=list)
    sabotage: list[str] = field(default_factory=list)
    incident_id: int | None = None
    assessment: Assessment | None = None
    offer: delivery.MonitoringOffer | None = None
    dkim: DkimKey | None = None

    @property
    def troubled(self) -> bool:
        return self.scenario == scenarios.TROUBLED

    @property
    def main_domain(self) -> str:
        return self.source.organisation.domains.owned[0]

    def gap(self, area: str, gap: str, fix: str) -> None:
        self.gaps.append(Gap(area, gap, fix))


# The steps: each returns what it did and its rates.


def copy_configuration(drill: Drill) -> tuple[str, dict[str, float]]:
    source = drill.source
    if source.missing is not None:
        drill.gap(
            "organisation",
            f"{source.missing}: the drill used the demo's organisation",
            "create yours: `breachdesk org create --from org.yaml` (docs/formats.md)",
        )
    organisation_in = scenarios.organisation_in(drill.scenario, source.organisation)
    with drill.database.session() as db_session:
        organisation = incidents.create_organisation(
            db_session=db_session, organisation_in=organisation_in, actor=ACTOR
        )
        staff = create_staff(db_session, domain=drill.main_domain)
        refused = approve_templates(
            db_session=db_session,
            organisation=organisation,
            copied=source.templates,
            signers=approvers(db_session, drill.main_domain),
            actor=ACTOR,
        )
    for template, why in refused:
        drill.gap(
            "notices",
            f"the approved {template.kind}.{template.language} template would not be "
            f"approved today: {why}",
            "edit it (`breachdesk notice template edit`) and have both approvers sign off",
        )
    if drill.troubled:
        vendor = scenarios.vendor_domain(source.organisation)
        drill.sabotage.append(
            f"a vendor's sending domain: notices go out from notice@{vendor}, a marketing "
            "vendor's domain the organisation declared its own (Target's came from one)"
        )
    copied = len(source.templates) - len(refused)
    return (
        f"organisation {organisation_in.slug}, {len(staff)} staff accounts, {copied} of "
        f"{len(source.templates)} approved templates signed off again",
        {},
    )


def create_incident(drill: Drill) -> tuple[str, dict[str, float]]:
    slug = drill.source.organisation.slug
    with drill.database.session() as db_session:
        incident = incidents.create_incident(
            db_session=db_session,
            incident_in=scenarios.incident_in(drill.scenario, slug, drill.now),
            actor=ACTOR,
        )
        incidents.disclose(
            db_session=db_session,
            incident=incident,
            disclosure=Disclosure.PUBLIC_STATEMENT,
            actor=ACTOR,
        )
        drill.incident_id = incident.id
    for facts_in, reason in scenarios.revisions(drill.scenario, drill.now):
        with drill.database.session() as db_session:
            incident = incidents.get_incident(db_session=db_session, incident_id=incident.id)
            incidents.revise_facts(
                db_session=db_session,
                incident=incident,
                facts_in=facts_in,
                reason=reason,
                actor=ACTOR,
            )
            if drill.troubled:  # each instalment told in a statement before the next
                incidents.disclose(
                    db_session=db_session,
                    incident=incident,
                    disclosure=Disclosure.PUBLIC_STATEMENT,
                    actor=ACTOR,
                )
    with drill.database.session() as db_session:
        incident = incidents.get_incident(db_session=db_session, incident_id=drill.incident_id)
        current = incident.current_revision
        expansions = sum(1 for r in incident.revisions if r.expands_revision)
        discovered = incident.discovered_at
    if drill.troubled:
        drill.sabotage.append(
            f"the scope told in instalments: {expansions} revisions each widening the "
            "disclosed facts, each announced in a public statement"
        )
        drill.sabotage.append(
            f"late notices: the breach was discovered on {discovered.date().isoformat()}, "
            f"{(drill.now - discovered).days} days before the first notice goes out"
        )
    return (
        f"incident {drill.incident_id}, revision {current.number} ({current.people_affected:,} "
        f"people in the facts), {expansions} scope expansion"
        f"{'' if expansions == 1 else 's'} after disclosure",
        {},
    )


def import_people(drill: Drill) -> tuple[str, dict[str, float]]:
    synth, summary = import_synthetic_people(
        drill.settings, drill.database, drill.incident_id, drill.people, "drill-people.csv"
    )
    rate = synth.rows_written / summary.seconds if summary.seconds else 0.0
    return (
        f"{synth.rows_written:,} rows: {summary.people_created:,} people, "
        f"{summary.rows_merged:,} duplicates merged, {summary.rows_quarantined:,} "
        f"quarantined; counts {'reconcile' if summary.reconciles else 'DO NOT RECONCILE'}",
        {"rows_per_second": round(rate, 1)},
    )


def assess(drill: Drill) -> tuple[str, dict[str, float]]:
    with drill.database.session() as db_session:
        assessment = assess_incident(db_session=db_session, incident_id=drill.incident_id)
    drill.assessment = assessment
    owing = [r for r in assessment.jurisdictions.values() if r.residents_owed_notice]
    required = [r.credit_monitoring_months for r in owing if r.credit_monitoring_months]
    months = max(required, default=MONITORING_EXPECTED_MONTHS)
    drill.offer = delivery.MonitoringOffer(
        months=months, url=f"https://{drill.main_domain}/protect"
    )
    if assessment.residences_without_rules:
        where = ", ".join(
            f"{code} ({count})"
            for code, count in sorted(assessment.residences_without_rules.items())
        )
        drill.gap(
            "rules",
            f"people live where breachdesk has no rules: {where}",
            "check those residences in the list, and have counsel advise on those laws "
            "(rules live in src/breachdesk/rules/data)",
        )
    if assessment.people_without_residence:
        drill.gap(
            "people",
            f"{assessment.people_without_residence:,} people have no known residence, so "
            "no state's law is applied to them",
            "map the address columns on import (`breachdesk import people --mapping`)",
        )
    if required and not drill.source.has_code_pool:
        drill.gap(
            "remedies",
            f"the law requires {max(required)} months of credit monitoring for some "
            "people, and no activation codes were ever loaded",
            "contract a monitoring vendor and load its codes: `breachdesk codes import`",
        )
    dated = sorted(r.individual_due.day for r in owing if r.individual_due)
    earliest = dated[0].isoformat() if dated else "none fixed"
    return (
        f"{len(owing)} of {len(assessment.jurisdictions)} applicable laws require notice; "
        f"earliest deadline {earliest}; monitoring offered for {months} months",
        {},
    )
