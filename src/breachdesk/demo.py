"""``breachdesk demo``: a fictional breach response, built in a fresh data dir.

The story so far: Northwind Outfitters finds card-skimming malware on its store
checkout systems, posts a statement (revision 1 disclosed), then forensics finds the
attackers also took customers' email addresses and dates of birth from a wider window
and more people: a scope expansion, exactly the instalments Target told in 2013.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from datetime import datetime, timedelta
from pathlib import Path

import typer
from sqlalchemy import select

from breachdesk.audit import service as audit
from breachdesk.config import Settings, get_settings
from breachdesk.db import Database, utcnow
from breachdesk.delivery import service as delivery
from breachdesk.delivery.models import ChannelPolicy
from breachdesk.delivery.runner import run_campaign
from breachdesk.delivery.senders import MaildirSender
from breachdesk.desk.demo import seed_desk
from breachdesk.incidents import service as incidents
from breachdesk.incidents.models import Disclosure
from breachdesk.incidents.schemas import FactsIn, IncidentCreate, OrganisationCreate
from breachdesk.inputs import InputError
from breachdesk.notices import templates
from breachdesk.notices.render import LANGUAGES, default_template
from breachdesk.notices.service import preview_notice
from breachdesk.people.flows import REPORTS_DIR, ImportSummary, import_people
from breachdesk.people.mapping import MappingFile
from breachdesk.people.models import AffectedPerson
from breachdesk.people.synth import SynthSummary, write_synthetic_people
from breachdesk.rules.engine import JurisdictionAssessment
from breachdesk.rules.report import write_report
from breachdesk.rules.service import assess_incident
from breachdesk.rules.views import jurisdiction_lines
from breachdesk.security import service as security
from breachdesk.security import twofactor
from breachdesk.security.crypto import load_keyring
from breachdesk.security.models import Role
from breachdesk.security.schemas import StaffUserCreate

DEMO_PEOPLE = 100_000
DEMO_FIRST_WAVE = 1_000  # people in the first wave the demo sends
DEMO_SEED = 2013
ACTOR = "demo"
DEMO_DOMAIN = "northwind-outfitters.example"


def demo_command(
    data_dir: Path = typer.Option(
        Path("breachdesk-data"), "--data-dir", help="Where to build the demo (made fresh)."
    ),
    serve: bool = typer.Option(
        True, "--serve/--no-serve", help="Serve the web app when the story is built."
    ),
    people: int = typer.Option(
        DEMO_PEOPLE, "--people", min=1, max=10_000_000, help="How many synthetic people."
    ),
) -> None:
    """Build a fictional organisation and breach response in a fresh data dir."""
    prepare_data_dir(data_dir)
    # The demo always uses its own SQLite file, whatever BREACHDESK_DATABASE_URL says,
    # so it can never write into a real response's database.
    settings = get_settings().model_copy(update={"data_dir": data_dir, "database_url": None})
    build_story(settings, people)
    if serve:
        from breachdesk.main import run_server

        print_logins(data_dir, f"http://{settings.host}:{settings.port}")
        run_server(settings)


def prepare_data_dir(data_dir: Path, command: str = "demo") -> None:
    """Empty a data dir ``breachdesk COMMAND`` made before; refuse any other non-empty one."""
    marker = data_dir / f".breachdesk-{command}"
    if data_dir.exists() and any(data_dir.iterdir()):
        if not marker.exists():
            raise InputError(
                f"--data-dir: {data_dir} holds files the {command} did not create; refusing "
                "to touch it. Give an empty or new folder."
            )
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    marker.write_text(f"created by `breachdesk {command}`; rebuilt on each run\n")


def build_story(settings: Settings, people: int = DEMO_PEOPLE) -> None:
    now = utcnow().replace(microsecond=0)
    load_keyring(settings)  # creates the data dir's key file
    database = Database.from_settings(settings)
    database.ensure_schema()
    say = typer.echo
    try:
        with database.session() as db_session:
            organisation = incidents.create_organisation(
                db_session=db_session, organisation_in=demo_organisation(), actor=ACTOR
            )
            say(
                f"organisation  {organisation.display_name}, sending from "
                f"{', '.join(organisation.sending_domains)}"
            )
            accounts = create_staff(db_session)
            keys = enrol_two_factor(db_session, load_keyring(settings), accounts)
        write_accounts(settings.data_dir, accounts, keys)
        say(
            f"staff         {len(accounts)} accounts, one per role; passwords and two-factor "
            f"keys in {settings.data_dir / 'demo-accounts.txt'}"
        )
        for email, role, _password in accounts:
            say(f"                {role:15} {email}")

        with database.session() as db_session:
            incident = incidents.create_incident(
                db_session=db_session, incident_in=demo_incident(now), actor=ACTOR
            )
            incident_id = incident.id
            say(f"incident {incident_id}    {incident.title}")
            say(
                f"  revision 1  {incident.current_revision.people_affected:,} people: "
                f"{', '.join(incident.current_revision.element_names)}"
            )
            incidents.disclose(
                db_session=db_session,
                incident=incident,
                disclosure=Disclosure.PUBLIC_STATEMENT,
                actor=ACTOR,
            )
            say("  revision 1  disclosed in a public statement")

        with database.session() as db_session:
            incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
            revision = incidents.revise_facts(
                db_session=db_session,
                incident=incident,
                facts_in=demo_revised_facts(now),
                reason="Forensic report: loyalty database also accessed",
                actor=ACTOR,
            )
            say(
                f"  revision {revision.number}  {revision.people_affected:,} people: "
                f"{', '.join(revision.element_names)}"
            )
            if revision.expands_revision:
                say(f"  SCOPE EXPANSION of disclosed revision {revision.expands_revision}:")
                change = incidents.diff(incident=incident, number_a=1, number_b=revision.number)
                for line in change.lines()[1:]:
                    say(f"  {line}")

        import_demo_people(settings, database, incident_id, people)
        assess_demo_incident(settings, database, incident_id)
        approve_demo_notices(settings, database, incident_id)
        send_demo_first_wave(settings, database, incident_id)
        seed_desk(settings, database, incident_id, DEMO_DOMAIN)

        with database.session() as db_session:
            result = audit.verify(db_session=db_session)
        say(
            f"audit trail   {result.events_checked} events, chain "
            f"{'intact' if result.intact else 'BROKEN'}; head {result.head_hash[:16]}…"
        )
        try_it = f"BREACHDESK_DATA_DIR={settings.data_dir} {command_name()} incident show"
        say(f"\nTry: {try_it} {incident_id}")
    finally:
        database.dispose()


def import_demo_people(
    settings: Settings, database: Database, incident_id: int, count: int
) -> None:
    """A synthetic customer list, with the duplicates and bad rows real lists have."""
    synth, summary = import_synthetic_people(settings, database, incident_id, count)
    typer.echo(
        f"people        {synth.rows_written:,} rows imported in {summary.seconds:,.1f} s: "
        f"{summary.people_created:,} people, {summary.rows_merged:,} duplicates merged, "
        f"{summary.rows_quarantined:,} quarantined, {summary.near_duplicates:,} "
        f"near-duplicates to review; counts "
        f"{'reconcile' if summary.reconciles else 'DO NOT RECONCILE'}"
    )
    typer.echo(f"              issues report: {summary.quarantine_report}")


def import_synthetic_people(
    settings: Settings,
    database: Database,
    incident_id: int,
    count: int,
    file_name: str = "demo-people.csv",
) -> tuple[SynthSummary, ImportSummary]:
    """Write ``count`` rows of synthetic people into the data dir and import them."""
    path = settings.data_dir / file_name
    synth = write_synthetic_people(path=path, count=count, seed=DEMO_SEED)
    summary = import_people(
        database=database,
        keyring=load_keyring(settings),
        incident_id=incident_id,
        path=path,
        mapping=MappingFile(),
        reports_dir=settings.data_dir / REPORTS_DIR,
        actor=ACTOR,
    )
    return synth, summary


def assess_demo_incident(settings: Settings, database: Database, incident_id: int) -> None:
    """Who must be told, by when: the assessment every response starts from."""
    with database.session() as db_session:
        assessment = assess_incident(db_session=db_session, incident_id=incident_id)
    report = settings.data_dir / "assessment.html"
    write_report(assessment, report, title=f"incident {incident_id} (demo)")
    results = assessment.jurisdictions.values()
    owing = [result for result in results if result.residents_owed_notice]
    dated = sorted(
        (result.individual_due.day, result.code) for result in owing if result.individual_due
    )
    regulators = sum(1 for result in results for notice in result.regulators if notice.required)
    typer.echo(
        f"assessment    {len(owing)} of {len(assessment.jurisdictions)} applicable laws require "
        f"notice; {regulators} regulator notices; "
        + (f"earliest deadline {dated[0][0]} ({dated[0][1]})" if dated else "no fixed deadline")
    )
    soonest = sorted(owing, key=lambda result: (result.individual_due is None, _due_day(result)))
    for result in soonest[:4]:
        for line in jurisdiction_lines(result, utcnow().date()):
            typer.echo(f"              {line}")
    if len(soonest) > 4:
        typer.echo(f"              … and {len(soonest) - 4} more laws in the report")
    typer.echo(f"              report: {report} (not legal advice)")


def approve_demo_notices(settings: Settings, database: Database, incident_id: int) -> None:
    """The default notices saved as the organisation's own, signed off by the demo's legal
    and communications approvers, and one person's email and letter written out."""
    with database.session() as db_session:
        incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
        organisation = incident.organisation
        approvers = [
            security.get_by_email(db_session=db_session, email=f"{role}@{DEMO_DOMAIN}")
            for role in ("legal.approver", "comms.approver")
        ]
        for language in LANGUAGES:
            version = templates.save_version(
                db_session=db_session,
                organisation=organisation,
                template=default_template("initial", language),
                actor=ACTOR,
            )
            for approver in approvers:
                templates.approve(
                    db_session=db_session, version=version, approver=approver, actor=approver.email
                )
        reference = db_session.execute(
            select(AffectedPerson.reference)
            .where(
                AffectedPerson.incident_id == incident_id, AffectedPerson.jurisdiction == "US-CA"
            )
            .order_by(AffectedPerson.id)
            .limit(1)
        ).scalar_one()
        preview = preview_notice(
            db_session=db_session,
            keyring=load_keyring(settings),
            incident_id=incident_id,
            reference=reference,
            actor=ACTOR,
            today=utcnow().date(),
        )
    email, letter = settings.data_dir / "sample-notice.eml", settings.data_dir / "sample-notice.pdf"
    email.write_bytes(preview.email(utcnow()))
    letter.write_bytes(preview.letter())
    typer.echo(
        f"notices       English and Spanish templates approved by the legal and comms approvers "
        f"(they lint clean in every jurisdiction)\n              sample: {email}, {letter}"
    )


