"""The notice linter: each rule with examples it must catch and examples it must not."""

from __future__ import annotations

from email.message import EmailMessage

import docx
import pytest

from breachdesk.incidents.models import DataElement as E
from breachdesk.notices.documents import Block, Document, Link, document_from_text, read_document
from breachdesk.notices.lint import RULE_IDS, LintContext, lint
from breachdesk.rules.catalog import shipped_rules

OWNED = ("northwind.example",)

# A notice written the way the linter asks: it must lint clean for these three states.
GOOD = """\
Notice of Data Breach

November 20, 2026

Dear Ann Lee,

We are writing to tell you about a data breach that involves your card. We are sorry this happened.

What Happened

On November 12, 2026, we found that someone had copied card data from our store checkouts. \
It started on October 3, 2026. Notice was not delayed by law enforcement.

What Information Was Involved

Your name and your payment card number were taken. Your PIN was not taken. \
No Social Security numbers were involved.

What We Are Doing

We removed the bad software and added new checks to every checkout. \
We told the card brands and the police.

What You Can Do

Check your card statements and tell your bank about any charge you do not know. \
You can get two years of free credit monitoring. \
To sign up, go to https://northwind.example/help and enter your code. \
You can ask for a free security freeze. You can get a police report. \
You can contact Equifax, Experian and TransUnion. \
The FTC has help at https://www.identitytheft.gov. \
So does the New York State Attorney General: 1-800-771-7755, https://ag.ny.gov.

For More Information

Call us free at 1-800-555-0142 or write to help@northwind.example. \
We will never ask for your password or card number.

Sincerely,
Dana Whitfield
Chief Executive Officer, Northwind Outfitters
"""
STATES = ("US-CA", "US-MA", "US-NY")


def _lint(text: str, **context) -> list:
    context.setdefault("owned_domains", OWNED)
    return lint(document_from_text(text), LintContext(**context)).findings


def _rules(findings) -> set[str]:
    return {finding.rule for finding in findings}


def _with(text: str, before: str, after: str) -> str:
    assert before in text
    return text.replace(before, after)


def test_a_well_written_notice_lints_clean() -> None:
    rules = tuple(shipped_rules()[code] for code in STATES)
    findings = _lint(
        GOOD,
        jurisdictions=rules,
        facts_elements=frozenset({E.NAME, E.PAYMENT_CARD}),
        signatory="Dana Whitfield",
    )
    assert [f for f in findings if f.severity != "info"] == []


# --- legal content ----------------------------------------------------------------------


def test_the_regulators_numbers_and_website_a_law_requires_must_be_printed() -> None:
    new_york = (shipped_rules()["US-NY"],)
    without = _with(GOOD, "1-800-771-7755, https://ag.ny.gov", "its website")
    findings = [f for f in _lint(without, jurisdictions=new_york) if f.rule.startswith("legal.")]
    missing = [f for f in findings if f.rule == "legal.regulator-contact"]
    assert len(missing) == 1 and missing[0].severity == "error"
    assert "toll-free number 1-800-771-7755" in missing[0].message
    assert "website https://ag.ny.gov" in missing[0].message
    # Written another way, the same number and site still count.
    other_way = _with(GOOD, "1-800-771-7755, https://ag.ny.gov", "(800) 771.7755 or AG.NY.gov")
    assert "legal.regulator-contact" not in _rules(_lint(other_way, jurisdictions=new_york))
    # A law without a regulator_contact block asks for none.
    texas = (shipped_rules()["US-TX"],)
    assert "legal.regulator-contact" not in _rules(_lint(without, jurisdictions=texas))


def test_required_content_missing_for_a_state_is_an_error_citing_it() -> None:
    text = _with(GOOD, "You can get a police report. ", "")
    findings = _lint(text, jurisdictions=(shipped_rules()["US-MA"],))
    missing = [f for f in findings if f.rule == "legal.required-content"]
    assert len(missing) == 1
    assert "police report" in missing[0].message
    assert "93H" in missing[0].hint


