"""Template versions: saving an edited copy, signing it off, finding the one to use.

A version can be approved only if it lints clean, for a sample person, against every
law that would require notice to them in every jurisdiction and country breachdesk has
rules for: a template that misses what California requires is stopped here, not after
it has gone to a million people.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from breachdesk.audit import service as audit
from breachdesk.incidents.models import DataElement, FactRevision, Incident, Organisation
from breachdesk.inputs import InputError, NotFound
from breachdesk.notices.context import notice_context, owing_laws
from breachdesk.notices.documents import document_from_html, document_from_text
from breachdesk.notices.events import NoticeTemplateApproved, NoticeTemplateSaved
from breachdesk.notices.findings import ERROR, WARNING, Finding, LintContext
from breachdesk.notices.lint import lint
from breachdesk.notices.models import NoticeTemplate, TemplateApproval
from breachdesk.notices.render import (
    RenderedNotice,
    TemplateFile,
    default_template,
    render_notice,
)
from breachdesk.rules.catalog import shipped_rules
from breachdesk.rules.schema import Jurisdiction
from breachdesk.security.approvals import check_sign_off
from breachdesk.security.models import StaffUser

# The sample a template is checked on: the elements most laws count, so every law's
# content rules come into play.
SAMPLE_ELEMENTS = (
    DataElement.NAME,
    DataElement.ADDRESS,
    DataElement.SSN,
    DataElement.PAYMENT_CARD,
    DataElement.CARD_SECURITY_CODE,
)
SAMPLE_COUNTRIES = ("DE", "GB", "CA", "AU")


def sample_residences() -> list[str]:
    """Every US jurisdiction with a rule file, and one country for each foreign regime."""
    states = sorted(
        code for code, rule in shipped_rules().items() if rule.applies_to.residence == [code]
    )
    return [*states, *SAMPLE_COUNTRIES]


def _detached(organisation: Organisation) -> Organisation:
    """A copy outside any session: the sample incident must never be saved with it."""
    columns = Organisation.__table__.columns
    return Organisation(**{column.key: getattr(organisation, column.key) for column in columns})


def sample_incident(organisation: Organisation) -> Incident:
    """A made-up incident of the organisation's (a detached copy: never saved)."""
    revision = FactRevision(
        number=1,
        elements=[
            {"element": element.value, "protection": "clear", "key_compromised": False}
            for element in SAMPLE_ELEMENTS
        ],
        people_affected=1000,
        occurred_from=datetime(2026, 10, 3, tzinfo=UTC),
        occurred_to=datetime(2026, 11, 10, tzinfo=UTC),
        timeline=[],
        public_description="Someone copied customer records from one of our systems.",
        internal_description="",
        reason="sample",
        created_by="sample",
    )
    return Incident(
        title="Sample",
        discovered_at=datetime(2026, 11, 12, 15, tzinfo=UTC),
        organisation=_detached(organisation),
        revisions=[revision],
    )


def render_sample(
    template: TemplateFile, organisation: Organisation, residence: str
) -> tuple[RenderedNotice, list[Jurisdiction]]:
    """The template rendered for a sample person living in ``residence``, with a sample
    credit-monitoring offer, and the laws that require notice to them."""
    incident = sample_incident(organisation)
    person = {
        "first_name": "Sample",
        "last_name": "Person",
        "reference": "SAMP-LE00-0000",
        "jurisdiction": residence,
        "elements": [element.value for element in SAMPLE_ELEMENTS],
        "remedy_code": "SAMPLE-CODE",
    }
    laws = owing_laws(incident, residence, frozenset(SAMPLE_ELEMENTS))
    remedy = {
        "months": 24,
        "url": f"https://{organisation.owned_domains[0]}/enroll",
    }
    context = notice_context(
        template=template,
        organisation=organisation,
        incident=incident,
        person=person,
        laws=laws,
        today=date(2026, 11, 20),
        remedy=remedy,
    )
    return render_notice(template, context, fact_revision=1), laws


def lint_everywhere(
    template: TemplateFile, organisation: Organisation
) -> list[tuple[str, Finding]]:
    """Error findings of the template rendered for a sample person in every jurisdiction,
    as text, as the email's HTML and as the web page, each with the residence it was
    found for."""
    # The result depends only on the template's wording and the organisation's fields:
    # the second approver of a version does not wait for the check again.
    key = (
        template.version,
        tuple(repr(getattr(organisation, c.key)) for c in Organisation.__table__.columns),
    )
    if key not in _LINTED:
        if len(_LINTED) >= _LINTED_LIMIT:
            _LINTED.clear()
        _LINTED[key] = _lint_everywhere(template, organisation)
    return list(_LINTED[key])


_LINTED: dict[tuple[str, tuple[str, ...]], tuple[tuple[str, Finding], ...]] = {}
_LINTED_LIMIT = 256


def _lint_everywhere(
    template: TemplateFile, organisation: Organisation
) -> tuple[tuple[str, Finding], ...]:
    errors = []
    for residence in sample_residences():
        rendered, laws = render_sample(template, organisation, residence)
        lint_context = _sample_lint_context(template, organisation, laws)
        documents = (
            document_from_text(rendered.text),
            document_from_html(rendered.html),  # the email
            document_from_html(rendered.web_page()),
        )
        for document in documents:
            errors += [
                (residence, finding)
                for finding in lint(document, lint_context).findings
                if finding.severity == ERROR
            ]
    return tuple(errors)


