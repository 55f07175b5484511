"""Tests for analysis.export.tables: formula neutralising, numeric cells, atomic writes."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis.disclosure import REDACTED, protect_table
from analysis.export.tables import write_csv, write_xlsx

INJECTIONS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def injected_frame(text: str) -> pd.DataFrame:
    """The string in a header, a text column and a mixed column."""
    return pd.DataFrame({text: ["a", "b"], "name": [text, "ok"], "mixed": [text, 3]})


@pytest.mark.parametrize("text", INJECTIONS)
def test_csv_neutralises_formula_like_text_in_every_field(text: str, tmp_path: Path) -> None:
    rows = read_csv(write_csv(injected_frame(text), tmp_path / "t.csv"))
    assert rows[0] == ["'" + text, "name", "mixed"]
    assert rows[1] == ["a", "'" + text, "'" + text]
    assert rows[2] == ["b", "ok", "3"]


@pytest.mark.parametrize("text", INJECTIONS)
def test_xlsx_neutralises_formula_like_text_in_every_field(text: str, tmp_path: Path) -> None:
    path = write_xlsx({"Sheet": injected_frame(text)}, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(path)["Sheet"]
    for cell in (sheet["A1"], sheet["B2"], sheet["C2"]):
        assert cell.data_type != "f"
        # XML reads a carriage return back as a line feed; the leading quote is what matters
        assert cell.value == "'" + text.replace("\r", "\n")
    assert sheet["C3"].value == 3 and sheet["C3"].data_type == "n"


def test_xlsx_control_characters_are_removed_and_cannot_expose_a_formula(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": ["\x00=1+1", "a\x01b"]})
    sheet = openpyxl.load_workbook(write_xlsx({"S": frame}, tmp_path / "t.xlsx"))["S"]
    assert [sheet["A2"].value, sheet["A3"].value] == ["'=1+1", "ab"]
    assert sheet["A2"].data_type != "f"


def frame_of_every_kind() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pcn_code": ["U1", "U2", "U3"],
            "month": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]).date,
            "referrals": [120, 0, -4],
            "uptake": [0.6625, np.nan, 1.5e-7],
            "started": pd.array([10, None, 5], dtype="Int64"),
            "pilot": [True, False, True],
            "note": ["plain", None, "-5"],
        }
    )


def test_csv_round_trip_keeps_columns_order_and_values(tmp_path: Path) -> None:
    frame = frame_of_every_kind()
    rows = read_csv(write_csv(frame, tmp_path / "t.csv"))
    assert rows[0] == list(frame.columns)  # stable order, no index column
    assert rows[1] == ["U1", "2025-01-01", "120", "0.6625", "10", "True", "plain"]
    assert rows[2] == ["U2", "2025-02-01", "0", "", "", "False", ""]
    assert rows[3] == ["U3", "2025-03-01", "-4", "1.5e-07", "5", "True", "-5"]
    back = pd.read_csv(tmp_path / "t.csv")
    assert back["referrals"].tolist() == [120, 0, -4]
    assert back["uptake"].tolist()[::2] == [0.6625, 1.5e-7]


def test_csv_is_utf8(tmp_path: Path) -> None:
    frame = pd.DataFrame({"name": ["Tŵr PCN — ≤ 7"]})
    path = write_csv(frame, tmp_path / "t.csv")
    assert path.read_bytes().decode("utf-8").splitlines() == ["name", "Tŵr PCN — ≤ 7"]


def test_xlsx_round_trip_keeps_numbers_numeric(tmp_path: Path) -> None:
    frame = frame_of_every_kind()
    path = write_xlsx({"Uptake": frame, "Second": frame.head(1)}, tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Uptake", "Second"]
    sheet = book["Uptake"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == list(frame.columns)
    assert rows[1][2:6] == [120, 0.6625, 10, True]
    assert rows[2][2:6] == [0, None, None, False]
    assert rows[3][2] == -4 and rows[3][6] == "-5"  # a negative number; a text "-5" stays text
    assert sheet["C4"].data_type == "n" and sheet["D2"].data_type == "n"
    assert sheet["B2"].is_date and sheet["B2"].value == dt.datetime(2025, 1, 1)
    assert sheet.freeze_panes == "A2"
    assert all(8 <= sheet.column_dimensions[c].width <= 60 for c in "ABCDEFG")


def test_redaction_markers_are_text_and_counts_are_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame({"pcn": ["A", "B"], "referrals": [3, 42]})
    protected, _ = protect_table(frame, count_columns=["referrals"])
    sheet = openpyxl.load_workbook(write_xlsx({"t": protected}, tmp_path / "t.xlsx"))["t"]
    assert (sheet["B2"].value, sheet["B2"].data_type) == (REDACTED, "s")
    assert (sheet["B3"].value, sheet["B3"].data_type) == (40, "n")
    assert read_csv(write_csv(protected, tmp_path / "t.csv"))[1:] == [
        ["A", REDACTED],
        ["B", "40"],
    ]


def test_the_index_is_not_written(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": [1, 2]}, index=["x", "y"])
    assert read_csv(write_csv(frame, tmp_path / "t.csv")) == [["a"], ["1"], ["2"]]


def test_infinity_is_written_as_neutralised_text(tmp_path: Path) -> None:
    frame = pd.DataFrame({"upper": [np.inf, -np.inf]})
    assert read_csv(write_csv(frame, tmp_path / "t.csv"))[1:] == [["inf"], ["'-inf"]]


def test_writes_are_atomic_and_leave_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "t.csv"
    target.write_text("old", encoding="utf-8")

    class Boom:
        def __str__(self) -> str:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_csv(pd.DataFrame({"a": [Boom()]}), target)
    assert target.read_text(encoding="utf-8") == "old"  # the old file is untouched
    write_csv(pd.DataFrame({"a": [1]}), target)
    write_xlsx({"s": pd.DataFrame({"a": [1]})}, tmp_path / "t.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv", "t.xlsx"]


@pytest.mark.parametrize("sheets", [{}, {"a" * 32: pd.DataFrame()}, {"a/b": pd.DataFrame()},
                                    {"Same": pd.DataFrame(), "same": pd.DataFrame()}])  # fmt: skip
def test_bad_sheet_names_are_refused(sheets: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_xlsx(sheets, tmp_path / "t.xlsx")
    assert not list(tmp_path.iterdir())
