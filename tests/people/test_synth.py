"""The synthetic affected-people list: what someone importing or demoing it would notice."""

from __future__ import annotations

import csv
import functools
import re
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from breachdesk.inputs import InputError
from breachdesk.people.synth import COLUMNS, SynthSummary, write_synthetic_people
from breachdesk.people.synth import data as synth_data
from breachdesk.people.synth_cli import synth_app

ROWS = 200_000
US_SPELLINGS = {"US", "USA", "United States", ""}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]+$")
FIELD = {column: position for position, column in enumerate(COLUMNS)}
DIGITS_AS_NINES = str.maketrans("0123456789", "9999999999")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[SynthSummary, list[list[str]]]:
    """A 200,000-row CSV with the default shares, read back with the csv module."""
    path = tmp_path_factory.mktemp("synth") / "people.csv"
    summary = write_synthetic_people(path=path, count=ROWS, seed=2026)
    with path.open(encoding="utf-8", newline="") as handle:
        return summary, list(csv.reader(handle))


def whole_rows(rows: list[list[str]]) -> list[list[str]]:
    return [row for row in rows[1:] if len(row) == len(COLUMNS)]


def value(row: list[str], column: str) -> str:
    return row[FIELD[column]]


def in_us(row: list[str]) -> bool:
    return value(row, "country") in US_SPELLINGS and value(row, "state") != ""


