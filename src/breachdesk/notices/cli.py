"""``breachdesk lint``: check a notice draft before anyone reads it."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml

from breachdesk.clitools import cli_actor, cli_session, new_app, print_json
from breachdesk.config import get_settings
from breachdesk.db import utcnow
from breachdesk.incidents import service as incidents
from breachdesk.incidents.models import DataElement, Organisation
from breachdesk.inputs import InputError, NotFound, load_yaml_mapping
from breachdesk.notices import templates
from breachdesk.notices.documents import read_document
from breachdesk.notices.lint import LintContext, LintResult, lint
from breachdesk.notices.render import LANGUAGES, default_template, parse_template
from breachdesk.notices.service import preview_notice
from breachdesk.rules.catalog import rule_for, shipped_rules
from breachdesk.security.cli import read_password, signed_in
from breachdesk.security.crypto import load_keyring


def lint_command(
    file: Path = typer.Argument(..., help="The draft: .txt, .md, .html, .eml, .pdf or .docx."),
    org: str | None = typer.Option(
        None, "--org", help="The organisation (slug): its domains and signatory are checked."
    ),
    domain: list[str] = typer.Option(
        [], "--domain", help="A domain the notice may link to or send from (repeatable)."
    ),
    jurisdiction: list[str] = typer.Option(
        [],
        "--jurisdiction",
        help="A rule code whose content rules apply, e.g. US-MA (repeatable; 'all' for every one).",
    ),
    incident: int | None = typer.Option(
        None, "--incident", help="Check the notice names every element the incident's facts list."
    ),
    lang: str = typer.Option("en", "--lang", help="The notice's language: en or es."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Lint a breach notice: legal content, facts, trust, plain language, oversharing, tone.

    Exits 1 when there is any error-level finding, 0 otherwise.
    """
    if lang not in LANGUAGES:
        raise InputError(f"--lang: {lang!r} is not one of {', '.join(LANGUAGES)}")
    document = read_document(file)
    codes = list(shipped_rules()) if [c.lower() for c in jurisdiction] == ["all"] else jurisdiction
    rules = tuple(rule_for(code) for code in codes)
    owned, signatory, elements = list(domain), None, None
    if org is not None or incident is not None:
        with cli_session() as db_session:
            organisation = _organisation(db_session, org) if org else None
            if incident is not None:
                found = incidents.get_incident(db_session=db_session, incident_id=incident)
                elements = frozenset(
                    DataElement(name) for name in found.current_revision.element_names
                )
                organisation = organisation or found.organisation
            if organisation is not None:
                owned += organisation.owned_domains + organisation.sending_domains
                signatory = organisation.signatory_name
    context = LintContext(
        owned_domains=tuple(owned),
        jurisdictions=rules,
        facts_elements=elements,
        signatory=signatory,
        language=lang,
    )
    result = lint(document, context)
    if json_output:
        print_json(result.as_dict())
    else:
        _print(result, file)
    if result.errors:
        raise typer.Exit(1)


def _organisation(db_session, slug: str) -> Organisation:
    organisation = incidents.get_organisation(db_session=db_session, slug=slug)
    if organisation is None:
        raise NotFound(f"no organisation {slug!r}: see `breachdesk org list`")
    return organisation


def _print(result: LintResult, file: Path) -> None:
    for finding in result.findings:
        typer.echo(f"{file.name}: {finding.location}: {finding.severity}: [{finding.rule}]")
        typer.echo(f"    {finding.message}")
        typer.echo(f"    fix: {finding.hint}")
    extracted = result.extracted
    named = ", ".join(element.value for element in extracted.data_elements) or "none"
    typer.echo(f"elements named: {named}")
    typer.echo(
        f"apology: {'yes' if extracted.apology else 'no'}; credit monitoring: "
        + (
            f"{extracted.credit_monitoring_months} months"
            if extracted.credit_monitoring_months
            else ("offered" if extracted.credit_monitoring else "no")
        )
        + f"; security freeze: {'yes' if extracted.security_freeze_info else 'no'}"
        + f"; FTC: {'yes' if extracted.ftc_info else 'no'}"
    )
    counts = {
        severity: sum(1 for f in result.findings if f.severity == severity)
        for severity in ("error", "warning", "info")
    }
    typer.echo(f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} notes")


notice_app = new_app("Breach notices: preview a person's notice.")
CHANNELS = ("text", "html", "email", "sms", "letter", "web")


