"""Proof of notice: every notice of a sent campaign exported with its channel, times,
content hash and what became of it, sealed with the audit chain, and checked later."""

from __future__ import annotations

import hashlib
import json
import mailbox
import os
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

from breachdesk.audit.models import AuditEventRow
from breachdesk.cli import app
from breachdesk.config import get_settings
from breachdesk.db import Database
from breachdesk.delivery.models import OutboxMessage
from breachdesk.people import references
from breachdesk.people.contact import CONTEXT, Contact
from breachdesk.people.models import AffectedPerson
from breachdesk.reports import proof
from breachdesk.security.crypto import load_keyring
from tests.conftest import _empty_postgres
from tests.delivery.conftest import approve_default_template, import_people
from tests.delivery.test_bounces import dsn
from tests.factories import make_incident
from tests.people.conftest import person

METHOD = "website posting at https://acme-health.example/notice from 2026-11-25"
NEW_YORK = {"city": "New York", "state": "NY", "postcode": "10001"}


@dataclass(frozen=True)
class Sent:
    """An incident whose campaign went out: Lee1..Lee6 by email (Lee4 and Lee5 live in
    New York, the rest in Texas), Lee1's email bounced and went as a letter, Lee7's
    letter came back and Lee7 and Lee8 (no address at all) got substitute notice."""

    url: str
    incident: int
    campaign: int
    references: dict[int, str]  # Lee<number> -> printed reference code
    folder: Path


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def sent(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Sent]:
    """Set up once per database for the module: sending a campaign takes seconds."""
    folder = tmp_path_factory.mktemp("proof")
    if request.param == "sqlite":
        shutil.copy(request.getfixturevalue("sqlite_template"), folder / "breachdesk.sqlite3")
        url = f"sqlite:///{folder / 'breachdesk.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_migrated")
        _empty_postgres(url)
    with pytest.MonkeyPatch.context() as environment:
        for name in list(os.environ):
            if name.startswith("BREACHDESK_") and name != "BREACHDESK_TEST_DATABASE_URL":
                environment.delenv(name)
        environment.setenv("BREACHDESK_DATABASE_URL", url)
        environment.setenv("BREACHDESK_DATA_DIR", str(folder / "data"))
        yield _send_campaign(url, folder)


def run(*args: Any) -> Result:
    return CliRunner().invoke(app, [str(arg) for arg in args])


def ok(*args: Any) -> Result:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result


def _send_campaign(url: str, folder: Path) -> Sent:
    (folder / "data").mkdir()
    database = Database(url)
    with database.session() as db_session:
        incident = make_incident(db_session).id
    approve_default_template(run, folder)
    people = [person(n, **(NEW_YORK if n in (4, 5) else {})) for n in range(1, 7)]
    people += [person(7, email=""), person(8, email="", address_line1="", city="", postcode="")]
    import_people(run, folder, incident, people)
    campaign = int(ok("campaign", "create", "--incident", incident).output.strip())
    ok("campaign", "wave", campaign)
    ok("campaign", "run", campaign)
    capture = mailbox.Maildir(folder / "data" / "mail-capture", create=False)
    message_ids = {
        message_from_bytes(bytes(item))["To"].split("<")[-1].rstrip(">"): item["Message-ID"]
        for item in capture
    }
    bounces = mailbox.Maildir(folder / "bounces", create=True)
    bounces.add(dsn(message_ids["ann.lee1@example.com"]))
    ok("campaign", "bounces", folder / "bounces")
    ok("campaign", "print", campaign, "--out", folder / "print")
    keyring = load_keyring(get_settings())
    with database.session() as db_session:
        found = {
            Contact.decode(keyring.decrypt(contact, context=CONTEXT)).last_name: reference
            for reference, contact in db_session.execute(
                select(AffectedPerson.reference, AffectedPerson.contact)
            )
        }
    database.dispose()
    codes = {
        int(name.removeprefix("Lee")): references.display(code) for name, code in found.items()
    }
    (folder / "returned.csv").write_text(f"reference,reason\n{codes[7]},moved away\n")
    ok("campaign", "returned", campaign, folder / "returned.csv")
    ok("campaign", "substitute", campaign, "--given", METHOD)
    return Sent(url, incident, campaign, codes, folder)


def export(sent: Sent, name: str, *options: Any) -> tuple[Result, Path]:
    out = sent.folder / name
    result = ok("report", "proof", "--incident", sent.incident, "--out", out, *options)
    return result, out


