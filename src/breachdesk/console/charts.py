"""Charts drawn on the server as inline SVG markup: a US tile-grid map, a deadline
timeline, progress bars, a campaign burn-down and a day-by-day column chart with a
capacity line.

Every chart has a title (shown, and as the SVG's accessible name) and text labels on
the marks; colours are attributes (the console's Content-Security-Policy allows no
inline styles). The figures are also given as text by the templates around them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import count

from markupsafe import Markup, escape

FONT = 'font-family="system-ui, sans-serif"'
INK, MUTED, AXIS = "#1a1a1a", "#4a4a4a", "#6b6b6b"
_ids = count(1)

# The well-known US tile grid: each state one square at (row, column), roughly where it
# lies, so that every state is equally visible whatever its area.
US_TILES: dict[str, tuple[int, int]] = {
    "AK": (0, 0), "ME": (0, 10),
    "VT": (1, 9), "NH": (1, 10),
    "WA": (2, 0), "ID": (2, 1), "MT": (2, 2), "ND": (2, 3), "MN": (2, 4), "IL": (2, 5),
    "WI": (2, 6), "MI": (2, 7), "NY": (2, 8), "RI": (2, 9), "MA": (2, 10),
    "OR": (3, 0), "NV": (3, 1), "WY": (3, 2), "SD": (3, 3), "IA": (3, 4), "IN": (3, 5),
    "OH": (3, 6), "PA": (3, 7), "NJ": (3, 8), "CT": (3, 9),
    "CA": (4, 0), "UT": (4, 1), "CO": (4, 2), "NE": (4, 3), "MO": (4, 4), "KY": (4, 5),
    "WV": (4, 6), "VA": (4, 7), "MD": (4, 8), "DE": (4, 9),
    "AZ": (5, 1), "NM": (5, 2), "KS": (5, 3), "AR": (5, 4), "TN": (5, 5), "NC": (5, 6),
    "SC": (5, 7), "DC": (5, 8),
    "OK": (6, 3), "LA": (6, 4), "MS": (6, 5), "AL": (6, 6), "GA": (6, 7),
    "HI": (7, 0), "TX": (7, 3), "FL": (7, 8), "PR": (7, 10),
}  # fmt: skip


@dataclass(frozen=True)
class Key:
    """One colour of a chart's legend: the fill, the text colour on it, and its words."""

    fill: str
    ink: str
    text: str


@dataclass(frozen=True)
class Tile:
    state: str  # two letters
    key: Key
    label: str  # a short second line: the deadline
    title: str  # the whole sentence, for hovering and screen readers


def _id(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


def _svg(width: float, height: float, title: str, body: list[str], *, css: str = "chart") -> Markup:
    ident = _id("chart")
    # Every value in ``body`` went through escape() (in _text) or is a number.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" viewBox="0 0 {width:g} {height:g}"'
        f' role="img" aria-labelledby="{ident}"><title id="{ident}">{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def _text(x: float, y: float, text: str, *, size: int = 12, anchor: str = "start",
          fill: str = INK, weight: str = "normal") -> str:  # fmt: skip
    bold = ' font-weight="700"' if weight == "bold" else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" {FONT} font-size="{size}" fill="{fill}" '
        f'text-anchor="{anchor}"{bold}>{escape(text)}</text>'
    )


def tile_map(tiles: Sequence[Tile], title: str, legend: Sequence[Key]) -> Markup:
    """The US as same-size squares, each coloured by its key, with a legend below."""
    size, gap = 48, 4
    columns = 1 + max(column for _row, column in US_TILES.values())
    rows = 1 + max(row for row, _column in US_TILES.values())
    width = columns * size
    legend_top = rows * size + 12
    body = []
    for tile in tiles:
        row, column = US_TILES[tile.state]
        x, y = column * size, row * size
        body.append(
            f"<g><title>{escape(tile.title)}</title>"
            f'<rect x="{x + gap / 2}" y="{y + gap / 2}" width="{size - gap}" '
            f'height="{size - gap}" rx="4" fill="{tile.key.fill}" stroke="{AXIS}" '
            'stroke-width="0.5"/>'
            + _text(
                x + size / 2,
                y + (21 if tile.label else 29),
                tile.state,
                size=14,
                anchor="middle",
                fill=tile.key.ink,
                weight="bold",
            )
            + (
                _text(x + size / 2, y + 37, tile.label, size=10, anchor="middle", fill=tile.key.ink)
                if tile.label
                else ""
            )
            + "</g>"
        )
    for index, key in enumerate(legend):
        y = legend_top + index * 20
        body.append(
            f'<rect x="0" y="{y}" width="16" height="16" rx="2" fill="{key.fill}" '
            f'stroke="{AXIS}" stroke-width="0.5"/>' + _text(24, y + 13, key.text, size=13)
        )
    return _svg(width, legend_top + len(legend) * 20, title, body)


