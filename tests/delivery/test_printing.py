"""Letters for the print vendor: PDFs and manifests that agree with each other and the
outbox, an export that recovers from an interruption, and returned mail read back."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pypdf
import pytest

from breachdesk.config import get_settings
from breachdesk.db import Database
from breachdesk.delivery import printing
from breachdesk.security.crypto import load_keyring
from tests.delivery.conftest import WITH_EMAIL


def _letter_campaign(run_cli, incident) -> str:
    campaign = run_cli("campaign", "create", "--incident", incident, "--channel", "letter")
    run_cli("campaign", "wave", campaign.output.strip())
    return campaign.output.strip()


def _manifest(folder: Path) -> list[dict[str, str]]:
    rows = []
    for path in sorted(folder.glob("*.csv")):
        rows.extend(csv.DictReader(io.StringIO(path.read_text("utf-8"))))
    return rows


def test_letters_are_exported_as_pdfs_with_manifests_that_match(run_cli, ready, tmp_path) -> None:
    campaign = _letter_campaign(run_cli, ready)
    out = tmp_path / "print"
    printed = run_cli("campaign", "print", campaign, "--out", out, "--batch", "4")
    assert printed.exit_code == 0, printed.output
    letters = WITH_EMAIL + 1
    assert f"{letters} letters in 2 PDF(s)" in printed.output

    rows = _manifest(out)
    assert len(rows) == letters and len({row["reference"] for row in rows}) == letters
    assert {row["mail_class"] for row in rows} == {"first-class"}
    assert all(row["jurisdiction"] == "US-TX" and row["postcode"] == "78701" for row in rows)
    for pdf_path in sorted(out.glob("*.pdf")):
        assert stat.S_IMODE(pdf_path.stat().st_mode) == 0o600
        pages = pypdf.PdfReader(pdf_path).pages
        mine = [row for row in rows if row["file"] == pdf_path.name]
        assert sum(int(row["pages"]) for row in mine) == len(pages)
        for row in mine:  # the letter starts where the manifest says, with its reference
            first = pages[int(row["first_page"]) - 1].extract_text()
            assert f"Reference {row['reference']}" in first and row["name"] in first
    assert not list((out / ".partial").iterdir())

    status = json.loads(run_cli("campaign", "status", campaign, "--json").output)
    assert status["by_channel"]["letter"] == {"sent": letters}
    assert "no letters were due" in run_cli("campaign", "print", campaign, "--out", out).output
    assert '"campaign.letters_exported"' in run_cli("audit", "export").output


def test_returned_letters_go_on_by_email(run_cli, ready, tmp_path) -> None:
    campaign = _letter_campaign(run_cli, ready)
    out = tmp_path / "print"
    run_cli("campaign", "print", campaign, "--out", out)
    rows = _manifest(out)
    returned = tmp_path / "returned.csv"
    returned.write_text(
        "reference,reason\n"
        f"{rows[0]['reference']},Addressee unknown\n"
        "ZZZZ-ZZZZ-ZZZZ,no such letter\n"
    )
    first = run_cli("campaign", "returned", campaign, returned)
    assert first.exit_code == 0, first.output
    assert "1 returned" in first.output and "1 queued on the next channel" in first.output
    assert "1 not a letter of this campaign" in first.output
    status = json.loads(run_cli("campaign", "status", campaign, "--json").output)
    assert status["by_channel"]["letter"] == {"sent": WITH_EMAIL, "failed": 1}
    assert status["by_channel"]["email"] == {"queued": 1}
    assert "1 sent" in run_cli("campaign", "run", campaign).output
    assert "1 already recorded" in run_cli("campaign", "returned", campaign, returned).output

    no_column = tmp_path / "bad.csv"
    no_column.write_text("ref\nX\n")
    refused = run_cli("campaign", "returned", campaign, no_column)
    assert refused.exit_code == 2 and "needs a 'reference' column" in refused.output


def test_an_interrupted_export_is_finished_or_redone_and_never_doubled(
    run_cli, ready, tmp_path, database_url, monkeypatch
) -> None:
    campaign = int(_letter_campaign(run_cli, ready))
    out = tmp_path / "print"
    database = Database(database_url)
    options = {
        "database": database,
        "keyring": load_keyring(get_settings()),
        "campaign_id": campaign,
        "out_dir": out,
        "actor": "lead",
        "batch_size": 4,
    }

    def dies_after_recording(source, target):
        raise KeyboardInterrupt  # killed after the batch was recorded, before the move

    monkeypatch.setattr(printing.os, "replace", dies_after_recording)
    with pytest.raises(KeyboardInterrupt):
        printing.export_letters(**options)
    monkeypatch.undo()
    assert len(list((out / ".partial").glob("*.pdf"))) == 1 and not list(out.glob("*.pdf"))
    # A file an export wrote but never recorded: it must not reach the vendor.
    (out / ".partial" / "letters-c0-0000000001.pdf").write_bytes(b"%PDF-unrecorded")

    summary = printing.export_letters(**options)
    database.dispose()
    assert summary.finished_from_before == 1
    assert summary.letters == WITH_EMAIL + 1 - 4
    assert not list((out / ".partial").iterdir())
    rows = _manifest(out)
    assert len(rows) == WITH_EMAIL + 1 and len({row["reference"] for row in rows}) == len(rows)
