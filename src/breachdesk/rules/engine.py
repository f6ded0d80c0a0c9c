"""Who must be told, which regulators and credit bureaus, and by when.

Pure functions over the rule files, an incident's facts and groups of people; no
database. People are assessed in groups that share a residence and a set of exposed
elements, so ten million people cost a few thousand decisions. Every decision carries
its reasons: the rule, its citation and the facts it used.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from breachdesk.incidents.models import DataElement, Protection
from breachdesk.rules.deadlines import Due, StartingPoint, clock_date, due
from breachdesk.rules.schema import (
    ClockStart,
    Counting,
    Deadline,
    Exemption,
    Jurisdiction,
    RegulatorNotice,
    Timing,
)


@dataclass(frozen=True)
class Exposure:
    element: DataElement
    protection: Protection = Protection.CLEAR
    key_compromised: bool = False


@dataclass(frozen=True)
class Facts:
    """What the engine needs to know about the incident and the organisation."""

    discovered_at: datetime
    exposures: tuple[Exposure, ...]
    determined_at: datetime | None = None
    law_enforcement_delay_until: datetime | None = None
    sectors: frozenset[str] = frozenset()
    established_in: frozenset[str] = frozenset({"US"})
    # Codes where counsel documented a finding that harm is not likely.
    no_harm_determinations: frozenset[str] = frozenset()

    def exposure(self, element: DataElement) -> Exposure:
        """How an element was held; one the facts do not list is taken as clear."""
        for exposure in self.exposures:
            if exposure.element == element:
                return exposure
        return Exposure(element)

    @property
    def elements(self) -> frozenset[DataElement]:
        return frozenset(exposure.element for exposure in self.exposures)


@dataclass(frozen=True)
class Reason:
    step: str
    citation: str
    facts: str
    finding: str

    def as_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Decision:
    """One law's answer for one person (or a group of people alike)."""

    code: str
    applies: bool
    owed: bool
    vendor_only: bool
    counting: tuple[DataElement, ...]
    reasons: tuple[Reason, ...]
    # True when a documented no-harm finding is what spared the notice.
    spared_by_determination: bool = False

    @property
    def notifiable(self) -> bool:
        """The law counts this person's data as breached personal information, whether or
        not it requires notice to the person (the SEC's and FTC's rules do not)."""
        return bool(self.counting) and not self.spared_by_determination

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "applies": self.applies,
            "owed_notice": self.owed,
            "notifiable": self.notifiable,
            "vendor_only": self.vendor_only,
            "elements_counting": [element.value for element in self.counting],
            "reasons": [reason.as_dict() for reason in self.reasons],
        }


@dataclass(frozen=True)
class PeopleGroup:
    """People sharing a residence and exposed elements (None: the incident's elements)."""

    residence: str | None
    elements: frozenset[DataElement] | None
    count: int


def covers(rule: Jurisdiction, facts: Facts, residence: str | None) -> bool:
    scope = rule.applies_to
    return (
        (residence is not None and residence in scope.residence)
        or bool(facts.established_in & set(scope.establishment))
        or bool(facts.sectors & set(scope.sectors + scope.vendor_sectors))
    )


def exemption_for(rule: Jurisdiction, facts: Facts) -> Exemption | None:
    """The law's exemption the organisation's sector flags meet, if any."""
    for exemption in rule.exemptions:
        if facts.sectors & set(exemption.sectors):
            return exemption
    return None


def _applicability(rule: Jurisdiction, facts: Facts, residence: str | None) -> Reason:
    scope = rule.applies_to
    if residence is not None and residence in scope.residence:
        found = f"residence {residence}"
    elif facts.established_in & set(scope.establishment):
        found = "organisation established in " + ", ".join(
            sorted(facts.established_in & set(scope.establishment))
        )
    else:
        found = "organisation is " + ", ".join(
            sorted(facts.sectors & set(scope.sectors + scope.vendor_sectors))
        )
    return Reason("applies", rule.citation, found, f"{rule.name} applies")