def one_slip_apart(a: str, b: str) -> bool:
    """One letter dropped, added or changed."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    shorter, longer = sorted((a, b), key=len)
    return any(longer[:at] + longer[at + 1 :] == shorter for at in range(len(longer)))


@functools.cache
def zips_of(state: str) -> set[str]:
    zips = set()
    for item in synth_data.US_ZIP_RANGES[state].split():
        low, _, high = item.partition("-")
        if len(low) == 3:
            zips |= {f"{zip3:03d}" for zip3 in range(int(low), int(high or low) + 1)}
        else:
            zips |= {f"{code:05d}" for code in range(int(low), int(high or low) + 1)}
    return zips


# --- the file -----------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_the_same_seed_writes_the_same_bytes(tmp_path: Path, file_format: str):
    first, second = tmp_path / f"a.{file_format}", tmp_path / f"b.{file_format}"
    write_synthetic_people(path=first, count=5_000, seed=7, file_format=file_format)
    write_synthetic_people(path=second, count=5_000, seed=7, file_format=file_format)
    assert first.read_bytes() == second.read_bytes()


def test_another_seed_writes_other_people(tmp_path: Path):
    write_synthetic_people(path=tmp_path / "a.csv", count=2_000, seed=7)
    write_synthetic_people(path=tmp_path / "b.csv", count=2_000, seed=8)
    first = (tmp_path / "a.csv").read_text(encoding="utf-8").splitlines()
    second = (tmp_path / "b.csv").read_text(encoding="utf-8").splitlines()
    assert first[0] == second[0]
    assert not set(first[1:]) & set(second[1:])


def test_the_header_names_every_column_in_order_and_rows_fill_them(big):
    summary, rows = big
    assert rows[0] == list(COLUMNS)
    assert len(rows) - 1 == summary.rows_written == ROWS
    ragged = summary.bad_row_kinds["extra_field"] + summary.bad_row_kinds["missing_field"]
    assert len(whole_rows(rows)) == ROWS - ragged


def test_an_empty_list_is_just_the_header(tmp_path: Path):
    summary = write_synthetic_people(path=tmp_path / "none.csv", count=0, seed=1)
    assert (tmp_path / "none.csv").read_text(encoding="utf-8") == ",".join(COLUMNS) + "\n"
    assert summary.rows_written == summary.unique_people == summary.bad_rows == 0


def test_parquet_holds_the_same_people_as_strings_and_no_ragged_rows(tmp_path: Path):
    csv_summary = write_synthetic_people(path=tmp_path / "p.csv", count=5_000, seed=3)
    summary = write_synthetic_people(
        path=tmp_path / "p.parquet", count=5_000, seed=3, file_format="parquet"
    )
    table = pq.read_table(tmp_path / "p.parquet")
    assert table.column_names == list(COLUMNS)
    assert {str(field.type) for field in table.schema} == {"string"}
    assert table.num_rows == summary.rows_written == 5_000
    assert "extra_field" not in summary.bad_row_kinds
    assert "missing_field" not in summary.bad_row_kinds
    with (tmp_path / "p.csv").open(encoding="utf-8", newline="") as handle:
        csv_ids = [row[0] for row in list(csv.reader(handle))[1:]]
    assert table.column("customer_id").to_pylist() == csv_ids
    assert summary.unique_people == csv_summary.unique_people


# --- who is on it -------------------------------------------------------------------------


def test_every_state_and_territory_appears_in_proportion_to_its_population(big):
    _, rows = big
    states = Counter(value(row, "state") for row in whole_rows(rows) if in_us(row))
    assert set(states) == set(synth_data.US_POPULATION_2020)
    largest = [state for state, _ in states.most_common(5)]
    assert largest == ["CA", "TX", "FL", "NY", "PA"]
    people, population = sum(states.values()), sum(synth_data.US_POPULATION_2020.values())
    for state, residents in synth_data.US_POPULATION_2020.items():
        expected = people * residents / population
        if expected > 1_000:
            assert abs(states[state] - expected) < 0.1 * expected, state


def test_us_addresses_have_a_zip_of_their_state(big):
    _, rows = big
    for row in whole_rows(rows):
        if in_us(row):
            postcode, state = value(row, "postcode"), value(row, "state")
            assert len(postcode) == 5 and postcode.isdigit()
            assert postcode[:3] in zips_of(state) or postcode in zips_of(state)


def test_a_few_people_live_abroad_with_local_postcodes(big):
    _, rows = big
    abroad = [row for row in whole_rows(rows) if value(row, "country") not in US_SPELLINGS]
    assert 0.025 < len(abroad) / ROWS < 0.035
    countries = Counter(value(row, "country") for row in abroad)
    assert {"GB", "DE", "CA", "FR", "MX", "AU", "IN"} <= set(countries)
    british = [value(row, "postcode") for row in abroad if value(row, "country") == "GB"]
    assert all(re.fullmatch(r"[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}", code) for code in british)
    assert all(value(row, "phone").startswith("+") for row in abroad)


def test_spanish_is_asked_for_most_where_it_is_spoken_most(big):
    _, rows = big
    us_rows = [row for row in whole_rows(rows) if in_us(row)]
    languages = Counter(value(row, "language") for row in us_rows)
    assert languages.most_common(2)[0][0] == "en"
    assert languages.most_common(2)[1][0] == "es"

    def spanish_share(states: set[str]) -> float:
        chosen = [value(row, "language") for row in us_rows if value(row, "state") in states]
        return chosen.count("es") / len(chosen)

    assert spanish_share({"PR"}) > 0.5
    assert spanish_share({"TX", "CA", "FL"}) > 2 * spanish_share({"OH", "MI", "PA", "IN"})


def test_people_are_of_every_age_and_only_a_few_are_minors(big):
    _, rows = big
    ages = [2025 - int(value(row, "date_of_birth")[:4]) for row in whole_rows(rows)]
    assert min(ages) == 0 and max(ages) == 95
    assert 0.005 < sum(age < 18 for age in ages) / len(ages) < 0.05


def test_exposure_flags_are_y_or_empty_in_realistic_shares(big):
    _, rows = big
    us_rows = [row for row in whole_rows(rows) if in_us(row)]
    for column, share in synth_data.EXPOSURE_SHARES.items():
        flags = Counter(value(row, column) for row in us_rows)
        assert set(flags) == {"Y", ""}
        assert abs(flags["Y"] / len(us_rows) - share) < 0.01, column


def test_names_keep_accents_apostrophes_and_hyphens(big):
    _, rows = big
    names = {value(row, "first_name") for row in whole_rows(rows)}
    names |= {value(row, "last_name") for row in whole_rows(rows)}
    assert {"José", "Zoë", "Nguyễn", "O'Brien", "Smith-Jones"} <= names


def test_phone_numbers_come_in_the_formats_customers_write(big):
    _, rows = big
    phones = [value(row, "phone") for row in whole_rows(rows) if in_us(row)]
    shapes = Counter(phone.translate(DIGITS_AS_NINES) for phone in phones)
    written = {"(999) 999-9999", "999-999-9999", "9999999999", "999.999.9999"}
    assert set(shapes) == written | {"+9 999 999 9999", "+99999999999"}
    # 555-0100 to 555-0199: the numbers set aside for fiction.
    assert all("".join(filter(str.isdigit, phone))[-7:-2] == "55501" for phone in phones)


# --- duplicates, near-duplicates, broken rows ---------------------------------------------


def test_duplicates_come_in_the_requested_share_and_match_the_summary(big):
    summary, rows = big
    assert summary.exact_duplicates == sum(summary.duplicate_kinds.values()) == 0.03 * ROWS
    people = whole_rows(rows)
    ids = Counter(value(row, "customer_id") for row in people)
    emails = Counter(value(row, "email").lower() for row in people if value(row, "email"))
    identity = ("first_name", "last_name", "date_of_birth", "postcode")
    identities = Counter(tuple(value(row, column) for column in identity) for row in people)
    kinds = summary.duplicate_kinds
    assert sum(ids.values()) - len(ids) == kinds["same_customer_id"]
    same_email = kinds["same_customer_id"] + kinds["same_email_other_case"]
    assert sum(emails.values()) - len(emails) == same_email
    # Every exact duplicate keeps the name, birth date and postcode; strangers rarely share all.
    assert 0 <= sum(identities.values()) - len(identities) - summary.exact_duplicates < 10
    assert summary.unique_people == ROWS - summary.exact_duplicates - summary.near_duplicates


def test_duplicates_follow_the_person_they_copy_some_close_some_far(big):
    _, rows = big
    first_seen: dict[str, int] = {}
    distances = []
    for number, row in enumerate(rows[1:]):
        customer = row[0]
        if customer in first_seen:
            distances.append(number - first_seen[customer])
        first_seen.setdefault(customer, number)
    assert min(distances) > 0
    assert sum(distance < 200 for distance in distances) > len(distances) / 4
    assert sum(distance > 20_000 for distance in distances) > len(distances) / 4


def test_near_duplicates_share_an_address_and_differ_by_a_slip_or_a_nickname(big):
    summary, rows = big
    assert summary.near_duplicates == 0.01 * ROWS
    nicknames = set(synth_data.NICKNAMES.items())

    def address(row: list[str]) -> tuple[str, ...]:
        return tuple(row[FIELD["address_line1"] : FIELD["postcode"] + 1])

    people = whole_rows(rows)
    shared = {place for place, times in Counter(map(address, people)).items() if times > 1}
    seen: defaultdict[tuple[str, ...], list[list[str]]] = defaultdict(list)
    near = 0
    for row in people:
        if address(row) not in shared:
            continue
        first, last = value(row, "first_name"), value(row, "last_name")
        for other in seen[address(row)]:
            if other[0] == row[0] or value(other, "email").lower() == value(row, "email").lower():
                continue
            other_first, other_last = value(other, "first_name"), value(other, "last_name")
            if (first == other_first and one_slip_apart(last, other_last)) or (
                last == other_last
                and (one_slip_apart(first, other_first) or (other_first, first) in nicknames)
            ):
                near += 1
                break
        seen[address(row)].append(row)
    assert summary.near_duplicates * 0.95 < near <= summary.near_duplicates * 1.02


def test_bad_rows_are_broken_as_the_summary_says(big):
    summary, rows = big
    kinds = summary.bad_row_kinds
    assert summary.bad_rows == sum(kinds.values())
    assert 0.0015 * ROWS < summary.bad_rows < 0.0025 * ROWS
    fields = Counter(len(row) for row in rows[1:])
    assert fields[len(COLUMNS) + 1] == kinds["extra_field"] > 0
    assert fields[len(COLUMNS) - 1] == kinds["missing_field"] > 0
    people = whole_rows(rows)
    assert sum("\x00" in "".join(row) for row in people) == kinds["nul_in_name"] > 0
    unreachable = [row for row in people if not any(row[3:11])]
    assert len(unreachable) == kinds["no_contact_or_jurisdiction"] > 0
    invalid = [row for row in people if value(row, "email") and not EMAIL.match(row[3])]
    assert len(invalid) == kinds["invalid_email"] > 0


def test_emails_repeat_only_in_duplicates(big):
    summary, rows = big
    emails = {value(row, "email").lower() for row in whole_rows(rows) if value(row, "email")}
    kinds = summary.duplicate_kinds
    repeats = kinds["same_customer_id"] + kinds["same_email_other_case"]
    without_email = summary.bad_row_kinds["no_contact_or_jurisdiction"]
    ragged = summary.bad_row_kinds["extra_field"] + summary.bad_row_kinds["missing_field"]
    assert len(emails) == ROWS - repeats - without_email - ragged


# --- options ------------------------------------------------------------------------------


def test_the_cli_writes_the_file_and_says_what_is_in_it(tmp_path: Path):
    out = tmp_path / "people.csv"
    result = CliRunner().invoke(
        synth_app, ["people", "--count", "1000", "--seed", "5", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"wrote 1,000 rows to {out}: 960 unique people, 30 dup")
    assert len(result.output.strip().splitlines()) == 1
    assert out.read_text(encoding="utf-8").count("\n") >= 1_000


@pytest.mark.parametrize(
    ("option", "given", "named"),
    [
        ("--count", "-5", "--count: must be from 0"),
        ("--seed", "-1", "--seed: must be from 0"),
        ("--format", "xlsx", "--format: must be csv or parquet"),
        ("--duplicate-share", "0.7", "--duplicate-share: must be from 0 to 0.5"),
        ("--near-duplicate-share", "-0.1", "--near-duplicate-share: must be from 0 to 0.5"),
        ("--bad-row-share", "nan", "--bad-row-share: must be from 0 to 0.5"),
        ("--international-share", "0.51", "--international-share: must be from 0 to 0.5"),
        ("--out", "{missing}/people.csv", "--out: folder"),
    ],
)
def test_invalid_options_are_refused_naming_the_option(tmp_path, option, given, named):
    options = {"--count": "10", "--seed": "1", "--out": str(tmp_path / "people.csv")}
    options[option] = given.format(missing=tmp_path / "missing")
    arguments = ["people", *(part for pair in options.items() for part in pair)]
    result = CliRunner().invoke(synth_app, arguments)
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {named}")
    assert not (tmp_path / "people.csv").exists()


def test_shares_that_leave_no_one_to_duplicate_are_refused(tmp_path: Path):
    with pytest.raises(InputError, match="--duplicate-share and --near-duplicate-share"):
        write_synthetic_people(
            path=tmp_path / "p.csv",
            count=10,
            seed=1,
            duplicate_share=0.5,
            near_duplicate_share=0.5,
        )