def send_demo_first_wave(settings: Settings, database: Database, incident_id: int) -> None:
    """A campaign offering 24 months of credit monitoring, whose first wave (Texas, up to
    DEMO_FIRST_WAVE people) is sent to the data dir's mail capture, as `campaign run`
    would without an SMTP relay."""
    with database.session() as db_session:
        incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
        # The longest monitoring any law asks for here (Connecticut's 24 months), enrolled
        # on the organisation's own domain.
        offer = delivery.MonitoringOffer(
            months=24, url=f"https://{incident.organisation.owned_domains[0]}/protect"
        )
        campaign = delivery.create_campaign(
            db_session=db_session,
            incident_id=incident_id,
            kind="initial",
            channel_policy=ChannelPolicy.EMAIL,
            actor=ACTOR,
            offer=offer,
        )
        campaign_id = campaign.id
        delivery.schedule_wave(
            db_session=db_session,
            campaign_id=campaign_id,
            starts_at=utcnow(),
            actor=ACTOR,
            jurisdictions=["US-TX"],
            size=DEMO_FIRST_WAVE,
        )
    capture = settings.data_dir / "mail-capture"
    run_campaign(
        database=database,
        keyring=load_keyring(settings),
        campaign_id=campaign_id,
        sender=MaildirSender(capture),
        actor=ACTOR,
    )
    with database.session() as db_session:
        status = delivery.campaign_status(db_session=db_session, campaign_id=campaign_id)
    counts = status.as_dict()["counts"]
    typer.echo(
        f"campaign {campaign_id}    first wave (Texas): {counts['sent']:,} emails sent to "
        f"{capture}, {status.duplicates_suspected} duplicates; "
        f"see `campaign status {campaign_id}`"
    )