def _counts(rule: Jurisdiction, exposure: Exposure) -> tuple[bool, str]:
    """Whether an exposed element counts as unprotected under this law, and why."""
    harbor = rule.safe_harbor
    if exposure.protection == Protection.CLEAR:
        return True, "held in clear"
    if exposure.key_compromised:
        if harbor.key_compromise_defeats is False and harbor.encryption:
            return False, f"{exposure.protection.value}; the law exempts it even with the key taken"
        if harbor.key_compromise_defeats is None:
            return True, f"{exposure.protection.value} but the key was taken (statute silent)"
        return True, f"{exposure.protection.value} but the key was taken"
    if not harbor.encryption:
        return True, f"{exposure.protection.value}; the law has no encryption safe harbor"
    if exposure.protection == Protection.HASHED and not harbor.covers_hashed:
        return True, "hashed, which this law's safe harbor does not cover"
    return False, f"{exposure.protection.value} with the key safe"


def decide(
    rule: Jurisdiction,
    facts: Facts,
    residence: str | None,
    elements: frozenset[DataElement] | None = None,
) -> Decision:
    """Whether ``rule`` requires notice to a person with these exposed elements."""
    exposed = facts.elements if elements is None else elements
    if not covers(rule, facts, residence):
        return Decision(rule.code, False, False, False, (), ())
    reasons = [_applicability(rule, facts, residence)]
    scope = rule.applies_to
    sector_owner = bool(facts.sectors & set(scope.sectors))
    by_sector_only = not (
        (residence is not None and residence in scope.residence)
        or facts.established_in & set(scope.establishment)
    )
    if by_sector_only and not sector_owner:
        vendor = rule.special_duties.vendor_notice
        reasons.append(
            Reason(
                "vendor",
                vendor.citation if vendor else rule.citation,
                "organisation holds the data for another (" + ", ".join(scope.vendor_sectors) + ")",
                "the data owner notifies individuals; the vendor must tell the owner",
            )
        )
        return Decision(rule.code, True, False, True, (), tuple(reasons))

    definition = rule.personal_information
    counting = _counting(rule, facts, exposed, reasons)
    exemption = exemption_for(rule, facts)
    if exemption is not None:
        flags = ", ".join(sorted(facts.sectors & set(exemption.sectors)))
        reasons.append(
            Reason(
                "exemption",
                exemption.citation,
                f"organisation is {flags}",
                f"{exemption.kind.value.replace('_', ' ')}: {exemption.condition}",
            )
        )
        return Decision(rule.code, True, False, False, tuple(counting), tuple(reasons))
    if not counting:
        listed = ", ".join(sorted(element.value for element in exposed)) or "nothing"
        reasons.append(
            Reason(
                "personal_information",
                definition.citation,
                f"exposed: {listed}",
                "no exposed, unprotected element is personal information under this law",
            )
        )
        return Decision(rule.code, True, False, False, (), tuple(reasons))
    reasons.append(
        Reason(
            "personal_information",
            definition.citation,
            ", ".join(element.value for element in counting),
            "personal information under this law",
        )
    )
    harm = rule.risk_of_harm
    if rule.code in facts.no_harm_determinations:
        if harm.allowed:
            reasons.append(
                Reason(
                    "risk_of_harm",
                    harm.citation,
                    "documented finding that harm is not likely",
                    "no notice owed: " + _determination_duties(rule),
                )
            )
            return Decision(rule.code, True, False, False, tuple(counting), tuple(reasons), True)
        reasons.append(
            Reason(
                "risk_of_harm",
                harm.citation,
                "documented finding that harm is not likely",
                "this law does not allow a risk-of-harm finding to avoid notice",
            )
        )
    if rule.individual_notice is None:
        reasons.append(
            Reason(
                "individual_notice",
                rule.citation,
                "",
                "this law requires no notice to individuals; see its regulator notices",
            )
        )
        return Decision(rule.code, True, False, False, tuple(counting), tuple(reasons))
    reasons.append(
        Reason("individual_notice", rule.individual_notice.citation, "", "notice is owed")
    )
    return Decision(rule.code, True, True, False, tuple(counting), tuple(reasons))


