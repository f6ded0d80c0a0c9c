"""``breachdesk report scorecard``: the response graded as the press would grade it."""

from __future__ import annotations

import typer

from breachdesk.clitools import cli_session, print_json
from breachdesk.config import get_settings
from breachdesk.desk.service import ServiceLevels
from breachdesk.reports.scorecard import Scorecard, build_scorecard, dkim_signing

GRADE_COLUMN = 28


def scorecard_command(
    incident: int = typer.Option(..., "--incident", help="The incident."),
    as_json: bool = typer.Option(False, "--json", help="Print the scorecard as JSON."),
) -> None:
    """Grade the incident's response A to F: scope clarity, timeliness, reassurance,
    trustworthy communications, remedies, responsiveness, executive voice, and overall;
    each grade with its figures and the reason for it."""
    settings = get_settings()
    with cli_session() as db_session:
        card = build_scorecard(
            db_session=db_session,
            incident_id=incident,
            service_levels=ServiceLevels.from_settings(settings),
            dkim_signed=dkim_signing(settings),
        )
        data = card.as_dict()
    if as_json:
        print_json(data)
        return
    print_scorecard(card)


def print_scorecard(card: Scorecard, indent: str = "") -> None:
    """The scorecard as a person reads it: one grade a dimension, and why."""
    incident = card.incident
    typer.echo(
        f"{indent}Scorecard for incident {incident.id}: {incident.title} "
        f"({incident.organisation.display_name}), {card.generated_at:%Y-%m-%d %H:%M} UTC"
    )
    for dimension in card.dimensions:
        grade = dimension.grade or "-"
        typer.echo(f"{indent}  {dimension.title:<{GRADE_COLUMN}}{grade}")
        typer.echo(f"{indent}      {dimension.explanation}")
    typer.echo(f"{indent}  {'Overall':<{GRADE_COLUMN}}{card.overall.grade or '-'}")
    typer.echo(f"{indent}      {card.overall.explanation}")
