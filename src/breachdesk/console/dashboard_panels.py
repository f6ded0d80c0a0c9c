"""What each dashboard panel shows, read from the domains' service functions: counts and
aggregates only, never every person, so the page stays fast on a big incident."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from breachdesk.config import Settings
from breachdesk.console.charts import (
    US_TILES,
    Bar,
    Key,
    Mark,
    Tile,
    burn_down,
    day_columns,
    progress_bars,
    tile_map,
    timeline,
)
from breachdesk.delivery import selection
from breachdesk.delivery import service as delivery
from breachdesk.delivery.models import Campaign, CampaignState, Channel, MessageState
from breachdesk.delivery.pace import burn_down as burn_down_counts
from breachdesk.desk import claims as desk_claims
from breachdesk.desk import codes
from breachdesk.desk.service import ServiceLevels
from breachdesk.incidents import service as incidents
from breachdesk.incidents.models import Incident
from breachdesk.planning import desk_volume, waves_service
from breachdesk.planning.capacity import CapacityModel
from breachdesk.reports import submissions
from breachdesk.reports.schemas import DUE, OVERDUE, SUBMITTED
from breachdesk.reports.scorecard import build_scorecard, dkim_signing
from breachdesk.rules.deadlines import clock_date
from breachdesk.rules.engine import Assessment
from breachdesk.rules.service import assess_incident, assessments_reused

OWED_FIXED = Key("#a4262c", "#ffffff", "notice owed, fixed deadline (date shown)")
OWED_OPEN = Key("#f2b84b", "#1a1a1a", "notice owed, no fixed number of days")
NOT_OWED = Key("#cfe3f5", "#1a1a1a", "residents affected, no notice owed")
NO_RESIDENTS = Key("#f4f4f4", "#4a4a4a", "no affected residents")
LEGEND = (OWED_FIXED, OWED_OPEN, NOT_OWED, NO_RESIDENTS)
STATE_NAMES = {OVERDUE: "overdue", DUE: "due", SUBMITTED: "submitted"}
CHANNEL_NAMES = {"email": "Email", "letter": "Letter", "substitute": "Substitute"}
REGULATORS_SHOWN = 6
SUPPLEMENTAL = "supplemental"  # the kind `campaign plan-supplemental` makes
TIMELINE_CODES = 4  # jurisdictions named on a timeline row before "and N more"


def build(*, db_session: Session, settings: Settings, incident_id: int, now: datetime) -> dict:
    """Every panel's figures and charts, as the dashboard template reads them. The panels
    only read, and most need the incident's assessment: it is made once for all of them."""
    with assessments_reused(db_session):
        return _build(db_session=db_session, settings=settings, incident_id=incident_id, now=now)


def _build(*, db_session: Session, settings: Settings, incident_id: int, now: datetime) -> dict:
    incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
    assessment = assess_incident(db_session=db_session, incident_id=incident_id)
    levels = ServiceLevels.from_settings(settings)
    return {
        "facts": facts_panel(db_session=db_session, incident=incident, assessment=assessment),
        "obligations": obligations_panel(assessment, now),
        "campaigns": campaign_panel(db_session=db_session, incident_id=incident_id, now=now),
        "not_in_a_wave": not_in_a_wave(
            db_session=db_session, incident_id=incident_id, assessment=assessment
        ),
        "inquiries": inquiry_panel(
            db_session=db_session,
            settings=settings,
            levels=levels,
            incident_id=incident_id,
            now=now,
        ),
        "remedies": remedy_panel(
            db_session=db_session, incident_id=incident_id, people=assessment.people
        ),
        "claims": claims_panel(db_session=db_session, incident_id=incident_id),
        "regulators": regulator_panel(db_session=db_session, incident_id=incident_id, now=now),
        "scorecard": build_scorecard(
            db_session=db_session,
            incident_id=incident_id,
            service_levels=levels,
            dkim_signed=dkim_signing(settings),
            now=now,
        ),
    }