def _counting(
    rule: Jurisdiction, facts: Facts, exposed: frozenset[DataElement], reasons: list[Reason]
) -> list[DataElement]:
    """The exposed, unprotected elements this law counts as personal information."""
    unprotected = {}
    for element in exposed:
        counts, why = _counts(rule, facts.exposure(element))
        unprotected[element] = counts
        reasons.append(Reason("safe_harbor", rule.safe_harbor.citation, element.value, why))

    definition = rule.personal_information
    counting = []
    for item in definition.elements:
        if not unprotected.get(item.element):
            continue
        if item.needs_name and DataElement.NAME not in exposed:
            reasons.append(
                Reason(
                    "personal_information",
                    definition.citation,
                    item.element.value,
                    "counts only with the person's name, which was not exposed",
                )
            )
            continue
        if item.with_any and not any(unprotected.get(other) for other in item.with_any):
            needed = ", ".join(other.value for other in item.with_any)
            reasons.append(
                Reason(
                    "personal_information",
                    definition.citation,
                    item.element.value,
                    f"counts only with one of {needed}, none of which counts",
                )
            )
            continue
        counting.append(item.element)
    return counting


def _determination_duties(rule: Jurisdiction) -> str:
    harm = rule.risk_of_harm
    duties = []
    if harm.written_determination:
        duties.append("keep the determination in writing")
    if harm.retain_years:
        duties.append(f"for {harm.retain_years} years")
    if harm.copy_to_regulator:
        duties.append(f"send a copy to {harm.copy_to_regulator}")
    if harm.consult_law_enforcement:
        duties.append("after consulting law enforcement")
    return " ".join(duties) or "no further duty stated"


@dataclass
class RegulatorDecision:
    notice: RegulatorNotice
    counted: int
    required: bool
    due: Due | None


@dataclass
class JurisdictionAssessment:
    rule: Jurisdiction
    residents_affected: int = 0
    residents_owed_notice: int = 0
    residents_notifiable: int = 0
    vendor_only: bool = False
    credit_monitoring_months: int | None = None
    determination_used: bool = False
    individual_due: Due | None = None
    deadline_reasons: list[str] = field(default_factory=list)
    regulators: list[RegulatorDecision] = field(default_factory=list)
    cra_notice_required: bool = False
    cra_due: Due | None = None
    exemption: Exemption | None = None

    @property
    def code(self) -> str:
        return self.rule.code


@dataclass
class Assessment:
    facts: Facts
    jurisdictions: dict[str, JurisdictionAssessment]
    people: int
    people_without_residence: int
    residences_without_rules: dict[str, int]


def assess(
    rules: Mapping[str, Jurisdiction], facts: Facts, groups: Iterable[PeopleGroup]
) -> Assessment:
    """Every applicable law's obligations for the incident, over all its people."""
    results: dict[str, JurisdictionAssessment] = {}
    people = without_residence = 0
    uncovered: dict[str, int] = {}
    for group in groups:
        if group.count <= 0:
            continue
        people += group.count
        if group.residence is None:
            without_residence += group.count
        applicable = [rule for rule in rules.values() if covers(rule, facts, group.residence)]
        if group.residence is not None and not any(
            group.residence in rule.applies_to.residence for rule in applicable
        ):
            uncovered[group.residence] = uncovered.get(group.residence, 0) + group.count
        for rule in applicable:
            decision = decide(rule, facts, group.residence, group.elements)
            result = results.get(rule.code)
            if result is None:
                result = JurisdictionAssessment(rule, exemption=exemption_for(rule, facts))
                results[rule.code] = result
            result.residents_affected += group.count
            result.vendor_only = decision.vendor_only
            result.determination_used |= decision.spared_by_determination
            if decision.notifiable:
                result.residents_notifiable += group.count
            if decision.owed:
                result.residents_owed_notice += group.count
                months = _credit_monitoring_months(rule, decision)
                if months is not None:
                    result.credit_monitoring_months = max(
                        months, result.credit_monitoring_months or 0
                    )
    for result in results.values():
        _set_deadlines(result, facts)
    ordered = dict(sorted(results.items()))
    return Assessment(facts, ordered, people, without_residence, uncovered)