@dataclass(frozen=True)
class Mark:
    """A dated event on a timeline: its day and its words ("US-TX: 6 people")."""

    day: date
    label: str
    urgent: bool = False  # drawn in red: passed and not done


def timeline(marks: Sequence[Mark], title: str, *, today: date, start: date) -> Markup:
    """Each mark a dot on a time axis from ``start``, one row each in date order, with
    today as a dashed line."""
    left, right, row = 8, 700, 22
    first = min([start, today, *(mark.day for mark in marks)])
    last = max([today, *(mark.day for mark in marks)])
    span = max((last - first).days, 1)

    def x(day: date) -> float:
        return left + (day - first).days / span * (right - left - 250) + 4

    top = 28
    height = top + len(marks) * row + 34
    body = [
        f'<line x1="{left}" y1="{height - 26}" x2="{right - 240}" y2="{height - 26}" '
        f'stroke="{AXIS}"/>',
        _text(x(first), height - 8, first.strftime("%b %d"), size=11, fill=MUTED),
        _text(x(last), height - 8, last.strftime("%b %d, %Y"), size=11, anchor="end", fill=MUTED),
    ]
    for index, mark in enumerate(sorted(marks, key=lambda item: item.day)):
        y = top + index * row + 8
        colour = "#a4262c" if mark.urgent else "#0b4f9c"
        body.append(
            f'<line x1="{left}" y1="{y}" x2="{x(mark.day):.1f}" y2="{y}" stroke="#c8c8c8"/>'
            f'<circle cx="{x(mark.day):.1f}" cy="{y}" r="6" fill="{colour}"/>'
            + _text(x(mark.day) + 12, y + 4, f"{mark.day:%b %d}: {mark.label}", size=12)
        )
    today_x = x(today)
    body.append(
        f'<line x1="{today_x:.1f}" y1="14" x2="{today_x:.1f}" y2="{height - 26}" '
        f'stroke="{INK}" stroke-dasharray="4 3"/>'
        + _text(today_x, 11, f"today {today:%b %d}", size=11, anchor="middle", weight="bold")
    )
    return _svg(right, height, title, body)


@dataclass(frozen=True)
class Bar:
    """One row of a progress chart: ``done`` of ``total``, and its words."""

    label: str
    done: int
    total: int
    note: str = ""


def progress_bars(bars: Sequence[Bar], title: str) -> Markup:
    """A row per bar: its label and figures on one line, the bar under it with the part
    done filled and the rest outlined."""
    width, row = 360, 46
    body = []
    for index, bar in enumerate(bars):
        y = index * row
        share = bar.done / bar.total if bar.total else 0.0
        body.append(
            _text(0, y + 14, bar.label, size=14, weight="bold")
            + _text(
                width,
                y + 14,
                f"{bar.done:,} of {bar.total:,} ({share:.0%}){bar.note}",
                size=14,
                anchor="end",
            )
            + f'<rect x="0" y="{y + 20}" width="{width}" height="16" rx="3" '
            f'fill="#eef4fb" stroke="{AXIS}" stroke-width="0.5"/>'
            + f'<rect x="0" y="{y + 20}" width="{width * share:.1f}" height="16" rx="3" '
            'fill="#0b4f9c"/>'
        )
    return _svg(width, len(bars) * row, title, body)