def facts_panel(*, db_session: Session, incident: Incident, assessment: Assessment) -> dict:
    current = incident.current_revision
    expansions = []
    for revision in incident.revisions:
        if revision.expands_revision is None:
            continue
        diff = incidents.diff(
            incident=incident, number_a=revision.expands_revision, number_b=revision.number
        )
        expansions.append({"revision": revision, "changes": diff.lines()[1:-1]})
    incomplete = []
    if expansions:
        # Who holds a notice the wider facts made incomplete, and has no supplemental
        # notice yet (as `campaign plan-supplemental` would find them).
        groups = selection.incomplete_groups(
            db_session=db_session, incident=incident, kind=SUPPLEMENTAL
        )
        by_place: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        for group in groups:
            by_place[group.group.jurisdiction or "no known residence"] += group.people
            for reason in group.reasons:
                reasons[reason] += group.people
        incomplete = {
            "people": sum(group.people for group in groups),
            "places": by_place.most_common(),
            "reasons": reasons.most_common(),
        }
    return {
        "incident": incident,
        "current": current,
        "people_imported": assessment.people,
        "expansions": expansions,
        "incomplete": incomplete,
    }


def obligations_panel(assessment: Assessment, now: datetime) -> dict:
    discovered = clock_date(assessment.facts.discovered_at)
    today = now.date()
    tiles, counts = [], Counter()
    for state in US_TILES:
        code = f"US-{state}"
        result = assessment.jurisdictions.get(code)
        if result is None or not result.residents_affected:
            key, label = NO_RESIDENTS, ""
            title = f"{code}: no affected residents"
        elif not result.residents_owed_notice:
            key, label = NOT_OWED, ""
            title = f"{code}: {result.residents_affected:,} residents affected, no notice owed"
        elif result.individual_due is None:
            key, label = OWED_OPEN, ""
            title = (
                f"{code}: {result.residents_owed_notice:,} residents owed notice, "
                "no fixed number of days"
            )
        else:
            day = result.individual_due.day
            key, label = OWED_FIXED, day.strftime("%b %d")
            title = f"{code}: {result.residents_owed_notice:,} residents owed notice by {day}"
        counts[key.text] += 1
        tiles.append(Tile(state, key, label, title))
    owed = [r for r in assessment.jurisdictions.values() if r.residents_owed_notice]
    rows = []
    for result in owed:
        rows.append(
            {
                "code": result.code,
                "name": result.rule.name,
                "owed": result.residents_owed_notice,
                "due": result.individual_due.day if result.individual_due else None,
                "standard": result.rule.individual_notice.deadline.standard
                if result.rule.individual_notice
                else "",
            }
        )
    rows.sort(key=lambda row: (row["due"] is None, row["due"] or today, row["code"]))
    marks = _marks(assessment, today)
    return {
        "people": assessment.people,
        "without_residence": assessment.people_without_residence,
        "map": tile_map(
            tiles,
            "Map of US states coloured by what notice their residents are owed",
            LEGEND,
        )
        if assessment.people
        else None,
        "legend_counts": [(key, counts[key.text]) for key in LEGEND],
        "rows": rows,
        "marks": marks,
        "timeline": timeline(
            marks, "Deadlines in date order, with today marked", today=today, start=discovered
        )
        if marks
        else None,
        "discovered": discovered,
        "today": today,
    }


