"""``breachdesk plan waves``: the wave plan for an incident, paced to the desk."""

from __future__ import annotations

from pathlib import Path

import typer

from breachdesk.clitools import cli_actor, cli_session, print_json
from breachdesk.config import get_settings
from breachdesk.db import utcnow
from breachdesk.inputs import InputError
from breachdesk.planning import waves_service
from breachdesk.planning.capacity import CapacityModel
from breachdesk.planning.chart import svg_chart, text_chart
from breachdesk.planning.waves import WavePlan


def waves_command(
    incident: int = typer.Option(..., "--incident", help="The incident."),
    agents: int | None = typer.Option(
        None, "--agents", min=1, help="Agents on the desk (default: BREACHDESK_CAPACITY_AGENTS)."
    ),
    rate: int | None = typer.Option(
        None,
        "--rate",
        min=1,
        help="Notices a second each wave sends (default: BREACHDESK_PLAN_DELIVERY_RATE).",
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the plan as JSON."),
    chart: Path | None = typer.Option(
        None, "--chart", help="Also write the load chart to this SVG file."
    ),
    campaign: int | None = typer.Option(
        None, "--campaign", help="Schedule the planned waves on this campaign of the incident."
    ),
) -> None:
    """Plan the notice waves: every legal deadline met, each day's calls and emails
    within what the desk can answer; or say what it lacks."""
    settings = get_settings()
    model = CapacityModel.from_settings(settings, agents=agents)
    rate = rate or settings.plan_delivery_rate
    if chart is not None and chart.suffix.lower() != ".svg":
        raise InputError(f"--chart: {chart} should end in .svg (the chart is an SVG image)")
    with cli_session() as db_session:
        wave_plan = waves_service.plan_incident(
            db_session=db_session, incident_id=incident, model=model, rate=rate, now=utcnow()
        )
        scheduled = (
            waves_service.schedule_plan(
                db_session=db_session,
                incident_id=incident,
                campaign_id=campaign,
                wave_plan=wave_plan,
                actor=cli_actor(),
            )
            if campaign is not None
            else []
        )
    if chart is not None:
        try:
            chart.write_text(svg_chart(wave_plan), encoding="utf-8")
        except OSError as error:
            raise InputError(f"--chart: cannot write {chart}: {error.strerror}") from error
    if json_output:
        found = wave_plan.as_dict()
        found["incident"] = incident
        if campaign is not None:
            found["scheduled"] = {
                "campaign": campaign,
                "waves": [
                    {
                        "planned": s.planned,
                        "wave": s.wave,
                        "people": s.people,
                        "channels": s.channels,
                    }
                    for s in scheduled
                ],
            }
        print_json(found)
        return
    typer.echo("\n".join(plan_lines(incident, wave_plan)))
    for item in scheduled:
        typer.echo(
            f"scheduled planned wave {item.planned} as wave {item.wave} of campaign "
            f"{campaign}: {item.people:,} people"
        )


def plan_lines(incident: int, wave_plan: WavePlan) -> list[str]:
    model, zone = wave_plan.model, wave_plan.model.zone
    lines = [
        f"Wave plan for incident {incident}: {wave_plan.people:,} people to notify, "
        f"{wave_plan.rate:,} notices a second, {model.agents_text} (times in {model.timezone})"
    ]
    if wave_plan.waves:
        lines.append(f"{'wave':>4}  {'starts':<16}  {'people':>9}  the deadlines it meets")
    for wave in wave_plan.waves:
        starts = wave.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        lines.append(f"{wave.number:>4}  {starts:<16}  {wave.people:>9,}")
        by_deadline: dict[str, list[str]] = {}
        for part in wave.by_jurisdiction(zone):
            late = f" ({part['late']:,} LATE)" if part["late"] else ""
            who = f"{part['jurisdiction'] or '(no residence)'} {part['people']:,}{late}"
            deadline = f"by {part['due']}" if part["due"] else "no fixed date"
            by_deadline.setdefault(deadline, []).append(who)
        for deadline, who in by_deadline.items():
            lines.append(f"{'':>34}{deadline}: {', '.join(who)}")
    if wave_plan.feasible:
        lines.append("Fits: every deadline met, every hour within capacity.")
    else:
        lines.append("Does not fit:")
        shortfall = wave_plan.shortfall
        for reason in shortfall.reasons if shortfall else ():
            lines.append(f"  - {reason}")
    lines += [f"Note: {note}" for note in wave_plan.notes]
    lines.append("")
    lines += text_chart(wave_plan)
    return lines
