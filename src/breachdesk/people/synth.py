"""Synthetic lists of people affected by a breach, for demos, tests and benchmarks.

`write_synthetic_people` writes a customer list as a company would hand it over: people
spread over the US states and territories by population and a few abroad, with exact
duplicates, near-duplicates and broken rows that an importer must merge, flag or
quarantine.

It is fast (over a million rows a second) and small (a few half-million-row parts in
memory) because no row is built in Python. Every person's details are a pure function of
the seed and the person's number, read from 64-bit hashes of that number, so a duplicate
of someone written millions of rows earlier is rebuilt from the number alone. Each
column is made of pieces (house number, street, ZIP...), each an index into a table of
strings; a CSV part is one `take` over a single table of every piece with its comma, and
the result's buffer is already the file's bytes. Only the few broken rows are written in
Python.
"""

from __future__ import annotations

import functools
import time
import unicodedata
from collections import Counter, deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from breachdesk.inputs import InputError
from breachdesk.people import synth_data as data

COLUMNS = (
    "customer_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postcode",
    "country",
    "date_of_birth",
    "language",
    "exposed_ssn",
    "exposed_payment_card",
    "exposed_date_of_birth",
    "exposed_medical",
)
FORMATS = ("csv", "parquet")
MAX_COUNT = 999_999_999
MAX_SHARE = 0.5
DUPLICATE_KINDS = ("same_customer_id", "same_email_other_case", "same_name_birth_date_postcode")
BAD_ROW_KINDS = (
    "extra_field",
    "missing_field",
    "no_contact_or_jurisdiction",
    "invalid_email",
    "nul_in_name",
)
# Part of the output: changing it changes the file a seed gives.
CHUNK_ROWS = 1_000_000
# Ages count back from here, not from today, so a seed gives the same file next year.
REFERENCE_YEAR = 2026

# Columns as pieces ("slots"), each an index into its own table of strings. Columns that
# share a slot (second address line, city and state; language and the exposure flags) are
# one CSV piece: fewer pieces, faster rows. Row slots are not picked from a table but
# written per row as fixed-width digits: numbers that must not repeat.
_ROW_SLOTS = ("customer_id", "email_number")
_GROUPS = (
    (("customer_id",), ("customer_id",)),
    (("first_name",), ("first",)),
    (("last_name",), ("last",)),
    (("email",), ("email_first", "email_last", "email_number", "email_domain")),
    (("phone",), ("phone_head", "phone_tail")),
    (("address_line1",), ("street_head", "street_tail")),
    (("address_line2", "city", "state"), ("home",)),
    (("postcode",), ("postcode_head", "postcode_tail")),
    (("country",), ("country",)),
    (("date_of_birth",), ("birth_year", "birth_day")),
    (COLUMNS[12:], ("profile",)),
)
_EMAIL_STYLES = [
    (case, form, separator) for case in range(3) for form in range(2) for separator in range(3)
]

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_WORDS = 6  # 64-bit hashes per person; `_Vocabulary.traits` says which bits pick what


@dataclass(frozen=True)
class SynthSummary:
    """What a run wrote. Unique people include those whose only row is broken."""

    path: Path
    file_format: str
    rows_written: int
    unique_people: int
    exact_duplicates: int
    near_duplicates: int
    bad_rows: int
    duplicate_kinds: dict[str, int]
    bad_row_kinds: dict[str, int]
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows_written / self.seconds if self.seconds > 0 else 0.0


def write_synthetic_people(
    *,
    path: Path,
    count: int,
    seed: int,
    file_format: str = "csv",
    duplicate_share: float = 0.03,
    near_duplicate_share: float = 0.01,
    bad_row_share: float = 0.002,
    international_share: float = 0.03,
) -> SynthSummary:
    """Write `count` rows of synthetic affected people to `path`; the same seed, the same bytes.

    Of the rows, `duplicate_share` are exact duplicates of a person earlier in the file
    (the same customer id; or another id and the email in other letter case; or another
    id and email with the same name, date of birth and postcode) and
    `near_duplicate_share` are near-duplicates (the same address, a one-letter typo or a
    nickname, another id and email). About `bad_row_share` of the rows are broken (ragged,
    in CSV only; no way to reach or place the person; an invalid email; a NUL in a name),
    and about `international_share` of people live outside the US. Errors name the
    `breachdesk synth people` option to fix.
    """
    shares = {
        "duplicate_share": duplicate_share,
        "near_duplicate_share": near_duplicate_share,
        "bad_row_share": bad_row_share,
        "international_share": international_share,
    }
    _check_options(path=path, count=count, seed=seed, file_format=file_format, shares=shares)
    started = time.perf_counter()
    run = _Run(count=count, seed=seed, shares=shares, ragged=file_format == "csv")
    # Written beside the target and renamed at the end: a run that fails leaves no
    # file that looks complete.
    partial = path.with_name(path.name + ".partial")
    try:
        writer = _CsvFile(partial, run) if file_format == "csv" else _ParquetFile(partial, run)
    except OSError as error:
        raise InputError(f"--out: cannot write {path}: {error.strerror}") from error
    try:
        with writer:
            for rows in _in_two_threads(writer.encode, run.parts()):
                writer.write(rows)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return SynthSummary(
        path=path,
        file_format=file_format,
        rows_written=count,
        unique_people=run.unique_people,
        exact_duplicates=run.exact_duplicates,
        near_duplicates=run.near_duplicates,
        bad_rows=sum(writer.bad_row_kinds.values()),
        duplicate_kinds={kind: writer.duplicate_kinds[kind] for kind in DUPLICATE_KINDS},
        bad_row_kinds={kind: writer.bad_row_kinds[kind] for kind in run.bad_kinds},
        seconds=time.perf_counter() - started,
    )


