"""Field encryption and blind indexes, key files and key rotation."""

from __future__ import annotations

import json
import stat

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from breachdesk.config import Settings
from breachdesk.security import crypto, service
from breachdesk.security.crypto import DecryptionError, KeyConfigError, Keyring


@pytest.fixture
def keyring() -> Keyring:
    return Keyring.from_keys(b"k" * 32, b"i" * 32)


def test_a_value_round_trips_and_names_its_key(keyring):
    token = keyring.encrypt("ada@example.com", context="person.email")
    assert "ada@example.com" not in token
    assert token.startswith(f"v1:{keyring.active_id}:")
    assert keyring.decrypt(token, context="person.email") == "ada@example.com"


def test_the_same_value_encrypts_differently_each_time(keyring):
    assert keyring.encrypt("x", context="c") != keyring.encrypt("x", context="c")


def test_a_value_moved_to_another_field_does_not_decrypt(keyring):
    token = keyring.encrypt("ada@example.com", context="person.email")
    with pytest.raises(DecryptionError, match=r"does not decrypt as person\.phone"):
        keyring.decrypt(token, context="person.phone")


def test_a_value_under_an_unloaded_key_says_which_key(keyring):
    other = Keyring.from_keys(b"o" * 32, b"i" * 32)
    token = other.encrypt("x", context="c")
    with pytest.raises(DecryptionError, match=f"key {other.active_id}, which is not loaded"):
        keyring.decrypt(token, context="c")


def test_blind_indexes_match_equal_values_and_separate_contexts(keyring):
    index = keyring.blind_index("ada@example.com", context="person.email")
    assert index == keyring.blind_index("ada@example.com", context="person.email")
    assert index != keyring.blind_index("ada@example.com", context="person.last_name")
    assert index != Keyring.from_keys(b"k" * 32, b"j" * 32).blind_index(
        "ada@example.com", context="person.email"
    )


def test_a_key_file_is_created_readable_only_by_its_owner(tmp_path):
    keyring = crypto.load_keyring(Settings(data_dir=tmp_path))
    path = tmp_path / "keys.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = crypto.load_keyring(Settings(data_dir=tmp_path))
    assert again.active_id == keyring.active_id
    assert again.decrypt(keyring.encrypt("x", context="c"), context="c") == "x"


def test_a_key_file_others_can_read_is_refused(tmp_path):
    crypto.load_keyring(Settings(data_dir=tmp_path))
    (tmp_path / "keys.json").chmod(0o644)
    with pytest.raises(KeyConfigError, match="chmod 600"):
        crypto.load_keyring(Settings(data_dir=tmp_path))


def test_keys_from_settings_need_an_index_key_too(tmp_path):
    with pytest.raises(KeyConfigError, match="BREACHDESK_INDEX_KEY is not"):
        crypto.load_keyring(Settings(data_dir=tmp_path, data_key=crypto.generate_key()))


def test_a_malformed_key_is_refused_with_how_to_make_one(tmp_path):
    settings = Settings(data_dir=tmp_path, data_key="c2hvcnQ=", index_key=crypto.generate_key())
    with pytest.raises(KeyConfigError, match="breachdesk keys generate"):
        crypto.load_keyring(settings)


def test_keys_from_settings_accept_retired_keys_for_reading(tmp_path):
    old, new, index = crypto.generate_key(), crypto.generate_key(), crypto.generate_key()
    before = crypto.load_keyring(Settings(data_dir=tmp_path, data_key=old, index_key=index))
    token = before.encrypt("x", context="c")
    after = crypto.load_keyring(
        Settings(data_dir=tmp_path, data_key=new, index_key=index, retired_data_keys=old)
    )
    assert after.decrypt(token, context="c") == "x"
    assert after.needs_reencryption(token)


@pytest.fixture
def encrypted_table(database, monkeypatch):
    """A table of encrypted values, standing in for the personal data later domains store."""
    metadata = MetaData()
    table = Table(
        "rotation_check",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("email", String, info={"encrypted": True}),
    )
    metadata.create_all(database.engine)
    monkeypatch.setattr(service, "encrypted_columns", lambda: [table.c.email])
    yield table
    metadata.drop_all(database.engine)


def test_rotation_re_encrypts_everything_and_retires_the_old_key(
    run_cli, database, data_dir, encrypted_table
):
    keyring = crypto.load_keyring(Settings(data_dir=data_dir))
    old_id = keyring.active_id
    emails = [f"person{n}@example.com" for n in range(2500)]
    with database.session() as session:
        session.execute(
            insert(encrypted_table),
            [{"email": keyring.encrypt(e, context="rotation_check.email")} for e in emails],
        )

    result = run_cli("keys", "rotate")
    assert result.exit_code == 0, result.output
    assert "re-encrypted 2500 values" in result.output

    rotated = crypto.load_keyring(Settings(data_dir=data_dir))
    assert rotated.active_id != old_id
    assert rotated.retired_ids == []
    with database.session() as session:
        tokens = session.execute(
            select(encrypted_table.c.email).order_by(encrypted_table.c.id)
        ).scalars()
        assert [rotated.decrypt(t, context="rotation_check.email") for t in tokens] == emails
    exported = [json.loads(line) for line in run_cli("audit", "export").stdout.splitlines()]
    assert exported[-1]["event_type"] == "keys.rotated"
    assert exported[-1]["payload"]["values"] == {"rotation_check.email": 2500}
    assert exported[-1]["payload"]["retired_keys"] == [old_id]


def test_an_interrupted_rotation_finishes_without_a_new_key(
    run_cli, database, data_dir, encrypted_table
):
    keyring = crypto.load_keyring(Settings(data_dir=data_dir))
    with database.session() as session:
        session.execute(
            insert(encrypted_table),
            [{"email": keyring.encrypt("a@example.com", context="rotation_check.email")}],
        )
    crypto.add_active_key(keyring)  # as if `keys rotate` stopped right after this step
    result = run_cli("keys", "rotate", "--no-new-key")
    assert result.exit_code == 0, result.output
    assert crypto.load_keyring(Settings(data_dir=data_dir)).active_id == keyring.active_id
    assert "re-encrypted 1 values" in result.output