def _due_day(result: JurisdictionAssessment) -> str:
    return result.individual_due.day.isoformat() if result.individual_due else ""


def command_name() -> str:
    """How the user can run breachdesk from here: the venv's script if it is not on PATH."""
    script = Path(sys.executable).parent / "breachdesk"
    if shutil.which("breachdesk") == str(script) or not script.exists():
        return "breachdesk"
    return os.path.relpath(script)


def create_staff(db_session, domain: str = DEMO_DOMAIN) -> list[tuple[str, str, str]]:
    """One account a role, lead@DOMAIN and so on, each with a random password."""
    accounts = []
    for role in Role:
        email = f"{role.value.replace('_', '.')}@{domain}"
        password = secrets.token_urlsafe(12)
        security.create_user(
            db_session=db_session,
            user_in=StaffUserCreate(email=email, role=role, password=password),
            actor=ACTOR,
        )
        accounts.append((email, role.value, password))
    return accounts


def enrol_two_factor(db_session, keyring, accounts: list[tuple[str, str, str]]) -> dict[str, str]:
    """Two-factor sign-in for every demo account, enrolled as a staff member would
    (a secret, confirmed with its first code); returns each email's key."""
    keys = {}
    for email, _role, _password in accounts:
        user = security.get_by_email(db_session=db_session, email=email)
        secret = twofactor.begin_enrolment(db_session=db_session, keyring=keyring, user=user).secret
        twofactor.confirm_enrolment(
            db_session=db_session, keyring=keyring, user=user,
            code=twofactor.current_code(secret),
        )  # fmt: skip
        keys[email] = secret
    return keys


