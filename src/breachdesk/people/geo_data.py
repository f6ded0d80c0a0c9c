"""Reference tables for normalising people: US states and ZIPs, country and language names.

State and territory codes follow USPS Publication 28, Appendix B
(https://pe.usps.com/text/pub28/28apb.htm). Which state a ZIP belongs to is derived from
the ZIP list in the `zipcodes` package, and country and language names from pycountry's
ISO 3166 and ISO 639-3 tables, each on first use, so they follow those packages' updates.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from functools import cache

import pycountry
import zipcodes

# USPS two-letter codes and the names people write instead.
US_STATE_NAMES = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    # Territories.
    "AS": "American Samoa",
    "GU": "Guam",
    "MP": "Northern Mariana Islands",
    "PR": "Puerto Rico",
    "VI": "U.S. Virgin Islands",
    # Freely associated states, served by USPS with these codes.
    "FM": "Federated States of Micronesia",
    "MH": "Marshall Islands",
    "PW": "Palau",
    # Military mail (APO/FPO/DPO), which has ZIPs of its own.
    "AA": "Armed Forces Americas",
    "AE": "Armed Forces Europe",
    "AP": "Armed Forces Pacific",
}

# Matched in any case and without periods or commas: "washington, d.c." is "Washington DC".
US_STATE_ALIASES = {
    "Washington DC": "DC",
    "Virgin Islands": "VI",
    "United States Virgin Islands": "VI",
    "Micronesia": "FM",
    "Armed Forces Africa": "AE",
    "Armed Forces Canada": "AE",
    "Armed Forces Middle East": "AE",
}

# Names pycountry does not know, or knows only in a newer official form.
COUNTRY_ALIASES = {
    "USA": "US",
    "U.S.": "US",
    "U.S.A.": "US",
    "United States of America": "US",
    "America": "US",
    "UK": "GB",
    "U.K.": "GB",
    "Great Britain": "GB",
    "Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "US Virgin Islands": "VI",
    "U.S. Virgin Islands": "VI",
    "Russia": "RU",
    "Turkey": "TR",
    "Czech Republic": "CZ",
    "Holland": "NL",
    "The Netherlands": "NL",
    "Ivory Coast": "CI",
    "Burma": "MM",
    "Macedonia": "MK",
    "Swaziland": "SZ",
    "Cape Verde": "CV",
    "East Timor": "TL",
    "Vatican": "VA",
    "Vatican City": "VA",
    "Brunei": "BN",
    "Palestine": "PS",
    # Names countries go by in their own languages, as customers write them.
    "Deutschland": "DE",
    "Nederland": "NL",
    "España": "ES",
    "México": "MX",
    "Brasil": "BR",
    "Italia": "IT",
    "Schweiz": "CH",
    "Suisse": "CH",
    "Svizzera": "CH",
    "Österreich": "AT",
    "Belgique": "BE",
    "België": "BE",
    "Sverige": "SE",
    "Norge": "NO",
    "Danmark": "DK",
    "Suomi": "FI",
    "Polska": "PL",
    "Éire": "IE",
    "Česko": "CZ",
    "Magyarország": "HU",
    "Ελλάδα": "GR",
    "Россия": "RU",
    "日本": "JP",
    "中国": "CN",
    "대한민국": "KR",
    "Türkiye": "TR",
}

# Language names as their speakers write them, and English names ISO 639-3 spells
# differently; ISO 639-3's own English names are looked up from pycountry.
LANGUAGE_ALIASES = {
    "español": "es",
    "castellano": "es",
    "castilian": "es",
    "français": "fr",
    "deutsch": "de",
    "italiano": "it",
    "português": "pt",
    "polski": "pl",
    "русский": "ru",
    "українська": "uk",
    "中文": "zh",
    "汉语": "zh",
    "漢語": "zh",
    "普通话": "zh",
    "國語": "zh",
    # Notices are written, and written Chinese is "zh" whatever the spoken variety.
    "mandarin": "zh",
    "cantonese": "zh",
    "廣東話": "zh",
    "粵語": "zh",
    "tiếng việt": "vi",
    "한국어": "ko",
    "日本語": "ja",
    "العربية": "ar",
    "فارسی": "fa",
    "farsi": "fa",
    "greek": "el",
    "ελληνικά": "el",
    "עברית": "he",
    "हिन्दी": "hi",
    "বাংলা": "bn",
    "اردو": "ur",
    "punjabi": "pa",
    "ਪੰਜਾਬੀ": "pa",
    "kreyòl ayisyen": "ht",
    "haitian creole": "ht",
    "khmer": "km",
    "ខ្មែរ": "km",
    "ພາສາລາວ": "lo",
    "ไทย": "th",
    "türkçe": "tr",
    "հայերեն": "hy",
    "nederlands": "nl",
    "svenska": "sv",
}


@cache
def _state_of_each_zip() -> dict[str, str]:
    return {record["zip_code"]: record["state"] for record in zipcodes.list_all()}


@cache
def zip3_states() -> dict[str, str]:
    """The state most ZIPs under each 3-digit prefix belong to."""
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for zip_code, state in _state_of_each_zip().items():
        counts[zip_code[:3]][state] += 1
    return {prefix: states.most_common(1)[0][0] for prefix, states in counts.items()}


@cache
def zip5_exceptions() -> dict[str, str]:
    """ZIPs whose state is not their prefix's (06390, Fishers Island NY, is under CT's 063)."""
    by_prefix = zip3_states()
    return {
        zip_code: state
        for zip_code, state in _state_of_each_zip().items()
        if state != by_prefix[zip_code[:3]]
    }


def fold_name(name: str) -> str:
    """Case, accents and spacing do not distinguish names of places and languages."""
    decomposed = unicodedata.normalize("NFKD", name.casefold().replace("’", "'"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@cache
def country_codes() -> dict[str, str]:
    """ISO 3166 alpha-2 codes by folded code, name, official or common name, or alias."""
    codes = {}
    for country in pycountry.countries:
        for field in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            if name := getattr(country, field, None):
                codes[fold_name(name)] = country.alpha_2
    codes |= {fold_name(alias): code for alias, code in COUNTRY_ALIASES.items()}
    return codes


@cache
def language_tags() -> dict[str, str]:
    """Primary language tags (ISO 639-1, else 639-3) by folded code, English name or alias."""
    tags = {}
    # Names first, so that a code wins where a language's name looks like another's code.
    for field in ("name", "common_name", "bibliographic", "alpha_3", "alpha_2"):
        for language in pycountry.languages:
            if name := getattr(language, field, None):
                tag = getattr(language, "alpha_2", language.alpha_3)
                tags[fold_name(name)] = tag
                # "Modern Greek (1453-)" is also plain "Modern Greek".
                tags.setdefault(fold_name(re.sub(r"\s*\(.*\)$", "", name)), tag)
    tags |= {fold_name(alias): tag for alias, tag in LANGUAGE_ALIASES.items()}
    return tags


@cache
def us_state_codes() -> dict[str, str]:
    """Codes, names and aliases, upper-case without periods or commas, to USPS codes."""
    codes = {code: code for code in US_STATE_NAMES}
    names = {name: code for code, name in US_STATE_NAMES.items()} | US_STATE_ALIASES
    return codes | {
        name.upper().replace(".", "").replace(",", ""): code for name, code in names.items()
    }


@cache
def states_with_zips_starting(zeros: str) -> list[str]:
    """The states with ZIPs that start with `zeros`, which a spreadsheet may have dropped."""
    prefixes = zip3_states() | {
        zip_code[:3]: state for zip_code, state in zip5_exceptions().items()
    }
    return sorted({state for prefix, state in prefixes.items() if prefix.startswith(zeros)})
