"""Organisations, incidents and fact revisions: the only way to create or change them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from breachdesk.audit import service as audit
from breachdesk.db import utcnow
from breachdesk.incidents.events import (
    FactsRevised,
    IncidentCreated,
    OrganisationCreated,
    RevisionDisclosed,
    ScopeExpanded,
)
from breachdesk.incidents.models import Disclosure, FactRevision, Incident, Organisation
from breachdesk.incidents.schemas import (
    FactsIn,
    IncidentCreate,
    OrganisationCreate,
    check_window_against_discovery,
)
from breachdesk.incidents.scope import FactDiff, diff_revisions
from breachdesk.inputs import InputError, NotFound

# Organisations


def create_organisation(
    *, db_session: Session, organisation_in: OrganisationCreate, actor: str
) -> Organisation:
    if get_organisation(db_session=db_session, slug=organisation_in.slug):
        raise InputError(f"slug: an organisation {organisation_in.slug!r} already exists")
    organisation = Organisation(
        slug=organisation_in.slug,
        legal_name=organisation_in.legal_name,
        display_name=organisation_in.display_name,
        owned_domains=organisation_in.domains.owned,
        sending_domains=organisation_in.domains.sending,
        sender_identities=[sender.model_dump() for sender in organisation_in.senders],
        support_phone=organisation_in.support.phone,
        support_email=organisation_in.support.email,
        support_postal_address=organisation_in.support.postal_address,
        signatory_name=organisation_in.signatory.name,
        signatory_title=organisation_in.signatory.title,
        established_in=organisation_in.established_in,
        **organisation_in.sectors.model_dump(),
    )
    db_session.add(organisation)
    db_session.flush()
    audit.record(
        db_session=db_session,
        event=OrganisationCreated(
            organisation=organisation.id,
            slug=organisation.slug,
            sending_domains=organisation.sending_domains,
        ),
        actor=actor,
    )
    return organisation


def get_organisation(*, db_session: Session, slug: str) -> Organisation | None:
    return db_session.execute(
        select(Organisation).where(Organisation.slug == slug)
    ).scalar_one_or_none()


def list_organisations(*, db_session: Session) -> list[Organisation]:
    return list(db_session.execute(select(Organisation).order_by(Organisation.slug)).scalars())


# Incidents


def create_incident(*, db_session: Session, incident_in: IncidentCreate, actor: str) -> Incident:
    organisation = get_organisation(db_session=db_session, slug=incident_in.organisation)
    if organisation is None:
        known = ", ".join(o.slug for o in list_organisations(db_session=db_session)) or "none yet"
        raise InputError(
            f"organisation: no organisation {incident_in.organisation!r} "
            f"(known: {known}); create it with `breachdesk org create --from org.yaml`"
        )
    delay = incident_in.law_enforcement_delay
    incident = Incident(
        organisation=organisation,
        title=incident_in.title,
        status=incident_in.status,
        discovered_at=incident_in.discovered_at,
        determined_at=incident_in.determined_at,
        contained_at=incident_in.contained_at,
        law_enforcement_delay_requested_by=delay.requested_by if delay else None,
        law_enforcement_delay_until=delay.until if delay else None,
    )
    db_session.add(incident)
    db_session.flush()
    audit.record(
        db_session=db_session,
        event=IncidentCreated(
            incident=incident.id,
            organisation=organisation.id,
            title=incident.title,
            discovered_at=incident.discovered_at.isoformat(),
            determined_at=incident.determined_at.isoformat() if incident.determined_at else None,
        ),
        actor=actor,
    )
    revise_facts(
        db_session=db_session,
        incident=incident,
        facts_in=incident_in.facts,
        reason=incident_in.reason,
        actor=actor,
    )
    return incident


def get_incident(*, db_session: Session, incident_id: int) -> Incident:
    incident = db_session.execute(
        select(Incident)
        .where(Incident.id == incident_id)
        .options(selectinload(Incident.revisions), selectinload(Incident.organisation))
    ).scalar_one_or_none()
    if incident is None:
        raise NotFound(f"no incident {incident_id}: see `breachdesk incident list`")
    return incident


def list_incidents(*, db_session: Session) -> list[Incident]:
    return list(
        db_session.execute(
            select(Incident)
            .options(selectinload(Incident.organisation), selectinload(Incident.revisions))
            .order_by(Incident.id)
        ).scalars()
    )


# Fact revisions


def revise_facts(
    *, db_session: Session, incident: Incident, facts_in: FactsIn, reason: str, actor: str
) -> FactRevision:
    """Record a new revision; flag it when it widens what was already disclosed."""
    reason = reason.strip()
    if not reason:
        raise InputError("reason: say why the facts changed (for example, 'forensics report')")
    try:
        check_window_against_discovery(facts_in, incident.discovered_at)
    except ValueError as error:
        raise InputError(f"occurred_from: {error}") from error
    previous = incident.revisions[-1] if incident.revisions else None
    revision = FactRevision(
        incident=incident,
        number=previous.number + 1 if previous else 1,
        elements=facts_in.stored_elements(),
        people_affected=facts_in.people_affected,
        occurred_from=facts_in.occurred_from,
        occurred_to=facts_in.occurred_to,
        timeline=[{"at": entry.at.isoformat(), "what": entry.what} for entry in facts_in.timeline],
        public_description=facts_in.public_description,
        internal_description=facts_in.internal_description,
        reason=reason,
        created_by=actor,
    )
    db_session.add(revision)
    db_session.flush()
    audit.record(
        db_session=db_session,
        event=FactsRevised(
            incident=incident.id,
            revision=revision.number,
            reason=reason,
            elements=revision.element_names,
            people_affected=revision.people_affected,
        ),
        actor=actor,
    )
    disclosed = latest_disclosed(incident)
    if disclosed is not None:
        _flag_if_expansion(
            db_session=db_session, revision=revision, disclosed=disclosed, actor=actor
        )
    return revision


def get_revision(*, incident: Incident, number: int) -> FactRevision:
    for revision in incident.revisions:
        if revision.number == number:
            return revision
    raise NotFound(
        f"incident {incident.id} has no revision {number} "
        f"(it has 1 to {incident.current_revision.number})"
    )


def latest_disclosed(incident: Incident) -> FactRevision | None:
    disclosed = [revision for revision in incident.revisions if revision.disclosed_at]
    return disclosed[-1] if disclosed else None


def diff(*, incident: Incident, number_a: int, number_b: int) -> FactDiff:
    return diff_revisions(
        get_revision(incident=incident, number=number_a),
        get_revision(incident=incident, number=number_b),
    )


def disclose(
    *,
    db_session: Session,
    incident: Incident,
    disclosure: Disclosure,
    actor: str,
    number: int | None = None,
) -> FactRevision:
    """Mark a revision as told to the public (a notice sent from it, or a statement).

    Disclosing is idempotent: a revision already disclosed keeps its first disclosure.
    Later revisions that widen it are flagged as scope expansions.
    """
    revision = (
        get_revision(incident=incident, number=number) if number else incident.current_revision
    )
    if revision.disclosed_at:
        return revision
    newest = latest_disclosed(incident)
    if newest and newest.number > revision.number:
        raise InputError(
            f"revision: revision {newest.number} is already disclosed; an older revision "
            f"({revision.number}) cannot be disclosed after it"
        )
    revision.disclosed_at = utcnow()
    revision.disclosed_by = actor
    revision.disclosure = disclosure
    db_session.flush()
    audit.record(
        db_session=db_session,
        event=RevisionDisclosed(
            incident=incident.id, revision=revision.number, disclosure=disclosure.value
        ),
        actor=actor,
    )
    for later in incident.revisions:
        if later.number > revision.number:
            _flag_if_expansion(
                db_session=db_session, revision=later, disclosed=revision, actor=actor
            )
    return revision


def _flag_if_expansion(
    *, db_session: Session, revision: FactRevision, disclosed: FactRevision, actor: str
) -> None:
    change = diff_revisions(disclosed, revision)
    if not change.scope_expansion:
        return
    revision.expands_revision = disclosed.number
    db_session.flush()
    audit.record(
        db_session=db_session,
        event=ScopeExpanded(
            incident=revision.incident_id,
            revision=revision.number,
            disclosed_revision=disclosed.number,
            diff=change.as_dict(),
        ),
        actor=actor,
    )
