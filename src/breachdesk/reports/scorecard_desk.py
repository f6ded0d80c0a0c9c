"""Scorecard dimensions about what the response gives and how it answers: remedies
(credit monitoring against the law, activation codes, refund assurance, offers timed
after the final scope) and responsiveness (acknowledgement, first-response times
against the service level, backlog)."""

from __future__ import annotations

import math
import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from breachdesk.delivery.models import Campaign, MessageState, OutboxMessage
from breachdesk.desk import answers, codes
from breachdesk.desk.models import Claim, ClaimStatus, Inquiry, InquiryCategory, InquiryStatus
from breachdesk.desk.service import ServiceLevels
from breachdesk.incidents.models import Incident
from breachdesk.reports.scorecard_grades import Dimension, Measure, at_most
from breachdesk.reports.scorecard_notices import SentNotice
from breachdesk.rules.engine import Assessment

# Monitoring offered where no law requires it: the press expects at least this long.
MONITORING_EXPECTED_MONTHS = 12
SHORT_MONITORING_GRADE = "B"  # offered, shorter than expected, none required
NO_MONITORING_GRADE = "C"  # none offered, none required
SHORT_OF_THE_LAW_GRADE = "F"  # less than a law requires, or none where one does
NO_CODES_GRADE = "C"  # monitoring promised, too few activation codes to enrol everyone
REFUND_UNTOLD_GRADE = "C"  # nobody is told they will not pay for fraudulent charges
# An offer made before a later scope expansion and never extended to the people that
# expansion added.
OFFER_BEFORE_FINAL_SCOPE_GRADE = "D"
# How a notice says people will not pay for fraud, or how to claim it back.
REFUND_WORDS = re.compile(
    r"reimburs|refund|reembols|not (?:be )?(?:responsible|liable) for (?:any )?"
    r"(?:fraudulent|unauthori[sz]ed)|no (?:será|serán) responsable",
    re.I,
)
# Hours from receipt to acknowledgement, 95th percentile.
ACKNOWLEDGEMENT_HOURS_BANDS = ((1, "A"), (4, "B"), (24, "C"), (72, "D"))
# First-response times as a multiple of the first-response service level.
FIRST_RESPONSE_P50_BANDS = ((0.25, "A"), (0.5, "B"), (1.0, "C"), (2.0, "D"))
FIRST_RESPONSE_P95_BANDS = ((1.0, "A"), (1.5, "B"), (2.0, "C"), (4.0, "D"))
# Open inquiries past their service level, as a share of all inquiries.
BACKLOG_SHARE_BANDS = ((0.0, "A"), (0.05, "B"), (0.15, "C"), (0.30, "D"))


