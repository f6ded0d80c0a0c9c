"""The chart of a wave plan: each day's busiest hour of calls against what the agents
can answer, as text for a terminal and as a self-contained SVG (no scripts, no external
assets) that the staff console can embed as it is."""

from __future__ import annotations

from xml.sax.saxutils import escape

from breachdesk.planning.load import DayLoad
from breachdesk.planning.waves import WavePlan

BAR_WIDTH = 40  # characters for the largest value in the text chart


def day_status(day: DayLoad, limit: float) -> str:
    if day.peak_calls_per_hour > limit + 1e-9:
        return "calls over capacity"
    if not day.within_capacity:
        return "emails answered late"
    return "ok"


def caption(wave_plan: WavePlan) -> str:
    model = wave_plan.model
    return (
        "Busiest hour of calls each day against capacity: "
        f"{model.calls_limit_per_hour():,.0f} calls an hour answered "
        f"{model.service_level:.0%} within {model.answer_seconds:g} s by {model.agents_text}"
    )


def text_chart(wave_plan: WavePlan) -> list[str]:
    """One line a day: the busiest hour's calls as a bar ('#' within capacity, '!' over
    it), '|' where capacity ends, the notices sent that day, and how the day goes."""
    days = wave_plan.load.days()
    if not days:
        return ["(no load: nobody to notify)"]
    limit = wave_plan.model.calls_limit_per_hour()
    scale = max(limit, max(day.peak_calls_per_hour for day in days)) / BAR_WIDTH
    mark = round(limit / scale)
    lines = [caption(wave_plan)]
    for day in days:
        length = round(day.peak_calls_per_hour / scale)
        within, over = min(length, mark), max(length - mark, 0)
        bar = ("#" * within).ljust(mark) + "|" + "!" * over
        sent = f"  sends {day.notices:,}" if day.notices else ""
        lines.append(
            f"{day.day.isoformat()}  {bar.ljust(BAR_WIDTH + 1)} "
            f"{day.peak_calls_per_hour:9,.1f}/h  {day_status(day, limit)}{sent}"
        )
    return lines


def svg_chart(wave_plan: WavePlan) -> str:
    """The same chart as an SVG document."""
    days = wave_plan.load.days()
    limit = wave_plan.model.calls_limit_per_hour()
    step, left, top, height = 28, 64, 40, 200
    width = max(720, left + len(days) * step + 24)  # room for the caption, too
    peak = max([limit, *(day.peak_calls_per_hour for day in days)]) or 1.0
    scale = height / (peak * 1.1)

    def y(value: float) -> float:
        return top + height - value * scale

    title = escape(caption(wave_plan))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{top + height + 70}" '
        f'viewBox="0 0 {width} {top + height + 70}" role="img" aria-labelledby="title">',
        f'<title id="title">{title}</title>',
        f'<text x="{left}" y="20" font-family="sans-serif" font-size="13">{title}</text>',
        f'<line x1="{left}" y1="{top + height}" x2="{width - 16}" y2="{top + height}" '
        'stroke="#555"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + height}" stroke="#555"/>',
        f'<text x="{left - 6}" y="{y(peak * 1.1) + 4:.1f}" font-family="sans-serif" '
        f'font-size="11" text-anchor="end">{peak * 1.1:,.0f}</text>',
        f'<text x="{left - 6}" y="{top + height + 4}" font-family="sans-serif" font-size="11" '
        'text-anchor="end">0</text>',
    ]
    for index, day in enumerate(days):
        x = left + index * step + 4
        over = day_status(day, limit) != "ok"
        value = day.peak_calls_per_hour
        label = f"{day.day.isoformat()}: {value:,.0f} calls in the busiest hour; "
        label += f"{day.notices:,} notices sent; {day_status(day, limit)}"
        parts.append(
            f'<rect x="{x}" y="{y(value):.1f}" width="{step - 8}" height="{value * scale:.1f}" '
            f'fill="{"#c0392b" if over else "#3b6ea5"}"><title>{escape(label)}</title></rect>'
        )
        if day.notices:
            parts.append(
                f'<text x="{x + (step - 8) / 2}" y="{y(value) - 4:.1f}" font-family="sans-serif" '
                f'font-size="9" text-anchor="middle">&#9650;</text>'
            )
        parts.append(
            f'<text x="{x + (step - 8) / 2}" y="{top + height + 14}" font-family="sans-serif" '
            f'font-size="9" text-anchor="end" transform="rotate(-60 {x + (step - 8) / 2} '
            f'{top + height + 14})">{day.day.strftime("%m-%d")}</text>'
        )
    parts += [
        f'<line x1="{left}" y1="{y(limit):.1f}" x2="{width - 16}" y2="{y(limit):.1f}" '
        'stroke="#222" stroke-dasharray="6 4"/>',
        f'<text x="{width - 16}" y="{y(limit) - 4:.1f}" font-family="sans-serif" font-size="11" '
        f'text-anchor="end">capacity {limit:,.0f} calls/h</text>',
        f'<text x="{left}" y="{top + height + 62}" font-family="sans-serif" font-size="11">'
        "bars: calls in each day's busiest hour; &#9650;: a wave goes out that day; red: over "
        "capacity or emails answered late</text>",
        "</svg>",
    ]
    return "\n".join(parts) + "\n"
