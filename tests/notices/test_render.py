"""Default notices, rendered for a person in every jurisdiction and both languages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from breachdesk.incidents.models import DataElement as E
from breachdesk.incidents.models import FactRevision, Incident, Organisation
from breachdesk.notices.documents import document_from_html, document_from_text
from breachdesk.notices.lint import LintContext, lint
from breachdesk.notices.render import default_template, render_notice
from breachdesk.notices.service import notice_context, owing_laws
from breachdesk.rules.catalog import shipped_rules

PERSON_ELEMENTS = [E.NAME, E.ADDRESS, E.SSN, E.PAYMENT_CARD, E.CARD_SECURITY_CODE]
REMEDY = {"months": 24, "url": "https://northwind.example/protect", "code": "NW-24-7781"}
RESIDENT_CODES = sorted(
    code for code in shipped_rules() if shipped_rules()[code].applies_to.residence
)
RESIDENCES = [*(code for code in RESIDENT_CODES if code.startswith("US-")), "DE", "GB", "CA", "AU"]


def _organisation(**sectors: bool) -> Organisation:
    return Organisation(
        slug="northwind",
        legal_name="Northwind Outfitters, Inc.",
        display_name="Northwind Outfitters",
        owned_domains=["northwind.example"],
        sending_domains=["mail.northwind.example"],
        sender_identities=[],
        support_phone="1-800-555-0142",
        support_email="help@northwind.example",
        support_postal_address="Northwind Outfitters, Inc.\n1200 Harbor Way\nPortland, OR 97201",
        signatory_name="Dana Whitfield",
        signatory_title="Chief Executive Officer",
        hipaa_covered_entity=sectors.get("hipaa_covered_entity", False),
        hipaa_business_associate=False,
        glba_financial_institution=False,
        sec_registrant=False,
        established_in=["US"],
    )


def _incident(organisation: Organisation) -> Incident:
    revision = FactRevision(
        number=1,
        elements=[
            {"element": e.value, "protection": "clear", "key_compromised": False}
            for e in PERSON_ELEMENTS
        ],
        people_affected=1000,
        occurred_from=datetime(2026, 10, 3, tzinfo=UTC),
        occurred_to=datetime(2026, 11, 10, tzinfo=UTC),
        timeline=[],
        public_description="Someone copied card data from our store checkouts.",
        internal_description="",
        reason="test",
        created_by="test",
    )
    return Incident(
        title="Checkout breach",
        discovered_at=datetime(2026, 11, 12, 15, tzinfo=UTC),
        organisation=organisation,
        revisions=[revision],
    )


def _render(residence: str, language: str, **sectors: bool):
    organisation = _organisation(**sectors)
    incident = _incident(organisation)
    template = default_template("initial", language)
    person = {
        "first_name": "Ann",
        "last_name": "Lee",
        "reference": "K7QM-4XPD-9RTA",
        "jurisdiction": residence,
        "elements": [e.value for e in PERSON_ELEMENTS],
    }
    laws = owing_laws(incident, residence, frozenset(PERSON_ELEMENTS))
    context = notice_context(
        template=template,
        organisation=organisation,
        incident=incident,
        person=person,
        laws=laws,
        today=date(2026, 11, 20),
        remedy=REMEDY,
    )
    return render_notice(template, context, fact_revision=1), laws


def _errors(document, laws, language):
    context = LintContext(
        owned_domains=("northwind.example", "mail.northwind.example"),
        jurisdictions=tuple(laws),
        facts_elements=frozenset(PERSON_ELEMENTS),
        signatory="Dana Whitfield",
        language=language,
    )
    return [f for f in lint(document, context).findings if f.severity == "error"]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("residence", RESIDENCES)
def test_the_default_notice_lints_clean_for_every_jurisdiction(residence, language) -> None:
    rendered, laws = _render(residence, language)
    assert laws, f"no law requires notice in {residence}: the case tests nothing"
    for document in (document_from_text(rendered.text), document_from_html(rendered.html)):
        assert _errors(document, laws, language) == []
