"""Scorecard dimension: trustworthy communications. Do the notices and the desk's
approved answers link and send only from the organisation's own, familiar domains, ask
for nothing sensitive, and can mail servers verify them (DKIM)? Target's 2013 notices
came from a marketing vendor's domain; Equifax sent people to equifaxsecurity2017.com,
and its own staff once linked to a phishing copy of it."""

from __future__ import annotations

from breachdesk.incidents.models import Incident
from breachdesk.notices.documents import document_from_text
from breachdesk.notices.domains import OFFICIAL_DOMAINS, check_domain, host_of, registrable
from breachdesk.notices.extract import extract
from breachdesk.notices.findings import ERROR, WARNING
from breachdesk.notices.service import notice_sender
from breachdesk.reports.scorecard_grades import Dimension, Measure
from breachdesk.reports.scorecard_notices import NOTHING_SENT, AnswerInUse, SentNotice, listed

# Trust findings: a link or sender on a domain that is not the organisation's (a
# lookalike, a shortener, an IP address) is the Equifax mistake; other trust errors
# (attachments, asking for secrets, link text that lies); a domain the organisation
# owns but that looks like a lookalike of its main one; pressure phrases.
FOREIGN_DOMAIN_GRADE = "F"
TRUST_ERROR_GRADE = "D"
UNFAMILIAR_OWN_DOMAIN_GRADE = "C"
TRUST_WARNING_GRADE = "B"
# Notices from a domain other than the organisation's main one (Target's came from a
# marketing vendor's), and notices nobody can verify came from the organisation.
SENDER_NOT_ALIGNED_GRADE = "D"
UNSIGNED_GRADE = "C"


def trustworthy_communications(
    *,
    incident: Incident,
    notices: list[SentNotice],
    in_use: list[AnswerInUse],
    dkim_signed: bool,
) -> Dimension:
    organisation = incident.organisation
    primary = organisation.owned_domains[0]
    sender = notice_sender(organisation).email
    sender_site = registrable(host_of(sender))
    aligned = sender_site == registrable(primary)
    found = [(notice.where, finding) for notice in notices for finding in notice.findings("trust.")]
    found += [(answer.where, finding) for answer in in_use for finding in answer.findings]
    foreign = [(where, f) for where, f in found if f.rule.startswith("trust.domain.")]
    errors = [(where, f) for where, f in found if f.severity == ERROR and (where, f) not in foreign]
    warnings = [(where, f) for where, f in found if f.severity == WARNING]
    unfamiliar = _unfamiliar_own_domains(notices, in_use, organisation.owned_domains, primary)
    figures = {
        "notices_checked": len(notices),
        "answers_checked": len(in_use),
        "trust_findings": [
            {"where": where, "rule": f.rule, "severity": f.severity, "message": f.message}
            for where, f in found
        ],
        "unfamiliar_own_domains": unfamiliar,
        "sender": sender,
        "sender_domain": sender_site,
        "main_domain": primary,
        "sender_aligned": aligned,
        "dkim_signed": dkim_signed,
    }
    if not notices:
        return Dimension(
            "trustworthy_communications",
            "Trustworthy communications",
            figures,
            not_gradable=NOTHING_SENT,
        )
    checked = f"{len(notices)} notices and {len(in_use)} approved answers"
    if foreign:
        links = Measure(
            "links_and_senders",
            FOREIGN_DOMAIN_GRADE,
            f"{len(foreign)} trust finding{'s' if len(foreign) > 1 else ''} on domains that "
            "are not the organisation's, in what customers are sent: "
            + listed([f"{where}: {f.message}" for where, f in foreign])
            + ". Readers taught to follow such links cannot tell the real notice from phishing.",
        )
    elif errors:
        links = Measure(
            "links_and_senders",
            TRUST_ERROR_GRADE,
            f"{len(errors)} trust error{'s' if len(errors) > 1 else ''} in what customers "
            "are sent: " + listed([f"{where}: {f.message}" for where, f in errors]) + ".",
        )
    elif unfamiliar:
        links = Measure(
            "links_and_senders",
            UNFAMILIAR_OWN_DOMAIN_GRADE,
            f"Customers are sent to {', '.join(unfamiliar)}, which the organisation owns "
            f"but which looks like a lookalike of {primary} (Equifax's own "
            "equifaxsecurity2017.com was mistaken for phishing).",
        )
    elif warnings:
        links = Measure(
            "links_and_senders",
            TRUST_WARNING_GRADE,
            f"{len(warnings)} phrases that read like phishing: "
            + listed([f"{where}: {f.message}" for where, f in warnings])
            + ".",
        )
    else:
        links = Measure(
            "links_and_senders",
            "A",
            f"The {checked} link only to the organisation's own domains and official "
            "resources, ask for nothing sensitive and carry no attachments.",
        )
    if aligned:
        alignment = Measure(
            "sender_alignment",
            "A",
            f"Notices come from {sender}, on {primary}, the domain people know.",
        )
    else:
        alignment = Measure(
            "sender_alignment",
            SENDER_NOT_ALIGNED_GRADE,
            f"Notices come from {sender}, on {sender_site}, not on {primary}, the domain "
            "people know: like Target's notices from a marketing vendor's domain, they "
            "look like phishing.",
        )
    signing = (
        Measure("dkim", "A", "Notices are DKIM-signed, so mail servers can verify the sender.")
        if dkim_signed
        else Measure(
            "dkim",
            UNSIGNED_GRADE,
            "Notices are not DKIM-signed (BREACHDESK_DKIM_SELECTOR and "
            "BREACHDESK_DKIM_PRIVATE_KEY are not set), so mail servers cannot verify they "
            "came from the organisation.",
        )
    )
    return Dimension(
        "trustworthy_communications",
        "Trustworthy communications",
        figures,
        (links, alignment, signing),
    )


def _unfamiliar_own_domains(
    notices: list[SentNotice], in_use: list[AnswerInUse], owned: list[str], primary: str
) -> list[str]:
    """Hosts customers are sent to that the organisation owns, off its main domain, that
    look like a lookalike of the main domain."""
    hosts: set[str] = set()
    for notice in notices:
        hosts |= {host_of(link.url) for link in notice.document.links}
        hosts |= set(notice.result.extracted.domains)
    for answer in in_use:
        hosts |= set(extract(document_from_text(answer.answer.answer)).domains)
    flagged = []
    for host in sorted(hosts):
        if not check_domain(host, owned).ok or registrable(host) == registrable(primary):
            continue
        if any(host == d or host.endswith("." + d) for d in OFFICIAL_DOMAINS):
            continue
        if check_domain(host, [primary]).problem in ("lookalike", "homoglyph"):
            flagged.append(host)
    return flagged
