"""Field encryption (AES-256-GCM) and keyed blind indexes for personal data.

A ciphertext is text: ``v1:<key id>:<base64url(nonce || ciphertext+tag)>``. The key
id is a fingerprint of the key, so a value says which key opens it and keys can be
rotated without a flag day. The caller names a *context* (``table.column``) that is
bound into the ciphertext as associated data: a value copied into another column
no longer decrypts.

Blind indexes are HMAC-SHA256 under a separate index key over a normalised value,
truncated to 128 bits, for equality look-ups without decrypting. The index key does
not rotate with the data keys: rotating it would mean recomputing every index.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import secrets
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from breachdesk.config import Settings

CIPHERTEXT_VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12
BLIND_INDEX_BYTES = 16
KEY_FILE_NAME = "keys.json"


class KeyConfigError(Exception):
    """A key is missing, malformed or unreadable; the message says what to do."""


class DecryptionError(Exception):
    """A ciphertext is damaged, was moved from another field, or its key is not loaded."""


def generate_key() -> str:
    """A new random 32-byte key as URL-safe base64, for BREACHDESK_DATA_KEY and friends."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def decode_key(encoded: str, *, name: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(encoded.strip().encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError) as error:
        raise KeyConfigError(f"{name} is not URL-safe base64: {error}") from error
    if len(key) != KEY_BYTES:
        raise KeyConfigError(
            f"{name} must decode to {KEY_BYTES} bytes, got {len(key)}: "
            "make one with `breachdesk keys generate`"
        )
    return key


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"breachdesk data key id\0" + key).hexdigest()[:12]


@dataclass
class Keyring:
    active_id: str
    data_keys: dict[str, bytes]
    index_key: bytes
    key_file: Path | None = field(default=None)
    _index_states: tuple[Any, Any] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_keys(cls, active: bytes, index_key: bytes, retired: Sequence[bytes] = ()) -> Keyring:
        keys = {key_id(key): key for key in retired}
        keys[key_id(active)] = active
        return cls(active_id=key_id(active), data_keys=keys, index_key=index_key)

    @property
    def retired_ids(self) -> list[str]:
        return sorted(kid for kid in self.data_keys if kid != self.active_id)

    def encrypt(self, plaintext: str, *, context: str) -> str:
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self.data_keys[self.active_id]).encrypt(
            nonce, plaintext.encode("utf-8"), context.encode("utf-8")
        )
        body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return f"{CIPHERTEXT_VERSION}:{self.active_id}:{body}"

    def decrypt(self, token: str, *, context: str) -> str:
        version, kid, body = _split(token)
        if version != CIPHERTEXT_VERSION:
            raise DecryptionError(f"unknown ciphertext version {version!r}")
        key = self.data_keys.get(kid)
        if key is None:
            raise DecryptionError(
                f"value is encrypted under key {kid}, which is not loaded: add it to "
                "BREACHDESK_RETIRED_DATA_KEYS (or restore it to the key file)"
            )
        raw = base64.urlsafe_b64decode(body.encode("ascii"))
        try:
            plain = AESGCM(key).decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode("utf-8")
            )
        except InvalidTag as error:
            raise DecryptionError(f"value does not decrypt as {context}") from error
        return plain.decode("utf-8")

    def needs_reencryption(self, token: str) -> bool:
        return _split(token)[1] != self.active_id

    def encrypt_many(self, plaintexts: list[str], *, context: str) -> list[str]:
        """``encrypt`` for a batch: one cipher object and one call for all the nonces."""
        cipher = AESGCM(self.data_keys[self.active_id])
        nonces = secrets.token_bytes(NONCE_BYTES * len(plaintexts))
        associated = context.encode("utf-8")
        prefix = f"{CIPHERTEXT_VERSION}:{self.active_id}:"
        encode = base64.urlsafe_b64encode
        results = []
        for position, plaintext in enumerate(plaintexts):
            nonce = nonces[position * NONCE_BYTES : (position + 1) * NONCE_BYTES]
            sealed = cipher.encrypt(nonce, plaintext.encode("utf-8"), associated)
            results.append(prefix + encode(nonce + sealed).decode("ascii"))
        return results

    def blind_index(self, normalised_value: str, *, context: str) -> str:
        """128 bits of HMAC-SHA256 as hex; equal inputs give equal indexes."""
        return self.blind_index_many([normalised_value], context=context)[0]

    def blind_index_many(self, values: list[str | None], *, context: str) -> list[str | None]:
        """``blind_index`` for a batch; None stays None.

        HMAC-SHA256 computed from the key's inner and outer hash states, prepared once
        (RFC 2104), instead of keying a new HMAC for every value: four times faster.
        """
        inner, outer = self._hmac_states()
        prefix = context.encode("utf-8") + b"\0"
        results: list[str | None] = []
        for value in values:
            if value is None:
                results.append(None)
                continue
            inner_hash = inner.copy()
            inner_hash.update(prefix + value.encode("utf-8"))
            outer_hash = outer.copy()
            outer_hash.update(inner_hash.digest())
            results.append(outer_hash.digest()[:BLIND_INDEX_BYTES].hex())
        return results

    def _hmac_states(self) -> tuple[Any, Any]:
        if self._index_states is None:
            block = self.index_key.ljust(64, b"\0")  # the key is 32 bytes: no pre-hash
            self._index_states = (
                hashlib.sha256(bytes(byte ^ 0x36 for byte in block)),
                hashlib.sha256(bytes(byte ^ 0x5C for byte in block)),
            )
        return self._index_states


