"""After looking up their notice, a person takes their credit-monitoring code and
claims reimbursement of fraudulent charges, and sees how their claim stands."""

from __future__ import annotations

import pytest

from breachdesk.config import get_settings
from breachdesk.db import Database
from breachdesk.desk import claims
from breachdesk.desk.models import ClaimStatus
from breachdesk.security.crypto import load_keyring
from tests.factories import make_staff
from tests.portal.test_portal import lee

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def visitor(notified, client, database_url, settings_env):
    """A client that has looked up Ann Lee6's notice."""
    keyring = load_keyring(get_settings())
    reference, _contact = lee(database_url, keyring, 6)
    page = client.post(
        "/lookup", data={"reference": reference, "last_name": "Lee6", "postcode": "78701"}
    )
    assert page.url.path == "/me"
    return client


def import_codes(run_cli, incident, tmp_path, count: int) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("activation_code\n" + "".join(f"KX{n:06d}\n" for n in range(count)))
    imported = run_cli(
        "codes", "import", path, "--incident", incident, "--pool", "experian",
        "--vendor", "Experian IdentityWorks", "--enrol-url", "https://www.experianidworks.com/3bcredit",
        "--months", "24",
    )  # fmt: skip
    assert imported.exit_code == 0, imported.output


def test_a_person_takes_one_activation_code_and_gets_the_same_again(
    visitor, run_cli, notified, tmp_path
):
    import_codes(run_cli, notified, tmp_path, 3)
    offered = visitor.get("/me")
    assert "Get my activation code" in offered.text
    first = visitor.post("/me/enrol")
    assert "24 months of Experian IdentityWorks" in first.text
    code = first.text.split('<p class="code"><strong>')[1].split("<")[0]
    assert code.startswith("KX")
    assert code in visitor.post("/me/enrol").text
    assert code in visitor.get("/me").text  # shown again without asking


def test_when_codes_run_out_the_page_says_so(visitor, run_cli, notified, tmp_path, client):
    import_codes(run_cli, notified, tmp_path, 1)
    assert "KX000000" in visitor.post("/me/enrol").text
    visitor.cookies.clear()
    # Another person, when the only code is taken.
    keyring = load_keyring(get_settings())
    reference, _contact = lee(get_settings().resolved_database_url, keyring, 5)
    client.post("/lookup", data={"reference": reference, "last_name": "Lee5", "postcode": "78701"})
    assert "Activation codes are not available right now" in client.post("/me/enrol").text


def test_a_claim_with_evidence_is_filed_and_its_status_shown(
    visitor, notified, database_url, data_dir
):
    filed = visitor.post(
        "/me/claims",
        data={"amount": "129.95", "charged_on": "2026-10-02", "description": "Two charges"},
        files=[("evidence", ("statement.pdf", PDF, "application/pdf"))],
    )
    assert filed.status_code == 200, filed.text
    assert "We received your claim C-" in filed.text
    assert "received, being reviewed" in filed.text and "129.95 USD" in filed.text
    evidence = list((data_dir / "claim-evidence").iterdir())
    assert len(evidence) == 1 and evidence[0].read_bytes() == PDF

    database = Database(database_url)
    with database.session() as session:
        claim = claims.list_claims(db_session=session, incident_id=notified)[0]
        claims.decide(
            db_session=session, keyring=load_keyring(get_settings()), claim=claim,
            status=ClaimStatus.APPROVED, note="Refund on its way.",
            reviewer=make_staff(session, "lena"),
        )  # fmt: skip
    database.dispose()
    assert "approved: Refund on its way." in visitor.get("/me").text


def test_a_claim_with_mistakes_is_returned_with_what_to_fix(visitor):
    refused = visitor.post(
        "/me/claims?lang=es",
        data={"amount": "lots", "charged_on": "2099-01-01", "description": "x"},
        files=[("evidence", ("statement.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"))],
    )
    assert refused.status_code == 422
    assert "Indique el monto en dólares y centavos" in refused.text
    assert "Indique una fecha igual o anterior a hoy" in refused.text
    assert 'value="lots"' in refused.text  # what they typed is kept

    wrong_file = visitor.post(
        "/me/claims",
        data={"amount": "10", "charged_on": "2026-10-02", "description": "x"},
        files=[("evidence", ("statement.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"))],
    )
    assert wrong_file.status_code == 422 and "PDF, PNG or JPEG" in wrong_file.text


def test_without_a_look_up_there_is_nothing_to_claim_or_take(notified, client):
    for path in ("/me/enrol", "/me/claims"):
        answer = client.post(path, data={"amount": "1"}, follow_redirects=False)
        assert answer.status_code == 303 and "/lookup" in answer.headers["location"]