@pytest.mark.parametrize(
    "sentence",
    [
        "Criminals used malware on our checkouts.",
        "A hacker got into our network.",
        "About 40,000 customers were affected.",
        "The data of 1.2 million people was taken.",
    ],
)
def test_massachusetts_forbidden_statements_are_caught(sentence) -> None:
    text = _with(GOOD, "We are sorry this happened.", f"We are sorry this happened. {sentence}")
    findings = _lint(text, jurisdictions=(shipped_rules()["US-MA"],))
    assert "legal.forbidden-content" in _rules(findings)


def test_statements_forbidden_in_one_state_are_fine_elsewhere() -> None:
    text = _with(GOOD, "We are sorry this happened.", "We are sorry. A hacker got in.")
    assert "legal.forbidden-content" not in _rules(
        _lint(text, jurisdictions=(shipped_rules()["US-NY"],))
    )


def test_californias_headings_must_all_be_there_and_in_order() -> None:
    california = (shipped_rules()["US-CA"],)
    missing = _with(GOOD, "What We Are Doing\n", "")
    assert any("What We Are Doing" in f.message for f in _lint(missing, jurisdictions=california))
    swapped = GOOD.replace("What Happened\n", "@@").replace(
        "What Information Was Involved\n", "What Happened\n"
    )
    swapped = swapped.replace("@@", "What Information Was Involved\n")
    messages = [f.message for f in _lint(swapped, jurisdictions=california)]
    assert any("out of the order" in message for message in messages)


def test_headings_written_as_questions_count() -> None:
    text = GOOD
    for heading in (
        "What Happened",
        "What Information Was Involved",
        "What We Are Doing",
        "What You Can Do",
    ):
        text = text.replace(f"{heading}\n", f"{heading}?\n")
    findings = _lint(text, jurisdictions=(shipped_rules()["US-CA"],))
    assert "legal.headings" not in _rules(findings)


def test_type_below_the_states_minimum_is_caught() -> None:
    document = Document(
        "html",
        (
            Block("heading", "Notice of Data Breach", "<h1> 1", 14.0),
            Block("paragraph", "Your card number was taken. We are sorry.", "paragraph 1", 8.0),
        ),
    )
    context = LintContext(owned_domains=OWNED, jurisdictions=(shipped_rules()["US-CA"],))
    findings = [f for f in lint(document, context).findings if f.rule == "legal.type-size"]
    assert [f.location for f in findings] == ["paragraph 1"]


# --- facts coverage ----------------------------------------------------------------------


def test_an_exposed_element_the_notice_leaves_out_is_an_error() -> None:
    findings = _lint(GOOD, facts_elements=frozenset({E.NAME, E.PAYMENT_CARD, E.EMAIL}))
    missing = [f for f in findings if f.rule == "facts.element-missing"]
    assert [f.message for f in missing] == [
        "the facts say the email address was exposed; the notice never says so"
    ]


def test_a_denied_element_is_not_a_claim_but_a_stated_one_outside_the_facts_is() -> None:
    # GOOD says the PIN and SSNs were not taken: that is not a claim they were.
    assert "facts.not-in-facts" not in _rules(
        _lint(GOOD, facts_elements=frozenset({E.NAME, E.PAYMENT_CARD}))
    )
    text = _with(GOOD, "Your PIN was not taken.", "Your PIN was taken.")
    findings = _lint(text, facts_elements=frozenset({E.NAME, E.PAYMENT_CARD}))
    assert "facts.not-in-facts" in _rules(findings)


def test_a_notice_without_dates_is_warned() -> None:
    text = "Your card number was taken. We are sorry.\n\nSincerely,\nDana Whitfield"
    assert "facts.dates" in _rules(_lint(text, facts_elements=frozenset({E.PAYMENT_CARD})))