def _split(token: str) -> tuple[str, str, str]:
    parts = token.split(":", 2)
    if len(parts) != 3:
        raise DecryptionError("value is not a breachdesk ciphertext")
    return parts[0], parts[1], parts[2]


def load_keyring(settings: Settings) -> Keyring:
    """Keys from the settings when given there, else from the data dir's key file.

    The key file is created on first use with mode 0600; a key file others can read
    is refused rather than used.
    """
    if settings.data_key is not None:
        if settings.index_key is None:
            raise KeyConfigError(
                "BREACHDESK_DATA_KEY is set but BREACHDESK_INDEX_KEY is not: set both "
                "(make keys with `breachdesk keys generate`)"
            )
        retired_text = (
            settings.retired_data_keys.get_secret_value() if settings.retired_data_keys else ""
        )
        retired = [
            decode_key(part, name="BREACHDESK_RETIRED_DATA_KEYS")
            for part in retired_text.split(",")
            if part.strip()
        ]
        return Keyring.from_keys(
            decode_key(settings.data_key.get_secret_value(), name="BREACHDESK_DATA_KEY"),
            decode_key(settings.index_key.get_secret_value(), name="BREACHDESK_INDEX_KEY"),
            retired,
        )
    return _load_or_create_key_file(settings.data_dir / KEY_FILE_NAME)


def _load_or_create_key_file(path: Path) -> Keyring:
    if not path.exists():
        active = base64.urlsafe_b64decode(generate_key())
        keyring = Keyring.from_keys(active, base64.urlsafe_b64decode(generate_key()))
        keyring.key_file = path
        write_key_file(keyring, create=True)
        return keyring
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyConfigError(
            f"{path} can be read by other users (mode {mode:o}): run `chmod 600 {path}`"
        )
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        keys = {
            kid: decode_key(value, name=f"{path} key {kid}")
            for kid, value in content["data_keys"].items()
        }
        keyring = Keyring(
            active_id=content["active"],
            data_keys=keys,
            index_key=decode_key(content["index_key"], name=f"{path} index_key"),
            key_file=path,
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise KeyConfigError(f"{path} is not a readable breachdesk key file: {error}") from error
    if keyring.active_id not in keys or any(key_id(k) != kid for kid, k in keys.items()):
        raise KeyConfigError(f"{path}: key ids do not match their keys; restore it from backup")
    return keyring


def write_key_file(keyring: Keyring, *, create: bool = False) -> None:
    """Write the key file atomically, readable only by its owner."""
    path = keyring.key_file
    if path is None:
        raise KeyConfigError("this keyring comes from settings and has no key file to write")
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {
        "active": keyring.active_id,
        "data_keys": {
            kid: base64.urlsafe_b64encode(key).decode("ascii")
            for kid, key in keyring.data_keys.items()
        },
        "index_key": base64.urlsafe_b64encode(keyring.index_key).decode("ascii"),
    }
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(content, handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    if create and path.exists():
        temporary.unlink()
        raise KeyConfigError(f"{path} appeared while it was being created; run the command again")
    os.replace(temporary, path)


def add_active_key(keyring: Keyring) -> str:
    """Make a new key active in a key-file keyring, keeping the old ones for reading."""
    if keyring.key_file is None:
        raise KeyConfigError(
            "keys come from BREACHDESK_DATA_KEY: put the new key there and the old one in "
            "BREACHDESK_RETIRED_DATA_KEYS, then run `breachdesk keys rotate` again"
        )
    new_key = base64.urlsafe_b64decode(generate_key())
    new_id = key_id(new_key)
    keyring.data_keys[new_id] = new_key
    keyring.active_id = new_id
    write_key_file(keyring)
    return new_id


def drop_retired_keys(keyring: Keyring) -> list[str]:
    """Forget retired keys from the key file once nothing is encrypted under them."""
    dropped = keyring.retired_ids
    if keyring.key_file is None or not dropped:
        return []
    keyring.data_keys = {keyring.active_id: keyring.data_keys[keyring.active_id]}
    write_key_file(keyring)
    return dropped
