"""The fast paths give what the plain ones give: Arrow's CSV split, per-distinct parsing, HMAC."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pandas as pd
import pytest

from analysis.ingest import nhs_number, read
from analysis.ingest.contract import CONTRACTS
from analysis.ingest.parse import _parse_kind, parse_column

REFERRALS = CONTRACTS["referrals"]
HEADER = ",".join(REFERRALS.names)
ROW = (
    'R1,943 476 5919,,06/01/2025, f84001 ,GP,LW1,45-54,Female,white,E01000001,"msk; obesity",'
    '"https://example.org/a,b",,2025-01-08,,attending,'
)


def _both(path: Path) -> tuple[read.RawTable, read.RawTable]:
    data = read._csv_text_bytes(path)
    fast = read._read_csv_arrow(path, data, REFERRALS)
    assert fast is not None, "a regular file should take the Arrow path"
    header, rows, malformed, blank = read._read_csv(path, data)
    names = list(REFERRALS.names)
    plain = pd.DataFrame([r for _, r in rows], columns=header, index=[n for n, _ in rows])
    plain = plain[names].astype(read.TEXT).apply(lambda c: c.str.strip())
    return fast, read.RawTable(plain, malformed, [], blank)


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_arrow_split_equals_the_csv_module(tmp_path: Path, ending: str) -> None:
    body = [ROW, ROW.replace("R1,", "R2,").replace("msk; obesity", 'said ""no""\nthen yes')]
    path = tmp_path / "r.csv"
    path.write_bytes(("\ufeff" + HEADER + ending + ending.join(body) + ending).encode("utf-8"))
    fast, plain = _both(path)
    assert fast.cells.to_dict() == plain.cells.to_dict()
    assert list(fast.cells.index) == [1, 2]
    assert fast.cells.loc[2, "conditions"] == 'said "no"\nthen yes'


@pytest.mark.parametrize(
    ("text", "blank", "malformed"),
    [
        (HEADER + "\n" + ROW + "\n\n" + ROW + "\n", 1, []),  # a blank line is counted
        (HEADER + "\n" + ROW + "\n" + ROW + ",stray\n", 0, [2]),  # a wrong-width row is reported
        ('"referral_id",' + HEADER.split(",", 1)[1] + "\n" + ROW + "\n" + ROW + "\n", 0, []),
    ],
)
def test_irregular_files_take_the_row_by_row_reader(
    tmp_path: Path, text: str, blank: int, malformed: list[int]
) -> None:
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    assert read._read_csv_arrow(path, read._csv_text_bytes(path), REFERRALS) is None
    table = read.read_table(path, REFERRALS)
    assert (table.rows_read, table.blank_lines, sorted(table.malformed)) == (2, blank, malformed)


def test_parsing_each_distinct_cell_once_equals_parsing_every_cell() -> None:
    cells = {
        "referral_date": ["2025-01-06", "06/01/2025", "2024-02-30", "", "2025-01-06"],
        "conditions": ["msk;obesity", "MSK; msk", "", "cancer;flu", "msk;obesity"],
        "age_band": ["45-54", "unknown", "40-49", "", "45-54"],
        "practice_code": ["f84001", "F8400", "", "F84001", "f84001"],
    }
    for name, values in cells.items():
        column = REFERRALS.column(name)
        series = pd.Series(values, index=[3, 5, 7, 9, 11], dtype=read.TEXT)
        got, got_bad = parse_column(series, column)
        want, want_bad = _parse_kind(series, column)
        assert got.isna().tolist() == want.isna().tolist(), name
        assert got.dropna().tolist() == want.dropna().tolist(), name
        assert got_bad.tolist() == want_bad.astype(bool).tolist(), name
        assert list(got.index) == [3, 5, 7, 9, 11]


@pytest.mark.parametrize("key", [b"short key", b"k" * 64, b"a much longer key " * 8])
def test_pseudonym_is_the_standard_hmac(key: bytes) -> None:
    numbers = pd.Series(["9434765919", "4010232137"], index=[4, 8])
    got = nhs_number.pseudonymise(numbers, key)
    want = [hmac.new(key, n.encode(), hashlib.sha256).hexdigest() for n in numbers]
    assert got.tolist() == want
    assert list(got.index) == [4, 8]
