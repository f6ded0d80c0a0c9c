"""``breachdesk campaign``: create a notice campaign, schedule its waves, send them, and
see where it stands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from breachdesk.audit import service as audit
from breachdesk.clitools import cli_actor, cli_session, new_app, open_database, print_json
from breachdesk.config import get_settings
from breachdesk.db import utcnow
from breachdesk.delivery import service
from breachdesk.delivery.bounces import read_report, record_bounces, reports_in
from breachdesk.delivery.events import (
    BouncesRecorded,
    LettersExported,
    MailReturned,
    SubstituteListExported,
    SubstituteNoticeGiven,
)
from breachdesk.delivery.models import CampaignState, ChannelPolicy, MessageState
from breachdesk.delivery.printing import export_letters, record_returned_mail
from breachdesk.delivery.runner import RunSummary, run_campaign
from breachdesk.delivery.service import MonitoringOffer
from breachdesk.delivery.substitute import export_substitute_list, record_substitute_notice
from breachdesk.delivery.transport import configured_dkim, configured_sender
from breachdesk.inputs import InputError, read_text_file
from breachdesk.security.crypto import load_keyring

campaign_app = new_app("Notice campaigns: waves of notices, sent and accounted for.")


@campaign_app.command("create")
def create(
    incident: int = typer.Option(..., "--incident", help="The incident."),
    kind: str = typer.Option("initial", "--kind", help="The notice kind: initial, supplemental…"),
    channel: str = typer.Option(
        "email",
        "--channel",
        help="email (then a letter), letter (then email) or auto; people with neither go to "
        "the substitute-notice list.",
    ),
    monitoring_months: int | None = typer.Option(
        None, "--monitoring-months", help="Months of free credit monitoring the notices offer."
    ),
    enrol_url: str | None = typer.Option(
        None, "--enrol-url", help="Where to enrol: https:// on one of your own domains."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the campaign as JSON."),
) -> None:
    """Create a campaign from the approved templates of every language its people read.

    Refused when a law requires credit monitoring for some of the incident's people and
    the campaign does not offer at least that many months.
    """
    policy = _channel_policy(channel)
    offer = _offer(monitoring_months, enrol_url)
    with cli_session() as db_session:
        campaign = service.create_campaign(
            db_session=db_session,
            incident_id=incident,
            kind=kind,
            channel_policy=policy,
            actor=cli_actor(),
            offer=offer,
        )
        status = service.campaign_status(db_session=db_session, campaign_id=campaign.id)
    if as_json:
        print_json(status.as_dict())
    else:
        typer.echo(campaign.id)


@campaign_app.command("plan-supplemental")
def plan_supplemental(
    incident: int = typer.Option(..., "--incident", help="The incident."),
    kind: str = typer.Option(
        "supplemental",
        "--kind",
        help="The notice kind; after a supplemental notice, use update for a further one.",
    ),
    channel: str = typer.Option("email", "--channel", help="email, letter or auto."),
    monitoring_months: int | None = typer.Option(
        None, "--monitoring-months", help="Months of free credit monitoring the notices offer."
    ),
    enrol_url: str | None = typer.Option(
        None, "--enrol-url", help="Where to enrol: https:// on one of your own domains."
    ),
    start: str | None = typer.Option(
        None, "--start", help="When its wave may start, ISO 8601 with a zone (default: now)."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Say who needs one and why; create nothing."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as JSON."),
) -> None:
    """After a wider fact revision: find exactly the people whose latest notice it left
    incomplete (a new element of theirs, weaker protection, a wider window), and create
    a campaign of --kind with one wave of them, from the approved templates of that kind.
    """
    policy = _channel_policy(channel)
    offer = _offer(monitoring_months, enrol_url)
    starts_at = _parse_start(start)
    with cli_session() as db_session:
        plan = service.plan_supplemental(
            db_session=db_session,
            incident_id=incident,
            actor=cli_actor(),
            kind=kind,
            channel_policy=policy,
            offer=offer,
            starts_at=starts_at,
            dry_run=dry_run,
        )
    if as_json:
        print_json(plan.as_dict())
        return
    if not plan.people:
        typer.echo(
            f"incident {incident}: no {kind} notice is needed: nobody's latest notice is "
            f"incomplete against revision {plan.revision} (or each already has a {kind} one)"
        )
        return
    reasons = ", ".join(f"{count:,} {reason}" for reason, count in plan.reasons().items())
    typer.echo(f"{plan.people:,} people's notice is incomplete against revision {plan.revision}")
    typer.echo(f"  why: {reasons}")
    if plan.campaign is None:
        typer.echo("dry run: nothing was created")
        return
    channels = ", ".join(f"{count:,} {name}" for name, count in sorted(plan.channels.items()))
    typer.echo(f"campaign {plan.campaign.id} ({kind}): wave 1 with {channels}")
    typer.echo(f"send it with `breachdesk campaign run {plan.campaign.id}` (or the workers)")


@campaign_app.command("wave")
def wave(
    campaign: int = typer.Argument(..., help="The campaign."),
    jurisdiction: list[str] = typer.Option(
        [], "--jurisdiction", help="Only people living here, e.g. US-TX (repeatable)."
    ),
    size: int | None = typer.Option(None, "--size", help="At most this many people."),
    start: str | None = typer.Option(
        None, "--start", help="When it may start, ISO 8601 with a zone (default: now)."
    ),
    rate: int | None = typer.Option(None, "--rate", help="At most this many emails a second."),
) -> None:
    """Schedule the next wave: people owed notice not yet given this kind of notice."""
    starts_at = _parse_start(start)
    with cli_session() as db_session:
        scheduled, channels = service.schedule_wave(
            db_session=db_session,
            campaign_id=campaign,
            starts_at=starts_at,
            actor=cli_actor(),
            jurisdictions=jurisdiction,
            size=size,
            max_per_second=rate,
        )
    total = sum(channels.values())
    by_channel = ", ".join(f"{count:,} {name}" for name, count in sorted(channels.items()))
    typer.echo(
        f"wave {scheduled.number}: {total:,} people ({by_channel or 'none left to notify'}), "
        f"from {starts_at.isoformat()}"
    )
    if channels.get("substitute"):
        typer.echo(
            f"{channels['substitute']:,} have no usable channel: they are on the substitute-"
            "notice list (`breachdesk campaign status ID --json`)"
        )


@campaign_app.command("list")
def list_command(
    incident: int = typer.Option(..., "--incident", help="The incident."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The incident's campaigns."""
    with cli_session() as db_session:
        campaigns = service.list_campaigns(db_session=db_session, incident_id=incident)
        rows = [
            service.campaign_status(db_session=db_session, campaign_id=c.id).as_dict()
            for c in campaigns
        ]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        sent = row["counts"][MessageState.SENT.value]
        typer.echo(
            f"{row['id']:>4}  {row['kind']:<13} {row['state']:<10} {sent:,} of {row['owed']:,} sent"
        )


