"""Rule files and assessments as JSON for other tools and as text for people.

``law show --json`` is a public interface: fields are added, never renamed or removed.
"""

from __future__ import annotations

from datetime import UTC, date
from typing import Any

from breachdesk.rules.deadlines import Due
from breachdesk.rules.engine import Assessment, JurisdictionAssessment
from breachdesk.rules.schema import Deadline, Jurisdiction, RegulatorNotice, Timing

DISCLAIMER = (
    "This assessment applies breach-notification rules kept as data with their "
    "citations. It is not legal advice: have counsel confirm it before relying on it."
)


def _deadline(deadline: Deadline) -> dict[str, Any]:
    return {
        "deadline_days": deadline.days,
        "deadline_hours": deadline.hours,
        "business_days": deadline.business_days,
        "clock_starts": deadline.clock_starts.value,
        "standard": deadline.standard,
    }


def _regulator_json(item: RegulatorNotice) -> dict[str, Any]:
    return {
        "id": item.id,
        "agency": item.agency,
        "threshold_residents": item.threshold_residents,
        "max_residents": item.max_residents,
        "counts": item.counts.value,
        **_deadline(item.deadline),
        "must_precede_individual_notice": item.timing == Timing.BEFORE_INDIVIDUAL_NOTICE,
        "timing": item.timing.value,
        "required_content": [content.value for content in item.required_content],
        "submit_to": item.submit_to,
        "condition": item.condition,
        "citation": item.citation,
        "source": item.source,
        "notes": item.notes,
    }


def rule_json(rule: Jurisdiction) -> dict[str, Any]:
    notice = rule.individual_notice
    definition = rule.personal_information
    return {
        "code": rule.code,
        "name": rule.name,
        "citation": rule.citation,
        "source": rule.source,
        "effective_from": rule.effective_from.isoformat(),
        "last_reviewed": rule.last_reviewed.isoformat(),
        "applies_to": rule.applies_to.model_dump(mode="json"),
        "personal_information": {
            "elements": [item.element.value for item in definition.elements],
            "definition": [
                item.model_dump(mode="json", exclude_none=True) for item in definition.elements
            ],
            "citation": definition.citation,
            "source": definition.source,
            "notes": definition.notes,
        },
        "encryption_safe_harbor": rule.safe_harbor.encryption,
        "key_compromise_defeats_safe_harbor": rule.safe_harbor.key_compromise_defeats,
        "safe_harbor": rule.safe_harbor.model_dump(mode="json"),
        "risk_of_harm_analysis": rule.risk_of_harm.allowed,
        "risk_of_harm": rule.risk_of_harm.model_dump(mode="json"),
        "individual_notice": None
        if notice is None
        else {
            **_deadline(notice.deadline),
            "methods": notice.methods.model_dump(mode="json"),
            "citation": notice.citation,
            "source": notice.source,
            "notes": notice.notes,
        },
        "regulator_notices": [_regulator_json(item) for item in rule.regulator_notices],
        "cra_notice": None
        if rule.cra_notice is None
        else {
            "threshold_residents": rule.cra_notice.threshold_residents,
            **_deadline(rule.cra_notice.deadline),
            "required_content": [item.value for item in rule.cra_notice.required_content],
            "citation": rule.cra_notice.citation,
            "source": rule.cra_notice.source,
            "notes": rule.cra_notice.notes,
        },
        "content_requirements": None
        if rule.content is None
        else rule.content.model_dump(mode="json"),
        "substitute_notice": None
        if notice is None
        else notice.substitute_notice.model_dump(mode="json"),
        "special_duties": rule.special_duties.model_dump(mode="json", exclude_none=True),
        "exemptions": [item.model_dump(mode="json") for item in rule.exemptions],
        "holiday_calendar": rule.holiday_calendar,
        "sources": rule.sources,
        "notes": rule.notes,
    }


def assessment_json(assessment: Assessment) -> dict[str, Any]:
    """``assess --json``: a documented interface (docs/rules.md)."""
    return {
        "people": assessment.people,
        "people_without_residence": assessment.people_without_residence,
        "residences_without_rules": dict(sorted(assessment.residences_without_rules.items())),
        "jurisdictions": [_jurisdiction_json(item) for item in assessment.jurisdictions.values()],
    }


