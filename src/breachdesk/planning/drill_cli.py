"""``breachdesk drill``: rehearse a breach on a copy of the configuration."""

from __future__ import annotations

from pathlib import Path

import typer

from breachdesk.clitools import print_json
from breachdesk.config import get_settings
from breachdesk.planning.drill import DRILL_DATA_DIR, DRILL_PEOPLE, DrillReport, Step, run_drill
from breachdesk.planning.drill_scenarios import STANDARD
from breachdesk.reports.scorecard_cli import print_scorecard


def drill_command(
    scenario: str = typer.Option(
        STANDARD,
        "--scenario",
        help="standard (the demo's story, well run) or troubled (Target's 2013 response: "
        "scope in instalments, late notices, lookalike links, slow answers).",
    ),
    people: int = typer.Option(
        DRILL_PEOPLE, "--people", min=1, max=1_000_000, help="How many synthetic people."
    ),
    data_dir: Path = typer.Option(
        DRILL_DATA_DIR, "--data-dir", help="Where to run the drill (made fresh each time)."
    ),
    org: str | None = typer.Option(
        None, "--org", help="The organisation to drill (slug); default: the first one."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the drill's report as JSON."),
) -> None:
    """Run a full synthetic breach through a copy of the configuration (its organisation,
    approved templates and answers) in a fresh data dir, never touching the configured
    database; report each step's time and rates, the gaps found with a fix for each, and
    the scorecard."""
    report = run_drill(
        settings=get_settings(),
        scenario=scenario,
        people=people,
        data_dir=data_dir,
        organisation=org,
        on_step=None if as_json else _print_step,
    )
    if as_json:
        print_json(report.as_dict())
        return
    _print_report(report)


def _print_step(step: Step) -> None:
    rates = ", ".join(
        f"{value:,.1f} {name.replace('_', ' ')}" for name, value in step.rates.items()
    )
    typer.echo(
        f"{step.name:<11}{step.seconds:>7.2f} s  {step.detail}" + (f" ({rates})" if rates else "")
    )


def _print_report(report: DrillReport) -> None:
    typer.echo(
        f"\ndrill ({report.scenario}) of {report.people:,} people in {report.data_dir}, "
        f"{report.seconds:.1f} s; copied from {report.source}"
    )
    if report.sabotage:
        typer.echo("what this response did wrong, on purpose:")
        for item in report.sabotage:
            typer.echo(f"  - {item}")
    typer.echo(f"gaps found: {len(report.gaps)}")
    for gap in report.gaps:
        typer.echo(f"  - [{gap.area}] {gap.gap}")
        typer.echo(f"      fix: {gap.fix}")
    if report.scorecard is not None:
        print_scorecard(report.scorecard)
    typer.echo(
        f"audit trail {report.audit_events} events, chain "
        f"{'intact' if report.audit_intact else 'BROKEN'}"
    )
