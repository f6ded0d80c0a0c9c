"""The tables of strings synthetic rows are made of, and how a person picks from them."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
import pyarrow as pa

from breachdesk.people.synth import data
from breachdesk.people.synth.layout import (
    _EMAIL_STYLES,
    _GROUPS,
    _ROW_SLOTS,
    REFERENCE_YEAR,
    _csv_field,
)
from breachdesk.people.synth.randomness import _lane, _lookup, _octet, _pick


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
