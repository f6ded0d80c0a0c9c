"""Normalising the columns of a people list: what a user sees in the imported values."""

from __future__ import annotations

import string
from datetime import date

import phonenumbers
import polars as pl
import pytest
import time_machine
from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from breachdesk.people import normalise


def strings(*values: str | None) -> pl.Series:
    return pl.Series(values, dtype=pl.String)


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- text -------------------------------------------------------------------------------


def test_text_is_stripped_and_whitespace_runs_collapse_with_case_kept():
    values = strings("  Ann   Marie\tLEE ", "São\u00a0 Paulo", "x")
    assert normalise.normalise_text(values).to_list() == ["Ann Marie LEE", "São Paulo", "x"]


def test_empty_and_whitespace_only_text_becomes_null():
    assert normalise.normalise_text(strings(None, "", "   ", "\t\n")).to_list() == [None] * 4


# --- names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("full", "parts"),
    [
        ("Lee, Ann Marie", ("Ann", "Marie", "Lee", None)),
        ("Ann Marie Lee", ("Ann", "Marie", "Lee", None)),
        ("Ann Lee", ("Ann", None, "Lee", None)),
        ("Ann Lee Jr.", ("Ann", None, "Lee", "Jr.")),
        ("Lee, Ann, III", ("Ann", None, "Lee", "III")),
        ("Lee Jr., Ann", ("Ann", None, "Lee", "Jr.")),
        ("Dr. Ann Lee", ("Ann", None, "Lee", None)),
        ("Mrs Ann Lee", ("Ann", None, "Lee", None)),
        ("Lee, Dr. Ann", ("Ann", None, "Lee", None)),
        ("Madonna", (None, None, "Madonna", None)),
        ("  José   Núñez-García ", ("José", None, "Núñez-García", None)),
        ("Zoë Ødegård", ("Zoë", None, "Ødegård", None)),
    ],
)
def test_full_names_split_into_first_middle_last_and_suffix(full, parts):
    assert normalise.split_full_names(strings(full)).rows() == [parts]


def test_lower_case_particles_stay_with_the_last_name_but_capitalised_ones_are_middle_names():
    names = strings("Ludwig van Beethoven", "Maria de la Cruz", "Anh Van Nguyen")
    assert normalise.split_full_names(names).rows() == [
        ("Ludwig", None, "van Beethoven", None),
        ("Maria", None, "de la Cruz", None),
        ("Anh", "Van", "Nguyen", None),
    ]


def test_a_lone_name_with_a_suffix_like_ending_is_not_mistaken_for_one():
    assert normalise.split_full_names(strings("Ann V")).rows() == [("Ann", None, "V", None)]


def test_missing_full_names_give_no_parts():
    split = normalise.split_full_names(strings(None, " "))
    assert split.columns == ["first_name", "middle_name", "last_name", "suffix"]
    assert split.rows() == [(None, None, None, None)] * 2


# --- emails -----------------------------------------------------------------------------


@pytest.fixture
def email_validator_calls(monkeypatch) -> list[str]:
    """The addresses normalise_emails passes to email-validator (the slow path)."""
    calls: list[str] = []

    def validate(email: str, **options):
        calls.append(email)
        return validate_email(email, **options)

    monkeypatch.setattr(normalise, "validate_email", validate)
    return calls


def test_plain_emails_are_trimmed_and_their_domain_lower_cased_without_email_validator(
    email_validator_calls,
):
    checked = normalise.normalise_emails(strings(" Ann.Lee+news@Example.COM ", "bo@x.co.uk"))
    assert checked.rows() == [("Ann.Lee+news@example.com", None), ("bo@x.co.uk", None)]
    assert email_validator_calls == []


def test_role_mailboxes_are_lower_cased_as_email_validator_does():
    checked = normalise.normalise_emails(strings("Info@Example.com", "SUPPORT@acme.org"))
    assert checked["email"].to_list() == ["info@example.com", "support@acme.org"]


@pytest.mark.parametrize(
    "email",
    [
        "ann.lee.example.com",
        "ann..lee@example.com",
        "ann lee@example.com",
        "ann@example",
        "ann@-example.com",
        "ann@example.123",
        "ann@printer.local",
        "ann@example.test",
        "Ann Lee <ann@example.com>",
        "ann@[192.0.2.1]",
        '"ann lee"@example.com',
    ],
)
def test_invalid_emails_are_dropped_with_a_reason(email):
    assert normalise.normalise_emails(strings(email)).rows() == [(None, "invalid email syntax")]


