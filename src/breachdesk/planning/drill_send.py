"""Drill steps for the notices: lint them in every residence the people live in, then
send a wave to everyone owed notice, into the drill's local mail capture, and project
the measured rate onto the breach the facts describe."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select

from breachdesk.delivery import service as delivery
from breachdesk.delivery.models import ChannelPolicy
from breachdesk.delivery.runner import run_campaign
from breachdesk.delivery.senders import MaildirSender
from breachdesk.incidents import service as incidents
from breachdesk.inputs import InputError
from breachdesk.notices.context import NoticeBatch, owing_laws
from breachdesk.notices.documents import document_from_html
from breachdesk.notices.findings import ERROR, LintContext
from breachdesk.notices.lint import lint
from breachdesk.notices.mime import DkimKey
from breachdesk.notices.render import LANGUAGES, TemplateFile
from breachdesk.notices.templates import template_file, versions
from breachdesk.people.models import AffectedPerson
from breachdesk.planning import waves_service
from breachdesk.planning.capacity import CapacityModel
from breachdesk.planning.drill_steps import ACTOR, Drill

SAMPLE_REFERENCE = "XXXX-XXXX-XXXX"
DKIM_KEY_BITS = 2048


def lint_notices(drill: Drill) -> tuple[str, dict[str, float]]:
    """Each approved initial template rendered for every residence whose people read it,
    with the incident's facts and the monitoring offer, and linted against the laws
    that require notice there; every error is a gap."""
    started = time.perf_counter()
    person = AffectedPerson
    with drill.database.session() as db_session:
        incident = incidents.get_incident(db_session=db_session, incident_id=drill.incident_id)
        organisation = incident.organisation
        spoken = db_session.execute(
            select(person.jurisdiction, person.language, func.count())
            .where(person.incident_id == incident.id)
            .group_by(person.jurisdiction, person.language)
        ).all()
        approved: dict[str, TemplateFile] = {
            version.language: template_file(version)
            for version in versions(
                db_session=db_session, organisation=organisation, kind="initial"
            )
            if version.approved
        }
        readers: dict[str, set[str]] = {}  # language -> residences
        unsupported: Counter[str] = Counter()
        for residence, language, count in spoken:
            if (language or "en")[:2].lower() not in LANGUAGES:
                unsupported[(language or "")[:2].lower()] += count
            if residence is not None:
                readers.setdefault(delivery.notice_language(language), set()).add(residence)
        owned = (*organisation.owned_domains, *organisation.sending_domains)
        facts = incident.current_revision.element_names
        found: dict[tuple[str, str], list[str]] = {}
        linted = 0
        for language, residences in sorted(readers.items()):
            if language not in approved:
                drill.gap(
                    "notices",
                    f"people read {language!r} and no initial template in it is approved, so "
                    "no campaign can start",
                    f"`breachdesk notice template show --default --lang {language}`, edit it, "
                    "save it with `notice template edit` and have both approvers sign off",
                )
                continue
            batch = NoticeBatch(
                template=approved[language],
                organisation=organisation,
                incident=incident,
                today=drill.now.date(),
                remedy=drill.offer.as_context() if drill.offer else None,
            )
            for residence in sorted(residences):
                laws = owing_laws(incident, residence, None)
                if not laws:
                    continue
                rendered = batch.render(
                    {"jurisdiction": residence, "elements": facts, "reference": SAMPLE_REFERENCE}
                )
                context = LintContext(
                    owned_domains=owned,
                    jurisdictions=tuple(laws),
                    signatory=organisation.signatory_name,
                    language=language,
                )
                linted += 1
                for finding in lint(document_from_html(rendered.html), context).findings:
                    if finding.severity == ERROR:
                        where = found.setdefault((finding.message, finding.hint), [])
                        where.append(f"{residence} ({language})")
    for (message, hint), where in found.items():
        drill.gap("notices", f"{message}, in the notice to {', '.join(where)}", hint)
    if unsupported:
        listed = ", ".join(f"{lang} ({count})" for lang, count in unsupported.most_common())
        drill.gap(
            "notices",
            "people prefer languages breachdesk has no notice wording in, and will be written "
            f"to in English: {listed}",
            "translate the notice wording (src/breachdesk/notices/locale) and have interpreters "
            "on the response line",
        )
    seconds = time.perf_counter() - started
    residences = len(set().union(*readers.values())) if readers else 0
    return (
        f"{linted} notices linted for the {residences} residences people live in; "
        f"{sum(len(where) for where in found.values())} error findings",
        {"notices_linted_per_second": round(linted / seconds, 1) if seconds else 0.0},
    )


def plan_waves(drill: Drill) -> tuple[str, dict[str, float]]:
    """The wave plan for the drill's people, paced to the configured contact centre."""
    model = CapacityModel.from_settings(drill.settings)
    with drill.database.session() as db_session:
        wave_plan = waves_service.plan_incident(
            db_session=db_session,
            incident_id=drill.incident_id,
            model=model,
            rate=drill.settings.plan_delivery_rate,
            now=drill.now,
        )
    if not wave_plan.feasible:
        shortfall = wave_plan.shortfall
        reasons = "; ".join(shortfall.reasons) if shortfall else "it does not fit"
        drill.gap(
            "capacity",
            f"no wave plan meets every deadline within the desk's capacity: {reasons}",
            "add agents (BREACHDESK_CAPACITY_AGENTS) or start sooner; see `breachdesk plan "
            "waves --incident ID`",
        )
    fits = "meets every deadline within capacity" if wave_plan.feasible else "does not fit"
    return (
        f"{len(wave_plan.waves)} wave{'' if len(wave_plan.waves) == 1 else 's'} for "
        f"{wave_plan.people:,} people, "
        f"{model.agents} agents: {fits}",
        {},
    )


