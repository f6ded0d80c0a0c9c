"""Scope expansion: a later revision that widens what people were already told."""

from __future__ import annotations

import pytest

from breachdesk.audit import service as audit
from breachdesk.incidents import service as incidents
from tests.factories import FACTS, disclose, make_incident, revise

SSN_ENCRYPTED = {"element": "ssn", "protection": "encrypted"}
MEDICAL_HASHED = {"element": "medical", "protection": "hashed"}

WIDENINGS = {
    "an added element": {"elements": [*FACTS["elements"], "date_of_birth"]},
    "encryption found to be absent": {
        "elements": ["name", {"element": "ssn", "protection": "clear"}, MEDICAL_HASHED]
    },
    "the encryption key also taken": {
        "elements": [
            "name",
            {"element": "ssn", "protection": "encrypted", "key_compromised": True},
            MEDICAL_HASHED,
        ]
    },
    "encrypted data found to be only hashed": {
        "elements": ["name", {"element": "ssn", "protection": "hashed"}, MEDICAL_HASHED]
    },
    "an earlier start": {"occurred_from": "2026-08-01"},
    "a later end": {"occurred_to": "2026-09-11"},
    "more people": {"people_affected": 1001},
}

NARROWINGS = {
    "a removed element": {"elements": ["name", SSN_ENCRYPTED]},
    "stronger protection": {
        "elements": ["name", SSN_ENCRYPTED, {"element": "medical", "protection": "encrypted"}]
    },
    "a narrower window": {"occurred_from": "2026-09-02", "occurred_to": "2026-09-09"},
    "fewer people": {"people_affected": 900},
    "only new wording": {"public_description": "Part of our customer database was copied."},
    "a window end that becomes known": {"occurred_to": None},
}


@pytest.mark.parametrize("change", WIDENINGS.values(), ids=WIDENINGS.keys())
def test_a_widening_after_disclosure_is_flagged_and_audited(db_session, change):
    incident = make_incident(db_session)
    disclose(db_session, incident)
    revision = revise(db_session, incident, **change)
    assert revision.expands_revision == 1
    events = audit.events_for_incident(
        db_session=db_session, incident_id=incident.id, event_type="incident.scope_expanded"
    )
    assert len(events) == 1
    assert '"scope_expansion":true' in events[0].payload


@pytest.mark.parametrize("change", NARROWINGS.values(), ids=NARROWINGS.keys())
def test_a_narrowing_after_disclosure_is_not_flagged(db_session, change):
    incident = make_incident(db_session)
    disclose(db_session, incident)
    revision = revise(db_session, incident, **change)
    assert revision.expands_revision is None
    assert not audit.events_for_incident(
        db_session=db_session, incident_id=incident.id, event_type="incident.scope_expanded"
    )


@pytest.mark.parametrize("change", WIDENINGS.values(), ids=WIDENINGS.keys())
def test_a_widening_before_any_disclosure_is_not_an_expansion(db_session, change):
    incident = make_incident(db_session)
    revision = revise(db_session, incident, **change)
    assert revision.expands_revision is None


def test_a_widening_is_measured_against_the_last_disclosed_revision(db_session):
    incident = make_incident(db_session)
    disclose(db_session, incident)
    revise(db_session, incident, people_affected=500)  # narrower than what was told
    back_up = revise(db_session, incident, people_affected=1000)
    assert back_up.expands_revision is None
    beyond = revise(db_session, incident, people_affected=1200)
    assert beyond.expands_revision == 1


def test_disclosing_a_revision_flags_later_revisions_that_widen_it(db_session):
    incident = make_incident(db_session)
    revise(db_session, incident, people_affected=5000)
    disclose(db_session, incident, number=1)  # the first notices went out from revision 1
    assert incident.revisions[1].expands_revision == 1


def test_an_older_revision_cannot_be_disclosed_after_a_newer_one(db_session):
    incident = make_incident(db_session)
    revise(db_session, incident, people_affected=5000)
    disclose(db_session, incident, number=2)
    with pytest.raises(ValueError, match="already disclosed"):
        disclose(db_session, incident, number=1)


def test_disclosing_twice_keeps_the_first_disclosure(db_session):
    incident = make_incident(db_session)
    first = disclose(db_session, incident).disclosed_at
    assert disclose(db_session, incident).disclosed_at == first


def test_the_diff_reports_each_kind_of_change(db_session):
    incident = make_incident(db_session)
    revise(
        db_session,
        incident,
        elements=[{"element": "ssn", "protection": "clear"}, MEDICAL_HASHED, "email"],
        occurred_from="2026-08-20",
        people_affected=1500,
    )
    change = incidents.diff(incident=incident, number_a=1, number_b=2).as_dict()
    assert change["added_elements"] == ["email"]
    assert change["removed_elements"] == ["name"]
    assert change["weakened_elements"] == [
        {"element": "ssn", "before": "encrypted", "after": "clear"}
    ]
    assert change["window_widened"] is True
    assert change["count_change"] == 500
    assert change["scope_expansion"] is True


def test_revisions_cannot_be_edited(db_session):
    incident = make_incident(db_session)
    incident.current_revision.people_affected = 1
    with pytest.raises(ValueError, match="immutable"):
        db_session.flush()
