"""The notice linter: what real breach notices get wrong, caught before anyone reads it.

Rule families, each rule with an id, a severity and a fix hint:

- ``legal.*``: content the target jurisdictions' rule files require, statements they
  forbid, required title and headings in order, minimum type size;
- ``facts.*``: every exposed element named, nothing claimed the facts do not hold,
  the dates stated;
- ``trust.*``: links and senders only on the organisation's own (or official)
  domains, no lookalikes, shorteners, IP links, attachments, requests for secrets or
  pressure;
- ``plain.*``: reading grade, long sentences, hedging, stock phrases;
- ``overshare.*``: IP addresses, internal host names, CVE ids, attack tools and
  vulnerability detail;
- ``tone.*``: an apology, and a named person signing.
"""

from __future__ import annotations

from dataclasses import dataclass

from breachdesk.notices.documents import Document
from breachdesk.notices.extract import Extracted, extract
from breachdesk.notices.findings import ERROR, INFO, WARNING, Finding, LintContext
from breachdesk.notices.lint_content import facts_rules, legal_rules
from breachdesk.notices.lint_reader import overshare_rules, plain_rules, tone_rules, trust_rules

# Every rule a finding can name; docs/notices.md explains each.
RULE_IDS = (
    "legal.required-content",
    "legal.forbidden-content",
    "legal.headings",
    "legal.type-size",
    "legal.statement",
    "legal.regulator-contact",
    "facts.element-missing",
    "facts.not-in-facts",
    "facts.dates",
    "trust.domain.not_registered",
    "trust.domain.lookalike",
    "trust.domain.homoglyph",
    "trust.domain.shortener",
    "trust.domain.ip_address",
    "trust.link-text",
    "trust.attachment",
    "trust.asks-for-secrets",
    "trust.pressure",
    "plain.grade",
    "plain.long-sentence",
    "plain.hedging",
    "plain.stock-phrase",
    "overshare.ip-address",
    "overshare.hostname",
    "overshare.cve",
    "overshare.tooling",
    "overshare.vulnerability",
    "tone.apology",
    "tone.signatory",
)


@dataclass(frozen=True)
class LintResult:
    findings: list[Finding]
    extracted: Extracted

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == ERROR]

    def as_dict(self) -> dict[str, object]:
        return {
            "findings": [finding.as_dict() for finding in self.findings],
            "extracted": self.extracted.as_dict(),
        }


def lint(document: Document, context: LintContext) -> LintResult:
    extracted = extract(document)
    findings: list[Finding] = []
    for rule_family in (
        legal_rules,
        facts_rules,
        trust_rules,
        plain_rules,
        overshare_rules,
        tone_rules,
    ):
        findings.extend(rule_family(document, extracted, context))
    order = {ERROR: 0, WARNING: 1, INFO: 2}
    findings.sort(key=lambda finding: order[finding.severity])
    return LintResult(findings, extracted)
