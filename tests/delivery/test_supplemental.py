"""After a wider fact revision, `campaign plan-supplemental` finds exactly the people
whose latest notice is now incomplete, and sends them the supplemental notice."""

from __future__ import annotations

import json
import mailbox
from email import message_from_bytes

import yaml

from tests.delivery.conftest import approve_default_template, import_people
from tests.factories import FACTS, merged
from tests.people.conftest import HEADER, import_json, person, write_csv


def revise(run_cli, tmp_path, incident, name: str, **changes) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(merged(FACTS, **changes)))
    revised = run_cli("incident", "revise", incident, "--from", path, "--reason", name)
    assert revised.exit_code == 0, revised.output


def plan(run_cli, incident, *options: str) -> dict:
    result = run_cli("campaign", "plan-supplemental", "--incident", incident, "--json", *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def captured(data_dir) -> list:
    box = mailbox.Maildir(data_dir / "mail-capture", create=False)
    return [message_from_bytes(message.as_bytes()) for message in box]


def test_only_people_told_too_little_get_the_supplemental_notice(
    run_cli, incident, tmp_path, data_dir
) -> None:
    approve_default_template(run_cli, tmp_path)
    # Six people on the incident's facts, and two whose own exposed elements were given.
    import_people(run_cli, tmp_path, incident, [person(n) for n in range(1, 7)])
    own = write_csv(
        tmp_path / "own.csv",
        [*HEADER, "exposed_name", "exposed_ssn"],
        [[*person(n), "yes", "yes"] for n in (7, 8)],
    )
    assert import_json(run_cli, own, incident)[0] == 0
    initial = run_cli("campaign", "create", "--incident", incident).output.strip()
    assert run_cli("campaign", "wave", initial).exit_code == 0
    assert run_cli("campaign", "run", initial).exit_code == 0
    told = json.loads(run_cli("campaign", "status", initial, "--json").output)
    assert told["counts"]["sent"] == 8
    # Two more people turn up later: they have not been told anything yet.
    later = write_csv(tmp_path / "later.csv", HEADER, [person(n) for n in (9, 10)])
    assert import_json(run_cli, later, incident)[0] == 0

    # Nothing is wider yet: nobody needs more.
    assert plan(run_cli, incident)["people"] == 0
    wrong = run_cli("campaign", "plan-supplemental", "--incident", incident, "--kind", "initial")
    assert wrong.exit_code == 2 and "people not yet told" in wrong.output

    # Forensics finds card numbers too: new to the facts, not to the two whose own
    # elements were given (name and SSN).
    revise(
        run_cli, tmp_path, incident, "forensics",
        elements=[*FACTS["elements"], {"element": "payment_card", "protection": "clear"}],
    )  # fmt: skip
    dry = plan(run_cli, incident, "--dry-run")
    assert dry == {
        "incident_revision": 2,
        "people": 6,
        "reasons": {"new elements": 6},
        "campaign": None,
        "channels": {},
    }

    # Without an approved supplemental template, no campaign is made.
    refused = run_cli("campaign", "plan-supplemental", "--incident", incident)
    assert refused.exit_code == 2
    assert "no approved supplemental template" in refused.output
    assert "template show --default --kind supplemental" in refused.output

    approve_default_template(run_cli, tmp_path, kind="supplemental")
    made = plan(run_cli, incident)
    assert made["people"] == 6 and made["channels"] == {"email": 6}
    before = {message["Message-ID"] for message in captured(data_dir)}
    assert run_cli("campaign", "run", made["campaign"]).exit_code == 0
    supplements = [m for m in captured(data_dir) if m["Message-ID"] not in before]
    assert len(supplements) == 6
    for message in supplements:
        assert message["Subject"].startswith("Update to our Notice of Data Breach")
        text = message.get_payload()[0].get_payload(decode=True).decode()
        assert "It replaces our earlier notice" in text and "payment card" in text.lower()

    # Told in full now; planning again finds nobody, and the two never told are still
    # owed only the initial notice.
    assert plan(run_cli, incident)["people"] == 0
    status = json.loads(run_cli("campaign", "status", initial, "--json").output)
    assert status["owed"] == 8
    wave = run_cli("campaign", "wave", initial)
    assert wave.exit_code == 0, wave.output
    status = json.loads(run_cli("campaign", "status", initial, "--json").output)
    assert status["owed"] == 10


def test_weaker_protection_or_a_wider_window_needs_one_and_a_higher_count_alone_does_not(
    run_cli, incident, tmp_path
) -> None:
    approve_default_template(run_cli, tmp_path)
    # Both shipped supplemental templates lint clean, so they can be approved.
    for language in ("en", "es"):
        approve_default_template(run_cli, tmp_path, language, kind="supplemental")
    import_people(run_cli, tmp_path, incident, [person(n) for n in range(1, 4)])
    initial = run_cli("campaign", "create", "--incident", incident).output.strip()
    assert run_cli("campaign", "wave", initial).exit_code == 0
    assert run_cli("campaign", "run", initial).exit_code == 0

    revise(run_cli, tmp_path, incident, "recount", people_affected=5000)
    assert plan(run_cli, incident, "--dry-run")["people"] == 0

    weaker = [
        "name",
        {"element": "ssn", "protection": "encrypted", "key_compromised": True},
        {"element": "medical", "protection": "hashed"},
    ]
    revise(run_cli, tmp_path, incident, "key taken", elements=weaker, occurred_from="2026-08-01")
    dry = plan(run_cli, incident, "--dry-run")
    assert dry["people"] == 3
    assert dry["reasons"] == {"weaker protection": 3, "wider window": 3}

    shown = run_cli("campaign", "plan-supplemental", "--incident", incident)
    assert shown.exit_code == 0
    assert "3 people's notice is incomplete against revision 3" in shown.output
    assert "wave 1 with 3 email" in shown.output