def remedies(
    *,
    db_session: Session,
    incident: Incident,
    assessment: Assessment,
    notices: list[SentNotice],
) -> Dimension:
    required = {
        code: result.credit_monitoring_months
        for code, result in assessment.jurisdictions.items()
        if result.credit_monitoring_months
    }
    campaigns = list(
        db_session.scalars(
            select(Campaign).where(Campaign.incident_id == incident.id).order_by(Campaign.id)
        )
    )
    offering = [campaign for campaign in campaigns if campaign.remedy]
    pools = codes.pool_status(db_session=db_session, incident_id=incident.id)
    offered = max(
        [int(c.remedy["months"]) for c in offering] + [pool.months for pool in pools], default=0
    )
    people_offered = (
        db_session.scalar(
            select(func.count(func.distinct(OutboxMessage.person_id))).where(
                OutboxMessage.campaign_id.in_([c.id for c in offering]),
                OutboxMessage.state == MessageState.SENT,
            )
        )
        if offering
        else 0
    )
    claim_answers = [
        answer
        for answer in answers.approved_answers(db_session=db_session, incident_id=incident.id)
        if answer.category == InquiryCategory.CLAIM and answer.public
    ]
    noticed = [n for n in notices if REFUND_WORDS.search(n.rendered.text)]
    claims = dict(
        db_session.execute(
            select(Claim.status, func.count())
            .where(Claim.incident_id == incident.id)
            .group_by(Claim.status)
        ).all()
    )
    expansions = [revision for revision in incident.revisions if revision.expands_revision]
    final = expansions[-1] if expansions else None
    early = [c for c in offering if final is not None and c.created_at < final.created_at]
    extended = [c for c in offering if final is not None and c.created_at >= final.created_at]
    figures = {
        "monitoring_required_months": max(required.values(), default=None),
        "monitoring_required_by": required,
        "monitoring_offered_months": offered or None,
        "campaigns_offering_monitoring": [c.id for c in offering],
        "people_sent_an_offer": people_offered,
        "activation_codes": sum(pool.total for pool in pools),
        "activation_codes_issued": sum(pool.issued for pool in pools),
        "notices_telling_refunds": len(noticed),
        "approved_claim_answers": sorted({a.key for a in claim_answers}),
        "claims_submitted": sum(claims.values()),
        "claims_approved": claims.get(ClaimStatus.APPROVED, 0),
        "final_scope_revision": final.number if final else incident.revisions[0].number,
        "offers_before_final_scope": [c.id for c in early],
        "offers_after_final_scope": [c.id for c in extended],
    }
    if not campaigns:
        return Dimension(
            "remedies",
            "Remedies",
            figures,
            not_gradable="no notice campaign exists yet, so no offer has been made to anyone.",
        )
    measures = [_monitoring(required, offered)]
    if offering:
        total = figures["activation_codes"]
        measures.append(
            Measure(
                "activation_codes",
                "A" if total >= people_offered else NO_CODES_GRADE,
                f"{total:,} activation codes are loaded for the {people_offered:,} people "
                "sent an offer"
                + (
                    "."
                    if total >= people_offered
                    else ": not everyone offered monitoring can enrol through the portal."
                ),
            )
        )
    told = []
    if noticed:
        told.append(f"{len(noticed)} of {len(notices)} notices say so")
    if claim_answers:
        told.append(f'the approved answer "{claim_answers[0].key}" says how to claim')
    measures.append(
        Measure(
            "refund_assurance",
            "A" if told else REFUND_UNTOLD_GRADE,
            (
                f"People are told they can claim back fraudulent charges: {' and '.join(told)}; "
                f"the portal takes claims ({figures['claims_submitted']} submitted, "
                f"{figures['claims_approved']} approved)."
            )
            if told
            else "Nobody is told they will not pay for fraudulent charges or how to claim them "
            "back: no notice says so and no approved claim answer is published.",
        )
    )
    measures.append(_offer_timing(final, early, extended))
    return Dimension("remedies", "Remedies", figures, tuple(measures))


def _monitoring(required: dict[str, int], offered: int) -> Measure:
    if required:
        longest = max(required.values())
        laws = ", ".join(code for code, months in sorted(required.items()) if months == longest)
        if offered < longest:
            what = f"only {offered} months" if offered else "none"
            return Measure(
                "credit_monitoring",
                SHORT_OF_THE_LAW_GRADE,
                f"The law requires {longest} months of credit monitoring ({laws}); the "
                f"response offers {what}.",
            )
        return Measure(
            "credit_monitoring",
            "A",
            f"{offered} months of credit monitoring are offered, at least the {longest} "
            f"months the law requires ({laws}).",
        )
    if not offered:
        return Measure(
            "credit_monitoring",
            NO_MONITORING_GRADE,
            "No credit monitoring is offered; no law here requires it, but the press expects "
            "one after a breach of this kind.",
        )
    return Measure(
        "credit_monitoring",
        "A" if offered >= MONITORING_EXPECTED_MONTHS else SHORT_MONITORING_GRADE,
        f"{offered} months of credit monitoring are offered (no law here requires it; "
        f"{MONITORING_EXPECTED_MONTHS} months is what the press expects).",
    )


def _offer_timing(final, early: list[Campaign], extended: list[Campaign]) -> Measure:
    if final is None:
        return Measure(
            "offer_timing",
            "A",
            "The scope has not widened since it was first disclosed, so every offer stands "
            "on the final scope.",
        )
    if early and not extended:
        first = early[0]
        return Measure(
            "offer_timing",
            OFFER_BEFORE_FINAL_SCOPE_GRADE,
            f"The offer of campaign {first.id} ({first.created_at.date().isoformat()}) came "
            f"before revision {final.number} widened the scope "
            f"({final.created_at.date().isoformat()}), and no later campaign extends it to the "
            "newly affected.",
        )
    return Measure(
        "offer_timing",
        "A",
        f"Offers stand on the final scope: made or extended after revision {final.number} "
        f"widened it on {final.created_at.date().isoformat()}.",
    )


