"""``breachdesk synth``: synthetic data for demos, tests and benchmarks."""

from __future__ import annotations

from pathlib import Path

import typer

from breachdesk.clitools import new_app
from breachdesk.people.synth import FORMATS, write_synthetic_people

synth_app = new_app("Synthetic data for demos, tests and benchmarks.")


# Keeps `synth` a group of commands while it has only one.
@synth_app.callback()
def _synth() -> None:
    pass


@synth_app.command("people")
def people(
    count: int = typer.Option(
        ..., "--count", help="Rows to write, duplicates and broken rows included."
    ),
    seed: int = typer.Option(..., "--seed", help="The same seed writes the same bytes."),
    out: Path = typer.Option(..., "--out", help="The file to write; replaced if it exists."),
    file_format: str = typer.Option("csv", "--format", help=" or ".join(FORMATS) + "."),
    duplicate_share: float = typer.Option(
        0.03, "--duplicate-share", help="Share of rows that repeat an earlier person (0-0.5)."
    ),
    near_duplicate_share: float = typer.Option(
        0.01,
        "--near-duplicate-share",
        help="Share of rows at an earlier person's address with a slip in the name (0-0.5).",
    ),
    bad_row_share: float = typer.Option(
        0.002, "--bad-row-share", help="Share of people whose row is broken (0-0.5)."
    ),
    international_share: float = typer.Option(
        0.03, "--international-share", help="Share of people outside the US (0-0.5)."
    ),
) -> None:
    """Write a list of people affected by a breach, made up, with its typical flaws."""
    summary = write_synthetic_people(
        path=out,
        count=count,
        seed=seed,
        file_format=file_format,
        duplicate_share=duplicate_share,
        near_duplicate_share=near_duplicate_share,
        bad_row_share=bad_row_share,
        international_share=international_share,
    )
    typer.echo(
        f"wrote {summary.rows_written:,} rows to {summary.path}: "
        f"{summary.unique_people:,} unique people, {summary.exact_duplicates:,} duplicates, "
        f"{summary.near_duplicates:,} near-duplicates, {summary.bad_rows:,} bad rows; "
        f"{summary.rows_per_second:,.0f} rows/s"
    )