def test_international_emails_are_normalised_by_email_validator(email_validator_calls):
    checked = normalise.normalise_emails(strings("José@Exämple.com", "ann@xn--bcher-kva.com"))
    assert checked["email"].to_list() == ["José@exämple.com", "ann@bücher.com"]
    assert sorted(email_validator_calls) == ["José@Exämple.com", "ann@xn--bcher-kva.com"]


def test_each_distinct_unusual_email_is_validated_once(email_validator_calls):
    normalise.normalise_emails(strings(*["josé@example.com"] * 1000))
    assert email_validator_calls == ["josé@example.com"]


def test_missing_emails_are_null_without_a_problem():
    assert normalise.normalise_emails(strings(None, "", "  ")).rows() == [(None, None)] * 3


_ATEXT = string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~-"
_LABEL_CHARACTERS = string.ascii_letters + string.digits + "-"
labels = st.text(_LABEL_CHARACTERS, max_size=8) | st.text(
    _LABEL_CHARACTERS, min_size=60, max_size=66
)
top_level = labels | st.sampled_from(["com", "ORG", "x1", "1x", "c-m", "test", "Local", "arpa"])
email_like = st.builds(
    "{}@{}".format,
    st.text(_ATEXT + ".", max_size=12) | st.sampled_from(["Info", "postmaster", "WWW"]),
    st.builds(lambda parts, tld: ".".join([*parts, tld]), st.lists(labels, max_size=3), top_level),
)
anything_like = st.text(_ATEXT + '.@ "<>[]()', max_size=24) | st.emails()
email_lists = st.lists(email_like | anything_like, min_size=1, max_size=40)


@PROPERTY
@given(email_lists)
def test_the_email_fast_path_accepts_only_what_email_validator_accepts_and_agrees(candidates):
    fast = normalise._emails_fast_path(pl.Series(candidates, dtype=pl.String))
    for candidate, accepted in zip(candidates, fast, strict=True):
        if accepted is not None:
            assert accepted == validate_email(candidate, check_deliverability=False).normalized


@PROPERTY
@given(email_lists)
def test_normalised_emails_are_email_validators_normalised_form(candidates):
    checked = normalise.normalise_emails(pl.Series(candidates, dtype=pl.String))
    for candidate, (email, problem) in zip(candidates, checked.rows(), strict=True):
        candidate = candidate.strip()
        if not candidate:
            assert (email, problem) == (None, None)
            continue
        try:
            expected = validate_email(candidate, check_deliverability=False).normalized
        except EmailNotValidError:
            assert (email, problem) == (None, "invalid email syntax")
        else:
            assert (email, problem) == (expected, None)


# --- phones -----------------------------------------------------------------------------


@pytest.fixture
def phonenumbers_calls(monkeypatch) -> list[tuple[str, str]]:
    calls: list[tuple[str, str]] = []
    parse = phonenumbers.parse

    def recording_parse(number: str, region: str):
        calls.append((number, region))
        return parse(number, region)

    monkeypatch.setattr(phonenumbers, "parse", recording_parse)
    return calls


def test_plain_us_numbers_take_the_fast_path_to_e164(phonenumbers_calls):
    phones = strings("(512) 555-0142", "512.555.0142", "1-512-555-0142", "+1 512 555 0142")
    checked = normalise.normalise_phones(phones, strings("US", None, "us", "GB"))
    assert checked.rows() == [("+15125550142", None)] * 4
    assert phonenumbers_calls == []


def test_numbers_without_a_country_code_are_read_in_their_rows_region():
    phones = strings("020 7946 0958", "030 901820", "+44 20 7946 0958", "(416) 555-0199")
    checked = normalise.normalise_phones(phones, strings("GB", "DE", None, "CA"))
    assert checked["phone"].to_list() == [
        "+442079460958",
        "+4930901820",
        "+442079460958",
        "+14165550199",
    ]


def test_nanp_lookalikes_outside_the_plan_are_left_to_phonenumbers(phonenumbers_calls):
    checked = normalise.normalise_phones(strings("111-222-3333"), strings("US"))
    assert phonenumbers_calls == [("111-222-3333", "US")]
    assert checked.rows() == [("+11112223333", None)]


@pytest.mark.parametrize(
    ("phone", "region"),
    [
        ("555-0142", "US"),
        ("7946 0958", "GB"),
        ("call me", "US"),
        ("5125550142", "XX"),
        ("+1 512 555 01429999", None),
    ],
)
def test_impossible_and_local_only_phone_numbers_are_dropped_with_a_reason(phone, region):
    checked = normalise.normalise_phones(strings(phone), strings(region))
    assert checked.rows() == [(None, "invalid phone number")]