def _marks(assessment: Assessment, today) -> list[Mark]:
    """Every dated deadline, grouped by day and by whom to tell."""
    grouped: dict[tuple[Any, str], list[tuple[str, int]]] = defaultdict(list)
    for result in assessment.jurisdictions.values():
        if result.individual_due and result.residents_owed_notice:
            grouped[(result.individual_due.day, "people")].append(
                (result.code, result.residents_owed_notice)
            )
        for decision in result.regulators:
            if decision.required and decision.due:
                grouped[(decision.due.day, decision.notice.agency)].append(
                    (result.code, decision.counted)
                )
    marks = []
    for (day, whom), items in sorted(grouped.items()):
        codes_text = ", ".join(code for code, _n in items[:TIMELINE_CODES])
        if len(items) > TIMELINE_CODES:
            codes_text += f" and {len(items) - TIMELINE_CODES} more"
        people = sum(n for _code, n in items)
        what = f"{people:,} people" if whom == "people" else f"tell {whom} ({people:,} residents)"
        marks.append(Mark(day, f"{codes_text}: {what}", urgent=day < today))
    return marks


def campaign_panel(*, db_session: Session, incident_id: int, now: datetime) -> list[dict]:
    shown = []
    for campaign in reversed(
        delivery.list_campaigns(db_session=db_session, incident_id=incident_id)
    ):
        status = delivery.campaign_status(db_session=db_session, campaign_id=campaign.id)
        bars = []
        for channel in Channel:
            states = status.counts.get(channel.value)
            if not states:
                continue
            failed = states.get(MessageState.BOUNCED.value, 0) + states.get(
                MessageState.FAILED.value, 0
            )
            bars.append(
                Bar(
                    CHANNEL_NAMES.get(channel.value, channel.value.title()),
                    states.get(MessageState.SENT.value, 0),
                    sum(states.values()),
                    f"; {failed:,} failed" if failed else "",
                )
            )
        shown.append(
            {
                "campaign": campaign,
                "status": status,
                "sent": sum(bar.done for bar in bars),
                "owed": sum(bar.total for bar in bars),
                "chart": progress_bars(
                    bars, f"Campaign {campaign.id}: notices sent of those owed, by channel"
                )
                if bars
                else None,
                "burn_down": _burn_down(db_session, campaign, status, now),
                "verdict": _verdict(status),
                "cancelled": campaign.state == CampaignState.CANCELLED,
            }
        )
    return shown


def _burn_down(
    db_session: Session, campaign: Campaign, status: delivery.CampaignStatus, now: datetime
) -> Markup | None:
    moments, remaining = burn_down_counts(db_session=db_session, campaign=campaign, now=now)
    if not remaining:
        return None
    return burn_down(
        moments,
        remaining,
        f"Campaign {campaign.id}: emails and letters still to send over time",
        eta=status.pace.eta,
        deadline=status.pace.earliest_deadline,
    )


def not_in_a_wave(*, db_session: Session, incident_id: int, assessment: Assessment) -> dict | None:
    """People owed the initial notice who are in no campaign's outbox yet, and the
    earliest deadline among them: what a campaign that has sent everything it holds
    does not show."""
    groups = waves_service.unnotified_groups(
        db_session=db_session, incident_id=incident_id, assessment=assessment
    )
    people = sum(group.people for group in groups)
    if not people:
        return None
    dated = [group for group in groups if group.due is not None]
    first = min(dated, key=lambda group: group.due.day) if dated else None
    return {
        "people": people,
        "deadline": (first.deadline_law, first.due.day) if first else None,
    }


def _verdict(status: delivery.CampaignStatus) -> tuple[str, str]:
    """(css class, sentence): will the campaign be done before the earliest deadline."""
    pace = status.pace
    deadline = ""
    if pace.earliest_deadline:
        code, day = pace.earliest_deadline
        deadline = f"the earliest legal deadline ({code}, {day:%B %d, %Y})"
    if not status.owed:
        return "muted", "No notice has been queued in this campaign yet."
    if not pace.remaining:
        return "ok", "Every email and letter has been handed over" + (
            f", before {deadline}." if deadline else "."
        )
    if pace.eta is None:
        notices = "notice" if pace.remaining == 1 else "notices"
        words = f"{pace.remaining:,} {notices} still to send and nothing is going out right now"
        return ("bad" if deadline else "warn"), words + (
            f"; {deadline} will be missed unless sending resumes." if deadline else "."
        )
    eta = f"{pace.eta:%B %d, %Y %H:%M} UTC"
    rate = f"{pace.per_second * 60:,.0f} a minute" if pace.per_second else ""
    if pace.on_track is False:
        return "bad", f"At {rate}, the last notice goes out {eta}: after {deadline}. Speed up."
    if pace.on_track:
        return "ok", f"At {rate}, the last notice goes out {eta}: before {deadline}."
    return "muted", f"At {rate}, the last notice goes out {eta}. No fixed legal deadline."