def _jurisdiction_json(result: JurisdictionAssessment) -> dict[str, Any]:
    rule = result.rule
    notice = rule.individual_notice
    return {
        "code": rule.code,
        "name": rule.name,
        "citation": rule.citation,
        "last_reviewed": rule.last_reviewed.isoformat(),
        "residents_affected": result.residents_affected,
        "residents_owed_notice": result.residents_owed_notice,
        "residents_notifiable": result.residents_notifiable,
        "vendor_only": result.vendor_only,
        "individual_deadline": _day(result.individual_due),
        "individual_deadline_at": _instant(result.individual_due),
        "individual_deadline_standard": notice.deadline.standard if notice else None,
        "individual_deadline_reasons": result.deadline_reasons,
        "regulator_notices": [
            {
                **_regulator_json(decision.notice),
                "required": decision.required,
                "counted": decision.counted,
                "deadline": _day(decision.due),
                "deadline_at": _instant(decision.due),
            }
            for decision in result.regulators
        ],
        "cra_notice_required": result.cra_notice_required,
        "cra_notice_deadline": _day(result.cra_due),
        "content_requirements": (
            rule.content.model_dump(mode="json", exclude={"notes"}) if rule.content else None
        ),
        "substitute_notice": _substitute_notice_json(result),
        "credit_monitoring_months": result.credit_monitoring_months,
        "risk_of_harm_determination_used": result.determination_used,
        "special_duties": rule.special_duties.model_dump(mode="json", exclude_none=True),
        "exemption": result.exemption.model_dump(mode="json") if result.exemption else None,
    }


def _substitute_notice_json(result: JurisdictionAssessment) -> dict[str, Any] | None:
    notice = result.rule.individual_notice
    if notice is None:
        return None
    terms = notice.substitute_notice
    by_count = bool(
        terms.available
        and terms.count_threshold is not None
        and result.residents_owed_notice >= terms.count_threshold
    )
    return {
        "available": terms.available,
        "available_by_count": by_count,
        "count_threshold": terms.count_threshold,
        "cost_threshold_usd": terms.cost_threshold_usd,
        "for_people_without_contact": bool(terms.available and terms.insufficient_contact),
        "components": [component.value for component in terms.components],
        "citation": terms.citation,
    }


def _day(value: Due | None) -> str | None:
    return value.day.isoformat() if value else None


def _instant(value: Due | None) -> str | None:
    return value.instant.astimezone(UTC).isoformat() if value and value.instant else None


def _when(deadline: Deadline) -> str:
    if deadline.hours is not None:
        number = f"{deadline.hours} hours"
    elif deadline.days is not None:
        kind = "business days" if deadline.business_days else "days"
        number = f"{deadline.days} {kind}"
    else:
        return deadline.standard
    return f"{number} from {deadline.clock_starts.value.replace('_', ' ')}"


def _from(threshold: int) -> str:
    return "any number of residents" if threshold == 1 else f"from {threshold:,} residents"