def drill_dkim_key(drill: Drill, domain: str) -> DkimKey | None:
    """A key of the drill's own for the configured selector (the configured private key
    is never read); None when the configuration signs nothing."""
    if drill.dkim_selector is None:
        drill.gap(
            "mail",
            "notices would go out unsigned: no DKIM key is configured",
            "set BREACHDESK_DKIM_SELECTOR and BREACHDESK_DKIM_PRIVATE_KEY, and publish the "
            "public key in DNS at SELECTOR._domainkey.DOMAIN",
        )
        return None
    key = rsa.generate_private_key(public_exponent=65537, key_size=DKIM_KEY_BITS)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return DkimKey.from_pem(domain, drill.dkim_selector, pem)


def send_notices(drill: Drill) -> tuple[str, dict[str, float]]:
    """A campaign offering the monitoring the law requires, one wave of everyone owed
    notice, sent to the local mail capture."""
    try:
        with drill.database.session() as db_session:
            campaign = delivery.create_campaign(
                db_session=db_session,
                incident_id=drill.incident_id,
                kind="initial",
                channel_policy=ChannelPolicy.EMAIL,
                actor=ACTOR,
                offer=drill.offer,
            )
            _wave, channels = delivery.schedule_wave(
                db_session=db_session, campaign_id=campaign.id, starts_at=drill.now, actor=ACTOR
            )
            domain = delivery.sender_domain(db_session=db_session, campaign_id=campaign.id)
    except InputError as error:
        drill.gap("notices", f"the campaign could not start: {error}", "fix that, then drill again")
        return "no notice sent: the campaign could not start", {}
    drill.dkim = drill_dkim_key(drill, domain)
    started = time.perf_counter()
    summary = run_campaign(
        database=drill.database,
        keyring=drill.keyring,
        campaign_id=campaign.id,
        sender=MaildirSender(drill.settings.data_dir / "mail-capture"),
        actor=ACTOR,
        dkim=drill.dkim,
    )
    seconds = time.perf_counter() - started
    sent = summary.outcomes.get("sent", 0)
    rate = sent / seconds if seconds and sent else 0.0
    _project(drill, rate)
    by_channel = ", ".join(f"{count:,} {channel}" for channel, count in sorted(channels.items()))
    capture = drill.settings.data_dir / "mail-capture"
    signed = "; DKIM-signed with a drill key" if drill.dkim else ""
    return (
        f"campaign {campaign.id}: {sent:,} emails sent to {capture} ({by_channel} owed){signed}",
        {"notices_per_second": round(rate, 1)},
    )


def _project(drill: Drill, rate: float) -> None:
    """At the measured rate, would the breach the facts describe be told in time?"""
    assessment = drill.assessment
    with drill.database.session() as db_session:
        incident = incidents.get_incident(db_session=db_session, incident_id=drill.incident_id)
        people = incident.current_revision.people_affected
    dated = sorted(
        (result.individual_due.day, code)
        for code, result in assessment.jurisdictions.items()
        if result.residents_owed_notice and result.individual_due
    )
    if not rate or not dated:
        return
    finish = drill.now + timedelta(seconds=people / rate)
    day, code = dated[0]
    if finish.date() > day:
        passed = day < drill.now.date()
        drill.gap(
            "capacity",
            f"at the measured {rate:,.0f} notices a second, the {people:,} people in the facts "
            f"take until {finish:%Y-%m-%d %H:%M} UTC to tell, "
            + (
                f"and the earliest deadline ({day.isoformat()}, {code}) had already passed"
                if passed
                else f"past the earliest deadline ({day.isoformat()}, {code})"
            ),
            "start notices sooner, send from more workers (`breachdesk worker`, "
            "BREACHDESK_SMTP_CONNECTIONS), and send letters to the rest in parallel",
        )
