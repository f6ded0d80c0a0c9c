"""Counting a file's people by residence and elements, for what-if assessments."""

from __future__ import annotations

from collections import Counter

import pytest

from breachdesk.people.mapping import MappingFile, plan_columns
from breachdesk.people.records import element_set, elements_to_bits, residence_and_elements
from breachdesk.people.sources import open_source
from breachdesk.people.synth import write_synthetic_people
from breachdesk.rules.people_file import people_groups_from_file
from tests.people.conftest import HEADER, person, write_csv

FACTS_BITS = elements_to_bits(["name", "address", "ssn", "payment_card"])


def _as_counter(groups) -> Counter:
    return Counter({(g.residence, g.elements): g.count for g in groups})


def _row_by_row(path) -> Counter:
    """Every row's residence decided on its own, as an import decides it."""
    info, chunks = open_source(path)
    plan = plan_columns(info.headers, MappingFile())
    counted: Counter = Counter()
    for chunk in chunks:
        decided = residence_and_elements(chunk, plan, FACTS_BITS)
        for residence, bits in decided.select("jurisdiction", "elements").iter_rows():
            counted[(residence, element_set(bits))] += 1
    return counted


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic")
    files = {}
    for file_format in ("csv", "parquet"):
        path = folder / f"people.{file_format}"
        write_synthetic_people(
            path=path, count=20_000, seed=7, file_format=file_format, bad_row_share=0.0
        )
        files[file_format] = path
    return files


def test_grouped_counting_gives_what_each_row_on_its_own_gives(synthetic) -> None:
    expected = _row_by_row(synthetic["csv"])
    for path in synthetic.values():
        found = people_groups_from_file(path, MappingFile(), FACTS_BITS)
        assert found.rows_read == 20_000
        assert _as_counter(found.groups) == expected


def test_a_postcode_decides_only_where_no_state_is_given(tmp_path) -> None:
    rows = [
        person(1, state="TX", postcode="10001"),  # the stated state wins
        person(2, state="", postcode="10001"),  # New York, from the ZIP code
        person(3, state="", postcode="", country="GB", city="London"),
        person(4, state="", postcode="SW1A 1AA", country="GB"),  # a foreign postcode
    ]
    path = write_csv(tmp_path / "people.csv", HEADER, rows)
    found = people_groups_from_file(path, MappingFile(), FACTS_BITS)
    residences = {group.residence: group.count for group in found.groups}
    assert residences == {"US-TX": 1, "US-NY": 1, "GB": 2}


def test_unreadable_rows_are_counted_not_assessed(tmp_path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("state,exposed_ssn\nTX,Y\nCA,Y,extra\nCA,\n", encoding="utf-8")
    found = people_groups_from_file(path, MappingFile(), FACTS_BITS)
    assert (found.rows_read, found.rows_unreadable) == (3, 1)
    assert sum(group.count for group in found.groups) == 2


def test_element_columns_speak_only_for_their_own_elements(tmp_path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("state,exposed_ssn\nTX,Y\nTX,N\n", encoding="utf-8")
    groups = people_groups_from_file(path, MappingFile(), FACTS_BITS).groups
    elements = sorted(sorted(e.value for e in group.elements) for group in groups)
    assert elements == [
        ["address", "name", "payment_card"],
        ["address", "name", "payment_card", "ssn"],
    ]


def test_a_file_without_residence_columns_counts_everyone_as_unknown(tmp_path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("first_name\nAnn\nBo\n", encoding="utf-8")
    groups = people_groups_from_file(path, MappingFile(), FACTS_BITS).groups
    assert [(g.residence, g.elements, g.count) for g in groups] == [(None, None, 2)]


def test_a_header_only_file_has_no_one_to_assess(tmp_path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("state,postcode\n", encoding="utf-8")
    found = people_groups_from_file(path, MappingFile(), FACTS_BITS)
    assert (found.rows_read, found.groups) == (0, [])
