"""NHS numbers: the Modulus-11 rule, and every written number valid unless listed as a fault."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis.demo import nhs_numbers
from tests.unit.demo.helpers import read_rows


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("9434765919", True),
        ("943 476 5919", True),
        ("9434765918", False),
        ("943476591", False),
        ("94347659190", False),
        ("94347659x9", False),
        ("", False),
    ],
)
def test_is_valid(text: str, valid: bool) -> None:
    assert nhs_numbers.is_valid(text) is valid


def test_generated_numbers_are_valid_distinct_and_in_test_range() -> None:
    numbers = nhs_numbers.valid_numbers(np.random.default_rng(1), 5_000)
    assert len(set(numbers.tolist())) == 5_000
    assert all(9990000000 <= n <= 9999999999 for n in numbers)
    assert all(nhs_numbers.is_valid(f"{n:010d}") for n in numbers)


def test_wrong_check_digit_fails() -> None:
    rng = np.random.default_rng(2)
    for n in nhs_numbers.valid_numbers(rng, 200):
        assert not nhs_numbers.is_valid(nhs_numbers.with_wrong_check_digit(int(n), rng))


def test_written_numbers_valid_except_listed_faults(pilot_demo: Path) -> None:
    rows = read_rows(pilot_demo / "referrals.csv")
    listed = {
        int(r["row_number"])
        for r in read_rows(pilot_demo / "truth/bad_rows.csv")
        if r["file"] == "referrals.csv" and r["fault"] == "nhs_number_check_digit"
    }
    assert listed
    for number, row in enumerate(rows, start=1):
        if row["nhs_number"]:
            assert nhs_numbers.is_valid(row["nhs_number"]) is (number not in listed), number
        else:
            assert row["patient_id"].startswith("P-")


def test_identifier_formats(pilot_demo: Path) -> None:
    rows = read_rows(pilot_demo / "referrals.csv")
    plain = sum(len(r["nhs_number"]) == 10 for r in rows) / len(rows)
    spaced = sum(len(r["nhs_number"]) == 12 for r in rows) / len(rows)
    pseudo = sum(bool(r["patient_id"]) for r in rows) / len(rows)
    assert 0.75 < plain < 0.85 and 0.07 < spaced < 0.13 and 0.07 < pseudo < 0.13