# --- trust ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "rule"),
    [
        ("https://northwindsecurity2026.com/check", "trust.domain.lookalike"),
        ("https://n0rthwind.example/check", "trust.domain.homoglyph"),
        ("https://bit.ly/3xYz", "trust.domain.shortener"),
        ("http://203.0.113.7/check", "trust.domain.ip_address"),
        ("https://click.marketing-vendor.com/track", "trust.domain.not_registered"),
    ],
)
def test_links_off_the_organisations_domains_are_errors(link, rule) -> None:
    text = _with(GOOD, "https://northwind.example/help", link)
    assert rule in _rules(_lint(text))


def test_own_and_official_links_pass() -> None:
    assert not any(rule.startswith("trust.domain") for rule in _rules(_lint(GOOD)))


def test_a_link_whose_text_shows_another_address_is_caught() -> None:
    document = Document(
        "html",
        (Block("paragraph", "Check your status at northwind.example.", "paragraph 1"),),
        links=(Link("https://northwind.example.evil.test/", "northwind.example", "paragraph 1"),),
    )
    findings = lint(document, LintContext(owned_domains=OWNED)).findings
    assert "trust.link-text" in _rules(findings)


def test_a_sender_on_a_vendors_domain_is_caught() -> None:
    document = Document(
        "eml",
        (Block("paragraph", "We are sorry. Your card number was taken.", "paragraph 1"),),
        senders=(("From", "notice@mail.bulk-sender.com"),),
    )
    findings = lint(document, LintContext(owned_domains=OWNED)).findings
    assert any(f.rule == "trust.domain.not_registered" and f.location == "From" for f in findings)


def test_attachments_are_errors() -> None:
    document = Document(
        "eml",
        (Block("paragraph", "We are sorry.", "paragraph 1"),),
        attachments=("claim-form.zip",),
    )
    assert "trust.attachment" in _rules(lint(document, LintContext(owned_domains=OWNED)).findings)


@pytest.mark.parametrize(
    "sentence",
    [
        "Reply to this email with your Social Security number to confirm your identity.",
        "Please verify your card number at the link below.",
        "Confirm your password to keep your account.",
    ],
)
def test_asking_for_secrets_is_caught(sentence) -> None:
    assert "trust.asks-for-secrets" in _rules(
        _lint(_with(GOOD, "We are sorry this happened.", sentence))
    )


def test_promising_never_to_ask_for_secrets_is_not_a_request() -> None:
    assert "trust.asks-for-secrets" not in _rules(_lint(GOOD))


@pytest.mark.parametrize(
    "sentence", ["Act now to protect yourself.", "Your account will be suspended within 24 hours."]
)
def test_pressure_phrases_are_warned(sentence) -> None:
    assert "trust.pressure" in _rules(_lint(_with(GOOD, "We are sorry this happened.", sentence)))


# --- plain language ----------------------------------------------------------------------


def test_a_dense_notice_is_over_grade_eight() -> None:
    dense = (
        "Notwithstanding the aforementioned circumstances, the organization's comprehensive "
        "investigation substantiated unauthorized exfiltration of personally identifiable "
        "information, necessitating notification consistent with applicable obligations."
    )
    assert "plain.grade" in _rules(_lint(dense))
    assert "plain.grade" not in _rules(_lint(GOOD))


def test_long_sentences_are_warned() -> None:
    long_sentence = " ".join(["We looked at every system"] * 8) + "."
    assert "plain.long-sentence" in _rules(
        _lint(_with(GOOD, "We are sorry this happened.", long_sentence))
    )


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        ("Your information may have been affected.", "plain.hedging"),
        ("Your data was potentially exposed.", "plain.hedging"),
        ("We take your privacy very seriously.", "plain.stock-phrase"),
        ("Out of an abundance of caution, we are writing to you.", "plain.stock-phrase"),
        ("We were the victim of a sophisticated cyberattack.", "plain.stock-phrase"),
    ],
)
def test_hedging_and_stock_phrases_are_warned(sentence, rule) -> None:
    assert rule in _rules(_lint(_with(GOOD, "We are sorry this happened.", sentence)))


