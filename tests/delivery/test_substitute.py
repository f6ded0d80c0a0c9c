"""The substitute-notice list: exported for counsel, then recorded as given."""

from __future__ import annotations

import csv
import json
import stat


def test_the_list_is_exported_privately_and_recorded_once_given(run_cli, ready, tmp_path) -> None:
    campaign = run_cli("campaign", "create", "--incident", ready).output.strip()
    assert run_cli("campaign", "wave", campaign).exit_code == 0

    neither = run_cli("campaign", "substitute", campaign)
    assert neither.exit_code == 2 and "--out FILE.csv" in neither.output

    out = tmp_path / "substitute.csv"
    exported = run_cli("campaign", "substitute", campaign, "--out", out)
    assert exported.exit_code == 0, exported.output
    assert "1 people awaiting substitute notice" in exported.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # it holds names
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 1
    assert rows[0]["name"] == "Ann Lee8" and rows[0]["jurisdiction"] == "US-TX"
    assert rows[0]["reason"] == "no email or postal address"
    assert len(rows[0]["reference"].replace("-", "")) >= 10

    vague = run_cli("campaign", "substitute", campaign, "--given", "done")
    assert vague.exit_code == 2 and "say how substitute notice was given" in vague.output

    method = "website posting at https://acme-health.example/notice from 2026-11-25"
    given = run_cli("campaign", "substitute", campaign, "--given", method)
    assert given.exit_code == 0 and "recorded for 1 people" in given.output
    status = json.loads(run_cli("campaign", "status", campaign, "--json").output)
    assert status["by_channel"]["substitute"] == {"sent": 1}

    # Nobody is left waiting, and the audit trail says how it was given.
    again = run_cli("campaign", "substitute", campaign, "--out", out)
    assert "0 people awaiting" in again.output
    trail = run_cli("audit", "export")
    assert trail.exit_code == 0, trail.output
    events = [json.loads(line) for line in trail.output.splitlines() if line.strip()]
    given_events = [e for e in events if e["event_type"] == "campaign.substitute_notice_given"]
    assert [e["payload"]["method"] for e in given_events] == [method]
