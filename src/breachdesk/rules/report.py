"""The printable assessment report: a US map by obligation and deadline, a deadline
timeline, and a table per jurisdiction with citations. One self-contained HTML file:
no scripts, no fonts or images from elsewhere, so it can be mailed to counsel as is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from breachdesk.db import utcnow
from breachdesk.rules.deadlines import clock_date
from breachdesk.rules.engine import Assessment, JurisdictionAssessment
from breachdesk.rules.views import DISCLAIMER

# A tile grid map: each US jurisdiction one square at (row, column), roughly where it
# lies, so every state is equally visible whatever its area.
TILES = {
    "AK": (0, 0), "ME": (0, 10),
    "WI": (1, 5), "VT": (1, 9), "NH": (1, 10),
    "WA": (2, 0), "ID": (2, 1), "MT": (2, 2), "ND": (2, 3), "MN": (2, 4), "IL": (2, 5),
    "MI": (2, 6), "NY": (2, 8), "MA": (2, 9),
    "OR": (3, 0), "NV": (3, 1), "WY": (3, 2), "SD": (3, 3), "IA": (3, 4), "IN": (3, 5),
    "OH": (3, 6), "PA": (3, 7), "NJ": (3, 8), "CT": (3, 9), "RI": (3, 10),
    "CA": (4, 0), "UT": (4, 1), "CO": (4, 2), "NE": (4, 3), "MO": (4, 4), "KY": (4, 5),
    "WV": (4, 6), "VA": (4, 7), "MD": (4, 8), "DE": (4, 9),
    "AZ": (5, 1), "NM": (5, 2), "KS": (5, 3), "AR": (5, 4), "TN": (5, 5), "NC": (5, 6),
    "SC": (5, 7), "DC": (5, 8),
    "OK": (6, 3), "LA": (6, 4), "MS": (6, 5), "AL": (6, 6), "GA": (6, 7),
    "HI": (7, 0), "TX": (7, 3), "FL": (7, 8),
    "GU": (8, 0), "PR": (8, 9), "VI": (8, 10),
}  # fmt: skip
TILE = 56  # pixels, gap included

# Obligation classes, most urgent first: (css class, legend text).
CLASSES = {
    "due-30": "notice owed within 30 days",
    "due-later": "notice owed, later deadline",
    "due-open": "notice owed, no fixed deadline",
    "not-owed": "residents affected, no notice owed",
    "none": "no residents affected",
}


@dataclass(frozen=True)
class Tile:
    code: str
    state: str
    x: int
    y: int
    css: str
    label: str
    title: str


@dataclass(frozen=True)
class Milestone:
    day: date
    offset: int  # days after discovery
    what: str
    codes: str


def _class(result: JurisdictionAssessment | None, discovered: date) -> str:
    if result is None or result.residents_affected == 0:
        return "none"
    if result.residents_owed_notice == 0:
        return "not-owed"
    if result.individual_due is None:
        return "due-open"
    return "due-30" if (result.individual_due.day - discovered).days <= 30 else "due-later"


def map_tiles(assessment: Assessment) -> list[Tile]:
    discovered = clock_date(assessment.facts.discovered_at)
    tiles = []
    for state, (row, column) in TILES.items():
        code = f"US-{state}"
        result = assessment.jurisdictions.get(code)
        css = _class(result, discovered)
        due = result.individual_due if result else None
        label = due.day.strftime("%b %d") if due else ""
        title = f"{code}: {CLASSES[css]}" + (f", by {due.day.isoformat()}" if due else "")
        tiles.append(Tile(code, state, column * TILE, row * TILE, css, label, title))
    return tiles


def milestones(assessment: Assessment) -> list[Milestone]:
    """Every dated obligation, grouped by day and kind, in date order."""
    discovered = clock_date(assessment.facts.discovered_at)
    grouped: dict[tuple[date, str], list[str]] = {}
    for result in assessment.jurisdictions.values():
        if result.individual_due and result.residents_owed_notice:
            grouped.setdefault((result.individual_due.day, "notify individuals"), []).append(
                result.code
            )
        for decision in result.regulators:
            if decision.required and decision.due:
                what = f"notify {decision.notice.agency}"
                grouped.setdefault((decision.due.day, what), []).append(result.code)
    return [
        Milestone(day, (day - discovered).days, what, ", ".join(sorted(codes)))
        for (day, what), codes in sorted(grouped.items())
    ]


def render_report(assessment: Assessment, *, title: str) -> str:
    environment = Environment(
        loader=PackageLoader("breachdesk.rules", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    steps = milestones(assessment)
    now = utcnow()
    return environment.get_template("assessment.html").render(
        title=title,
        generated=now.strftime("%Y-%m-%d %H:%M UTC"),
        today=now.date(),
        discovered=clock_date(assessment.facts.discovered_at),
        assessment=assessment,
        results=list(assessment.jurisdictions.values()),
        tiles=map_tiles(assessment),
        tile=TILE,
        classes=CLASSES,
        milestones=steps,
        longest=max([step.offset for step in steps] + [1]),
        disclaimer=DISCLAIMER,
    )


def write_report(assessment: Assessment, path: Path, *, title: str) -> None:
    path.write_text(render_report(assessment, title=title), encoding="utf-8")
