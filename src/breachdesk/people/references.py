"""Reference codes: printed on each notice, typed back by the person on the portal.

Twelve characters from an alphabet without look-alikes (no 0/O, 1/I/L), drawn from
the operating system's random source: 31^12 ≈ 7.9 × 10^17 codes, so guessing one is
hopeless and collisions, which the database still refuses, are vanishingly rare.
"""

from __future__ import annotations

import os

import numpy as np

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 12
_ALPHABET_BYTES = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
# Bytes at or above this would make some characters likelier than others.
_UNBIASED_LIMIT = 256 - 256 % len(ALPHABET)


def new_references(count: int) -> list[str]:
    """``count`` distinct random reference codes."""
    codes: list[str] = []
    seen: set[str] = set()
    while len(codes) < count:
        needed = (count - len(codes)) * LENGTH
        raw = np.frombuffer(os.urandom(needed * 2), dtype=np.uint8)
        raw = raw[raw < _UNBIASED_LIMIT][: needed - needed % LENGTH]
        text = _ALPHABET_BYTES[raw % len(ALPHABET)].tobytes().decode("ascii")
        for start in range(0, len(text), LENGTH):
            code = text[start : start + LENGTH]
            if code not in seen:
                seen.add(code)
                codes.append(code)
    return codes[:count]


def display(reference: str) -> str:
    """As printed: ABCD-EFGH-JKMN."""
    return "-".join(reference[i : i + 4] for i in range(0, len(reference), 4))


def parse(text: str) -> str | None:
    """A code as a person may type it (any case, dashes or spaces), or None if it
    cannot be one."""
    cleaned = "".join(text.split()).replace("-", "").upper()
    if len(cleaned) != LENGTH or any(char not in ALPHABET for char in cleaned):
        return None
    return cleaned
