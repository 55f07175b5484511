"""Each official file is recognised by its header or shape; a wrong file is refused in one line
naming what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.errors import InputError
from analysis.ingest.official.detect import detect, detect_as
from tests.unit.official import samples


@pytest.mark.parametrize(
    ("writer", "source"),
    [
        (samples.practice_map, "practice-map"),
        (samples.practice_totals, "practice-totals"),
        (samples.practice_lsoa, "practice-lsoa"),
        (samples.epraccur, "epraccur"),
        (samples.nspl, "postcodes"),
        (samples.centroids, "centroids"),
        (samples.population, "population"),
        (samples.iod, "imd"),
    ],
)
def test_each_published_layout_is_recognised(tmp_path: Path, writer, source: str) -> None:
    assert detect(writer(tmp_path)).source == source


def test_population_header_under_title_rows_is_found(tmp_path: Path) -> None:
    detected = detect(samples.population(tmp_path))
    assert detected.header_row == 3


def test_iod_2019_and_2025_headers_are_both_recognised(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert detect(samples.iod(tmp_path / "a", "2019")).source == "imd"
    assert detect(samples.iod(tmp_path / "b", "2025")).source == "imd"


def test_header_case_and_bom_do_not_matter(tmp_path: Path) -> None:
    header = [h.lower() for h in samples.MAP_HEADER]
    path = samples.write_csv(
        tmp_path / "map.csv", header, [["x"] * len(header)], encoding="utf-8-sig"
    )
    assert detect(path).source == "practice-map"


def test_onspd_upper_case_header_is_postcodes(tmp_path: Path) -> None:
    header = ["PCD", "PCD2", "PCDS", "DOINTR", "DOTERM", "OSEAST1M", "OSNRTH1M", "LAT", "LONG"]
    path = samples.write_csv(tmp_path / "ONSPD_FEB_2025_UK.csv", header, [])
    detected = detect(path)
    assert detected.source == "postcodes"
    assert {"latitude", "longitude", "x", "y"} <= set(detected.positions)


@pytest.mark.parametrize(
    ("writer", "given_as", "expected_words"),
    [
        (samples.practice_lsoa, "practice-map", "gp-reg-pat-prac-map.csv"),
        (samples.practice_map, "practice-lsoa", "gp-reg-pat-prac-lsoa-all.csv"),
        (samples.practice_totals, "practice-lsoa", "gp-reg-pat-prac-lsoa-all.csv"),
        (samples.practice_lsoa, "practice-totals", "gp-reg-pat-prac-all.csv"),
        (samples.population, "centroids", "Population Weighted Centroids"),
        (samples.centroids, "population", "population estimates"),
        (samples.iod, "population", "population estimates"),
        (samples.population, "imd", "Indices of Deprivation"),
        (samples.nspl, "practice-map", "gp-reg-pat-prac-map.csv"),
        (samples.practice_map, "epraccur", "epraccur.csv"),
    ],
)
def test_a_file_given_as_the_wrong_kind_is_refused(
    tmp_path: Path, writer, given_as: str, expected_words: str
) -> None:
    path = writer(tmp_path)
    with pytest.raises(InputError) as caught:
        detect_as(path, given_as)
    message = str(caught.value)
    assert "\n" not in message
    assert f"given as {given_as}" in message
    assert expected_words in message


def test_the_lsoa_file_named_as_the_practice_file_is_refused(tmp_path: Path) -> None:
    body = samples.practice_lsoa(tmp_path)
    renamed = body.rename(tmp_path / "gp-reg-pat-prac-map.csv")
    with pytest.raises(InputError, match="named like practice-map.*practice-by-LSOA"):
        detect_as(renamed, None)


def test_an_unknown_file_is_refused_with_what_was_expected(tmp_path: Path) -> None:
    path = samples.write_csv(tmp_path / "other.csv", ["name", "value"], [["a", "1"]])
    with pytest.raises(InputError) as caught:
        detect(path)
    message = str(caught.value)
    assert "\n" not in message
    assert "not a recognised reference file (first row: name, value)" in message
    assert "PRACTICE_CODE" in message.upper() and "epraccur" in message


def test_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gp-reg-pat-prac-lsoa-male-female-Apr-25.zip"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(InputError, match="unzip it"):
        detect(path)


def test_population_workbook_uses_the_latest_year_sheet(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Cover sheet"
    book.active.append(["Lower layer Super Output Area population estimates"])
    for year, total in (("2022", 1000), ("2024", 1200), ("2023", 1100)):
        sheet = book.create_sheet(f"Mid-{year} LSOA 2021")
        sheet.append([f"Mid-{year} population estimates"])
        sheet.append([])
        sheet.append(
            ["LAD 2021 Code", "LAD 2021 Name", "LSOA 2021 Code", "LSOA 2021 Name", "Total"]
        )
        sheet.append(["E06000001", "Testshire", "E01000001", "Testshire 001A", total])
    path = tmp_path / "sapelsoasyoa20222024.xlsx"
    book.save(path)
    detected = detect(path)
    assert detected.source == "population"
    assert detected.sheet.name == "Mid-2024 LSOA 2021"
    assert detected.header_row == 2