def _check_options(
    *, path: Path, count: int, seed: int, file_format: str, shares: Mapping[str, float]
) -> None:
    if not 0 <= count <= MAX_COUNT:
        raise InputError(f"--count: must be from 0 to {MAX_COUNT:,}, not {count:,}")
    if not 0 <= seed < 2**63:
        raise InputError(f"--seed: must be from 0 to {2**63 - 1}, not {seed}")
    if file_format not in FORMATS:
        raise InputError(f"--format: must be {' or '.join(FORMATS)}, not {file_format!r}")
    for name, share in shares.items():
        if not 0 <= share <= MAX_SHARE:  # also refuses NaN
            option = "--" + name.replace("_", "-")
            raise InputError(f"{option}: must be from 0 to {MAX_SHARE}, not {share}")
    if shares["duplicate_share"] + shares["near_duplicate_share"] >= 1:
        raise InputError(
            "--duplicate-share and --near-duplicate-share: together must be below 1, "
            "so that some rows are people of their own"
        )
    if not path.parent.is_dir():
        raise InputError(f"--out: folder {path.parent} does not exist; create it first")
    if path.is_dir():
        raise InputError(f"--out: {path} is a folder; give a file name")


def _in_two_threads(work: Any, items: Iterator[Any]) -> Iterator[Any]:
    """`work(item)` for each item, two at a time, in order, with at most three waiting."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        pending: deque[Future[Any]] = deque()
        for item in items:
            pending.append(pool.submit(work, item))
            if len(pending) > 2:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


# --- random numbers -----------------------------------------------------------------------


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


# --- tables -------------------------------------------------------------------------------


def _zip_heads(ranges: str) -> tuple[list[str], bool]:
    """ZIP prefixes (3 digits, followed by 2 more) or, for small ranges, whole ZIPs."""
    heads: list[str] = []
    for item in ranges.split():
        low, _, high = item.partition("-")
        width = len(low)
        heads += [f"{code:0{width}d}" for code in range(int(low), int(high or low) + 1)]
    return heads, len(ranges.split()[0].partition("-")[0]) == 3


def _ascii(name: str) -> str:
    """A name as it appears in an email address: accents dropped, only letters, digits, '-'."""
    for letter, plain in {"ß": "ss", "ł": "l", "Ł": "L", "đ": "d", "ø": "o"}.items():
        name = name.replace(letter, plain)
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c == "-"))


def _typos(name: str) -> list[str]:
    """Three one-letter slips (a letter dropped, doubled, or a vowel changed); first kept."""
    slips: dict[str, None] = {}
    vowels = "aeiou"
    for at in range(1, len(name)):
        if len(name) > 3:
            slips[name[:at] + name[at + 1 :]] = None
        slips[name[:at] + name[at] + name[at:]] = None
        if name[at] in vowels:
            slips[name[:at] + vowels[(vowels.index(name[at]) + 1) % 5] + name[at + 1 :]] = None
    candidates = [slip for slip in slips if slip != name]
    return [candidates[0], candidates[len(candidates) // 2], candidates[-1]]


@functools.lru_cache(maxsize=4)
def _vocabulary(international_share: float) -> _Vocabulary:
    """Built once per process and share: the tables take a good fraction of a second."""
    return _Vocabulary(international_share)


class _Vocabulary:
    """Every string a row can hold, as a table per (column, slot), and how rows pick them.

    Per-region arrays (`*_start`, `*_count`) say where in a table a region's choices
    are; regions are the US states and territories, then the other countries.
    """

    def __init__(self, international_share: float) -> None:
        self.tables: dict[tuple[str, str], list[str | None]] = {}
        countries = data.INTERNATIONAL
        us_codes = list(data.US_POPULATION_2020)
        self.us_regions = len(us_codes)
        us_total = sum(data.US_POPULATION_2020.values())
        abroad_total = sum(country.weight for country in countries)
        weights = [
            people / us_total * (1 - international_share)
            for people in data.US_POPULATION_2020.values()
        ]
        weights += [country.weight / abroad_total * international_share for country in countries]
        self.region_lookup = _lookup(weights, 1 << 20)
        self._places(us_codes, countries)
        self._streets(countries)
        self._phones(us_codes, countries)
        self._names()
        self._emails(countries)
        self._profiles(us_codes, countries)
        cut = round((1 - data.SECOND_LINE_SHARE) * 65536)
        units = np.arange(65536, dtype=np.int64)
        self.unit_lookup = np.where(
            units < cut, 0, 1 + (units - cut) * len(data.UNITS) // (65536 - cut)
        ).astype(np.uint32)
        # A home is a second address line (or none) and a place: unit * places + place.
        units, self.places = [None, *data.UNITS], len(self.place_names["city"])
        self.tables["address_line2", "home"] = [unit for unit in units for _ in range(self.places)]
        for column, names in self.place_names.items():
            self.tables[column, "home"] = names * len(units)
        age_weights = [
            share / (high - low + 1) * (data.MINOR_WEIGHT if age < 18 else 1)
            for low, high, share in data.AGE_BANDS
            for age in range(low, high + 1)
        ]
        self.age_lookup = _lookup(age_weights, 1 << 16)
        # Aged 0 on the reference year's first day: born the year before. Month and day
        # from a year that is not a leap year.
        self.tables["date_of_birth", "birth_year"] = [
            f"{REFERENCE_YEAR - 1 - age}-" for age in range(100)
        ]
        first_day = date(2025, 1, 1).toordinal()
        self.tables["date_of_birth", "birth_day"] = [
            date.fromordinal(day).isoformat()[5:] for day in range(first_day, first_day + 365)
        ]

    def _places(self, us_codes: list[str], countries: Sequence[data.Country]) -> None:
        city: list[str | None] = []
        state: list[str | None] = []
        heads: list[str | None] = []
        tails: list[str | None] = [None]
        tail_ranges = {}
        for kind, strings in data.POSTCODE_TAILS.items():
            tail_ranges[kind] = (len(tails), len(strings))
            tails += strings
        regions, places = [], []
        for code in us_codes:
            zips, are_prefixes = _zip_heads(data.US_ZIP_RANGES[code])
            postcode = (len(heads), len(zips), *(tail_ranges["d2"] if are_prefixes else (0, 1)))
            heads += zips
            names = data.US_CITIES[code].split("|")
            regions.append((len(city), len(names)))
            city += names
            state += [code] * len(names)
            places += [postcode] * len(names)
        for country in countries:
            regions.append((len(city), len(country.cities)))
            for place in country.cities:
                city.append(place.name)
                state.append(place.province)
                prefixes = place.postcode_prefixes
                places.append((len(heads), len(prefixes), *tail_ranges[place.postcode_tail]))
                heads += prefixes
        self.place_names = {"city": city, "state": state}
        self.tables["postcode", "postcode_head"] = heads
        self.tables["postcode", "postcode_tail"] = tails
        self.place_start, self.place_count = np.array(regions, dtype=np.uint32).T
        (
            self.postcode_head_start,
            self.postcode_head_count,
            self.postcode_tail_start,
            self.postcode_tail_count,
        ) = np.array(places, dtype=np.uint32).T

    def _streets(self, countries: Sequence[data.Country]) -> None:
        # House numbers roughly log-uniform from 1 to 9999, as on real lists.
        houses = [str(int(10 ** (4 * i / 1024)) + i % 3) for i in range(1024)]
        heads: list[str | None] = [None] + [house + " " for house in houses]
        tails: list[str | None] = [None]
        directions, suffixes = data.US_STREET_DIRECTIONS, data.US_STREET_SUFFIXES
        tails += [
            f"{direction}{name} {suffix}"
            for name in data.US_STREET_NAMES
            for direction in directions
            for suffix in suffixes
        ]
        # A US street is a name (uniform) and a direction and suffix (weighted, together).
        self.us_street_names = len(data.US_STREET_NAMES)
        self.us_street_styles = len(directions) * len(suffixes)
        self.street_style_lookup = _lookup(
            [a * b for a in directions.values() for b in suffixes.values()], 1 << 16
        )
        numbers = (len(tails), 199)
        tails += [str(number) for number in range(1, 200)]
        regions = [(1, len(houses), 1, 0)] * self.us_regions
        for country in countries:
            if country.street_first:
                regions.append((len(heads), len(country.streets), *numbers))
                heads += [street + " " for street in country.streets]
            else:
                regions.append((1, len(houses), len(tails), len(country.streets)))
                tails += country.streets
        self.tables["address_line1", "street_head"] = heads
        self.tables["address_line1", "street_tail"] = tails
        (
            self.street_head_start,
            self.street_head_count,
            self.street_tail_start,
            self.street_tail_count,
        ) = np.array(regions, dtype=np.uint32).T

    def _phones(self, us_codes: list[str], countries: Sequence[data.Country]) -> None:
        heads: list[str | None] = []
        tails: list[str | None] = []
        tail_ranges = {}
        for kind, strings in data.PHONE_TAILS.items():
            tail_ranges[kind] = (len(tails), len(strings))
            tails += strings
        regions, format_offsets = [], []
        us_formats = _lookup(list(data.US_PHONE_FORMATS.values()), 256)
        for code in us_codes:
            areas = data.US_AREA_CODES[code].split()
            regions.append((len(heads), len(areas), *tail_ranges["d2"]))
            format_offsets.append(us_formats * len(areas))
            heads += [form.format(code=area) for form in data.US_PHONE_FORMATS for area in areas]
        for country in countries:
            regions.append((len(heads), len(country.phone_heads), *tail_ranges[country.phone_tail]))
            format_offsets.append(np.zeros(256, dtype=np.uint32))
            heads += country.phone_heads
        self.tables["phone", "phone_head"], self.tables["phone", "phone_tail"] = heads, tails
        (
            self.phone_head_start,
            self.phone_head_count,
            self.phone_tail_start,
            self.phone_tail_count,
        ) = np.array(regions, dtype=np.uint32).T
        # Where a US format's block of area codes starts, by region and random byte.
        self.phone_format_offset = np.stack(format_offsets).astype(np.uint32).reshape(-1)

    def _names(self) -> None:
        firsts, lasts = list(data.FIRST_NAMES), list(data.LAST_NAMES)
        # Common names first in the lists: weights fall off with position.
        self.first_lookup = _lookup([1 / (rank + 10) for rank in range(len(firsts))], 1 << 16)
        self.last_lookup = _lookup([1 / (rank + 30) for rank in range(len(lasts))], 1 << 16)
        self.first_typo_start, self.last_typo_start = len(firsts), len(lasts)
        firsts += [typo for name in data.FIRST_NAMES for typo in _typos(name)]
        lasts += [typo for name in data.LAST_NAMES for typo in _typos(name)]
        self.nickname_of = np.full(len(data.FIRST_NAMES), -1, dtype=np.int64)
        for position, name in enumerate(data.FIRST_NAMES):
            if name in data.NICKNAMES:
                self.nickname_of[position] = len(firsts)
                firsts.append(data.NICKNAMES[name])
        self.tables["first_name", "first"] = firsts
        self.tables["last_name", "last"] = lasts
        # Email tokens per name: the first name lower, as written, upper, then its initial
        # lower and upper; the last name after ".", "" or "_", lower, as written, upper.
        self.tables["email", "email_first"] = [
            form
            for plain in map(_ascii, firsts)
            for form in (plain.lower(), plain, plain.upper(), plain[0].lower(), plain[0].upper())
        ]
        self.tables["email", "email_last"] = [
            separator + form
            for plain in map(_ascii, lasts)
            for separator in (".", "", "_")
            for form in (plain.lower(), plain, plain.upper())
        ]
        # An email style is a case (lower, as written, upper), a form of the first name
        # (whole, initial) and a separator, weighted together.
        case_weights, form_weights, separator_weights = (78, 17, 5), (80, 20), (55, 30, 15)
        self.style_lookup = _lookup(
            [case_weights[c] * form_weights[f] * separator_weights[s] for c, f, s in _EMAIL_STYLES],
            1 << 16,
        )
        self.style_case = np.array([c for c, _, _ in _EMAIL_STYLES], dtype=np.uint32)
        self.style_first = np.array(
            [c if f == 0 else 3 + (c > 0) for c, f, _ in _EMAIL_STYLES], dtype=np.uint32
        )
        self.style_last = np.array([s * 3 + c for c, _, s in _EMAIL_STYLES], dtype=np.uint32)

    def _emails(self, countries: Sequence[data.Country]) -> None:
        domains: dict[str, int] = {}
        for table in (
            data.COMMON_EMAIL_DOMAINS,
            data.US_EMAIL_DOMAINS,
            *(country.email_domains for country in countries),
        ):
            for domain in table:
                domains.setdefault(domain, len(domains))

        def mix(national: Mapping[str, float]) -> np.ndarray:
            weights = np.zeros(len(domains))
            for table, share in (
                (data.COMMON_EMAIL_DOMAINS, 1 - data.NATIONAL_EMAIL_SHARE),
                (national, data.NATIONAL_EMAIL_SHARE),
            ):
                total = sum(table.values())
                for domain, weight in table.items():
                    weights[domains[domain]] += weight / total * share
            return _lookup(weights, 1024)

        us_mix = mix(data.US_EMAIL_DOMAINS)
        lookups = [us_mix] * self.us_regions + [mix(c.email_domains) for c in countries]
        self.domain_lookup = np.stack(lookups).reshape(-1)
        # Each domain as written, then upper case (for the upper-case style).
        self.tables["email", "email_domain"] = [
            "@" + form for domain in domains for form in (domain, domain.upper())
        ]

    def _profiles(self, us_codes: list[str], countries: Sequence[data.Country]) -> None:
        """Language and the four exposure flags as one index: language * 16 + flags."""
        languages = ["en", "es", *data.US_OTHER_LANGUAGES]
        for country in countries:
            languages += [code for code in country.languages if code not in languages]
        lookups = []
        for code in us_codes:
            spanish = data.SPANISH_AT_HOME.get(code, data.SPANISH_AT_HOME_ELSEWHERE)
            spanish *= data.SPANISH_WITH_LIMITED_ENGLISH.get(
                code, data.SPANISH_WITH_LIMITED_ENGLISH_ELSEWHERE
            )
            english = 1 - spanish - data.US_OTHER_LANGUAGE_SHARE_TOTAL
            weights = dict.fromkeys(languages, 0.0) | {"en": english, "es": spanish}
            lookups.append(_lookup(list((weights | data.US_OTHER_LANGUAGES).values()), 1024))
        for country in countries:
            weights = dict.fromkeys(languages, 0.0) | country.languages
            lookups.append(_lookup(list(weights.values()), 1024))
        self.language_lookup = np.stack(lookups).reshape(-1)
        shares = list(data.EXPOSURE_SHARES.values())
        self.flags_lookup = _lookup(
            [
                np.prod([s if flags >> bit & 1 else 1 - s for bit, s in enumerate(shares)])
                for flags in range(16)
            ],
            1 << 16,
        )
        profiles = range(len(languages) * 16)
        self.tables["language", "profile"] = [languages[profile >> 4] for profile in profiles]
        for bit, column in enumerate(data.EXPOSURE_SHARES):
            self.tables[column, "profile"] = ["Y" if p >> bit & 1 else None for p in profiles]
        spellings: dict[str, int] = {"": 0}
        lookups = []
        for table in [data.US_COUNTRY_SPELLINGS] * self.us_regions + [
            country.spellings for country in countries
        ]:
            for spelling in table:
                spellings.setdefault(spelling, len(spellings))
            numbers = np.array([spellings[spelling] for spelling in table], dtype=np.uint32)
            lookups.append(numbers[_lookup(list(table.values()), 256)])
        self.country_lookup = np.stack(lookups).reshape(-1)
        self.tables["country", "country"] = [spelling or None for spelling in spellings]

    @functools.cached_property
    def column_strings(self) -> dict[str, tuple[pa.Array, list[tuple[str, int | None]]]]:
        """Per column: its slots' strings one after another, and where each slot starts
        (None for a row slot)."""
        columns = {}
        for group_columns, slots in _GROUPS:
            for column in group_columns:
                strings: list[str | None] = []
                starts: list[tuple[str, int | None]] = []
                for slot in slots:
                    starts.append((slot, None if slot in _ROW_SLOTS else len(strings)))
                    strings += self.tables.get((column, slot), [])
                columns[column] = (pa.array(strings, pa.string()), starts)
        return columns

    @functools.cached_property
    def csv_pieces(self) -> tuple[pa.Array, list[tuple[str, int | None, bytes]]]:
        """Every CSV piece's strings, quoted where needed and followed by what ends them;
        per piece its slot, where its strings start (None for a row slot) and, for a row
        slot, what follows it."""
        strings: list[str] = []
        starts: list[tuple[str, int | None, bytes]] = []
        for number, (columns, slots) in enumerate(_GROUPS):
            field_end = b"\n" if number == len(_GROUPS) - 1 else b","
            for position, slot in enumerate(slots):
                end = field_end if position == len(slots) - 1 else b""
                if slot in _ROW_SLOTS:
                    starts.append((slot, None, end))
                    continue
                tables = [self.tables[column, slot] for column in columns]
                if len(slots) > 1 and any(
                    _csv_field(value) != (value or "") for value in tables[0]
                ):
                    raise ValueError(f"{slot} would need quotes but is only part of a field")
                starts.append((slot, len(strings), b""))
                strings += [
                    ",".join(map(_csv_field, values)) + end.decode()
                    for values in zip(*tables, strict=True)
                ]
        return pa.array(strings, pa.string()), starts

    def traits(self, words: np.ndarray, region: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Each row's choices, from its hash words (one row per word); `region` may be given.

        Bits used: word 0 lanes 0-1 place, postcode; top 20 bits region. Word 1: first
        and last name, email style, domain. Word 2: house number, street name, street
        style, postcode end. Word 3: second line, country spelling, phone format,
        language. Word 4: area code, phone digits, exposure flags. Word 5: age, birthday,
        and (in `_Run`) whether and how the row is broken.
        """
        if region is None:
            region = self.region_lookup.take(words[0] >> np.uint64(44))
        place = self.place_start.take(region) + _pick(
            _lane(words[0], 0), self.place_count.take(region)
        )
        us_street = (
            _pick(_lane(words[2], 1), self.us_street_names) * np.uint32(self.us_street_styles)
            + self.street_style_lookup.take(_lane(words[2], 2))
            + np.uint32(1)
        )
        other_street = self.street_tail_start.take(region) + _pick(
            _lane(words[2], 1), self.street_tail_count.take(region)
        )
        style = self.style_lookup.take(_lane(words[1], 2))
        return {
            "region": region,
            "place": place,
            "postcode_head": self.postcode_head_start.take(place)
            + _pick(_lane(words[0], 1), self.postcode_head_count.take(place)),
            "postcode_tail": self.postcode_tail_start.take(place)
            + _pick(_lane(words[2], 3), self.postcode_tail_count.take(place)),
            "first": self.first_lookup.take(_lane(words[1], 0)),
            "last": self.last_lookup.take(_lane(words[1], 1)),
            "style": style,
            "domain": self.domain_lookup.take(region * np.uint32(1024) + (_lane(words[1], 3) >> 6)),
            "street_head": self.street_head_start.take(region)
            + _pick(_lane(words[2], 0), self.street_head_count.take(region)),
            "street_tail": np.where(region < self.us_regions, us_street, other_street),
            "unit": self.unit_lookup.take(_lane(words[3], 0)),
            "country": self.country_lookup.take(region * np.uint32(256) + _octet(words[3], 2)),
            "phone_head": self.phone_head_start.take(region)
            + self.phone_format_offset.take(region * np.uint32(256) + _octet(words[3], 4))
            + _pick(_lane(words[4], 0), self.phone_head_count.take(region)),
            "phone_tail": self.phone_tail_start.take(region)
            + _pick(_lane(words[4], 2), self.phone_tail_count.take(region)),
            "language": self.language_lookup.take(
                region * np.uint32(1024) + (_lane(words[3], 3) >> 6)
            ),
            "flags": self.flags_lookup.take(_lane(words[4], 3)),
            "birth_year": self.age_lookup.take(_lane(words[5], 0)),
            "birth_day": _pick(_lane(words[5], 1), 365),
        }

    def slots(self, traits: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Each row's index into each slot's table (row slots are `_Run`'s)."""
        style, first, last = traits["style"], traits["first"], traits["last"]
        case = self.style_case.take(style)
        abroad = traits["region"] >= self.us_regions
        return {
            "first": first,
            "last": last,
            "email_first": first * np.uint32(5) + self.style_first.take(style),
            "email_last": last * np.uint32(9) + self.style_last.take(style),
            "email_domain": traits["domain"] * np.uint32(2) + (case == 2),
            **{name: traits[name] for name in _PLAIN_TRAITS},
            "home": traits["unit"] * np.uint32(self.places) + traits["place"],
            # Bit 0 is the SSN, which people outside the US do not have.
            "profile": traits["language"] * np.uint32(16)
            + (traits["flags"] & np.where(abroad, np.uint32(14), np.uint32(15))),
        }


_PLAIN_TRAITS = (
    "phone_head",
    "phone_tail",
    "street_head",
    "street_tail",
    "postcode_head",
    "postcode_tail",
    "country",
    "birth_year",
    "birth_day",
)


# --- rows ---------------------------------------------------------------------------------


@dataclass
class _Part:
    """Half a chunk: who each row describes, and which rows are duplicates of whom."""

    person: np.ndarray  # each row's person number; for a duplicate, the person it copies
    extra_rows: np.ndarray  # rows that are duplicates or near-duplicates
    extra_keys: np.ndarray  # a number of their own, for the new ids and emails they get
    extra_exact: np.ndarray  # exact duplicate (else near-duplicate)


@dataclass
class _Rows:
    slots: dict[str, np.ndarray]
    bad_positions: list[int]  # ascending
    bad_rows: list[list[str | None]]  # their fields, as many as the broken row has
    duplicate_kinds: Counter[str]
    bad_row_kinds: Counter[str]


class _Run:
    """Which row is whom: people, their duplicates and near-duplicates, and broken rows."""

    def __init__(self, *, count: int, seed: int, shares: Mapping[str, float], ragged: bool) -> None:
        self.count, self.seed = count, seed
        self.bad_kinds = BAD_ROW_KINDS if ragged else BAD_ROW_KINDS[2:]
        self.exact_duplicates = int(count * shares["duplicate_share"])
        self.near_duplicates = int(count * shares["near_duplicate_share"])
        self.extras = self.exact_duplicates + self.near_duplicates
        self.unique_people = count - self.extras
        # Broken rows are people's own rows: raise the odds so they are that share of all rows.
        bad_odds = shares["bad_row_share"] * count / max(self.unique_people, 1)
        self.bad_threshold = round(min(bad_odds, 1) * 65536)
        self.person_key, self.extra_key = _seed_key(seed, 1), _seed_key(seed, 2)
        self.vocabulary = _vocabulary(shares["international_share"])
        # Customer ids are "C" and 8 or more digits; the number that makes an email unique
        # has 4 or more, never a leading zero. Both wide enough for every row to differ.
        id_digits, email_digits = 8, 4
        while 10**id_digits < count:
            id_digits += 1
        while 9 * 10 ** (email_digits - 1) < count:
            email_digits += 1
        self.row_formats = {"customer_id": (b"C", id_digits), "email_number": (b"", email_digits)}
        self.id_key, self.email_key = _seed_key(seed, 3), _seed_key(seed, 4)
        self.columns = _Columns(self.vocabulary, self.row_formats)

    def parts(self) -> Iterator[_Part]:
        for index, start in enumerate(range(0, self.count, CHUNK_ROWS)):
            yield from self._plan(index, start, min(start + CHUNK_ROWS, self.count))

    def _is_bad(self, people: np.ndarray, last_word: np.ndarray | None = None) -> np.ndarray:
        """Whether each person's only row is broken (person 0's never is)."""
        if last_word is None:
            last_word = _hash_words(people, self.person_key)[-1]
        return (_lane(last_word, 2) < self.bad_threshold) & (people > 0)

    def _plan(self, index: int, start: int, stop: int) -> list[_Part]:
        rng = np.random.default_rng([self.seed, index])
        rows = stop - start
        extras_before = self.extras * start // self.count
        extras = self.extras * stop // self.count - extras_before
        # The file's first row is a person, so every duplicate has someone before it.
        first = 1 if start == 0 else 0
        positions = np.sort(rng.choice(rows - first, size=extras, replace=False)) + first
        is_person = np.ones(rows, dtype=bool)
        is_person[positions] = False
        person = (start - extras_before) + np.cumsum(is_person) - is_person
        ordinal = extras_before + np.arange(extras)
        exact = self.exact_duplicates
        extras_total = max(self.extras, 1)
        is_exact = (ordinal + 1) * exact // extras_total - ordinal * exact // extras_total == 1
        # Half the duplicates copy someone a few dozen rows up, half anyone earlier; never
        # someone whose row is broken.
        before = person[positions]
        source = np.where(
            rng.random(extras) < 0.5,
            np.maximum(before - rng.geometric(1 / 40, size=extras), 0),
            (rng.random(extras) * before).astype(np.int64),
        )
        broken = self._is_bad(source)
        while broken.any():
            source[broken] -= 1
            broken[broken] = self._is_bad(source[broken])
        person[positions] = source
        keys = (self.unique_people + ordinal).astype(np.uint64)
        middle = rows // 2
        halves = positions < middle
        return [
            _Part(person[:middle], positions[halves], keys[halves], is_exact[halves]),
            _Part(person[middle:], positions[~halves] - middle, keys[~halves], is_exact[~halves]),
        ]

    def rows(self, part: _Part) -> _Rows:
        words = _hash_words(part.person, self.person_key)
        traits = self.vocabulary.traits(words)
        id_keys = part.person.astype(np.uint64)
        email_keys = id_keys.copy()
        duplicate_kinds = self._vary_extras(part, traits, id_keys, email_keys)
        slots = self.vocabulary.slots(traits)
        id_digits, email_digits = (
            self.row_formats["customer_id"][1],
            self.row_formats["email_number"][1],
        )
        slots["customer_id"] = _permute_below(id_keys, 10**id_digits, self.id_key)
        smallest = 10 ** (email_digits - 1)
        slots["email_number"] = smallest + _permute_below(email_keys, 9 * smallest, self.email_key)
        # Duplicates never copy a broken row, so only people's own rows can be broken.
        bad = np.flatnonzero(self._is_bad(part.person, words[-1]))
        bad_rows, bad_row_kinds = self._break(slots, bad, words[-1][bad])
        return _Rows(slots, bad.tolist(), bad_rows, duplicate_kinds, bad_row_kinds)

    def _vary_extras(
        self,
        part: _Part,
        traits: dict[str, np.ndarray],
        id_keys: np.ndarray,
        email_keys: np.ndarray,
    ) -> Counter[str]:
        """Turn copies of earlier people into duplicates and near-duplicates of them."""
        rows, keys = part.extra_rows, part.extra_keys
        own = self.vocabulary.traits(
            _hash_words(keys, self.person_key), region=traits["region"][rows]
        )
        choices = _hash_words(keys, self.extra_key, 1)[0]
        kind = np.where(part.extra_exact, _pick(_lane(choices, 0), 3), 3)
        # Every kind but "same customer id" is a new customer record, and each record
        # says something different about what was exposed.
        id_keys[rows] = np.where(kind == 0, id_keys[rows], keys)
        traits["flags"][rows] = own["flags"]

        case_rows = rows[kind == 1]
        lower = self.vocabulary.style_case[traits["style"][case_rows]] == 0
        # Same form and separator, another case: styles are ordered case-major, 6 a case.
        shift = np.where(lower, np.where(_lane(choices, 1)[kind == 1] & 1, 12, 6), 0)
        traits["style"][case_rows] = traits["style"][case_rows] % 6 + shift

        fresh = kind >= 2
        email_keys[rows[fresh]] = keys[fresh]
        for name in ("style", "domain"):
            traits[name][rows[fresh]] = own[name][fresh]
        for name in ("phone_head", "phone_tail"):
            traits[name][rows[kind == 2]] = own[name][kind == 2]

        near = kind == 3
        choice, slip = _pick(_lane(choices, 2)[near], 100), _pick(_lane(choices, 3)[near], 3)
        first, last = traits["first"][rows[near]], traits["last"][rows[near]]
        nickname = self.vocabulary.nickname_of[first]
        by_nickname = (choice < 30) & (nickname >= 0)
        first_slip = ~by_nickname & (choice < 65)
        traits["first"][rows[near]] = np.where(
            by_nickname,
            nickname,
            np.where(first_slip, self.vocabulary.first_typo_start + first * 3 + slip, first),
        )
        traits["last"][rows[near]] = np.where(
            by_nickname | first_slip, last, self.vocabulary.last_typo_start + last * 3 + slip
        )
        return Counter({name: int((kind == n).sum()) for n, name in enumerate(DUPLICATE_KINDS)})

    def _break(
        self, slots: Mapping[str, np.ndarray], rows: np.ndarray, words: np.ndarray
    ) -> tuple[list[list[str | None]], Counter[str]]:
        """The rows of people whose only row is broken, each broken one way."""
        kinds: Counter[str] = Counter()
        if len(rows) == 0:
            return [], kinds
        people = self.columns.table({name: index[rows] for name, index in slots.items()})
        broken = []
        ways = _octet(words, 6).tolist()
        variants = _octet(words, 7).tolist()
        for person, way, variant in zip(people.to_pylist(), ways, variants, strict=True):
            kind = self.bad_kinds[way * len(self.bad_kinds) >> 8]
            kinds[kind] += 1
            fields = [person[column] for column in COLUMNS]
            if kind == "extra_field":
                fields.append(("Y", "see notes", "")[variant % 3])
            elif kind == "missing_field":
                del fields[COLUMNS.index("address_line2")]
            elif kind == "no_contact_or_jurisdiction":
                fields[3:11] = [None] * 8  # email to country
            elif kind == "invalid_email":
                local, _, domain = (fields[3] or "ann@example.com").partition("@")
                fields[3] = (
                    f"{local}@@{domain}",
                    f"{local}@",
                    f"{local}{domain}",
                    f"{local}@{domain.rsplit('.', 1)[0]}",  # no top-level domain
                )[variant % 4]
            else:
                at = 1 + variant % 2  # first or last name
                name = fields[at] or "Ann"
                fields[at] = name[: len(name) // 2] + "\x00" + name[len(name) // 2 :]
            broken.append(fields)
        return broken, kinds


# --- files --------------------------------------------------------------------------------


def _csv_field(value: str | None) -> str:
    if value is None:
        return ""
    if "," in value or '"' in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


class _Columns:
    """Rows as an Arrow table of strings, each column put together from its slots."""

    def __init__(
        self, vocabulary: _Vocabulary, row_formats: Mapping[str, tuple[bytes, int]]
    ) -> None:
        self.columns = vocabulary.column_strings
        self.schema = pa.schema([(column, pa.string()) for column in COLUMNS])
        self.row_formats = row_formats

    def _row_strings(self, slot: str, slots: Mapping[str, np.ndarray]) -> pa.StringArray:
        prefix, width = self.row_formats[slot]
        return _decimal_strings(slots[slot], width, prefix, b"")

    def table(self, slots: Mapping[str, np.ndarray]) -> pa.Table:
        rows = len(slots["first"])
        arrays = []
        for column in COLUMNS:
            strings, starts = self.columns[column]
            if len(starts) == 1 and starts[0][1] is None:
                arrays.append(self._row_strings(starts[0][0], slots))
                continue
            values, pieces = [strings], []
            for slot, start in starts:
                if start is None:  # a row slot: its rows follow the table's strings
                    pieces.append(np.arange(rows) + sum(len(array) for array in values))
                    values.append(self._row_strings(slot, slots))
                else:
                    pieces.append(slots[slot] + np.uint32(start))
            taken = pa.concat_arrays(values).take(np.stack(pieces).T.reshape(-1))
            if len(starts) > 1:
                # A row's pieces are consecutive: every len(starts)-th offset ends a row.
                offsets = np.frombuffer(taken.buffers()[1], dtype=np.int32)[: len(taken) + 1]
                taken = pa.StringArray.from_buffers(
                    rows,
                    pa.py_buffer(np.ascontiguousarray(offsets[:: len(starts)])),
                    taken.buffers()[2],
                )
            arrays.append(taken)
        return pa.Table.from_arrays(arrays, schema=self.schema)


class _File:
    """Counts what it wrote; closes on leaving a `with`."""

    def __init__(self) -> None:
        self.duplicate_kinds: Counter[str] = Counter()
        self.bad_row_kinds: Counter[str] = Counter()

    def count(self, rows: _Rows) -> None:
        self.duplicate_kinds += rows.duplicate_kinds
        self.bad_row_kinds += rows.bad_row_kinds

    def __enter__(self) -> _File:
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()

    def close(self) -> None:
        raise NotImplementedError


class _CsvFile(_File):
    """RFC 4180, UTF-8, "\\n" line ends, fields quoted only where they must be."""

    def __init__(self, path: Path, run: _Run) -> None:
        super().__init__()
        self.run = run
        self.pieces, self.starts = run.vocabulary.csv_pieces
        self.handle = path.open("wb")
        self.handle.write((",".join(COLUMNS) + "\n").encode())

    def encode(self, part: _Part) -> tuple[_Rows, pa.Buffer, np.ndarray]:
        """The part's rows as CSV bytes, and where each row starts in them."""
        rows = self.run.rows(part)
        count = len(part.person)
        # Filled a slot at a time, then transposed so a row's pieces follow each other.
        matrix = np.empty((len(self.starts), count), dtype=np.int32)
        strings = [self.pieces]
        after = len(self.pieces)
        for number, (slot, start, end) in enumerate(self.starts):
            if start is None:
                prefix, width = self.run.row_formats[slot]
                strings.append(_decimal_strings(rows.slots[slot], width, prefix, end))
                matrix[number] = np.arange(after, after + count, dtype=np.int32)
                after += count
            else:
                np.add(rows.slots[slot], start, out=matrix[number], casting="unsafe")
        taken = pa.concat_arrays(strings).take(matrix.T.reshape(-1))
        offsets = np.frombuffer(taken.buffers()[1], dtype=np.int32)[: len(taken) + 1]
        return rows, taken.buffers()[2], offsets[:: len(self.starts)]

    def write(self, encoded: tuple[_Rows, pa.Buffer, np.ndarray]) -> None:
        rows, text, starts = encoded
        self.count(rows)
        view = memoryview(text)
        done = 0
        for position, fields in zip(rows.bad_positions, rows.bad_rows, strict=True):
            self.handle.write(view[starts[done] : starts[position]])
            self.handle.write((",".join(map(_csv_field, fields)) + "\n").encode())
            done = position + 1
        self.handle.write(view[starts[done] : starts[-1]])

    def close(self) -> None:
        self.handle.close()


class _ParquetFile(_File):
    """Every column a string; empty values are nulls. A row group per half chunk."""

    def __init__(self, path: Path, run: _Run) -> None:
        super().__init__()
        self.run = run
        self.writer = pq.ParquetWriter(path, run.columns.schema)

    def encode(self, part: _Part) -> tuple[_Rows, pa.Table]:
        rows = self.run.rows(part)
        table = self.run.columns.table(rows.slots)
        pieces, done = [], 0
        for position, fields in zip(rows.bad_positions, rows.bad_rows, strict=True):
            broken = pa.Table.from_pylist([dict(zip(COLUMNS, fields, strict=True))], table.schema)
            pieces += [table.slice(done, position - done), broken]
            done = position + 1
        return rows, pa.concat_tables([*pieces, table.slice(done)]).combine_chunks()

    def write(self, encoded: tuple[_Rows, pa.Table]) -> None:
        rows, table = encoded
        self.count(rows)
        self.writer.write_table(table, row_group_size=CHUNK_ROWS)

    def close(self) -> None:
        self.writer.close()