def write_accounts(
    data_dir: Path, accounts: list[tuple[str, str, str]], keys: dict[str, str]
) -> None:
    path = data_dir / "demo-accounts.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("# demo staff accounts: email, role, password, two-factor key\n")
        for email, role, password in accounts:
            handle.write(f"{email}\t{role}\t{password}\t{keys[email]}\n")


def print_logins(data_dir: Path, base: str) -> None:
    """The demo's URLs and logins, for whoever is about to try the console."""
    say = typer.echo
    say(f"\nServing breachdesk on {base} (Ctrl-C stops):")
    say(f"  public portal   {base}/")
    say(f"  staff console   {base}/console/")
    say(f"  JSON API        {base}/api/  (described at {base}/api/openapi.json)")
    say("\nDemo logins (email, password, two-factor key):")
    rows = [
        row.split("\t")
        for row in (data_dir / "demo-accounts.txt").read_text(encoding="utf-8").splitlines()[1:]
    ]
    width = max(len(email) for email, *_rest in rows)
    for email, role, password, key in rows:
        say(f"  {role:15} {email:{width}}  {password}  {key}")
    python = Path(sys.executable)
    say(
        "Add a key to any authenticator app, or print its current code with\n"
        f"  {os.path.relpath(python) if python.is_relative_to(Path.cwd()) else python} "
        "-c \"import pyotp; print(pyotp.TOTP('KEY').now())\""
    )


def demo_organisation() -> OrganisationCreate:
    return OrganisationCreate.model_validate(
        {
            "slug": "northwind",
            "legal_name": "Northwind Outfitters, Inc.",
            "display_name": "Northwind Outfitters",
            "domains": {"owned": [DEMO_DOMAIN], "sending": [DEMO_DOMAIN]},
            "senders": [{"name": "Northwind Outfitters", "email": f"notice@{DEMO_DOMAIN}"}],
            "support": {
                "phone": "+1 800 555 0142",
                "email": f"help@{DEMO_DOMAIN}",
                "postal_address": "Northwind Outfitters, Inc.\n1200 Harbor Way\nPortland, OR 97201",
            },
            "signatory": {"name": "Dana Whitfield", "title": "Chief Executive Officer"},
            "sectors": {"sec_registrant": True},
            "established_in": ["US"],
        }
    )


def demo_incident(now: datetime) -> IncidentCreate:
    # Dates are relative to today, so the demo's deadlines are always live.
    return IncidentCreate.model_validate(
        {
            "organisation": "northwind",
            "title": "Payment cards skimmed at store checkouts",
            "discovered_at": now - timedelta(days=6),
            "determined_at": now - timedelta(days=4),
            "contained_at": now - timedelta(days=5),
            "reason": "Initial findings from the incident response team",
            "facts": {
                "elements": [
                    "name",
                    "payment_card",
                    {"element": "pin", "protection": "encrypted"},
                ],
                "people_affected": 40_000_000,
                "occurred_from": now - timedelta(days=30),
                "occurred_to": now - timedelta(days=5),
                "timeline": [
                    {"at": now - timedelta(days=6), "what": "Bank reports fraud pattern"},
                    {"at": now - timedelta(days=5), "what": "Malware removed from checkouts"},
                ],
                "public_description": (
                    "Criminals installed software on our store checkout systems that copied "
                    "the name and card number of customers who paid by card."
                ),
                "internal_description": "RAM scraper on POS fleet, in via an HVAC vendor account.",
            },
        }
    )


def demo_revised_facts(now: datetime) -> FactsIn:
    return FactsIn.model_validate(
        {
            "elements": [
                "name",
                "payment_card",
                {"element": "pin", "protection": "encrypted", "key_compromised": True},
                "email",
                "address",
            ],
            "people_affected": 70_000_000,
            "occurred_from": now - timedelta(days=45),
            "occurred_to": now - timedelta(days=5),
            "timeline": [
                {"at": now - timedelta(days=6), "what": "Bank reports fraud pattern"},
                {"at": now - timedelta(days=5), "what": "Malware removed from checkouts"},
                {"at": now - timedelta(days=1), "what": "Loyalty database access found"},
            ],
            "public_description": (
                "Criminals installed software on our store checkout systems that copied card "
                "details, and also reached our loyalty database of names, postal and email "
                "addresses. Encrypted PINs were taken with the key that protects them."
            ),
            "internal_description": "Lateral movement to loyalty DB; PIN key found on host.",
        }
    )
