"""Scorecard dimensions about the facts and the clock: scope clarity (was the scope told
once, or in instalments?) and timeliness (were people told by their legal deadlines?)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from statistics import median

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from breachdesk.delivery import selection
from breachdesk.delivery.models import MessageState, OutboxMessage
from breachdesk.incidents.models import DataElement, Incident
from breachdesk.incidents.scope import diff_revisions
from breachdesk.notices.context import owing_laws
from breachdesk.notices.lint_content import ELEMENT_WORDS
from breachdesk.people.models import AffectedPerson
from breachdesk.people.records import element_set
from breachdesk.reports.scorecard_grades import Dimension, Measure, at_least, at_most
from breachdesk.rules.deadlines import Due
from breachdesk.rules.engine import Assessment

# Scope expansions after the first disclosure: at most this many, this grade; more, F.
# Target told its 2013 breach in three instalments (two expansions).
SCOPE_EXPANSION_BANDS = ((0, "A"), (1, "B"), (2, "D"))
# Any person left holding a notice the later facts have outgrown, with no supplemental
# notice sent or planned, holds scope clarity to this grade.
INCOMPLETE_NOTICE_GRADE = "C"
# The share of people told by their deadline, of those told or whose deadline has passed.
ON_TIME_BANDS = ((0.99, "A"), (0.95, "B"), (0.85, "C"), (0.60, "D"))
# The most days any notice was (or still is) past its deadline.
DAYS_LATE_BANDS = ((0, "A"), (3, "B"), (7, "C"), (30, "D"))
SUPPLEMENTAL = "supplemental"


def scope_clarity(*, db_session: Session, incident: Incident) -> Dimension:
    revisions = incident.revisions
    disclosed = [revision for revision in revisions if revision.disclosed_at]
    expansions = [revision for revision in revisions if revision.expands_revision]
    by_number = {revision.number: revision for revision in revisions}
    changes = []
    for revision in expansions:
        change = diff_revisions(by_number[revision.expands_revision], revision)
        changes.append(
            {
                "revision": revision.number,
                "widens_disclosed_revision": revision.expands_revision,
                "at": revision.created_at.isoformat(),
                "added_elements": change.added_elements,
                "weakened_elements": [item.element for item in change.weakened_elements],
                "window_widened": change.window_widened,
                "people_before": change.count_before,
                "people_after": change.count_after,
            }
        )
    incomplete = sum(
        group.people
        for group in selection.incomplete_groups(
            db_session=db_session, incident=incident, kind=SUPPLEMENTAL
        )
    )
    first = disclosed[0] if disclosed else None
    figures = {
        "revisions": len(revisions),
        "first_disclosed_revision": first.number if first else None,
        "first_disclosed_at": first.disclosed_at.isoformat() if first else None,
        "first_disclosed_by": first.disclosure.value if first and first.disclosure else None,
        "scope_expansions_after_disclosure": len(expansions),
        "expansions": changes,
        "people_holding_an_incomplete_notice": incomplete,
    }
    if first is None:
        return Dimension(
            "scope_clarity",
            "Scope clarity",
            figures,
            not_gradable="nothing about the breach has been disclosed yet (no notice sent, "
            "no public statement made), so there is no instalment to count.",
        )
    when = first.disclosed_at.date().isoformat()
    if not expansions:
        sentence = (
            f"The facts first disclosed on {when} (revision {first.number}) have not had "
            "to be widened since: no scope expansion."
        )
    else:
        told = "; ".join(_change_words(change) for change in changes)
        times = "once" if len(expansions) == 1 else f"{len(expansions)} times"
        sentence = (
            f"The scope grew {times} after it was first disclosed on {when}: {told}. "
            f"{len(expansions)} scope expansion{'s' if len(expansions) > 1 else ''} means "
            f"people heard the breach in {len(expansions) + 1} instalments."
        )
    measures = [
        Measure("scope_expansions", at_most(len(expansions), SCOPE_EXPANSION_BANDS), sentence)
    ]
    if incomplete:
        measures.append(
            Measure(
                "incomplete_notices",
                INCOMPLETE_NOTICE_GRADE,
                f"{incomplete:,} people hold a notice the later facts have outgrown, with no "
                "supplemental notice sent or planned for them.",
            )
        )
    return Dimension("scope_clarity", "Scope clarity", figures, tuple(measures))


def _change_words(change: dict) -> str:
    parts = []
    if change["added_elements"]:
        parts.append("added " + _words(change["added_elements"]))
    if change["weakened_elements"]:
        parts.append("weakened the protection of " + _words(change["weakened_elements"]))
    if change["window_widened"]:
        parts.append("widened the window")
    if change["people_after"] > change["people_before"]:
        parts.append(f"raised the count {change['people_before']:,} → {change['people_after']:,}")
    return f"revision {change['revision']} " + ", ".join(parts or ["widened the scope"])


def _words(elements: list[str]) -> str:
    return ", ".join(ELEMENT_WORDS[DataElement(element)] for element in elements)


@dataclass
class _Tally:
    owed: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0  # not told, deadline passed
    pending: int = 0  # not told, deadline ahead
    no_deadline_told: int = 0
    no_deadline_waiting: int = 0
    worst_late: int = 0
    worst_where: str | None = None

    def count_late(self, days: int, where: str) -> None:
        if days > self.worst_late or self.worst_where is None:
            self.worst_late, self.worst_where = max(days, self.worst_late), where


def _deadline(
    incident: Incident, assessment: Assessment, residence: str | None, bits: int | None
) -> tuple[bool, Due | None, str | None]:
    """Whether any law requires notice to people of this residence and these elements,
    and the soonest individual-notice deadline among those laws with its law's code
    (None where none of them fixes a number of days)."""
    laws = owing_laws(incident, residence, element_set(bits))
    dues = [
        (result.individual_due.day, law.code, result.individual_due)
        for law in laws
        if (result := assessment.jurisdictions.get(law.code)) is not None
        and result.individual_due is not None
    ]
    if not dues:
        return bool(laws), None, None
    _day, code, due = min(dues, key=lambda item: (item[0], item[1]))
    return True, due, code


def _days_past(due: Due, moment: datetime) -> int:
    """Whole days ``moment`` is past the deadline (0 or less: on time)."""
    if due.instant is not None:
        return math.ceil((moment - due.instant).total_seconds() / 86400)
    return (moment.date() - due.day).days


def timeliness(
    *, db_session: Session, incident: Incident, assessment: Assessment, now: datetime
) -> Dimension:
    person = AffectedPerson
    groups = db_session.execute(
        select(person.jurisdiction, person.elements, func.count())
        .where(person.incident_id == incident.id)
        .group_by(person.jurisdiction, person.elements)
    ).all()
    first_sent = (
        select(OutboxMessage.person_id, func.min(OutboxMessage.sent_at).label("first"))
        .where(OutboxMessage.state == MessageState.SENT)
        .group_by(OutboxMessage.person_id)
        .subquery()
    )
    told_rows = db_session.execute(
        select(person.jurisdiction, person.elements, first_sent.c.first)
        .join(first_sent, first_sent.c.person_id == person.id)
        .where(person.incident_id == incident.id)
    ).all()
    told_by_group: dict[tuple, list[datetime]] = {}
    for residence, bits, first in told_rows:
        told_by_group.setdefault((residence, bits), []).append(first)

    tally = _Tally()
    days_to_notice: list[float] = []
    soonest_waiting: tuple[date, str] | None = None
    late_by_law: Counter[str] = Counter()
    for residence, bits, count in groups:
        owed, due, code = _deadline(incident, assessment, residence, bits)
        if not owed:
            continue
        tally.owed += count
        told = told_by_group.get((residence, bits), [])
        days_to_notice += [(sent - incident.discovered_at).total_seconds() / 86400 for sent in told]
        waiting = count - len(told)
        if due is None or code is None:
            tally.no_deadline_told += len(told)
            tally.no_deadline_waiting += waiting
            continue
        for sent in told:
            late = _days_past(due, sent)
            if late > 0:
                tally.late += 1
                late_by_law[code] += 1
                tally.count_late(late, code)
            else:
                tally.on_time += 1
        if waiting:
            late = _days_past(due, now)
            if late > 0:
                tally.overdue += waiting
                late_by_law[code] += waiting
                tally.count_late(late, code)
            else:
                tally.pending += waiting
                if soonest_waiting is None or (due.day, code) < soonest_waiting:
                    soonest_waiting = (due.day, code)
    due_or_told = tally.on_time + tally.late + tally.overdue
    share = tally.on_time / due_or_told if due_or_told else None
    figures = {
        "people_owed_notice": tally.owed,
        "people_told": tally.on_time + tally.late + tally.no_deadline_told,
        "told_by_deadline": tally.on_time,
        "told_late": tally.late,
        "not_told_past_deadline": tally.overdue,
        "not_told_deadline_ahead": tally.pending,
        "owed_without_fixed_deadline": tally.no_deadline_told + tally.no_deadline_waiting,
        "share_told_by_deadline": round(share, 4) if share is not None else None,
        "worst_days_late": tally.worst_late if tally.worst_where else 0,
        "worst_days_late_law": tally.worst_where,
        "late_by_law": dict(late_by_law.most_common()),
        "days_discovery_to_first_notice": round(min(days_to_notice), 1) if days_to_notice else None,
        "median_days_discovery_to_notice": round(median(days_to_notice), 1)
        if days_to_notice
        else None,
        "soonest_deadline_still_ahead": soonest_waiting[0].isoformat() if soonest_waiting else None,
    }
    context = _timing_context(figures, soonest_waiting)
    if not tally.owed:
        return Dimension(
            "timeliness",
            "Timeliness",
            figures,
            not_gradable="no law requires notice to anyone on the incident's list of people.",
        )
    if not due_or_told:
        reason = (
            "no notice has gone out and no legal deadline has passed yet"
            if not tally.no_deadline_told
            else "the laws that apply to the people told set no fixed number of days"
        )
        return Dimension(
            "timeliness", "Timeliness", figures, not_gradable=f"{reason}. {' '.join(context)}"
        )
    measures = [
        Measure(
            "told_by_deadline",
            at_least(share or 0.0, ON_TIME_BANDS),
            f"{tally.on_time:,} of the {due_or_told:,} people told or past their deadline "
            f"were told by their legal deadline ({(share or 0) * 100:.0f}%)" + _late_words(tally),
        )
    ]
    if tally.late or tally.overdue:
        measures.append(
            Measure(
                "worst_days_late",
                at_most(tally.worst_late, DAYS_LATE_BANDS),
                f"The worst was {tally.worst_late} days past the deadline ({tally.worst_where}).",
            )
        )
    return Dimension("timeliness", "Timeliness", figures, tuple(measures), extra=tuple(context))


def _late_words(tally: _Tally) -> str:
    clauses = []
    if tally.late:
        clauses.append(f"{tally.late:,} were told late")
    if tally.overdue:
        clauses.append(f"{tally.overdue:,} are past their deadline and still not told")
    return "; " + " and ".join(clauses) + "." if clauses else "; none was late."


def _timing_context(figures: dict, soonest_waiting: tuple[date, str] | None) -> list[str]:
    sentences = []
    if figures["days_discovery_to_first_notice"] is not None:
        sentences.append(
            f"The first notice went out {figures['days_discovery_to_first_notice']:g} days "
            f"after discovery (median {figures['median_days_discovery_to_notice']:g} days)."
        )
    if soonest_waiting is not None:
        sentences.append(
            f"{figures['not_told_deadline_ahead']:,} people are still to be told, the "
            f"soonest by {soonest_waiting[0].isoformat()} ({soonest_waiting[1]})."
        )
    return sentences