def test_missing_phones_are_null_without_a_problem():
    checked = normalise.normalise_phones(strings(None, " "), strings("US", "GB"))
    assert checked.rows() == [(None, None)] * 2


_NANP_LAYOUTS = [
    "{a}{e}{n}",
    "({a}) {e}-{n}",
    "{a}-{e}-{n}",
    "{a}.{e}.{n}",
    "1{a}{e}{n}",
    "1 ({a}) {e}-{n}",
    "+1{a}{e}{n}",
    "+1 ({a}) {e} {n}",
    "+1-{a}-{e}-{n}",
]
nanp_numbers = st.builds(
    lambda layout, area, exchange, number: layout.format(a=area, e=exchange, n=f"{number:04d}"),
    st.sampled_from(_NANP_LAYOUTS),
    st.integers(200, 999),
    st.integers(200, 999),
    st.integers(0, 9999),
)
regions = st.sampled_from(["US", "CA", "PR", "GU", "JM", "GB", "DE", "MX"])


def _phonenumbers_e164(phone: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return None
    if (
        phonenumbers.is_possible_number_with_reason(number)
        != phonenumbers.ValidationResult.IS_POSSIBLE
    ):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@PROPERTY
@given(st.lists(st.tuples(nanp_numbers, regions), min_size=1, max_size=40))
def test_the_phone_fast_path_agrees_with_phonenumbers_on_nanp_numbers(numbers):
    phones, regions_of_rows = zip(*numbers, strict=True)
    fast = normalise._phones_fast_path(strings(*phones), strings(*regions_of_rows))
    for phone, region, e164 in zip(phones, regions_of_rows, fast, strict=True):
        nanp = region in ("US", "CA", "PR", "GU", "JM") or phone.startswith("+1")
        assert e164 == (_phonenumbers_e164(phone, region) if nanp else None)


@PROPERTY
@given(st.lists(st.tuples(st.text("0123456789 ()-.+", max_size=16), regions), max_size=40))
def test_the_phone_fast_path_accepts_only_what_phonenumbers_accepts(numbers):
    phones = strings(*(phone for phone, _ in numbers))
    fast = normalise._phones_fast_path(phones, strings(*(region for _, region in numbers)))
    for (phone, region), e164 in zip(numbers, fast, strict=True):
        if e164 is not None:
            assert e164 == _phonenumbers_e164(phone, region)


# --- countries and languages ------------------------------------------------------------


def test_countries_are_read_from_codes_names_and_common_aliases():
    countries = strings("us", "USA", "U.S.", "United States of America", "united states")
    countries = pl.concat([countries, strings("UK", "Great Britain", "England", "de", "DEU")])
    checked = normalise.normalise_countries(
        pl.concat([countries, strings("Germany", "Côte d’Ivoire", "South Korea", "Turkey")])
    )
    assert checked["country"].to_list() == [
        *["US"] * 5,
        *["GB"] * 3,
        "DE",
        "DE",
        "DE",
        "CI",
        "KR",
        "TR",
    ]
    assert checked["problem"].null_count() == len(checked)


def test_territories_keep_their_own_country_codes():
    checked = normalise.normalise_countries(strings("Puerto Rico", "Guam", "U.S. Virgin Islands"))
    assert checked["country"].to_list() == ["PR", "GU", "VI"]


def test_unknown_countries_are_dropped_with_a_reason():
    checked = normalise.normalise_countries(strings("Narnia", None, ""))
    assert checked.rows() == [(None, "unknown country"), (None, None), (None, None)]


def test_languages_become_lower_case_primary_tags():
    languages = strings("en", "EN-us", "en_GB", "English", "Spanish", "español", "ESPANOL", "spa")
    languages = pl.concat([languages, strings("zh-Hant-TW", "中文", "Tiếng Việt", "Tagalog")])
    assert normalise.normalise_languages(languages).to_list() == [
        *["en"] * 4,
        *["es"] * 4,
        "zh",
        "zh",
        "vi",
        "tl",
    ]


def test_unknown_or_missing_languages_are_null():
    languages = strings("Elvish", "no preference", "x-private", None, "  ")
    assert normalise.normalise_languages(languages).to_list() == [None] * 5


# --- US addresses -----------------------------------------------------------------------


def us_addresses(**columns: list[str | None]) -> pl.DataFrame:
    size = len(next(iter(columns.values())))
    fields = ("line1", "line2", "city", "state", "postcode", "single_line")
    return normalise.normalise_us_addresses(
        **{name: pl.Series(columns.get(name, [None] * size), dtype=pl.String) for name in fields}
    )


def test_split_addresses_are_written_in_usps_style():
    address = us_addresses(
        line1=[" 123  Main St., "],
        line2=["Apt. 4"],
        city=["san  antonio"],
        state=["tx"],
        postcode=["78205"],
    )
    assert address.rows() == [("123 MAIN ST", "APT 4", "SAN ANTONIO", "TX", "78205", None)]


@pytest.mark.parametrize(
    ("state", "code"),
    [
        ("Texas", "TX"),
        ("texas", "TX"),
        ("New  York", "NY"),
        ("N.Y.", "NY"),
        ("District of Columbia", "DC"),
        ("Washington, D.C.", "DC"),
        ("Puerto Rico", "PR"),
        ("guam", "GU"),
        ("U.S. Virgin Islands", "VI"),
        ("American Samoa", "AS"),
        ("Northern Mariana Islands", "MP"),
        ("AE", "AE"),
    ],
)
def test_state_names_and_codes_become_usps_codes(state, code):
    assert us_addresses(state=[state])["state"].to_list() == [code]


def test_an_unknown_state_is_left_empty_rather_than_guessed():
    address = us_addresses(state=["Texass"], postcode=["78205"])
    assert address.rows() == [(None, None, None, None, "78205", "unknown US state")]


@pytest.mark.parametrize(
    ("state", "postcode", "zip_code"),
    [
        ("MA", "2108", "02108"),
        ("New Jersey", "7001", "07001"),
        ("PR", "907", "00907"),
        ("NY", "6390", "06390"),
        ("MA", "21081234", "02108-1234"),
        ("TX", "787011234", "78701-1234"),
        ("TX", "78701 1234", "78701-1234"),
        ("TX", "78701-1234", "78701-1234"),
    ],
)
def test_zip_codes_are_five_digits_or_zip_plus_four_with_lost_zeros_restored(
    state, postcode, zip_code
):
    address = us_addresses(state=[state], postcode=[postcode])
    assert address.select("postcode", "problem").row(0) == (zip_code, None)


@pytest.mark.parametrize(
    ("state", "postcode"),
    [("TX", "7870"), (None, "2108"), ("TX", "ABCDE"), ("TX", "787012"), ("TX", "SW1A 1AA")],
)
def test_malformed_zip_codes_are_dropped_with_a_reason(state, postcode):
    address = us_addresses(state=[state], postcode=[postcode])
    assert address.select("postcode", "problem").row(0) == (None, "invalid ZIP code")


def test_single_line_addresses_are_parsed_only_where_line1_is_missing():
    address = us_addresses(
        line1=[None, "9 Oak Ave"],
        city=[None, "Boston"],
        state=[None, "MA"],
        postcode=[None, "02108"],
        single_line=["123 Main Street, Apt 4, Austin, Texas 78701", "1 Elm St, Dallas, TX 75201"],
    )
    assert address.rows() == [
        ("123 MAIN ST", "APT 4", "AUSTIN", "TX", "78701", None),
        ("9 OAK AVE", None, "BOSTON", "MA", "02108", None),
    ]


def test_a_single_line_address_scourgify_cannot_read_is_reported():
    # scourgify cannot parse PO boxes at all.
    address = us_addresses(single_line=["hello world", "PO Box 12, Boston MA 02108"])
    assert address["problem"].to_list() == ["address not understood"] * 2
    assert address["line1"].to_list() == [None, None]


def test_missing_address_parts_are_null_without_problems():
    address = us_addresses(line1=[None, "  "], single_line=[None, ""])
    assert address.rows() == [(None,) * 6] * 2


def test_an_all_null_single_line_column_may_come_typed_null():
    address = normalise.normalise_us_addresses(
        strings("1 Elm St"),
        strings(None),
        strings("Dallas"),
        strings("TX"),
        strings("75201"),
        pl.Series([None]),
    )
    assert address.rows() == [("1 ELM ST", None, "DALLAS", "TX", "75201", None)]


# --- ZIPs and states --------------------------------------------------------------------


def test_puerto_rico_zips_belong_to_puerto_rico_and_008_to_the_virgin_islands():
    zips = strings("00601", "00725", "00901", "00802")
    assert normalise.states_from_zip(zips).to_list() == ["PR", "PR", "PR", "VI"]


def test_zips_whose_prefix_other_states_share_are_looked_up_whole():
    zips = strings("06390", "06101", "96950", "96910", "96799", "96813")
    assert normalise.states_from_zip(zips).to_list() == ["NY", "CT", "MP", "GU", "AS", "HI"]


def test_zip_plus_four_and_military_zips_have_a_state():
    zips = strings("78701-1234", "09012", "96201", "34001")
    assert normalise.states_from_zip(zips).to_list() == ["TX", "AE", "AP", "AA"]


def test_unknown_or_malformed_zips_have_no_state():
    zips = strings("00000", "ABCDE", "7870", None, "")
    assert normalise.states_from_zip(zips).to_list() == [None] * 5


def test_a_texas_state_with_a_california_zip_is_a_conflict():
    states = strings("TX", "TX", "Texas", None, "TX", "ZZ")
    zips = strings("90210", "78701", "90210", "90210", None, "90210")
    conflicts = normalise.zip_state_conflicts(states, zips)
    assert conflicts.dtype == pl.Boolean
    assert conflicts.to_list() == [True, False, True, False, False, False]


# --- flags and dates --------------------------------------------------------------------


def test_yes_and_no_words_in_any_case_become_flags():
    flags = strings("Y", "yes", "TRUE", "t", "1", " x ", "n", "No", "false", "F", "0", "", None)
    parsed = normalise.parse_flags(flags)
    assert parsed["flag"].to_list() == [*[True] * 6, *[False] * 7]
    assert parsed["problem"].null_count() == len(flags)


def test_other_flag_values_are_dropped_with_a_reason():
    parsed = normalise.parse_flags(strings("maybe", "2"))
    assert parsed.schema == pl.Schema({"flag": pl.Boolean, "problem": pl.String})
    assert parsed.rows() == [(None, "not a yes/no value")] * 2


def test_dates_are_read_in_iso_us_and_compact_forms():
    values = strings("1985-03-07", "03/07/1985", "3/7/1985", "19850307", "1985-03-07 00:00:00")
    parsed = normalise.parse_dates(values)
    assert parsed.schema == pl.Schema({"date": pl.Date, "problem": pl.String})
    assert parsed.rows() == [(date(1985, 3, 7), None)] * 5


def test_impossible_dates_are_dropped_but_leap_days_are_kept():
    parsed = normalise.parse_dates(strings("2021-02-29", "02/30/2020", "13/01/1985", "2000-02-29"))
    assert parsed.rows() == [
        (None, "no such date"),
        (None, "no such date"),
        (None, "no such date"),
        (date(2000, 2, 29), None),
    ]


@time_machine.travel(date(2026, 11, 24))
def test_dates_in_the_future_or_before_1900_are_dropped():
    parsed = normalise.parse_dates(strings("2026-11-24", "2026-11-25", "1900-01-01", "1899-12-31"))
    assert parsed.rows() == [
        (date(2026, 11, 24), None),
        (None, "date in the future"),
        (date(1900, 1, 1), None),
        (None, "date before 1900"),
    ]


@pytest.mark.parametrize("value", ["03/07/85", "1985-3-7", "7 March 1985", "1985-03-07T10:30"])
def test_dates_in_other_forms_are_dropped_with_a_reason(value):
    parsed = normalise.parse_dates(strings(value))
    assert parsed.rows() == [(None, "not a date in YYYY-MM-DD, MM/DD/YYYY or YYYYMMDD form")]


def test_missing_dates_are_null_without_a_problem():
    assert normalise.parse_dates(strings(None, "", " ")).rows() == [(None, None)] * 3


# --- all of them ------------------------------------------------------------------------

NORMALISERS = {
    "normalise_text": lambda column: normalise.normalise_text(column),
    "split_full_names": lambda column: normalise.split_full_names(column),
    "normalise_emails": lambda column: normalise.normalise_emails(column),
    "normalise_phones": lambda column: normalise.normalise_phones(column, column),
    "normalise_countries": lambda column: normalise.normalise_countries(column),
    "normalise_us_addresses": lambda column: normalise.normalise_us_addresses(*[column] * 6),
    "states_from_zip": lambda column: normalise.states_from_zip(column),
    "zip_state_conflicts": lambda column: normalise.zip_state_conflicts(column, column),
    "normalise_languages": lambda column: normalise.normalise_languages(column),
    "parse_flags": lambda column: normalise.parse_flags(column),
    "parse_dates": lambda column: normalise.parse_dates(column),
}


@pytest.mark.parametrize("name", NORMALISERS)
@pytest.mark.parametrize("column", [strings(), pl.Series([None, None, None])])
def test_every_normaliser_keeps_one_answer_per_row_for_empty_and_all_null_columns(name, column):
    assert len(NORMALISERS[name](column)) == len(column)