@campaign_app.command("status")
def status(
    campaign: int = typer.Argument(..., help="The campaign."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Counts by channel and state, and how many may have had their notice twice."""
    with cli_session() as db_session:
        report = service.campaign_status(db_session=db_session, campaign_id=campaign).as_dict()
    if as_json:
        print_json(report)
        return
    typer.echo(
        f"campaign {report['id']} ({report['kind']}, incident {report['incident']}): "
        f"{report['state']}, {report['owed']:,} people"
    )
    for channel, states in sorted(report["by_channel"].items()):
        counts = ", ".join(f"{count:,} {state}" for state, count in sorted(states.items()))
        typer.echo(f"  {channel}: {counts}")
    if report["duplicates_suspected"]:
        typer.echo(
            f"  {report['duplicates_suspected']:,} sent again after an interrupted run "
            "(same Message-ID): these people may have two copies"
        )
    deadline = report["earliest_deadline"]
    if report["remaining"]:
        pace = (
            f"{report['rate_per_second']:,}/s over the last 10 minutes, done about {report['eta']}"
            if report["rate_per_second"]
            else "nothing sent in the last 10 minutes: no ETA"
        )
        typer.echo(f"  {report['remaining']:,} emails and letters to go; {pace}")
    if deadline:
        verdict = {True: "on track", False: "BEHIND: the ETA is after it", None: "no ETA yet"}
        typer.echo(
            f"  earliest deadline: {deadline['day']} ({deadline['jurisdiction']}), "
            f"{verdict[report['on_track']]}"
        )


@campaign_app.command("run")
def run(
    campaign: int = typer.Argument(..., help="The campaign."),
    batch: int = typer.Option(200, "--batch", help="Emails claimed and sent per batch."),
    stale_after: int = typer.Option(
        120,
        "--stale-after",
        help="Seconds after which an email left `sending` by a stopped run is sent again.",
    ),
) -> None:
    """Send the campaign's due emails in this process, until none is left.

    Emails go to BREACHDESK_SMTP_URL, or without it to the Maildir capture in the data
    dir. Letters and the substitute-notice list are not sent by this command.
    """
    if batch < 1:
        raise InputError("--batch: must be at least 1")
    settings = get_settings()
    keyring = load_keyring(settings)
    sender = configured_sender(settings)
    database = open_database()
    try:
        with database.session() as db_session:
            before = service.campaign_status(db_session=db_session, campaign_id=campaign)
            due = sum(before.counts.get("email", {}).values()) - sum(
                before.counts.get("email", {}).get(state.value, 0)
                for state in (MessageState.SENT, MessageState.BOUNCED, MessageState.FAILED)
            )
        with Progress(
            TextColumn("sending"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,}"),
            TimeRemainingColumn(), transient=True,
        ) as progress:  # fmt: skip
            task = progress.add_task("emails", total=due)

            def advance(summary: RunSummary) -> None:
                progress.update(task, completed=summary.handled)

            summary = run_campaign(
                database=database,
                keyring=keyring,
                campaign_id=campaign,
                sender=sender,
                actor=cli_actor(),
                dkim=configured_dkim(settings, database, campaign),
                batch_size=batch,
                stale_after=timedelta(seconds=stale_after),
                on_batch=advance,
            )
    finally:
        database.dispose()
    outcomes = ", ".join(f"{count:,} {state}" for state, count in sorted(summary.outcomes.items()))
    typer.echo(f"campaign {campaign}: {outcomes or 'nothing was due'}")
    if summary.queued_on_next_channel:
        typer.echo(
            f"{summary.queued_on_next_channel:,} refused for good: queued as letters, or on the "
            "substitute-notice list when there is no postal address"
        )
    if summary.resent_after_interruption:
        typer.echo(
            f"{summary.resent_after_interruption:,} were sent again after an interrupted run"
        )


@campaign_app.command("bounces")
def bounces(
    path: Path = typer.Argument(
        ..., help="A bounce Maildir, a folder of .eml files, or one .eml file."
    ),
) -> None:
    """Read bounce reports (RFC 3464 delivery status notifications) and record them.

    A failed delivery marks the notice bounced and queues the person's next channel (a
    letter, else the substitute-notice list). Reading the same reports again changes
    nothing.
    """
    messages = not_reports = 0
    found = []
    for _name, data in reports_in(path):
        messages += 1
        report = read_report(data)
        not_reports += not report
        found.extend(report)
    with cli_session() as db_session:
        counts = record_bounces(db_session=db_session, bounces=found, now=utcnow())
        audit.record(
            db_session=db_session,
            event=BouncesRecorded(
                source=str(path),
                messages_read=messages,
                not_reports=not_reports,
                counts=dict(counts),
            ),
            actor=cli_actor(),
        )
    summary = ", ".join(f"{count:,} {what}" for what, count in sorted(counts.items()))
    typer.echo(f"{messages:,} messages read: {summary or 'no bounce reports'}")
    if not_reports:
        typer.echo(f"{not_reports:,} were not delivery status reports and were left alone")


@campaign_app.command("print")
def print_letters(
    campaign: int = typer.Argument(..., help="The campaign."),
    out: Path = typer.Option(..., "--out", help="Folder for the PDFs and manifests."),
    batch: int = typer.Option(500, "--batch", help="Letters per PDF."),
    mail_class: str = typer.Option(
        "first-class", "--mail-class", help="Written in the manifest for the vendor."
    ),
    stale_after: int = typer.Option(
        120, "--stale-after", help="Seconds after which letters left by a stopped export go again."
    ),
) -> None:
    """Export the campaign's due letters for a print-and-mail vendor: PDFs of up to
    --batch letters, each with a manifest CSV (reference, name, address, jurisdiction,
    pages, first page, mail class). The files hold names and addresses: mode 0600."""
    if batch < 1:
        raise InputError("--batch: must be at least 1")
    if out.exists() and not out.is_dir():
        raise InputError(f"--out: {out} is a file; give a folder")
    settings = get_settings()
    database = open_database()
    try:
        summary = export_letters(
            database=database,
            keyring=load_keyring(settings),
            campaign_id=campaign,
            out_dir=out,
            actor=cli_actor(),
            mail_class=mail_class,
            batch_size=batch,
            stale_after=timedelta(seconds=stale_after),
        )
        if summary.letters or summary.finished_from_before:
            with database.session() as db_session:
                record = service.get_campaign(db_session=db_session, campaign_id=campaign)
                audit.record(
                    db_session=db_session,
                    event=LettersExported(
                        campaign=campaign,
                        incident=record.incident_id,
                        letters=summary.letters,
                        files=summary.files,
                        finished_from_before=summary.finished_from_before,
                    ),
                    actor=cli_actor(),
                )
    finally:
        database.dispose()
    if summary.finished_from_before:
        typer.echo(f"finished {summary.finished_from_before} file(s) an interrupted export left")
    typer.echo(
        f"campaign {campaign}: {summary.letters:,} letters in {len(summary.files)} PDF(s) in {out}"
        if summary.letters
        else f"campaign {campaign}: no letters were due"
    )


@campaign_app.command("returned")
def returned(
    campaign: int = typer.Argument(..., help="The campaign."),
    file: Path = typer.Argument(..., help="The vendor's CSV: a reference column, a reason."),
) -> None:
    """Record returned letters: each is marked failed and the person's next channel is
    queued (email when they have an address, else the substitute-notice list)."""
    text = read_text_file(file)
    with cli_session() as db_session:
        counts = record_returned_mail(
            db_session=db_session, campaign_id=campaign, csv_text=text, now=utcnow()
        )
        record = service.get_campaign(db_session=db_session, campaign_id=campaign)
        audit.record(
            db_session=db_session,
            event=MailReturned(
                campaign=campaign,
                incident=record.incident_id,
                source=str(file),
                counts=dict(counts),
            ),
            actor=cli_actor(),
        )
    summary = ", ".join(f"{count:,} {what}" for what, count in sorted(counts.items()))
    typer.echo(f"campaign {campaign}: {summary or 'no rows'}")


@campaign_app.command("substitute")
def substitute(
    campaign: int = typer.Argument(..., help="The campaign."),
    out: Path | None = typer.Option(
        None, "--out", help="Write the people awaiting substitute notice to this CSV."
    ),
    given: str | None = typer.Option(
        None,
        "--given",
        help="Record substitute notice as given to all of them, saying how (posting, media).",
    ),
) -> None:
    """The substitute-notice list: people owed notice whom no channel reaches. Export it
    (--out, a CSV with names, mode 0600) for counsel, then record the substitute notice
    once given (--given "website posting at URL from DATE and statewide media")."""
    if (out is None) == (given is None):
        raise InputError("give --out FILE.csv to export the list, or --given TEXT to record it")
    with cli_session() as db_session:
        record = service.get_campaign(db_session=db_session, campaign_id=campaign)
        if out is not None:
            people = export_substitute_list(
                db_session=db_session,
                keyring=load_keyring(get_settings()),
                campaign_id=campaign,
                out=out,
            )
            event: SubstituteListExported | SubstituteNoticeGiven = SubstituteListExported(
                campaign=campaign, incident=record.incident_id, people=people, file=str(out)
            )
            said = f"campaign {campaign}: {people:,} people awaiting substitute notice in {out}"
        else:
            assert given is not None
            people = record_substitute_notice(
                db_session=db_session, campaign_id=campaign, method=given, now=utcnow()
            )
            event = SubstituteNoticeGiven(
                campaign=campaign, incident=record.incident_id, people=people, method=given
            )
            said = f"campaign {campaign}: substitute notice recorded for {people:,} people"
        audit.record(db_session=db_session, event=event, actor=cli_actor())
    typer.echo(said)


def _state_command(name: str, state: CampaignState, summary: str) -> None:
    def command(campaign: int = typer.Argument(..., help="The campaign.")) -> None:
        with cli_session() as db_session:
            service.change_state(
                db_session=db_session, campaign_id=campaign, state=state, actor=cli_actor()
            )
        typer.echo(f"campaign {campaign}: {state.value}")

    command.__doc__ = summary
    campaign_app.command(name)(command)


_state_command("pause", CampaignState.PAUSED, "Stop claiming emails; a run under way stops.")
_state_command("resume", CampaignState.READY, "Let a paused campaign send again.")
_state_command("cancel", CampaignState.CANCELLED, "Send nothing more; what was sent stays.")


def _channel_policy(channel: str) -> ChannelPolicy:
    try:
        return ChannelPolicy(channel)
    except ValueError:
        raise InputError(f"--channel: {channel!r} is not one of email, letter, auto") from None


def _offer(months: int | None, url: str | None) -> MonitoringOffer | None:
    if (months is None) != (url is None):
        raise InputError("--monitoring-months and --enrol-url go together: give both or neither")
    return MonitoringOffer(months, url) if months is not None and url is not None else None


def _parse_start(text: str | None) -> datetime:
    if text is None:
        return utcnow()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"--start: {text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise InputError(f"--start: {text!r} needs a zone, e.g. 2026-11-25T09:00-05:00")
    return moment.astimezone(UTC)
