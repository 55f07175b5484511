"""Readers of each official file: every row accepted or rejected with a reason."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from analysis.ingest.official.detect import detect
from analysis.ingest.official.gp_registrations import (
    read_practice_lsoa,
    read_practice_map,
    read_practice_totals,
)
from analysis.ingest.official.ods import read_epraccur
from analysis.ingest.official.ons_areas import read_centroids, read_imd, read_population
from analysis.ingest.official.records import SourceResult
from tests.unit.official import samples


def _balanced(result: SourceResult) -> None:
    summary = result.summary()
    assert summary["accepted"] + summary["rejected"] == summary["rows"]


def test_practice_map_rejects_a_bad_code_and_keeps_the_pcn(tmp_path: Path) -> None:
    result = read_practice_map(detect(samples.practice_map(tmp_path)))
    _balanced(result)
    assert list(result.accepted["practice_code"]) == ["A00001", "A00002", "A00003"]
    assert result.accepted.set_index("practice_code").loc["A00002", "pcn_code"] == "U00002"
    assert result.accepted["postcode"].iloc[0] == "AB11AA"
    assert "PRACTICE_CODE 'A0004'" in result.rejects["reason"].iloc[0]


def test_practice_totals_use_the_all_ages_all_sexes_rows(tmp_path: Path) -> None:
    result = read_practice_totals(detect(samples.practice_totals(tmp_path)))
    _balanced(result)
    totals = result.accepted.set_index("practice_code")["registered_patients"]
    assert totals.to_dict() == {"A00001": 5000, "A00002": 8000, "A00003": 1200}
    assert result.rejects["field"].tolist() == ["patients"]


def test_practice_lsoa_rejects_the_unknown_residence_row(tmp_path: Path) -> None:
    result = read_practice_lsoa(detect(samples.practice_lsoa(tmp_path)))
    _balanced(result)
    assert len(result.accepted) == 5
    assert "NO2011" in result.rejects["reason"].iloc[0]


def test_a_row_with_a_stray_comma_is_rejected_not_dropped(tmp_path: Path) -> None:
    path = samples.practice_lsoa(tmp_path)
    with path.open("a", encoding="utf-8") as fh:
        fh.write("GP_PRAC_PAT_LIST,01APR2025,A00002,X,E01000004,ALL,1,000\n")
    result = read_practice_lsoa(detect(path))
    _balanced(result)
    assert (result.rejects["field"] == "(row)").sum() == 1


def test_epraccur_marks_closed_practices(tmp_path: Path) -> None:
    result = read_epraccur(detect(samples.epraccur(tmp_path)), date(2025, 6, 1))
    _balanced(result)
    current = result.accepted.set_index("practice_code")["current"]
    assert current.to_dict() == {"A00001": True, "A00002": True, "A00003": False, "A00004": False}
    assert "open date '1974-04-01'" in result.rejects["reason"].iloc[0]


def test_epraccur_close_date_decides_for_an_active_status(tmp_path: Path) -> None:
    row = [
        "A00007",
        "CLOSING SURGERY",
        "Y60",
        "QAA",
        "",
        "",
        "",
        "",
        "",
        "AB1 7GG",
        "19740401",
        "20250101",
        "A",
        "B",
        "00A",
        "",
        "",
        "",
        "",
        "",
        "",
        "0",
        "",
        "00A",
        "",
        "4",
        "",
    ]
    path = samples.write_csv(tmp_path / "epraccur.csv", None, [row])
    before = read_epraccur(detect(path), date(2024, 12, 31))
    after = read_epraccur(detect(path), date(2025, 1, 1))
    assert before.accepted["current"].tolist() == [True]
    assert after.accepted["current"].tolist() == [False]


def test_centroids_in_degrees(tmp_path: Path) -> None:
    result = read_centroids(detect(samples.centroids(tmp_path)))
    _balanced(result)
    row = result.accepted.set_index("lsoa_code").loc["E01000002"]
    assert (row["latitude"], row["longitude"]) == (52.0, -1.085)


def test_centroids_in_british_national_grid_are_converted(tmp_path: Path) -> None:
    path = samples.write_csv(
        tmp_path / "LSOA_PopCentroids_EW_2021_V4.csv",
        ["FID", "LSOA21CD", "GlobalID", "x", "y"],
        [[1, "E01004736", "{g}", 529090, 179645], [2, "E01004737", "{h}", "", 179645]],
    )
    result = read_centroids(detect(path))
    _balanced(result)
    assert result.notes["coordinates"] == "british_national_grid"
    row = result.accepted.iloc[0]
    assert row["latitude"] == pytest.approx(51.501009, abs=5e-5)
    assert row["longitude"] == pytest.approx(-0.141588, abs=5e-5)
    assert result.rejects["field"].tolist() == ["x"]


def test_population_from_the_csv_with_title_rows(tmp_path: Path) -> None:
    result = read_population(detect(samples.population(tmp_path)))
    _balanced(result)
    assert result.accepted.set_index("lsoa_code").loc["E01000003", "population"] == 1502


@pytest.mark.parametrize(("release", "codes"), [("2019", "2011"), ("2025", "2021")])
def test_iod_release_is_read_from_its_header(tmp_path: Path, release: str, codes: str) -> None:
    result = read_imd(detect(samples.iod(tmp_path, release)))
    _balanced(result)
    assert result.notes["release"] == f"IoD{release}"
    assert result.notes["lsoa_codes"] == codes
    assert result.accepted["imd_decile"].tolist() == [1, 2, 3, 4]


def test_iod_decile_out_of_range_is_rejected(tmp_path: Path) -> None:
    path = samples.write_csv(
        tmp_path / "iod.csv",
        samples.IOD2025_HEADER,
        [
            ["E01000001", "A", "E06000001", "T", 1, 11],
            ["E01000002", "B", "E06000001", "T", 2, "x"],
        ],
    )
    result = read_imd(detect(path))
    _balanced(result)
    assert len(result.accepted) == 0
    assert result.rejects["field"].tolist() == ["imd_decile", "imd_decile"]