def inquiry_panel(
    *, db_session: Session, settings: Settings, levels: ServiceLevels, incident_id: int,
    now: datetime,
) -> dict:  # fmt: skip
    model = CapacityModel.from_settings(settings)
    today = now.astimezone(model.zone).date()
    days = desk_volume.inquiries_per_day(
        db_session=db_session, incident_id=incident_id, model=model, today=today
    )
    capacity = desk_volume.daily_capacity(model)
    queue = desk_volume.queue_counts(
        db_session=db_session, incident_id=incident_id, levels=levels, now=now
    )
    received = sum(day.inquiries for day in days)
    return {
        "queue": queue,
        "capacity": capacity,
        "model": model,
        "received": received,
        "busiest": max(days, key=lambda day: day.inquiries) if received else None,
        "chart": day_columns(
            [(day.day, day.inquiries) for day in days],
            f"Inquiries received each day for the last {len(days)} days, against what the "
            "desk can answer in a day",
            line=capacity,
            line_label=f"capacity {capacity:,.0f} a day",
        ),
        "first_response_hours": levels.first_response.total_seconds() / 3600,
    }


def remedy_panel(*, db_session: Session, incident_id: int, people: int) -> dict:
    pools = codes.pool_status(db_session=db_session, incident_id=incident_id)
    issued = sum(pool.issued for pool in pools)
    bars = [Bar(pool.name[:14], pool.issued, pool.total) for pool in pools]
    return {
        "pools": pools,
        "issued": issued,
        "people": people,
        "share": issued / people if people else None,
        "chart": progress_bars(bars, "Credit-monitoring codes taken, of those loaded, per pool")
        if bars
        else None,
    }


def claims_panel(*, db_session: Session, incident_id: int) -> dict:
    found = desk_claims.list_claims(db_session=db_session, incident_id=incident_id)
    by_status: dict[str, dict[str, Any]] = {}
    for claim in found:
        row = by_status.setdefault(claim.status.value, {"count": 0, "amounts": Counter()})
        row["count"] += 1
        row["amounts"][claim.currency] += desk_claims.amount_of(claim)
    order = ["submitted", "needs_info", "approved", "rejected"]
    rows = [
        {
            "status": status.replace("_", " "),
            "count": by_status[status]["count"],
            "amounts": ", ".join(
                f"{amount:,.2f} {currency}"
                for currency, amount in sorted(by_status[status]["amounts"].items())
            ),
        }
        for status in order
        if status in by_status
    ]
    return {"total": len(found), "rows": rows, "zero": Decimal(0)}


def regulator_panel(*, db_session: Session, incident_id: int, now: datetime) -> dict:
    statuses = submissions.notice_statuses(db_session=db_session, incident_id=incident_id, now=now)
    owed = [status for status in statuses if status.required or status.submissions]
    rank = {OVERDUE: 0, DUE: 1, SUBMITTED: 2}
    owed.sort(
        key=lambda s: (rank.get(s.state, 3), s.deadline.day is None, s.deadline.day or now.date())
    )
    states = Counter(status.state for status in owed)
    return {
        "shown": owed[:REGULATORS_SHOWN],
        "more": max(len(owed) - REGULATORS_SHOWN, 0),
        "total": len(owed),
        "counts": {name: states.get(state, 0) for state, name in STATE_NAMES.items()},
    }
