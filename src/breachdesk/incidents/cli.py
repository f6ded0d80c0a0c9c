"""``breachdesk org`` and ``breachdesk incident``."""

from __future__ import annotations

from pathlib import Path

import typer

from breachdesk.clitools import cli_actor, cli_session, new_app, print_json
from breachdesk.incidents import service
from breachdesk.incidents.models import Disclosure
from breachdesk.incidents.schemas import (
    FactsIn,
    IncidentCreate,
    OrganisationCreate,
    incident_detail,
    incident_summary,
    organisation_read,
)
from breachdesk.inputs import load_yaml_mapping, parse_model

org_app = new_app("Organisations: who was breached, their domains, senders and signatory.")
incident_app = new_app("Incidents and the numbered revisions of their facts.")

FROM_FILE = typer.Option(..., "--from", help="YAML file (see docs/formats.md).")
JSON_OUTPUT = typer.Option(False, "--json", help="Print JSON.")


@org_app.command("create")
def create_org(source: Path = FROM_FILE) -> None:
    """Create an organisation from a YAML file."""
    organisation_in = parse_model(OrganisationCreate, load_yaml_mapping(source), source=str(source))
    with cli_session() as db_session:
        organisation = service.create_organisation(
            db_session=db_session, organisation_in=organisation_in, actor=cli_actor()
        )
    typer.echo(f"created organisation {organisation.slug} ({organisation.display_name})")


@org_app.command("list")
def list_orgs(json_output: bool = JSON_OUTPUT) -> None:
    """List organisations."""
    with cli_session() as db_session:
        organisations = [
            organisation_read(o) for o in service.list_organisations(db_session=db_session)
        ]
    if json_output:
        print_json(organisations)
        return
    for organisation in organisations:
        typer.echo(f"{organisation['slug']:24} {organisation['display_name']}")


@incident_app.command("create")
def create_incident(source: Path = FROM_FILE) -> None:
    """Open an incident, with its first fact revision, from a YAML file."""
    incident_in = parse_model(IncidentCreate, load_yaml_mapping(source), source=str(source))
    with cli_session() as db_session:
        incident = service.create_incident(
            db_session=db_session, incident_in=incident_in, actor=cli_actor()
        )
    typer.echo(f"created incident {incident.id}: {incident.title} (facts revision 1)")


@incident_app.command("revise")
def revise(
    incident_id: int = typer.Argument(..., metavar="ID"),
    source: Path = FROM_FILE,
    reason: str = typer.Option(..., "--reason", help="Why the facts changed."),
) -> None:
    """Record new facts as the next numbered revision."""
    facts_in = parse_model(FactsIn, load_yaml_mapping(source), source=str(source))
    with cli_session() as db_session:
        incident = service.get_incident(db_session=db_session, incident_id=incident_id)
        revision = service.revise_facts(
            db_session=db_session,
            incident=incident,
            facts_in=facts_in,
            reason=reason,
            actor=cli_actor(),
        )
    typer.echo(f"incident {incident_id}: recorded facts revision {revision.number}")
    if revision.expands_revision:
        typer.echo(
            f"SCOPE EXPANSION: revision {revision.number} widens disclosed revision "
            f"{revision.expands_revision}; people told the earlier facts need a supplemental "
            f"notice. See `breachdesk incident diff {incident_id} {revision.expands_revision} "
            f"{revision.number}`."
        )


@incident_app.command("list")
def list_incidents(json_output: bool = JSON_OUTPUT) -> None:
    """List incidents."""
    with cli_session() as db_session:
        incidents = [incident_summary(i) for i in service.list_incidents(db_session=db_session)]
    if json_output:
        print_json(incidents)
        return
    if not incidents:
        typer.echo("no incidents yet: create one with `breachdesk incident create --from FILE`")
    for item in incidents:
        flag = "  SCOPE EXPANDED" if item["scope_expansion"] else ""
        typer.echo(
            f"{item['id']:>4}  {item['organisation']:16} rev {item['current_revision']:<3} "
            f"{item['status']:13} {item['title']}{flag}"
        )


@incident_app.command("show")
def show(incident_id: int = typer.Argument(..., metavar="ID"), json_output: bool = JSON_OUTPUT):
    """Show an incident, its dates and every fact revision."""
    with cli_session() as db_session:
        detail = incident_detail(
            service.get_incident(db_session=db_session, incident_id=incident_id)
        )
    if json_output:
        print_json(detail)
        return
    typer.echo(f"Incident {detail['id']}: {detail['title']}")
    typer.echo(f"  organisation   {detail['organisation_name']} ({detail['organisation']})")
    typer.echo(f"  status         {detail['status']}")
    for field in ("discovered_at", "determined_at", "contained_at", "occurred_from", "occurred_to"):
        typer.echo(f"  {field:14} {detail[field] or '-'}")
    if delay := detail["law_enforcement_delay"]:
        typer.echo(
            f"  law-enforcement delay requested by {delay['requested_by']} until {delay['until']}"
        )
    for revision in detail["revisions"]:
        marks = []
        if revision["disclosed_at"]:
            marks.append(f"disclosed {revision['disclosed_at']} by {revision['disclosure']}")
        if revision["expands_revision"]:
            marks.append(f"SCOPE EXPANSION of revision {revision['expands_revision']}")
        typer.echo(
            f"\n  revision {revision['number']}  {revision['created_at']}  "
            f"{revision['created_by']}{'  [' + '; '.join(marks) + ']' if marks else ''}"
        )
        typer.echo(f"    reason: {revision['reason']}")
        typer.echo(f"    people affected: {revision['people_affected']:,}")
        elements = ", ".join(_element_text(item) for item in revision["elements"])
        typer.echo(f"    elements: {elements}")


def _element_text(exposure: dict) -> str:
    text = f"{exposure['element']} ({exposure['protection']}"
    return text + (", key taken)" if exposure["key_compromised"] else ")")


@incident_app.command("diff")
def diff(
    incident_id: int = typer.Argument(..., metavar="ID"),
    revision_a: int = typer.Argument(..., metavar="REV_A"),
    revision_b: int = typer.Argument(..., metavar="REV_B"),
    json_output: bool = JSON_OUTPUT,
) -> None:
    """Show what changed from revision REV_A to REV_B, and whether scope widened."""
    with cli_session() as db_session:
        incident = service.get_incident(db_session=db_session, incident_id=incident_id)
        change = service.diff(incident=incident, number_a=revision_a, number_b=revision_b)
    if json_output:
        print_json(change.as_dict())
        return
    for line in change.lines():
        typer.echo(line)


@incident_app.command("disclose")
def disclose(
    incident_id: int = typer.Argument(..., metavar="ID"),
    revision: int | None = typer.Option(
        None, "--revision", help="The revision made public (default: the current one)."
    ),
) -> None:
    """Mark a fact revision as disclosed by a public statement."""
    with cli_session() as db_session:
        incident = service.get_incident(db_session=db_session, incident_id=incident_id)
        disclosed = service.disclose(
            db_session=db_session,
            incident=incident,
            disclosure=Disclosure.PUBLIC_STATEMENT,
            actor=cli_actor(),
            number=revision,
        )
    typer.echo(
        f"incident {incident_id}: revision {disclosed.number} disclosed "
        f"{disclosed.disclosed_at.isoformat()}"
    )