def _percentile(values: list[float], percent: int) -> float:
    """Nearest-rank percentile: the smallest value at least ``percent``% of values reach."""
    ordered = sorted(values)
    return ordered[max(math.ceil(percent / 100 * len(ordered)) - 1, 0)]


def responsiveness(
    *, db_session: Session, incident: Incident, levels: ServiceLevels, now: datetime
) -> Dimension:
    inquiries = list(db_session.scalars(select(Inquiry).where(Inquiry.incident_id == incident.id)))
    sla = levels.first_response.total_seconds() / 3600

    def hours(start: datetime, end: datetime | None) -> float:
        # An inquiry still waiting counts with its wait so far: a lower bound.
        return max(((end or now) - start).total_seconds() / 3600, 0.0)

    acknowledged = [hours(i.received_at, i.acknowledged_at) for i in inquiries]
    waits = [hours(i.received_at, i.first_response_at) for i in inquiries]
    backlog = [
        i
        for i in inquiries
        if i.status == InquiryStatus.OPEN and levels.clocks(i, now).state == "breached"
    ]
    answered = sum(1 for i in inquiries if i.first_response_at is not None)
    figures = {
        "inquiries": len(inquiries),
        "answered": answered,
        "waiting_for_a_first_answer": len(inquiries) - answered,
        "service_level_hours": sla,
        "acknowledgement_p95_hours": round(_percentile(acknowledged, 95), 2) if inquiries else None,
        "first_response_p50_hours": round(_percentile(waits, 50), 2) if inquiries else None,
        "first_response_p95_hours": round(_percentile(waits, 95), 2) if inquiries else None,
        "backlog_past_service_level": len(backlog),
    }
    if not inquiries:
        return Dimension(
            "responsiveness",
            "Responsiveness",
            figures,
            not_gradable="no inquiry has reached the desk yet.",
        )
    p50, p95 = figures["first_response_p50_hours"], figures["first_response_p95_hours"]
    share = len(backlog) / len(inquiries)
    measures = (
        Measure(
            "acknowledgement",
            at_most(figures["acknowledgement_p95_hours"], ACKNOWLEDGEMENT_HOURS_BANDS),
            f"Of the {len(inquiries):,} inquiries, 95% were acknowledged within "
            f"{_duration(figures['acknowledgement_p95_hours'])}.",
        ),
        Measure(
            "first_response_p50",
            at_most(p50 / sla, FIRST_RESPONSE_P50_BANDS),
            f"Half had a first answer within {_duration(p50)} (median), against a "
            f"{sla:g}-hour service level.",
        ),
        Measure(
            "first_response_p95",
            at_most(p95 / sla, FIRST_RESPONSE_P95_BANDS),
            f"95% had a first answer within {_duration(p95)} "
            f"({_against(p95, sla)} the service level"
            + (
                f"; the {len(inquiries) - answered} still waiting count with how long they "
                "have waited so far)."
                if answered < len(inquiries)
                else ")."
            ),
        ),
        Measure(
            "backlog",
            at_most(share, BACKLOG_SHARE_BANDS),
            f"{len(backlog)} of {len(inquiries)} inquiries ({share * 100:.0f}%) are open past "
            "their service level.",
        ),
    )
    return Dimension("responsiveness", "Responsiveness", figures, measures)


def _against(hours: float, sla: float) -> str:
    ratio = hours / sla
    return f"{ratio:.1f} times" if ratio >= 1 else f"{ratio * 100:.0f}% of"


def _duration(hours: float) -> str:
    if hours < 1 / 60:
        return "a minute"
    if hours < 1:
        return f"{hours * 60:.0f} minutes"
    if hours < 48:
        return f"{hours:.1f} hours"
    return f"{hours / 24:.1f} days"
