"""``breachdesk lint`` as a user runs it."""

from __future__ import annotations

import json

from tests.notices.test_lint import GOOD


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