def rule_lines(rule: Jurisdiction) -> list[str]:
    """``law show`` as text: what the law requires, each line with its citation."""
    definition = rule.personal_information
    elements = ", ".join(
        item.element.value + ("" if item.needs_name else " (alone)") for item in definition.elements
    )
    harbor = rule.safe_harbor
    lines = [
        f"{rule.code}  {rule.name}",
        f"  law: {rule.citation} (in force from {rule.effective_from}, "
        f"reviewed {rule.last_reviewed})",
        f"  personal information: {elements}  [{definition.citation}]",
        "  encryption safe harbor: "
        + ("yes" if harbor.encryption else "no")
        + (", lost if the key is taken" if harbor.key_compromise_defeats else "")
        + f"  [{harbor.citation}]",
        "  risk-of-harm finding can avoid notice: "
        + ("yes" if rule.risk_of_harm.allowed else "no")
        + f"  [{rule.risk_of_harm.citation}]",
    ]
    notice = rule.individual_notice
    if notice is None:
        lines.append("  individuals: no notice required by this law")
    else:
        lines.append(f"  individuals: {_when(notice.deadline)}  [{notice.citation}]")
    for item in rule.regulator_notices:
        before = ", before individuals" if item.timing == Timing.BEFORE_INDIVIDUAL_NOTICE else ""
        lines.append(
            f"  {item.agency}: {_from(item.threshold_residents)}, "
            f"{_when(item.deadline)}{before}  [{item.citation}]"
        )
    if rule.cra_notice:
        lines.append(
            f"  credit reporting agencies: {_from(rule.cra_notice.threshold_residents)}  "
            f"[{rule.cra_notice.citation}]"
        )
    contact = rule.content.regulator_contact if rule.content else None
    if contact:
        details = [*contact.address, contact.toll_free, contact.phone, contact.website]
        lines.append(
            f"  notices print: {contact.name}, {', '.join(d for d in details if d)}  "
            f"[{contact.citation}]"
        )
    for exemption in rule.exemptions:
        lines.append(
            f"  {exemption.kind.value.replace('_', ' ')}: {', '.join(exemption.sectors)}, "
            f"{exemption.condition}  [{exemption.citation}]"
        )
    if rule.content and rule.content.must_not_include:
        forbidden = ", ".join(item.value for item in rule.content.must_not_include)
        lines.append(f"  the notice must not state: {forbidden}  [{rule.content.citation}]")
    notes = sum(len(block.notes) for block in rule.cited_blocks())
    if notes:
        lines.append(
            f"  notes for counsel: {notes} (where sources disagree or a value is unconfirmed;"
        )
        lines.append("  `--json` shows each with its block)")
    lines.extend(f"  source: {source}" for source in rule.sources)
    return lines


def assessment_lines(assessment: Assessment, today: date) -> list[str]:
    """``assess`` as text: one block per law that applies; past deadlines are marked."""
    lines = [f"{assessment.people:,} people assessed under {len(assessment.jurisdictions)} laws"]
    if assessment.people_without_residence:
        lines.append(
            f"WARNING: {assessment.people_without_residence:,} people have no known "
            "residence; no state law could be applied to them"
        )
    if assessment.residences_without_rules:
        places = ", ".join(
            f"{code} ({count:,})"
            for code, count in sorted(
                assessment.residences_without_rules.items(), key=lambda item: -item[1]
            )
        )
        lines.append(f"WARNING: people live where breachdesk has no rule file: {places}")
    for result in assessment.jurisdictions.values():
        lines.extend(jurisdiction_lines(result, today))
    lines.append(DISCLAIMER)
    return lines


def jurisdiction_lines(result: JurisdictionAssessment, today: date) -> list[str]:
    """One law's obligations: who is owed notice and by when, and whom else to tell."""
    rule = result.rule
    notice = rule.individual_notice
    if result.exemption:
        exemption = result.exemption
        kind = exemption.kind.value.replace("_", " ")
        owed = f"{kind} ({exemption.condition}) [{exemption.citation}]"
    elif result.vendor_only:
        owed = "vendor: tell the data owner"
    elif notice is None:
        owed = "no notice to individuals"
    else:
        when = _when_due(result.individual_due, notice.deadline.standard, today)
        owed = f"{result.residents_owed_notice:,} owed notice, {when}"
    lines = [f"{rule.code} {rule.name}: {result.residents_affected:,} affected; {owed}"]
    lines.extend(f"  {reason}" for reason in result.deadline_reasons)
    for decision in result.regulators:
        if decision.required:
            when = _when_due(decision.due, decision.notice.deadline.standard, today)
            lines.append(f"  notify {decision.notice.agency}: {when}  [{decision.notice.citation}]")
            if decision.notice.condition:
                lines.append(f"    only if: {decision.notice.condition}")
    if result.cra_notice_required and rule.cra_notice:
        lines.append(f"  notify the credit reporting agencies  [{rule.cra_notice.citation}]")
    if result.credit_monitoring_months:
        lines.append(f"  offer {result.credit_monitoring_months} months of credit monitoring")
    return lines


def _when_due(due: Due | None, standard: str, today: date) -> str:
    if due is None:
        return standard
    return f"by {due.day.isoformat()}" + (" (OVERDUE)" if due.day < today else "")