def day_columns(
    days: Sequence[tuple[date, int]], title: str, *, line: float, line_label: str
) -> Markup:
    """A column per day with its count written on it, and a dashed horizontal line (a
    capacity) across the chart; a line far above every column is named at the top
    instead, so the columns stay readable."""
    left, top, height, step = 34, 26, 120, 24
    width = left + len(days) * step + 4
    most = max([value for _day, value in days] + [1])
    off_scale = line > 3 * most
    peak = (most if off_scale else max(line, most)) * 1.2

    def y(value: float) -> float:
        return top + height - value / peak * height

    body = [
        f'<line x1="{left}" y1="{top + height}" x2="{width}" y2="{top + height}" stroke="{AXIS}"/>',
        _text(left - 4, top + height + 4, "0", size=12, anchor="end", fill=MUTED),
    ]
    for index, (day, value) in enumerate(days):
        x = left + index * step + 3
        over = value > line
        body.append(
            f'<rect x="{x}" y="{y(value):.1f}" width="{step - 6}" '
            f'height="{top + height - y(value):.1f}" fill="{"#a4262c" if over else "#0b4f9c"}">'
            f"<title>{day.isoformat()}: {value:,} inquiries</title></rect>"
            + (
                _text(x + (step - 6) / 2, y(value) - 3, f"{value:,}", size=12, anchor="middle")
                if value
                else ""
            )
            + _text(
                x + (step - 6) / 2,
                top + height + 15,
                day.strftime("%d"),
                size=11,
                anchor="middle",
                fill=MUTED,
            )
        )
    if off_scale:
        body.append(_text(width, 12, f"{line_label}: far above these days", size=12, anchor="end"))
    else:
        body.append(
            f'<line x1="{left}" y1="{y(line):.1f}" x2="{width}" y2="{y(line):.1f}" '
            f'stroke="{INK}" stroke-dasharray="6 4"/>'
            + _text(width, y(line) - 5, line_label, size=12, anchor="end")
        )
    return _svg(width, top + height + 20, title, body)


CHANNEL_COLOURS = {"email": "#0b4f9c", "letter": "#8a4b00"}


def burn_down(
    moments: Sequence[datetime],
    remaining: dict[str, Sequence[int]],
    title: str,
    *,
    eta: datetime | None,
    deadline: tuple[str, date] | None,
) -> Markup:
    """Notices still to send over time, a line per channel, falling to zero; a dashed
    line from now to the expected finish at the current pace, and the earliest legal
    deadline as a red rule, so "will we make it" is read at a glance."""
    left, top, width, height = 46, 22, 520, 150
    start = moments[0]
    deadline_at = (
        datetime.combine(deadline[1], datetime.max.time(), tzinfo=start.tzinfo)
        if deadline
        else None
    )
    end = max([moments[-1], *(moment for moment in (eta, deadline_at) if moment)])
    seconds = max((end - start).total_seconds(), 1)
    peak = max([1, *(max(series) for series in remaining.values() if series)]) * 1.1

    def x(moment: datetime) -> float:
        return left + (moment - start).total_seconds() / seconds * width

    def y(value: float) -> float:
        return top + height - value / peak * height

    body = [
        f'<line x1="{left}" y1="{top + height}" x2="{left + width}" y2="{top + height}" '
        f'stroke="{AXIS}"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + height}" stroke="{AXIS}"/>',
        _text(left - 4, top + height + 4, "0", anchor="end", fill=MUTED),
        _text(left - 4, y(peak / 1.1) + 4, f"{peak / 1.1:,.0f}", anchor="end", fill=MUTED),
        _text(left, top + height + 16, f"{start:%b %d %H:%M}", fill=MUTED),
        _text(left + width, top + height + 16, f"{end:%b %d %H:%M} UTC", anchor="end", fill=MUTED),
    ]
    legend_x = left + 8
    for channel, series in remaining.items():
        colour = CHANNEL_COLOURS.get(channel, INK)
        points = " ".join(
            f"{x(moment):.1f},{y(value):.1f}" for moment, value in zip(moments, series, strict=True)
        )
        body.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
        )
        body.append(
            f'<rect x="{legend_x}" y="6" width="12" height="4" fill="{colour}"/>'
            + _text(legend_x + 16, 12, f"{channel}: {series[-1]:,} left", size=12)
        )
        legend_x += 150
    total_now = sum(series[-1] for series in remaining.values())
    if eta and total_now:
        body.append(
            f'<line x1="{x(moments[-1]):.1f}" y1="{y(total_now):.1f}" x2="{x(eta):.1f}" '
            f'y2="{y(0):.1f}" stroke="{INK}" stroke-dasharray="5 4"/>'
            + _text(x(eta), y(0) - 6, f"done {eta:%b %d %H:%M}", anchor="end", size=12)
        )
    if deadline_at:
        late = eta is not None and eta > deadline_at
        body.append(
            f'<line x1="{x(deadline_at):.1f}" y1="{top}" x2="{x(deadline_at):.1f}" '
            f'y2="{top + height}" stroke="#a4262c" stroke-width="2"/>'
            + _text(
                x(deadline_at) - 4,
                top + 12,
                f"deadline {deadline[0]} {deadline[1]:%b %d}",
                anchor="end",
                size=12,
                fill="#a4262c",
                weight="bold" if late else "normal",
            )
        )
    return _svg(left + width + 8, top + height + 22, title, body)