def _credit_monitoring_months(rule: Jurisdiction, decision: Decision) -> int | None:
    duty = rule.special_duties.credit_monitoring
    if duty is None or not duty.required:
        return None
    if duty.elements and not set(duty.elements) & set(decision.counting):
        return None
    return duty.months


def _clock(rule_clock: ClockStart, facts: Facts, individual: Due | None) -> StartingPoint | None:
    if rule_clock in (ClockStart.DISCOVERY, ClockStart.AWARENESS):
        return StartingPoint.at(facts.discovered_at)
    if rule_clock == ClockStart.DETERMINATION:
        return StartingPoint.at(facts.determined_at) if facts.determined_at else None
    if rule_clock == ClockStart.CALENDAR_YEAR_END:
        return StartingPoint(day=date(clock_date(facts.discovered_at).year, 12, 31))
    return StartingPoint(day=individual.day, instant=individual.instant) if individual else None


def _due(
    deadline: Deadline, rule: Jurisdiction, facts: Facts, individual: Due | None
) -> Due | None:
    start = _clock(deadline.clock_starts, facts, individual)
    return due(deadline, start, rule.holiday_calendar) if start else None


def _set_deadlines(result: JurisdictionAssessment, facts: Facts) -> None:
    rule = result.rule
    owed = result.residents_owed_notice
    individual = None
    if rule.individual_notice and owed:
        individual = _due(rule.individual_notice.deadline, rule, facts, None)
        individual = _law_enforcement_delay(result, facts, individual)
    result.individual_due = individual
    exemption = result.exemption
    for notice in rule.regulator_notices:
        if exemption is not None and notice.id not in exemption.still_required:
            result.regulators.append(RegulatorDecision(notice, 0, False, None))
            continue
        counted = {
            # An exempted organisation owes no individual notice; a notice its exemption
            # leaves in place counts the residents whose data the law counts.
            Counting.OWED_NOTICE: owed if exemption is None else result.residents_notifiable,
            Counting.NOTIFIABLE: result.residents_notifiable,
            Counting.AFFECTED: result.residents_affected,
        }[notice.counts]
        required = counted >= notice.threshold_residents and (
            notice.max_residents is None or counted <= notice.max_residents
        )
        deadline = None
        if required:
            deadline = _due(notice.deadline, rule, facts, individual)
            if deadline is None and notice.timing in (
                Timing.WITH_INDIVIDUAL_NOTICE,
                Timing.BEFORE_INDIVIDUAL_NOTICE,
            ):
                deadline = individual
        result.regulators.append(RegulatorDecision(notice, counted, required, deadline))
    cra = rule.cra_notice
    if cra and owed >= cra.threshold_residents:
        result.cra_notice_required = True
        result.cra_due = _due(cra.deadline, rule, facts, individual)


def _law_enforcement_delay(
    result: JurisdictionAssessment, facts: Facts, individual: Due | None
) -> Due | None:
    delay = result.rule.special_duties.law_enforcement_delay
    until = facts.law_enforcement_delay_until
    if until is None or delay is None or not delay.allowed:
        return individual
    delayed_to = clock_date(until)
    if individual is not None and individual.day >= delayed_to:
        return individual
    result.deadline_reasons.append(
        f"law enforcement asked for a delay until {delayed_to.isoformat()} "
        f"({delay.citation}); notice is due promptly after it ends"
    )
    return Due(day=delayed_to) if individual is not None else None
