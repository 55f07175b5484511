"""Practices and areas built from the official sources."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from analysis.ingest.official import assemble
from analysis.ingest.official.detect import detect
from analysis.ingest.official.gp_registrations import (
    read_practice_lsoa,
    read_practice_map,
    read_practice_totals,
)
from analysis.ingest.official.ods import read_epraccur
from analysis.ingest.official.ons_areas import read_centroids, read_imd, read_population
from analysis.ingest.official.postcodes import lookup_postcodes
from tests.unit.official import samples

TODAY = date(2025, 6, 1)
STORED = pd.DataFrame(
    {
        "practice_code": ["A00004"],
        "practice_name": ["GONE SURGERY"],
        "pcn_code": ["U00002"],
        "pcn_name": ["EAST PCN"],
        "sub_icb_code": ["00A"],
        "latitude": [52.0],
        "longitude": [-1.05],
        "registered_patients": [3000],
    }
)


def _practices(folder: Path, *, with_postcodes: bool = True) -> pd.DataFrame:
    mapping = read_practice_map(detect(samples.practice_map(folder))).accepted
    totals = read_practice_totals(detect(samples.practice_totals(folder))).accepted
    lsoa = read_practice_lsoa(detect(samples.practice_lsoa(folder))).accepted
    ods = read_epraccur(detect(samples.epraccur(folder)), TODAY).accepted
    postcodes = (
        lookup_postcodes(detect(samples.nspl(folder)), set(mapping["postcode"])).accepted
        if with_postcodes
        else None
    )
    centroids = read_centroids(detect(samples.centroids(folder))).accepted
    built = assemble.practices(mapping, totals, lsoa, ods, postcodes, centroids, STORED)
    return built.frame.set_index("practice_code")


def test_closed_practices_are_kept_but_excluded_from_current_denominators(tmp_path) -> None:
    frame = _practices(tmp_path)
    assert frame.loc["A00001", "registered_patients"] == 5000
    assert frame.loc["A00003", "registered_patients"] == 0  # closed in epraccur
    assert not frame.loc["A00003", "current"]
    # A00004 closed before this mapping extract; its stored row is kept for history.
    assert frame.loc["A00004", "registered_patients"] == 0
    assert frame.loc["A00004", "pcn_code"] == "U00002"


def test_practice_coordinates_come_from_the_postcode(tmp_path) -> None:
    frame = _practices(tmp_path)
    assert (frame.loc["A00002", "latitude"], frame.loc["A00002", "longitude"]) == (52.0, -1.0)


def test_without_a_postcode_file_practices_sit_at_their_main_lsoa(tmp_path) -> None:
    frame = _practices(tmp_path, with_postcodes=False)
    # A00002's largest LSOA is E01000003, centroid (52.000, -0.995).
    assert (frame.loc["A00002", "latitude"], frame.loc["A00002", "longitude"]) == (52.0, -0.995)


def test_areas_missing_from_one_file_are_rejected_with_the_reason(tmp_path) -> None:
    centroids = read_centroids(detect(samples.centroids(tmp_path))).accepted
    population = read_population(detect(samples.population(tmp_path))).accepted
    imd = read_imd(detect(samples.iod(tmp_path, "2019"))).accepted
    built = assemble.areas(centroids, population, imd.iloc[1:], "IoD2019", None)
    assert len(built.frame) == 3
    reasons = built.rejects.set_index(built.rejects["original_row"].str[15:24])["reason"]
    assert "use IoD2025" in reasons["E01000001"]
    assert "not in the centroids or the IoD2019 file" in reasons["W01000001"]
    assert built.notes["lsoas_seen"] == len(built.frame) + len(built.rejects)