def rows_of(out: Path) -> list[dict[str, Any]]:
    with (out / proof.DATA_FILE).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def manifest_of(out: Path) -> dict[str, Any]:
    return json.loads((out / proof.MANIFEST_FILE).read_text(encoding="utf-8"))


def audit_events(kind: str) -> list[dict[str, Any]]:
    trail = ok("audit", "export").output.splitlines()
    return [event for event in map(json.loads, trail) if event["event_type"] == kind]


def outbox(sent: Sent) -> dict[int, OutboxMessage]:
    database = Database(sent.url)
    with database.session() as db_session:
        rows = {row.id: row for row in db_session.scalars(select(OutboxMessage))}
    database.dispose()
    return rows


def test_every_notice_is_listed_with_its_channel_times_hash_and_delivery_events(sent) -> None:
    result, out = export(sent, "whole")
    rows = rows_of(out)
    assert "10 notices" in result.output and "sealed by audit event" in result.output
    assert len(rows) == 10
    by_person: dict[int, dict[str, dict[str, Any]]] = {}
    for row in rows:
        number = next(n for n, code in sent.references.items() if code == row["reference"])
        by_person.setdefault(number, {})[row["channel"]] = row
    assert {n: sorted(channels) for n, channels in by_person.items()} == {
        1: ["email", "letter"], 2: ["email"], 3: ["email"], 4: ["email"], 5: ["email"],
        6: ["email"], 7: ["letter", "substitute"], 8: ["substitute"],
    }  # fmt: skip
    residence = {n: {row["jurisdiction"] for row in c.values()} for n, c in by_person.items()}
    assert residence == {n: {"US-NY" if n in (4, 5) else "US-TX"} for n in range(1, 9)}

    # What was sent is what the outbox recorded: the content hash, template, facts.
    stored = outbox(sent)
    for row in rows:
        record = stored[row["notice"]]
        assert (row["channel"], row["state"]) == (record.channel.value, record.state.value)
        assert row["content_hash"] == record.content_hash
        assert row["template_version"] == record.template_version
        assert row["message_id"] == record.message_id
        for moment in ("queued_at", "sent_at", "failed_at"):
            stamp = getattr(record, moment)
            assert row[moment] == (stamp and stamp.isoformat(timespec="microseconds"))
    delivered = by_person[2]["email"]
    assert delivered["state"] == "sent" and delivered["fact_revision"] == 1
    assert len(delivered["content_hash"]) == 64 and delivered["elements"]
    assert [e["event"] for e in delivered["events"]] == ["queued", "sending", "sent"]
    assert delivered["events"][-1]["at"] == delivered["sent_at"]
    assert delivered["message_id"] in delivered["events"][-1]["detail"]

    # A bounced email, then the letter that replaced it: both, each with its events.
    bounced, letter = by_person[1]["email"], by_person[1]["letter"]
    assert bounced["state"] == "bounced" and bounced["sent_at"] and bounced["failed_at"]
    assert [e["event"] for e in bounced["events"]] == ["queued", "sending", "sent", "bounced"]
    assert "5.1.1" in bounced["events"][-1]["detail"]
    assert letter["state"] == "sent" and letter["channel_reason"].startswith("email failed")
    assert letter["content_hash"] and letter["queued_at"] >= bounced["failed_at"]
    printed = letter["events"][-1]
    assert printed["event"] == "exported_for_print"
    pdf, page = printed["detail"].split(", from page ")
    assert (sent.folder / "print" / pdf).is_file() and letter["message_id"] == f"print:{pdf}#{page}"

    # Returned mail, then substitute notice, which says how it was given.
    returned = by_person[7]["letter"]
    assert returned["state"] == "failed" and returned["events"][-1]["event"] == "returned"
    assert "moved away" in returned["events"][-1]["detail"]
    for substitute in (by_person[7]["substitute"], by_person[8]["substitute"]):
        assert substitute["state"] == "sent" and substitute["fact_revision"] == 1
        assert substitute["events"][-1] == {
            "at": substitute["sent_at"], "event": "substitute_notice_given", "detail": METHOD,
        }  # fmt: skip
    assert by_person[8]["substitute"]["channel_reason"] == "no email or postal address"