def _sample_lint_context(
    template: TemplateFile, organisation: Organisation, laws: list[Jurisdiction]
) -> LintContext:
    return LintContext(
        owned_domains=(*organisation.owned_domains, *organisation.sending_domains),
        jurisdictions=tuple(laws),
        facts_elements=frozenset(SAMPLE_ELEMENTS),
        signatory=organisation.signatory_name,
        language=template.language,
    )


def lint_sample(
    template: TemplateFile, organisation: Organisation, residence: str
) -> tuple[RenderedNotice, list[Jurisdiction], list[Finding]]:
    """The template rendered for a sample person living in ``residence`` (as
    ``render_sample``), with every finding of its text and its email's HTML (errors,
    warnings and notes), each once, errors first: what a preview shows beside it."""
    rendered, laws = render_sample(template, organisation, residence)
    lint_context = _sample_lint_context(template, organisation, laws)
    found: dict[tuple[str, str], Finding] = {}
    for document in (document_from_text(rendered.text), document_from_html(rendered.html)):
        for finding in lint(document, lint_context).findings:
            found.setdefault((finding.rule, finding.message), finding)
    order = {ERROR: 0, WARNING: 1}
    findings = sorted(found.values(), key=lambda finding: order.get(finding.severity, 2))
    return rendered, laws, findings


def versions(
    *,
    db_session: Session,
    organisation: Organisation,
    kind: str | None = None,
    language: str | None = None,
) -> list[NoticeTemplate]:
    """The organisation's versions (of one kind and language, when given), oldest first."""
    query = select(NoticeTemplate).where(NoticeTemplate.organisation_id == organisation.id)
    if kind is not None:
        query = query.where(NoticeTemplate.kind == kind)
    if language is not None:
        query = query.where(NoticeTemplate.language == language)
    return list(
        db_session.execute(
            query.options(
                selectinload(NoticeTemplate.approvals).selectinload(TemplateApproval.staff_user)
            ).order_by(NoticeTemplate.kind, NoticeTemplate.language, NoticeTemplate.version)
        ).scalars()
    )


def get_version(*, db_session: Session, template_id: int) -> NoticeTemplate:
    template = db_session.get(NoticeTemplate, template_id)
    if template is None:
        raise NotFound(f"no template version {template_id}: see `breachdesk notice template list`")
    return template


def template_file(version: NoticeTemplate) -> TemplateFile:
    return TemplateFile.model_validate(version.content)


def save_version(
    *,
    db_session: Session,
    organisation: Organisation,
    template: TemplateFile,
    actor: str,
) -> NoticeTemplate:
    """A new version of the organisation's template for its kind and language."""
    latest = db_session.execute(
        select(NoticeTemplate)
        .where(
            NoticeTemplate.organisation_id == organisation.id,
            NoticeTemplate.kind == template.kind,
            NoticeTemplate.language == template.language,
        )
        .order_by(NoticeTemplate.version.desc())
        .limit(1)
    ).scalar_one_or_none()
    if latest is not None and latest.content_hash == template.version:
        raise InputError(
            f"the file is the same as version {latest.version} (id {latest.id}): nothing to save"
        )
    version = NoticeTemplate(
        organisation_id=organisation.id,
        kind=template.kind,
        language=template.language,
        version=(latest.version + 1) if latest else 1,
        content=template.model_dump(mode="json"),
        content_hash=template.version,
        based_on=latest.version if latest else None,
        created_by=actor,
    )
    db_session.add(version)
    db_session.flush()
    audit.record(
        db_session=db_session,
        event=NoticeTemplateSaved(
            organisation=organisation.slug,
            template_id=version.id,
            kind=version.kind,
            language=version.language,
            version=version.version,
            content_hash=version.content_hash,
        ),
        actor=actor,
    )
    return version


def approve(
    *, db_session: Session, version: NoticeTemplate, approver: StaffUser, actor: str
) -> TemplateApproval:
    """The approver's sign-off of this exact version, in their role."""
    role = check_sign_off(version.approvals, approver, what="a template", version=version.version)
    organisation = db_session.get(Organisation, version.organisation_id)
    assert organisation is not None
    errors = lint_everywhere(template_file(version), organisation)
    if errors:
        shown = "; ".join(f"{where}: {finding.message}" for where, finding in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        raise InputError(
            f"version {version.version} does not lint clean, so it cannot be approved: "
            f"{shown}{more}; run `breachdesk notice template check {version.id}` for all"
        )
    approval = TemplateApproval(template_id=version.id, role=role.value, staff_user_id=approver.id)
    db_session.add(approval)
    db_session.flush()
    db_session.refresh(version, ["approvals"])
    audit.record(
        db_session=db_session,
        event=NoticeTemplateApproved(
            template_id=version.id,
            version=version.version,
            content_hash=version.content_hash,
            role=role.value,
            approver=approver.email,
            usable=version.approved,
        ),
        actor=actor,
    )
    return approval


def template_to_use(
    *,
    db_session: Session,
    organisation: Organisation,
    kind: str,
    language: str,
    approved_only: bool = True,
) -> tuple[TemplateFile, NoticeTemplate | None]:
    """The latest approved version; without any saved version, the shipped default. A
    preview (``approved_only=False``) takes the latest version, approved or not."""
    saved = versions(db_session=db_session, organisation=organisation, kind=kind, language=language)
    approved = [version for version in saved if version.approved or not approved_only]
    if approved:
        return template_file(approved[-1]), approved[-1]
    if saved:
        raise InputError(
            f"no approved {kind} template in {language!r} yet (latest is version "
            f"{saved[-1].version}, id {saved[-1].id}): it needs a legal_approver and a "
            "comms_approver to sign off"
        )
    return default_template(kind, language), None
