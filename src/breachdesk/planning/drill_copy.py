"""What a drill copies from the configured database, read without writing a byte to it,
and how the copy is set up in the drill's own database.

The copy is the organisation, the latest approved version of each of its notice
templates and of each of its desk answers (from its most recent incidents). Templates
are approved again in the copy by the drill's approvers, which lints them afresh against
today's rules: a version that no longer passes is a gap the drill reports. Nothing
personal is copied: no people, no inquiries, no keys, no activation codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from breachdesk.config import Settings
from breachdesk.db import Database
from breachdesk.demo import demo_organisation
from breachdesk.desk import answers
from breachdesk.desk.demo import demo_library
from breachdesk.desk.models import ApprovedAnswer, CodePool
from breachdesk.desk.schemas import AnswerIn
from breachdesk.incidents import service as incidents
from breachdesk.incidents.models import Incident, Organisation
from breachdesk.incidents.schemas import OrganisationCreate
from breachdesk.inputs import InputError
from breachdesk.migrations import current_revision, head_revision
from breachdesk.notices import templates
from breachdesk.notices.render import LANGUAGES, TemplateFile, default_template
from breachdesk.security import service as security
from breachdesk.security.models import StaffUser

APPROVER_ROLES = ("legal.approver", "comms.approver")


@dataclass
class Source:
    """The configuration a drill runs on."""

    described: str
    organisation: OrganisationCreate
    templates: list[TemplateFile]
    answers: list[AnswerIn]
    has_code_pool: bool
    # Why the demo's organisation stands in ("the configured database is empty"), or None.
    missing: str | None = None

    @property
    def demo(self) -> bool:
        return self.missing is not None


def read_source(settings: Settings, slug: str | None) -> Source:
    """The configured database's organisation (``slug``, else the first), its approved
    templates and answers; the demo's organisation when the database has none."""
    url = settings.resolved_database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return _demo_source(f"no database at {parsed.database}")
    database = Database(url)
    try:
        # Reads only, outside any transaction; on SQLite through a query_only connection.
        revision = current_revision(database.read_engine)
        if revision is None:
            return _demo_source("the configured database is empty")
        if revision != head_revision():
            raise InputError(
                f"the configured database's schema is at {revision}, this breachdesk needs "
                f"{head_revision()}: run `breachdesk db upgrade` before drilling"
            )
        with Session(database.read_engine) as db_session:
            return _read(db_session, slug, parsed.render_as_string(hide_password=True))
    finally:
        database.dispose()


def _demo_source(why: str) -> Source:
    return Source(
        described=f"{why}: the demo's organisation, templates and answers stand in",
        organisation=demo_organisation(),
        templates=[default_template("initial", language) for language in LANGUAGES],
        answers=demo_library(),
        has_code_pool=True,  # the demo loads a pool of codes
        missing=why,
    )


def _read(db_session: Session, slug: str | None, where: str) -> Source:
    organisations = incidents.list_organisations(db_session=db_session)
    if not organisations:
        return _demo_source("the configured database has no organisation")
    chosen = organisations[0]
    if slug is not None:
        chosen = next((o for o in organisations if o.slug == slug), None)
        if chosen is None:
            known = ", ".join(o.slug for o in organisations)
            raise InputError(f"--org: no organisation {slug!r} (known: {known})")
    latest: dict[tuple[str, str], TemplateFile] = {}
    for version in templates.versions(db_session=db_session, organisation=chosen):
        if version.approved:  # oldest first: a later approved version replaces it
            latest[(version.kind, version.language)] = templates.template_file(version)
    others = [o.slug for o in organisations if o.slug != chosen.slug]
    also = f" (also there: {', '.join(others)}; drill one with --org)" if others else ""
    return Source(
        described=f"the configured database ({where}), organisation {chosen.slug}{also}",
        organisation=organisation_in(chosen),
        templates=list(latest.values()),
        answers=_approved_answers(db_session, chosen),
        has_code_pool=_has_code_pool(db_session, chosen),
    )


def organisation_in(organisation: Organisation) -> OrganisationCreate:
    """The stored organisation as the file that would create it again."""
    return OrganisationCreate.model_validate(
        {
            "slug": organisation.slug,
            "legal_name": organisation.legal_name,
            "display_name": organisation.display_name,
            "domains": {
                "owned": organisation.owned_domains,
                "sending": organisation.sending_domains,
            },
            "senders": organisation.sender_identities,
            "support": {
                "phone": organisation.support_phone,
                "email": organisation.support_email,
                "postal_address": organisation.support_postal_address,
            },
            "signatory": {
                "name": organisation.signatory_name,
                "title": organisation.signatory_title,
            },
            "sectors": {
                "hipaa_covered_entity": organisation.hipaa_covered_entity,
                "hipaa_business_associate": organisation.hipaa_business_associate,
                "glba_financial_institution": organisation.glba_financial_institution,
                "sec_registrant": organisation.sec_registrant,
            },
            "established_in": organisation.established_in,
        }
    )


def _approved_answers(db_session: Session, organisation: Organisation) -> list[AnswerIn]:
    """The latest approved version of each entry, from the most recent incident that has
    one."""
    rows = db_session.scalars(
        select(ApprovedAnswer)
        .join(Incident, Incident.id == ApprovedAnswer.incident_id)
        .where(Incident.organisation_id == organisation.id)
        .order_by(ApprovedAnswer.incident_id.desc(), ApprovedAnswer.version.desc())
    )
    chosen: dict[tuple[str, str], AnswerIn] = {}
    for answer in rows:
        if (answer.key, answer.language) in chosen or not answers.is_approved(answer):
            continue
        chosen[(answer.key, answer.language)] = AnswerIn(
            key=answer.key,
            language=answer.language,
            purpose=answer.purpose,
            category=answer.category,
            question=answer.question,
            also_asked=answer.also_asked,
            answer=answer.answer,
            public=answer.public,
        )
    return list(chosen.values())


def _has_code_pool(db_session: Session, organisation: Organisation) -> bool:
    return (
        db_session.execute(
            select(CodePool.id)
            .join(Incident, Incident.id == CodePool.incident_id)
            .where(Incident.organisation_id == organisation.id)
            .limit(1)
        ).first()
        is not None
    )


def approvers(db_session: Session, domain: str) -> list[StaffUser]:
    """The drill's legal and communications approvers (see demo.create_staff)."""
    return [
        security.get_by_email(db_session=db_session, email=f"{role}@{domain}")
        for role in APPROVER_ROLES
    ]


def approve_templates(
    *,
    db_session: Session,
    organisation: Organisation,
    copied: list[TemplateFile],
    signers: list[StaffUser],
    actor: str,
) -> list[tuple[TemplateFile, str]]:
    """Save each template in the copy and have both approvers sign it off; the ones
    approval refuses today, with the reason."""
    refused = []
    for template in copied:
        version = templates.save_version(
            db_session=db_session, organisation=organisation, template=template, actor=actor
        )
        try:
            for approver in signers:
                templates.approve(
                    db_session=db_session,
                    version=version,
                    approver=approver,
                    actor=approver.email,
                )
        except InputError as error:
            refused.append((template, str(error)))
    return refused


def approve_answers(
    *,
    db_session: Session,
    incident: Incident,
    library: list[AnswerIn],
    signers: list[StaffUser],
    actor: str,
) -> None:
    for answer_in in library:
        answer = answers.save_answer(
            db_session=db_session, incident=incident, answer_in=answer_in, actor=actor
        )
        for approver in signers:
            answers.approve_answer(
                db_session=db_session, answer=answer, approver=approver, actor=approver.email
            )
