"""``breachdesk plan check``: the readiness checklist, with a fix for each gap."""

from __future__ import annotations

from pathlib import Path

import typer

from breachdesk.clitools import cli_session, print_json
from breachdesk.config import get_settings
from breachdesk.db import utcnow
from breachdesk.inputs import InputError, load_yaml_mapping, parse_model
from breachdesk.people.mapping import load_mapping_file
from breachdesk.planning.capacity import CapacityModel
from breachdesk.planning.mail_auth import FAIL, PASS, dns_lookup, records_from_file
from breachdesk.planning.readiness import Readiness, check_readiness
from breachdesk.rules.facts import WhatIfFacts

MARKS = {PASS: "pass", "warn": "WARN", FAIL: "FAIL"}


def check_command(
    organisation: str | None = typer.Option(
        None, "--organisation", help="The organisation's slug (needed when several exist)."
    ),
    customers: Path | None = typer.Option(
        None,
        "--customers",
        help="The whole customer base (CSV, TSV, XLSX, Parquet, JSONL) with residence columns.",
    ),
    mapping: Path | None = typer.Option(
        None, "--mapping", help="With --customers: mapping YAML, as for `import people`."
    ),
    facts: Path | None = typer.Option(
        None,
        "--facts",
        help="What-if facts YAML to plan for (default: every element taken, in clear, today).",
    ),
    dns: Path | None = typer.Option(
        None, "--dns", help="The sending domain's TXT records, as zone-file or `dig` lines."
    ),
    lookup: bool = typer.Option(
        False, "--lookup", help="Look the TXT records up in the public DNS instead."
    ),
    monitoring_codes: int | None = typer.Option(
        None,
        "--monitoring-codes",
        min=0,
        help="Credit-monitoring activation codes your vendor can supply.",
    ),
    agents: int | None = typer.Option(
        None, "--agents", min=1, help="Contact-center agents (default: the configured number)."
    ),
    fail_under: int | None = typer.Option(
        None,
        "--fail-under",
        min=0,
        max=100,
        help="Exit with status 1 when the score is below this (for scheduled checks).",
    ),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Score how ready the organisation is for a breach of its whole customer base, and
    say how to fix each gap. Nothing is stored."""
    if dns is not None and lookup:
        raise InputError("give --dns FILE or --lookup, not both")
    if mapping is not None and customers is None:
        raise InputError("--mapping needs --customers FILE")
    settings = get_settings()
    dkim_pem = settings.dkim_private_key
    what_if = (
        parse_model(WhatIfFacts, load_yaml_mapping(facts), source=str(facts)) if facts else None
    )
    records = records_from_file(dns) if dns is not None else dns_lookup if lookup else None
    with cli_session() as db_session:
        readiness = check_readiness(
            db_session=db_session,
            organisation_slug=organisation,
            now=utcnow(),
            customers_file=customers,
            mapping=load_mapping_file(mapping),
            facts=what_if,
            lookup=records,
            dkim_selector=settings.dkim_selector,
            dkim_private_pem=dkim_pem.get_secret_value().encode() if dkim_pem else None,
            monitoring_codes=monitoring_codes,
            capacity=CapacityModel.from_settings(settings, agents=agents),
            delivery_rate=settings.plan_delivery_rate,
        )
    if json_output:
        print_json(readiness.as_dict())
    else:
        typer.echo("\n".join(readiness_lines(readiness)))
    if fail_under is not None and readiness.score < fail_under:
        raise typer.Exit(1)


def readiness_lines(readiness: Readiness) -> list[str]:
    lines = [f"Readiness of {readiness.organisation}: {readiness.score}/100"]
    area = None
    for check in readiness.checks:
        if check.area != area:
            area = check.area
            lines.append(f"  {area}")
        lines.append(f"    [{MARKS[check.status]}] {check.name}: {check.detail}")
        if check.fix:
            lines.append(f"           fix: {check.fix}")
    return lines
