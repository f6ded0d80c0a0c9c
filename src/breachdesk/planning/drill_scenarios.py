"""The drills' stories. ``standard`` is the demo's: a card breach disclosed, widened once
by forensics before any notice, then told on time, with fast answers. ``troubled`` is
Target's 2013 response, deliberately: the scope told in instalments, notices long after
discovery, a lookalike link and a vendor's sending domain, and answers days late.

breachdesk refuses much of what made Target's and Equifax's responses look like
phishing, and the troubled drill does not weaken any of those checks: its organisation
declares a marketing vendor's mail domain as its own (as Target authorised its vendor
to send), and its lookalike link goes out in a desk answer, which approval does not
lint; the same link in a notice is shown refused by the notice linter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from breachdesk.demo import demo_incident, demo_revised_facts
from breachdesk.desk.models import InquiryCategory
from breachdesk.desk.schemas import AnswerIn
from breachdesk.incidents.schemas import FactsIn, IncidentCreate, OrganisationCreate
from breachdesk.notices.documents import document_from_html
from breachdesk.notices.domains import registrable
from breachdesk.notices.findings import ERROR, LintContext
from breachdesk.notices.lint import lint
from breachdesk.notices.render import TemplateFile
from breachdesk.notices.templates import render_sample

STANDARD, TROUBLED = "standard", "troubled"
SCENARIOS = (STANDARD, TROUBLED)
# The troubled drill's breach was found this much longer ago than the standard one's
# (six days), so every legal deadline has passed before the first notice goes out.
TROUBLED_DELAY = timedelta(days=114)
VENDOR_MAIL_DOMAIN = "bulkmail-vendor.example"  # the marketing vendor's (reserved TLD)
LOOKALIKE_SUFFIX = "-security.example"  # equifaxsecurity2017.com, in a reserved TLD
SAMPLE_RESIDENCE = "US-CA"


@dataclass(frozen=True)
class Inquiry:
    """A question the drill's desk receives, and when it is answered (None: left open)."""

    name: str
    language: str
    category: InquiryCategory
    text: str
    received: timedelta  # before the desk step starts
    answered_after: timedelta | None


QUESTIONS = (
    ("en", InquiryCategory.AFFECTED, "Was my card number taken? I shop there every week."),
    ("en", InquiryCategory.MONITORING, "How do I sign up for the free credit monitoring?"),
    ("en", InquiryCategory.GENUINE, "I got an email about a breach. Is it real or a scam?"),
    ("es", InquiryCategory.AFFECTED, "¿Robaron los datos de mi tarjeta?"),
    ("en", InquiryCategory.CLAIM, "There is a charge I did not make. Will you pay it back?"),
    ("en", InquiryCategory.GENERAL, "Should I freeze my credit? How?"),
)


def inquiries(scenario: str, count: int) -> list[Inquiry]:
    """``count`` questions: in the standard drill each is answered within half an hour;
    in the troubled one two in three wait three to four days, and the rest are still
    open five days on."""
    found = []
    for number in range(count):
        language, category, text = QUESTIONS[number % len(QUESTIONS)]
        if scenario == TROUBLED:
            received = timedelta(days=5) - timedelta(minutes=7 * number)
            answered = None if number % 3 == 2 else timedelta(days=3, hours=(number * 5) % 24)
        else:
            received = timedelta(hours=3) - timedelta(minutes=2 * number)
            answered = timedelta(minutes=5 + (number * 7) % 25)
        found.append(Inquiry(f"Drill Customer {number + 1}", language, category, text, received,
                             answered))  # fmt: skip
    return found


def incident_in(scenario: str, slug: str, now: datetime) -> IncidentCreate:
    start = now - TROUBLED_DELAY if scenario == TROUBLED else now
    return demo_incident(start).model_copy(update={"organisation": slug})


def revisions(scenario: str, now: datetime) -> list[tuple[FactsIn, str]]:
    """The revisions after the first, each disclosed by a public statement before the
    next: one in the standard story, three instalments in the troubled one."""
    if scenario != TROUBLED:
        return [(demo_revised_facts(now), "Forensic report: loyalty database also accessed")]
    start = now - TROUBLED_DELAY
    first = demo_incident(start).facts.model_dump(mode="json")
    pins = _facts(first, elements=[*first["elements"][:2], _pin_key_taken()])
    wider = demo_revised_facts(start)
    widest = _facts(
        wider.model_dump(mode="json"),
        people_affected=110_000_000,
        elements=[*wider.model_dump(mode="json")["elements"], "phone", "date_of_birth"],
    )
    return [
        (pins, "The key protecting the PINs was on the same host"),
        (wider, "Forensic report: loyalty database also accessed"),
        (widest, "Second forensic report: the marketing database too"),
    ]


def _pin_key_taken() -> dict[str, Any]:
    return {"element": "pin", "protection": "encrypted", "key_compromised": True}


def _facts(base: dict[str, Any], **changes: Any) -> FactsIn:
    return FactsIn.model_validate({**base, **changes})


def organisation_in(scenario: str, organisation: OrganisationCreate) -> OrganisationCreate:
    """The troubled drill's organisation sends its notices from its marketing vendor's
    domain (declared its own, as Target authorised its vendor to send for it)."""
    if scenario != TROUBLED:
        return organisation
    vendor = vendor_domain(organisation)
    data = organisation.model_dump(mode="json")
    data["domains"]["owned"].append(vendor)
    data["domains"]["sending"].append(vendor)
    sender = {"name": organisation.display_name, "email": f"notice@{vendor}", "purpose": "notices"}
    data["senders"].insert(0, sender)
    return OrganisationCreate.model_validate(data)


def vendor_domain(organisation: OrganisationCreate) -> str:
    return f"{organisation.slug}.{VENDOR_MAIL_DOMAIN}"


def lookalike_domain(main_domain: str) -> str:
    """A domain made to look like the organisation's, as equifaxsecurity2017.com did."""
    return registrable(main_domain).split(".")[0] + LOOKALIKE_SUFFIX


def lookalike_answer(main_domain: str) -> AnswerIn:
    """The credit-monitoring answer a careless desk approves: enrol on a lookalike site."""
    return AnswerIn(
        key="credit-monitoring",
        language="en",
        category=InquiryCategory.MONITORING,
        question="How do I enrol in the free credit monitoring?",
        answer=f"Enrol at https://{lookalike_domain(main_domain)}/enroll with the reference "
        "code from your notice. It is free and takes two minutes.",
    )


def lookalike_notice_findings(template: TemplateFile, organisation) -> list[str]:
    """What the notice linter says about the same lookalike link in a notice: the trust
    errors that stop such a template being approved."""
    link = f"https://{lookalike_domain(organisation.owned_domains[0])}/enroll"
    sections = dict(template.sections)
    sections["what_you_can_do"] += f"\nEnrol in free credit monitoring at {link}.\n"
    tampered = TemplateFile.model_validate(
        {**template.model_dump(mode="json"), "sections": sections}
    )
    rendered, laws = render_sample(tampered, organisation, SAMPLE_RESIDENCE)
    context = LintContext(
        owned_domains=(*organisation.owned_domains, *organisation.sending_domains),
        jurisdictions=tuple(laws),
        signatory=organisation.signatory_name,
        language=template.language,
    )
    result = lint(document_from_html(rendered.html), context)
    return [
        f"[{finding.rule}] {finding.message}"
        for finding in result.findings
        if finding.severity == ERROR and finding.rule.startswith("trust.")
    ]
