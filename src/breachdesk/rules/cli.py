"""``breachdesk law`` (the rule files) and ``breachdesk assess`` (who must be told, by when)."""

from __future__ import annotations

from pathlib import Path

import typer

from breachdesk.clitools import cli_actor, cli_session, new_app, print_json
from breachdesk.db import utcnow
from breachdesk.inputs import InputError, load_yaml_mapping, parse_model
from breachdesk.people.mapping import load_mapping_file
from breachdesk.people.records import elements_to_bits
from breachdesk.rules import service
from breachdesk.rules.catalog import rule_for, shipped_rules
from breachdesk.rules.engine import Assessment, assess
from breachdesk.rules.facts import WhatIfFacts
from breachdesk.rules.people_file import people_groups_from_file
from breachdesk.rules.report import write_report
from breachdesk.rules.views import assessment_json, assessment_lines, rule_json, rule_lines

law_app = new_app("Breach-notification law: the rule files, with their citations.")

JSON_OUTPUT = typer.Option(False, "--json", help="Print JSON.")


@law_app.command("list")
def law_list(json_output: bool = JSON_OUTPUT) -> None:
    """List every jurisdiction and regime breachdesk has rules for."""
    rules = shipped_rules().values()
    if json_output:
        print_json(
            [
                {"code": rule.code, "name": rule.name, "last_reviewed": str(rule.last_reviewed)}
                for rule in rules
            ]
        )
        return
    for rule in rules:
        typer.echo(f"{rule.code:10} {rule.name:32} reviewed {rule.last_reviewed}")


@law_app.command("show")
def law_show(
    code: str = typer.Argument(..., help="A code from `breachdesk law list`, e.g. US-CA."),
    json_output: bool = JSON_OUTPUT,
) -> None:
    """Show what one law requires, each value with its citation and source."""
    rule = rule_for(code)
    if json_output:
        print_json(rule_json(rule))
    else:
        typer.echo("\n".join(rule_lines(rule)))


def assess_command(
    incident: int | None = typer.Option(None, "--incident", help="A stored incident."),
    facts: Path | None = typer.Option(
        None, "--facts", help="What-if facts YAML (with --people): no database needed."
    ),
    people: Path | None = typer.Option(
        None, "--people", help="With --facts: the people file (CSV, TSV, XLSX, Parquet, JSONL)."
    ),
    mapping: Path | None = typer.Option(
        None, "--mapping", help="With --people: mapping YAML, as for `import people`."
    ),
    no_harm: list[str] = typer.Option(
        [],
        "--no-harm",
        help="A code where counsel documented that harm is not likely (repeatable).",
    ),
    explain: str | None = typer.Option(
        None,
        "--explain",
        metavar="REF",
        help="With --incident: every law's reasons for one person.",
    ),
    html: Path | None = typer.Option(
        None, "--html", help="Also write the printable HTML report to this file."
    ),
    json_output: bool = JSON_OUTPUT,
) -> None:
    """Decide who must be notified under which law, which regulators to tell, and by when.

    Either --incident ID (people from the database) or --facts and --people (a what-if
    on files, nothing stored). Not legal advice: counsel should confirm the result.
    """
    if (incident is None) == (facts is None):
        raise InputError("give either --incident ID or --facts FILE with --people FILE")
    if facts is not None and people is None:
        raise InputError("--facts needs --people FILE (the people to assess)")
    no_harm = [rule_for(code).code for code in no_harm]
    if explain is not None:
        if incident is None:
            raise InputError("--explain needs --incident (a stored person)")
        with cli_session() as db_session:
            explained = service.explain_person(
                db_session=db_session,
                reference=explain,
                incident_id=incident,
                actor=cli_actor(),
                no_harm_determinations=no_harm,
            )
        if json_output:
            print_json(explained)
        else:
            typer.echo("\n".join(_explanation_lines(explained)))
        return
    if incident is not None:
        with cli_session() as db_session:
            assessment = service.assess_incident(
                db_session=db_session, incident_id=incident, no_harm_determinations=no_harm
            )
        title = f"incident {incident}"
        unreadable = 0
    else:
        assessment, unreadable = _assess_files(facts, people, mapping, no_harm)
        title = f"what-if: {facts.name} and {people.name}"
    if html is not None:
        write_report(assessment, html, title=title)
    if json_output:
        print_json({**assessment_json(assessment), "rows_unreadable": unreadable})
        return
    if unreadable:
        typer.echo(
            f"WARNING: {unreadable:,} rows of {people} could not be read and are not counted"
        )
    typer.echo("\n".join(assessment_lines(assessment, utcnow().date())))
    if html is not None:
        typer.echo(f"report written to {html}")


def _assess_files(
    facts: Path, people: Path, mapping: Path | None, no_harm: list[str]
) -> tuple[Assessment, int]:
    what_if = parse_model(WhatIfFacts, load_yaml_mapping(facts), source=str(facts))
    if no_harm:
        what_if = what_if.model_copy(
            update={"no_harm_determinations": what_if.no_harm_determinations + no_harm}
        )
    engine_facts = what_if.to_facts()
    facts_bits = elements_to_bits([element.value for element in engine_facts.elements])
    found = people_groups_from_file(people, load_mapping_file(mapping), facts_bits)
    return assess(shipped_rules(), engine_facts, found.groups), found.rows_unreadable


def _explanation_lines(explained: dict) -> list[str]:
    lines = [
        f"{explained['reference']}: residence {explained['residence'] or 'unknown'}, "
        f"exposed {', '.join(explained['elements'])}"
    ]
    for decision in explained["decisions"]:
        verdict = "notice owed" if decision["owed_notice"] else "no notice owed"
        lines.append(f"{decision['code']}: {verdict}")
        for reason in decision["reasons"]:
            facts = f"{reason['facts']}: " if reason["facts"] else ""
            lines.append(f"  {facts}{reason['finding']}  [{reason['citation']}]")
    return lines
