"""Random numbers for synthetic lists: 64-bit hashes of (seed, person number), so any
person can be rebuilt from their number alone."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from breachdesk.people.synth.layout import _GOLDEN, _MASK, _WORDS


def _seed_key(seed: int, purpose: int) -> int:
    """splitmix64 of the seed and a purpose: one 64-bit key per use of randomness."""
    z = (seed * 0x100000001B3 + purpose + _GOLDEN) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _hash_words(keys: np.ndarray, key: int, words: int = _WORDS) -> np.ndarray:
    """`words` 64-bit hashes per key (splitmix64's finaliser): one row per word."""
    # (key * words + word) * golden + seed key, as one multiply-add.
    steps = np.arange(words, dtype=np.uint64) * np.uint64(_GOLDEN) + np.uint64(key)
    z = keys.astype(np.uint64) * np.uint64(words * _GOLDEN & _MASK) + steps[:, None]
    z ^= z >> np.uint64(30)
    z *= np.uint64(0xBF58476D1CE4E5B9)
    z ^= z >> np.uint64(27)
    z *= np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return z


def _lane(word: np.ndarray, position: int) -> np.ndarray:
    """Bits 16*position to 16*position+15 of each hash, without copying."""
    return word.view(np.uint16)[position::4]


def _octet(word: np.ndarray, position: int) -> np.ndarray:
    return word.view(np.uint8)[position::8]


def _lookup(weights: Sequence[float], size: int) -> np.ndarray:
    """`size` choices in proportion to `weights`: index it with random bits to choose."""
    cumulative = np.cumsum(np.asarray(weights, dtype=np.float64))
    edges = np.round(cumulative / cumulative[-1] * size).astype(np.int64)
    return np.repeat(np.arange(len(weights), dtype=np.uint32), np.diff(edges, prepend=0))


def _pick(bits: np.ndarray, count: np.ndarray | int) -> np.ndarray:
    """Uniform in [0, count) from 16 random bits."""
    return (bits * np.asarray(count, dtype=np.uint32)) >> np.uint32(16)


def _permute_below(keys: np.ndarray, modulus: int, key: int) -> np.ndarray:
    """A seeded bijection of [0, modulus) applied to keys: ids that look random but never repeat.

    Mixes within the smallest power of two above modulus and repeats ("cycle walking")
    for the few that land outside.
    """
    bits = max(modulus - 1, 1).bit_length()
    mask, shift = np.uint32((1 << bits) - 1), np.uint32(bits // 2 + 1)
    multipliers = [np.uint32((key >> (16 * i) & 0xFFFF) * 2 + 1) for i in range(3)]

    def mix(values: np.ndarray) -> np.ndarray:
        for multiplier in multipliers:
            values = (values * multiplier + np.uint32(key & 0xFFFF)) & mask
            values ^= values >> shift
        return values

    values = mix(keys.astype(np.uint32))
    walking = np.flatnonzero(values >= modulus)
    while len(walking):
        values[walking] = mix(values.take(walking))
        walking = walking[values.take(walking) >= modulus]
    return values


# Zero-padded decimal digits as raw byte fields: "0000".."9999", and 1 to 3 digits.
_DIGITS = {
    width: np.frombuffer("".join(f"{i:0{width}d}" for i in range(10**width)).encode(), f"V{width}")
    for width in (1, 2, 3, 4)
}


def _decimal_strings(values: np.ndarray, width: int, prefix: bytes, end: bytes) -> pa.StringArray:
    """Each value as `prefix`, `width` zero-padded digits and `end`: fixed-width strings.

    Written as records of byte fields, four digits at a time, straight into the array's
    buffer.
    """
    lead, groups = width % 4, width // 4
    fields = [("prefix", f"V{len(prefix)}")] if prefix else []
    fields += [("lead", f"V{lead}")] if lead else []
    fields += [(f"group{group}", "V4") for group in range(groups)]
    fields += [("end", f"V{len(end)}")] if end else []
    records = np.empty(len(values), dtype=np.dtype(fields))
    rest = values.astype(np.uint32)
    for group in reversed(range(groups)):
        records[f"group{group}"] = _DIGITS[4].take(rest % np.uint32(10_000))
        rest //= np.uint32(10_000)
    if lead:
        records["lead"] = _DIGITS[lead].take(rest)
    for name, text in (("prefix", prefix), ("end", end)):
        if text:
            records[name] = np.void(text)
    size = records.dtype.itemsize
    offsets = np.arange(0, (len(values) + 1) * size, size, dtype=np.int32)
    return pa.StringArray.from_buffers(len(values), pa.py_buffer(offsets), pa.py_buffer(records))
