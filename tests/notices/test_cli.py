"""``breachdesk lint`` as a user runs it."""

from __future__ import annotations

import json
from email import message_from_bytes
from email.policy import default

from tests.notices.test_lint import GOOD
from tests.people.conftest import HEADER, import_json, person, write_csv


def test_lint_passes_a_good_notice_and_says_what_it_names(run_cli, tmp_path) -> None:
    draft = tmp_path / "notice.txt"
    draft.write_text(GOOD, encoding="utf-8")
    result = run_cli("lint", draft, "--domain", "northwind.example", "--jurisdiction", "US-CA")
    assert result.exit_code == 0, result.output
    assert "elements named: name, payment_card" in result.output
    assert "0 errors" in result.output


def test_lint_fails_a_phishy_notice_with_findings_in_json(run_cli, tmp_path) -> None:
    draft = tmp_path / "notice.html"
    draft.write_text(
        "<h1>Urgent</h1><p>Your account may have been affected. Act now: "
        '<a href="https://bit.ly/x">northwind.example</a> and confirm your password.</p>',
        encoding="utf-8",
    )
    result = run_cli("lint", draft, "--domain", "northwind.example", "--json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    rules = {finding["rule"] for finding in report["findings"]}
    assert {
        "trust.domain.shortener",
        "trust.link-text",
        "trust.asks-for-secrets",
        "trust.pressure",
        "plain.hedging",
        "tone.apology",
    } <= rules
    assert set(report["extracted"]) >= {
        "data_elements", "dates", "headings", "links", "domains", "phones", "apology",
        "credit_monitoring_months", "security_freeze_info", "ftc_info",
    }  # fmt: skip


def test_lint_checks_against_a_stored_organisation_and_incident(
    run_cli, incident, tmp_path
) -> None:
    draft = tmp_path / "notice.txt"
    draft.write_text(GOOD, encoding="utf-8")
    result = run_cli("lint", draft, "--incident", incident, "--json")
    findings = json.loads(result.output)["findings"]
    # The factory incident exposed name, SSN and medical data; this notice names only the name.
    missing = {f["message"] for f in findings if f["rule"] == "facts.element-missing"}
    assert any("medical information" in message for message in missing)
    # The factory organisation's domains are not northwind.example, and its signatory is not Dana.
    assert any(f["rule"] == "tone.signatory" for f in findings)
    assert any(f["rule"].startswith("trust.domain") for f in findings)


def test_lint_refuses_what_it_cannot_read(run_cli, tmp_path) -> None:
    for args, message in [
        ([tmp_path / "missing.txt"], "no such file"),
        ([tmp_path / "notice.rtf"], ".txt, .md, .html"),
        ([tmp_path / "n.txt", "--jurisdiction", "US-ZZ"], "no rule file"),
        ([tmp_path / "n.txt", "--lang", "fr"], "--lang"),
        ([tmp_path / "n.txt", "--org", "nobody"], "no organisation"),
    ]:
        (tmp_path / "n.txt").write_text("We are sorry.", encoding="utf-8")
        (tmp_path / "notice.rtf").write_text("{\\rtf1}", encoding="utf-8")
        result = run_cli("lint", *args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)


def _first_reference(run_cli, incident) -> str:
    people = json.loads(run_cli("people", "list", "--incident", incident, "--json").output)
    return people[0]["reference"]


def test_preview_renders_a_persons_notice_in_each_channel(run_cli, incident, tmp_path) -> None:
    path = write_csv(tmp_path / "p.csv", HEADER, [person(1), person(2)])
    assert import_json(run_cli, path, incident)[0] == 0
    reference = _first_reference(run_cli, incident)
    text = run_cli("notice", "preview", "--incident", incident, "--person", reference)
    assert text.exit_code == 0, text.output
    assert text.output.startswith("Subject: Notice of Data Breach from")
    assert "Dear Ann Lee1" in text.output
    assert reference in text.output
    spanish = run_cli(
        "notice", "preview", "--incident", incident, "--person", reference, "--lang", "es"
    )
    assert "Lamentamos lo ocurrido" in spanish.output
    sms = run_cli(
        "notice", "preview", "--incident", incident, "--person", reference, "--channel", "sms"
    )
    assert len(sms.output) < 320 and reference in sms.output
    eml = tmp_path / "notice.eml"
    written = run_cli(
        "notice",
        "preview",
        "--incident",
        incident,
        "--person",
        reference,
        "--channel",
        "email",
        "-o",
        eml,
    )
    assert written.exit_code == 0, written.output
    message = message_from_bytes(eml.read_bytes(), policy=default)
    assert message["To"].addresses[0].addr_spec == "ann.lee1@example.com"
    assert message.get_content_type() == "multipart/alternative"
    letter = tmp_path / "notice.pdf"
    preview = ("notice", "preview", "--incident", incident, "--person", reference)
    printed = run_cli(*preview, "--channel", "letter", "-o", letter)
    assert printed.exit_code == 0, printed.output
    assert letter.read_bytes().startswith(b"%PDF")
    assert "template the shipped default" in printed.output
    web = run_cli(*preview, "--channel", "web")
    assert web.exit_code == 0, web.output
    assert '<html lang="en">' in web.output and "<main>" in web.output
    assert reference in web.output and "style=" not in web.output
    assert '"people.viewed"' in run_cli("audit", "export").output


def test_preview_refuses_an_unknown_channel(run_cli, incident) -> None:
    result = run_cli(
        "notice", "preview", "--incident", incident, "--person", "X", "--channel", "fax"
    )
    assert result.exit_code == 2
    assert "--channel" in result.output
