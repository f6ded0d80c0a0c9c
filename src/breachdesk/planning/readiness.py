"""``plan check``: how ready the organisation is for a breach, before it has one.

The check imagines the worst case (every customer's data taken, every kind of element,
in clear) and asks whether each piece a response needs is in place: the organisation's
own domains and sender, mail that receivers will believe, approved notices that pass the
linter wherever customers live, enough credit-monitoring codes, a known way to reach
every regulator that would be owed a notice, and a contact center that can take the
calls. Each check says what it found and, when it is not a pass, how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from breachdesk.incidents import service as incidents
from breachdesk.incidents.models import DataElement, Organisation
from breachdesk.inputs import InputError
from breachdesk.notices import templates
from breachdesk.notices.domains import check_domain
from breachdesk.notices.render import LANGUAGES
from breachdesk.notices.service import notice_sender
from breachdesk.people.mapping import MappingFile
from breachdesk.people.records import elements_to_bits
from breachdesk.planning.capacity import CapacityModel
from breachdesk.planning.mail_auth import FAIL, PASS, WARN, TxtLookup, check_domain_mail
from breachdesk.planning.waves import owed_groups, plan
from breachdesk.rules.catalog import shipped_rules
from breachdesk.rules.engine import Assessment, PeopleGroup, assess
from breachdesk.rules.facts import WhatIfFacts
from breachdesk.rules.people_file import people_groups_from_file
from breachdesk.rules.schema import SECTORS

# A warning counts half a pass: the piece is there, but not as it should be.
SCORE_OF = {PASS: 1.0, WARN: 0.5, FAIL: 0.0}
NOTICE_KIND = "initial"


@dataclass(frozen=True)
class Check:
    area: str  # organisation, email, notices, remedies, regulators, capacity
    name: str
    status: str  # pass, warn or fail
    detail: str
    fix: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "area": self.area,
            "name": self.name,
            "status": self.status,
            "detail": self.detail,
            "fix": self.fix,
        }


@dataclass(frozen=True)
class CustomerBase:
    """The whole customer base, counted by residence (from a customer file)."""

    groups: list[PeopleGroup]
    rows_unreadable: int = 0

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)


@dataclass
class Readiness:
    organisation: str
    checks: list[Check] = field(default_factory=list)

    @property
    def score(self) -> int:
        """0 to 100: the share of checks passed, a warning counting half."""
        if not self.checks:
            return 0
        return round(100 * sum(SCORE_OF[check.status] for check in self.checks) / len(self.checks))

    def as_dict(self) -> dict[str, object]:
        return {
            "organisation": self.organisation,
            "score": self.score,
            "counts": {
                status: sum(check.status == status for check in self.checks)
                for status in (PASS, WARN, FAIL)
            },
            "checks": [check.as_dict() for check in self.checks],
        }


def worst_case_facts(organisation: Organisation, now: datetime) -> WhatIfFacts:
    """Every element in clear, discovered now: the breach every law has something to say
    about, so no obligation is missed."""
    return WhatIfFacts(
        discovered_at=now,
        elements=[{"element": element.value} for element in DataElement],
        sectors=[flag for flag in SECTORS if getattr(organisation, flag)],
        established_in=organisation.established_in,
    )


def customers_from_file(path: Path, mapping: MappingFile, facts: WhatIfFacts) -> CustomerBase:
    bits = elements_to_bits([item.element.value for item in facts.elements])
    found = people_groups_from_file(path, mapping, bits)
    return CustomerBase(found.groups, found.rows_unreadable)


def check_readiness(
    *,
    db_session: Session,
    organisation_slug: str | None,
    now: datetime,
    customers_file: Path | None,
    mapping: MappingFile,
    facts: WhatIfFacts | None,
    lookup: TxtLookup | None,
    dkim_selector: str | None,
    dkim_private_pem: bytes | None,
    monitoring_codes: int | None,
    capacity: CapacityModel,
    delivery_rate: int,
) -> Readiness:
    organisation = _organisation(db_session, organisation_slug)
    if organisation is None:
        return Readiness(
            "(none)",
            [
                Check(
                    "organisation",
                    "organisation recorded",
                    FAIL,
                    "no organisation is recorded, so no notice could be sent",
                    "record it with `breachdesk org create FILE` (docs/cli.md)",
                )
            ],
        )
    facts = facts or worst_case_facts(organisation, now)
    customers = customers_from_file(customers_file, mapping, facts) if customers_file else None
    assessment = assess(shipped_rules(), facts.to_facts(), customers.groups if customers else [])
    result = Readiness(organisation.display_name)
    result.checks += _organisation_checks(organisation)
    result.checks += _mail_checks(organisation, lookup, dkim_selector, dkim_private_pem)
    result.checks += _notice_checks(db_session, organisation, customers, assessment)
    result.checks.append(_monitoring_check(customers, assessment, monitoring_codes))
    result.checks.append(_regulator_check(customers, assessment))
    result.checks.append(_capacity_check(customers, assessment, capacity, delivery_rate, now))
    return result


def _organisation(db_session: Session, slug: str | None) -> Organisation | None:
    if slug is not None:
        found = incidents.get_organisation(db_session=db_session, slug=slug)
        if found is None:
            raise InputError(f"--organisation: no organisation {slug!r}; see `breachdesk org list`")
        return found
    every = incidents.list_organisations(db_session=db_session)
    if len(every) > 1:
        slugs = ", ".join(organisation.slug for organisation in every)
        raise InputError(f"several organisations are recorded; give --organisation ({slugs})")
    return every[0] if every else None


def _needs_customers(area: str, what: str) -> Check:
    return Check(
        area,
        what,
        WARN,
        "not checked: the customer base is not known",
        "give --customers FILE (your customer list, or an extract with residence columns)",
    )


def _organisation_checks(organisation: Organisation) -> list[Check]:
    checks = []
    owned = organisation.owned_domains
    foreign = [
        domain for domain in organisation.sending_domains if not check_domain(domain, owned).ok
    ]
    checks.append(
        Check(
            "organisation",
            "sending domains are the organisation's own",
            FAIL if foreign else PASS,
            f"{', '.join(foreign)} not among the owned domains {', '.join(owned)}"
            if foreign
            else f"notices are sent from {', '.join(organisation.sending_domains)}",
            "send from a domain customers know is yours (a vendor's domain reads as phishing, "
            "as Target's did)"
            if foreign
            else None,
        )
    )
    sender = notice_sender(organisation)
    sender_domain = sender.email.rsplit("@", 1)[1]
    checks.append(
        Check(
            "organisation",
            "notice sender identity",
            PASS if sender_domain in organisation.sending_domains else FAIL,
            f"notices come from {sender.name} <{sender.email}>",
            None
            if sender_domain in organisation.sending_domains
            else f"use an address on {', '.join(organisation.sending_domains)}",
        )
    )
    missing = [
        label
        for label, value in (
            ("phone", organisation.support_phone),
            ("email", organisation.support_email),
            ("postal address", organisation.support_postal_address),
        )
        if not value
    ]
    checks.append(
        Check(
            "organisation",
            "support contacts for the notice",
            WARN if missing else PASS,
            f"missing: {', '.join(missing)}" if missing else "phone, email and postal address set",
            "add them to the organisation; several laws require contact details in the notice"
            if missing
            else None,
        )
    )
    checks.append(
        Check(
            "organisation",
            "named signatory",
            PASS,
            f"notices are signed by {organisation.signatory_name}, {organisation.signatory_title}",
        )
    )
    return checks


def _mail_checks(
    organisation: Organisation,
    lookup: TxtLookup | None,
    dkim_selector: str | None,
    dkim_private_pem: bytes | None,
) -> list[Check]:
    domain = notice_sender(organisation).email.rsplit("@", 1)[1].lower()
    if lookup is None:
        return [
            Check(
                "email",
                f"SPF, DKIM and DMARC for {domain}",
                WARN,
                "not checked: no DNS records given",
                "give the records with --dns FILE, or --lookup where the network allows",
            )
        ]
    findings = check_domain_mail(
        domain, lookup, dkim_selector=dkim_selector, dkim_private_pem=dkim_private_pem
    )
    return [Check("email", item.name, item.status, item.detail, item.fix) for item in findings]


def _notice_checks(
    db_session: Session,
    organisation: Organisation,
    customers: CustomerBase | None,
    assessment: Assessment,
) -> list[Check]:
    checks = []
    residences = {group.residence for group in customers.groups} if customers else None
    for language in LANGUAGES:
        saved = templates.versions(
            db_session=db_session, organisation=organisation, kind=NOTICE_KIND, language=language
        )
        approved = [version for version in saved if version.approved]
        name = f"approved {NOTICE_KIND} notice in {language!r}"
        if not approved:
            checks.append(
                Check(
                    "notices",
                    name,
                    FAIL if language == LANGUAGES[0] else WARN,
                    "no approved version"
                    + (f" (latest, version {saved[-1].version}, awaits sign-off)" if saved else ""),
                    "save the notice with `breachdesk notice save` and have a legal and a "
                    "communications approver sign it off with `breachdesk notice approve`",
                )
            )
            continue
        latest = approved[-1]
        errors = templates.lint_everywhere(templates.template_file(latest), organisation)
        failing = sorted(
            {where for where, _ in errors if residences is None or where in residences}
        )
        checks.append(
            Check(
                "notices",
                name,
                FAIL if failing else PASS,
                f"version {latest.version} fails the linter for "
                f"{', '.join(failing[:8])}{' …' if len(failing) > 8 else ''}"
                if failing
                else f"version {latest.version} lints clean "
                + ("where customers live" if residences is not None else "in every jurisdiction"),
                "run `breachdesk notice lint` on it and fix the errors, then have it approved again"
                if failing
                else None,
            )
        )
    if customers is None:
        checks.append(_needs_customers("notices", "rules for every customer's residence"))
    else:
        uncovered = assessment.residences_without_rules
        unknown = assessment.people_without_residence
        if uncovered or unknown:
            parts = [f"{count:,} in {code}" for code, count in sorted(uncovered.items())[:8]]
            if unknown:
                parts.append(f"{unknown:,} with no residence on file")
            detail = "customers breachdesk has no rules for: " + ", ".join(parts)
            fix = "ask counsel about those places' laws; record residences for everyone"
        else:
            detail, fix = f"all {customers.total:,} customers live where rules apply", None
        checks.append(
            Check(
                "notices",
                "rules for every customer's residence",
                WARN if fix else PASS,
                detail,
                fix,
            )
        )
    return checks


def _monitoring_check(
    customers: CustomerBase | None, assessment: Assessment, codes: int | None
) -> Check:
    name = "credit-monitoring codes against the customer count"
    if customers is None:
        return _needs_customers("remedies", name)
    required = {
        code: result.credit_monitoring_months
        for code, result in assessment.jurisdictions.items()
        if result.credit_monitoring_months
    }
    must_offer = sum(
        result.residents_owed_notice
        for code, result in assessment.jurisdictions.items()
        if code in required
    )
    if codes is None:
        return Check(
            "remedies",
            name,
            WARN,
            f"not checked: {len(required)} laws require monitoring, for {must_offer:,} "
            f"customers; {customers.total:,} customers in all",
            "give --monitoring-codes N: how many activation codes your vendor can supply",
        )
    if codes >= customers.total:
        status, fix = PASS, None
    elif codes >= must_offer:
        status = WARN
        fix = "enough for the laws that require it, not for everyone; offer it to all"
    else:
        status = FAIL
        fix = f"contract for at least {must_offer:,} codes, {customers.total:,} to offer all"
    return Check(
        "remedies",
        name,
        status,
        f"{codes:,} codes for {customers.total:,} customers ({must_offer:,} where a law "
        f"requires monitoring, up to {max(required.values(), default=0)} months)",
        fix,
    )


def _regulator_check(customers: CustomerBase | None, assessment: Assessment) -> Check:
    name = "a way to reach every regulator owed a notice"
    if customers is None:
        return _needs_customers("regulators", name)
    due = [
        (code, decision.notice)
        for code, result in assessment.jurisdictions.items()
        for decision in result.regulators
        if decision.required
    ]
    unknown = [f"{code} {notice.agency}" for code, notice in due if not notice.submit_to]
    if unknown:
        return Check(
            "regulators",
            name,
            WARN,
            f"{len(due)} regulator notices would be due; no known address for "
            f"{len(unknown)}: {', '.join(unknown[:6])}{' …' if len(unknown) > 6 else ''}",
            "find how each of those regulators takes breach notices and keep it with the plan",
        )
    return Check(
        "regulators",
        name,
        PASS,
        f"{len(due)} regulator notices would be due; each has a known address or form",
    )


def _capacity_check(
    customers: CustomerBase | None,
    assessment: Assessment,
    model: CapacityModel,
    delivery_rate: int,
    now: datetime,
) -> Check:
    """The wave plan for the whole customer base: does it meet every deadline with the
    calls and emails it brings within what the desk can answer?"""
    name = "contact-center capacity"
    if customers is None:
        return _needs_customers("capacity", name)
    waves = plan(owed_groups(assessment, customers.groups), model, delivery_rate, now)
    if waves.feasible:
        return Check(
            "capacity",
            name,
            PASS,
            f"{model.agents:,} agents can take the contacts of notifying all "
            f"{waves.people:,} customers owed notice in {len(waves.waves)} "
            f"wave{'s' if len(waves.waves) != 1 else ''}, every deadline met",
        )
    shortfall = waves.shortfall
    needs = []
    if shortfall and shortfall.agents_needed:
        needs.append(f"{shortfall.agents_needed:,} agents (you have {model.agents:,})")
    if shortfall and shortfall.rate_needed:
        needs.append(f"a delivery rate of {shortfall.rate_needed:,} notices a second")
    reasons = "; ".join(shortfall.reasons) if shortfall else ""
    return Check(
        "capacity",
        name,
        FAIL,
        f"with {model.agents:,} agents, notifying {waves.people:,} customers owed notice "
        f"would not fit: {reasons or 'deadlines or capacity missed'}",
        (f"plan for {' and '.join(needs)}" if needs else "no plan meets every deadline")
        + "; see `breachdesk plan waves` and docs/planning.md",
    )