# --- oversharing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        ("The attacker came from 185.220.101.4.", "overshare.ip-address"),
        ("They reached db-prod-03.corp.internal first.", "overshare.hostname"),
        ("They used CVE-2023-34362 in our file transfer server.", "overshare.cve"),
        ("They ran Mimikatz and Cobalt Strike.", "overshare.tooling"),
        ("An unpatched server allowed remote code execution.", "overshare.vulnerability"),
    ],
)
def test_technical_detail_in_customer_text_is_caught(sentence, rule) -> None:
    assert rule in _rules(_lint(_with(GOOD, "We are sorry this happened.", sentence)))


def test_dates_and_phone_numbers_are_not_mistaken_for_ip_addresses() -> None:
    assert not any(rule.startswith("overshare") for rule in _rules(_lint(GOOD)))


# --- tone ----------------------------------------------------------------------------------


def test_no_apology_is_an_error() -> None:
    assert "tone.apology" in _rules(_lint(_with(GOOD, "We are sorry this happened.", "")))


def test_a_company_signature_without_a_person_is_an_error() -> None:
    text = _with(
        GOOD, "Dana Whitfield\nChief Executive Officer, Northwind Outfitters", "The Northwind Team"
    )
    assert "tone.signatory" in _rules(_lint(text))
    assert "tone.signatory" not in _rules(_lint(GOOD))
    assert "tone.signatory" in _rules(_lint(GOOD, signatory="Rosa Diaz"))


def test_every_finding_names_a_documented_rule() -> None:
    bad = (
        "URGENT\n\nYour data may have been exposed by LockBit from 10.0.0.5 via CVE-2024-1234. "
        "About 5,000 customers were hit by malware. Act now at https://bit.ly/z and confirm "
        "your password.\n\nThe Team"
    )
    rules = tuple(shipped_rules()[code] for code in ("US-CA", "US-MA"))
    findings = _lint(bad, jurisdictions=rules, facts_elements=frozenset({E.SSN}))
    assert {f.rule for f in findings} <= set(RULE_IDS)
    assert len({f.rule.split(".")[0] for f in findings}) == 6  # every family spoke


def test_illinois_forbids_the_number_of_residents_affected() -> None:
    text = _with(GOOD, "We are sorry this happened.", "We are sorry. It affected 900 residents.")
    findings = _lint(text, jurisdictions=(shipped_rules()["US-IL"],))
    assert "legal.forbidden-content" in _rules(findings)


def _as_docx(text: str, path) -> None:
    document = docx.Document()
    for block in text.split("\n\n"):
        heading = block in ("What Happened", "What Information Was Involved", "What We Are Doing")
        heading = heading or block in ("What You Can Do", "For More Information")
        if heading or block == "Notice of Data Breach":
            document.add_heading(block, level=1 if block == "Notice of Data Breach" else 2)
        else:
            document.add_paragraph(block)
    document.save(path)


def _as_eml(text: str, path) -> None:
    message = EmailMessage()
    message["From"] = "Northwind Outfitters <notice@northwind.example>"
    message["To"] = "ann@example.com"
    message["Subject"] = "Notice of Data Breach"
    message.set_content(text)
    path.write_bytes(message.as_bytes())


@pytest.mark.parametrize(("suffix", "write"), [(".docx", _as_docx), (".eml", _as_eml)])
def test_a_good_notice_in_other_formats_lints_the_same(tmp_path, suffix, write) -> None:
    path = tmp_path / f"notice{suffix}"
    write(GOOD, path)
    document = read_document(path)
    rules = tuple(shipped_rules()[code] for code in STATES)
    context = LintContext(
        owned_domains=OWNED,
        jurisdictions=rules,
        facts_elements=frozenset({E.NAME, E.PAYMENT_CARD}),
        signatory="Dana Whitfield",
    )
    result = lint(document, context)
    assert [f for f in result.findings if f.severity != "info"] == []
    assert result.extracted.data_elements == [E.NAME, E.PAYMENT_CARD]
    assert result.extracted.credit_monitoring_months == 24