def test_the_export_is_sealed_in_its_manifest_and_the_audit_chain(sent) -> None:
    before = len(audit_events("report.proof_of_notice_exported"))
    result, out = export(sent, "sealed")
    data = (out / proof.DATA_FILE).read_bytes()
    manifest = manifest_of(out)
    assert manifest["incident"] == sent.incident and manifest["rows"] == 10
    assert manifest["selection"] == {"scope": "incident"} and manifest["with_contact"] is False
    assert manifest["data_sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["data_file"] == proof.DATA_FILE and manifest["exported_at"]
    for path in (out / proof.DATA_FILE, out / proof.MANIFEST_FILE):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600  # reference codes open the portal

    events = audit_events("report.proof_of_notice_exported")
    assert len(events) == before + 1
    event = events[-1]
    manifest_sha256 = hashlib.sha256((out / proof.MANIFEST_FILE).read_bytes()).hexdigest()
    assert event["incident_id"] == sent.incident
    assert event["payload"] | {"folder": None} == {
        "incident": sent.incident, "selection": {"scope": "incident"}, "with_contact": False,
        "rows": 10, "folder": None, "data_sha256": manifest["data_sha256"],
        "manifest_sha256": manifest_sha256, "head_seq": manifest["audit_head"]["seq"],
        "head_hash": manifest["audit_head"]["hash"],
    }  # fmt: skip
    # The head named is the chain as it stood just before this export's own event.
    assert manifest["audit_head"]["seq"] == event["seq"] - 1
    assert manifest["audit_head"]["hash"] == event["prev_hash"]
    assert f"sealed by audit event {event['seq']} {event['hash']}" in result.output
    assert manifest["data_sha256"] in result.output and manifest_sha256 in result.output


def test_jurisdiction_and_person_selections_hold_only_their_notices(sent) -> None:
    _, out = export(sent, "new-york", "--jurisdiction", "us-ny")
    rows = rows_of(out)
    assert len(rows) == 2 and {row["jurisdiction"] for row in rows} == {"US-NY"}
    assert {row["reference"] for row in rows} == {sent.references[4], sent.references[5]}
    assert manifest_of(out)["selection"] == {"scope": "jurisdiction", "jurisdiction": "US-NY"}

    typed = sent.references[1].replace("-", "").lower()  # as a person might type it
    result, out = export(sent, "lee1", "--reference", typed)
    rows = rows_of(out)
    assert [(row["reference"], row["channel"]) for row in rows] == [
        (sent.references[1], "email"), (sent.references[1], "letter"),
    ]  # fmt: skip
    selection = {"scope": "person", "reference": sent.references[1]}
    assert manifest_of(out)["selection"] == selection
    assert audit_events("report.proof_of_notice_exported")[-1]["payload"]["selection"] == selection
    assert f"the person with reference {sent.references[1]}" in result.output


def test_contact_details_are_written_only_when_asked_for(sent) -> None:
    _, plain = export(sent, "least-data")
    text = (plain / proof.DATA_FILE).read_text(encoding="utf-8").lower()
    for personal in ("lee1", "ann.lee", "main st", "austin", "78701"):
        assert personal not in text  # not even the address a bounce report quoted
    assert all("contact" not in row for row in rows_of(plain))
    assert "[email address]" in text

    result, out = export(sent, "with-contact", "--with-contact")
    assert "holds names, email and postal addresses" in result.output
    rows = {row["reference"]: row for row in rows_of(out)}
    assert rows[sent.references[2]]["contact"] == {
        "name": "Ann Lee2", "email": "ann.lee2@example.com", "address_line1": "2 MAIN ST",
        "address_line2": None, "city": "AUSTIN", "subdivision": "TX", "postcode": "78701",
        "country": "US",
    }  # fmt: skip
    assert rows[sent.references[8]]["contact"]["email"] is None
    assert manifest_of(out)["with_contact"] is True
    assert audit_events("report.proof_of_notice_exported")[-1]["payload"]["with_contact"] is True


def test_the_seal_verifies_and_a_changed_byte_does_not(sent) -> None:
    _, out = export(sent, "to-check")
    manifest = out / proof.MANIFEST_FILE
    checked = ok("report", "verify-proof", manifest)
    assert checked.output.count("PASS") == 4 and "FAIL" not in checked.output
    assert "the export verifies" in checked.output

    data = out / proof.DATA_FILE
    original = data.read_bytes()
    changed = bytearray(original)
    changed[len(changed) // 2] ^= 0x01
    data.write_bytes(bytes(changed))
    failed = run("report", "verify-proof", manifest)
    assert failed.exit_code == 1 and "does NOT verify" in failed.output
    assert "FAIL  data file" in failed.output and "PASS  audit event" in failed.output

    # Re-sealing the changed file in the manifest does not help: the chain has the
    # hashes of the manifest that was written.
    forged = json.loads(manifest.read_text(encoding="utf-8"))
    forged["data_sha256"] = hashlib.sha256(bytes(changed)).hexdigest()
    manifest.write_text(json.dumps(forged, indent=2), encoding="utf-8")
    failed = run("report", "verify-proof", manifest)
    assert failed.exit_code == 1
    assert "PASS  data file" in failed.output and "FAIL  audit event" in failed.output


def test_an_export_does_not_verify_once_the_audit_chain_is_rewritten(sent) -> None:
    _, out = export(sent, "chain")
    database = Database(sent.url)
    event = AuditEventRow.__table__
    try:
        with database.session() as db_session:
            original = db_session.scalar(select(event.c.payload).where(event.c.seq == 1))
            db_session.execute(update(event).where(event.c.seq == 1).values(payload="{}"))
        broken = run("report", "verify-proof", out / proof.MANIFEST_FILE)
        assert broken.exit_code == 1
        assert "FAIL  audit chain: broken at event 1: event 1 was changed" in broken.output
    finally:
        with database.session() as db_session:
            db_session.execute(update(event).where(event.c.seq == 1).values(payload=original))
        database.dispose()
    assert ok("report", "verify-proof", out / proof.MANIFEST_FILE)


def test_an_export_streams_in_batches_and_reports_progress(sent, monkeypatch) -> None:
    monkeypatch.setattr(proof, "BATCH", 3)
    seen: list[tuple[int, int]] = []
    writers_waited: list[bool] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if sent.url.startswith("sqlite"):
            writers_waited.append(not _a_writer_gets_the_lock_at_once(sent.url))

    database = Database(sent.url)
    with database.reading_session() as reading, database.session() as db_session:
        selection = proof.select_notices(db_session=reading, incident_id=sent.incident)
        result = proof.export_proof(
            db_session=db_session,
            reading=reading,
            incident_id=sent.incident,
            selection=selection,
            out_dir=sent.folder / "batches",
            actor="test:otto@acme-health.example",
            on_progress=progress,
        )
    database.dispose()
    assert result.rows == 10 and seen == [(3, 10), (6, 10), (9, 10), (10, 10)]
    # Mid-export, the campaign runner or the portal could still write.
    assert not any(writers_waited)


def _a_writer_gets_the_lock_at_once(url: str) -> bool:
    connection = sqlite3.connect(make_url(url).database, timeout=0.2, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:  # "database is locked"
        return False
    finally:
        connection.close()


def test_mistakes_are_refused_with_a_message_that_says_what_to_do(sent) -> None:
    def refused(*options: Any) -> str:
        result = run("report", "proof", *options)
        assert result.exit_code == 2, result.output
        return result.output

    out = sent.folder / "mistakes"
    assert "no incident 999" in refused("--incident", 999, "--out", out)
    nowhere = refused("--incident", sent.incident, "--out", out, "--jurisdiction", "US-ZZ")
    assert "no person of incident" in nowhere and "live in: US-NY, US-TX" in nowhere
    assert "not a reference code" in refused(
        "--incident", sent.incident, "--out", out, "--reference", "nope"
    )
    assert "has no person" in refused(
        "--incident", sent.incident, "--out", out, "--reference", "2222-2222-2222"
    )
    assert "not both" in refused(
        "--incident", sent.incident, "--out", out, "--jurisdiction", "US-TX",
        "--reference", sent.references[1],
    )  # fmt: skip
    assert not out.exists()

    _, done = export(sent, "once")
    sealed = (done / proof.DATA_FILE).read_bytes()
    again = refused("--incident", sent.incident, "--out", done, "--jurisdiction", "US-NY")
    assert "already holds a proof-of-notice export" in again and "--overwrite" in again
    assert (done / proof.DATA_FILE).read_bytes() == sealed
    ok("report", "proof", "--incident", sent.incident, "--out", done, "--jurisdiction", "US-NY",
       "--overwrite")  # fmt: skip
    assert len(rows_of(done)) == 2 and ok("report", "verify-proof", done / proof.MANIFEST_FILE)

    missing = run("report", "verify-proof", sent.folder / "nowhere.json")
    assert missing.exit_code == 2 and "no such file" in missing.output
    (sent.folder / "other.json").write_text('{"hello": 1}')
    other = run("report", "verify-proof", sent.folder / "other.json")
    assert other.exit_code == 2 and "not a proof-of-notice manifest" in other.output