@notice_app.command("preview")
def preview(
    incident: int = typer.Option(..., "--incident", help="The incident."),
    person: str = typer.Option(..., "--person", metavar="REF", help="The person's reference code."),
    channel: str = typer.Option(
        "text",
        "--channel",
        help="text (subject and body), html (the email's HTML part), email (the whole "
        "message, .eml), sms, letter (PDF) or web (the notice as a page on your site).",
    ),
    lang: str | None = typer.Option(
        None, "--lang", help="en or es (default: the person's preferred language, else en)."
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """Render one person's notice from the incident's current facts, as it would go out.

    Decrypts the person (recorded in the audit trail as people.viewed).
    """
    if channel not in CHANNELS:
        raise InputError(f"--channel: {channel!r} is not one of {', '.join(CHANNELS)}")
    if lang is not None and lang not in LANGUAGES:
        raise InputError(f"--lang: {lang!r} is not one of {', '.join(LANGUAGES)}")
    keyring = load_keyring(get_settings())
    with cli_session() as db_session:
        preview = preview_notice(
            db_session=db_session,
            keyring=keyring,
            incident_id=incident,
            reference=person,
            actor=cli_actor(),
            today=utcnow().date(),
            language=lang,
        )
    rendered = preview.rendered
    if channel == "letter" and output is None:
        raise InputError("--channel letter writes a PDF: give -o FILE.pdf")
    if channel == "email":
        body = preview.email(utcnow())
    elif channel == "letter":
        body = preview.letter()
    elif channel == "html":
        body = rendered.html.encode("utf-8")
    elif channel == "sms":
        body = (rendered.sms + "\n").encode("utf-8")
    elif channel == "web":
        body = rendered.web_page().encode("utf-8")
    else:
        body = f"Subject: {rendered.subject}\n\n{rendered.text}".encode()
    if output is not None:
        output.write_bytes(body)
        laws = ", ".join(law.code for law in preview.laws) or "none"
        saved = preview.version
        if saved is None:
            template = f"the shipped default ({rendered.template_version})"
        else:
            state = "approved" if saved.approved else "NOT YET APPROVED"
            template = f"version {saved.version} ({rendered.template_version}, {state})"
        typer.echo(
            f"wrote {output}: template {template}, fact revision {rendered.fact_revision}, "
            f"laws {laws}"
        )
    else:
        typer.echo(body.decode("utf-8"), nl=False)


template_app = new_app("Notice templates: versions, edits and sign-off by both approvers.")
notice_app.add_typer(template_app, name="template")


@template_app.command("list")
def template_list(
    org: str = typer.Option(..., "--org", help="The organisation (slug)."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the organisation's template versions and who signed each off."""
    with cli_session() as db_session:
        organisation = _organisation(db_session, org)
        rows = [
            {
                "id": version.id,
                "kind": version.kind,
                "language": version.language,
                "version": version.version,
                "content_hash": version.content_hash,
                "approved": version.approved,
                "approvals": {a.role: a.staff_user.email for a in version.approvals},
                "created_by": version.created_by,
                "created_at": version.created_at.isoformat(),
            }
            for version in templates.versions(db_session=db_session, organisation=organisation)
        ]
    if json_output:
        print_json(rows)
        return
    if not rows:
        typer.echo("no saved versions: notices use the shipped defaults (see `template show`)")
    for row in rows:
        status = (
            "approved"
            if row["approved"]
            else "needs "
            + " and ".join(
                role
                for role in ("legal_approver", "comms_approver")
                if role not in row["approvals"]
            )
        )
        typer.echo(
            f"{row['id']:>4}  {row['kind']}.{row['language']} v{row['version']}  "
            f"{row['content_hash']}  {status}"
        )


@template_app.command("show")
def template_show(
    template_id: int | None = typer.Argument(None, metavar="[ID]", help="A saved version's id."),
    default: bool = typer.Option(False, "--default", help="Show the shipped default instead."),
    lang: str = typer.Option("en", "--lang", help="With --default: en or es."),
    kind: str = typer.Option(
        "initial", "--kind", help="With --default: initial, or supplemental (after a wider scope)."
    ),
) -> None:
    """Print a template as YAML: the file to copy, edit and save with `template edit`."""
    if (template_id is None) == (not default):
        raise InputError("give a version ID, or --default [--kind K] [--lang es]")
    if default:
        template = default_template(kind, lang if lang in LANGUAGES else "?")
    else:
        with cli_session() as db_session:
            template = templates.template_file(
                templates.get_version(db_session=db_session, template_id=template_id)
            )
    typer.echo(
        yaml.safe_dump(template.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
    )


@template_app.command("edit")
def template_edit(
    org: str = typer.Option(..., "--org", help="The organisation (slug)."),
    file: Path = typer.Option(..., "--from", help="The edited template YAML."),
) -> None:
    """Save an edited template as a new version; it needs both sign-offs before use."""
    template = parse_template(load_yaml_mapping(file), source=str(file))
    with cli_session() as db_session:
        organisation = _organisation(db_session, org)
        version = templates.save_version(
            db_session=db_session, organisation=organisation, template=template, actor=cli_actor()
        )
        typer.echo(
            f"saved {version.kind}.{version.language} version {version.version} (id {version.id}, "
            f"{version.content_hash}); it needs a legal_approver and a comms_approver to sign off"
        )


@template_app.command("check")
def template_check(
    template_id: int = typer.Argument(..., metavar="ID", help="A saved version's id."),
) -> None:
    """Lint a version for a sample person in every jurisdiction, as approval does."""
    with cli_session() as db_session:
        version = templates.get_version(db_session=db_session, template_id=template_id)
        organisation = db_session.get(Organisation, version.organisation_id)
        errors = templates.lint_everywhere(templates.template_file(version), organisation)
    for where, finding in errors:
        typer.echo(f"{where}: {finding.location}: [{finding.rule}] {finding.message}")
    typer.echo(f"{len(errors)} errors across {len(templates.sample_residences())} jurisdictions")
    if errors:
        raise typer.Exit(1)


@template_app.command("approve")
def template_approve(
    template_id: int = typer.Argument(..., metavar="ID", help="A saved version's id."),
    user: str = typer.Option(..., "--user", help="The approver's staff email."),
    password_file: Path | None = typer.Option(
        None, "--password-file", help="Read the password from this file instead of prompting."
    ),
) -> None:
    """Sign off a version as its legal or communications approver (password checked)."""
    password = read_password(password_file, confirm=False)
    with cli_session() as db_session:
        approver = signed_in(db_session, user, password)
        version = templates.get_version(db_session=db_session, template_id=template_id)
        templates.approve(db_session=db_session, version=version, approver=approver, actor=user)
        state = "now approved for use" if version.approved else "waiting for the other approver"
        typer.echo(f"{approver.role} sign-off recorded for version {version.version}: {state}")
