"""The streamed postcode lookup keeps only the postcodes needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.ingest.official.detect import detect
from analysis.ingest.official.postcodes import lookup_postcodes
from tests.unit.official import samples


def test_lookup_keeps_only_the_wanted_postcodes(tmp_path: Path) -> None:
    result = lookup_postcodes(detect(samples.nspl(tmp_path)), {"AB11AA", "AB13CC", "XX11XX"})
    summary = result.summary()
    assert summary["rows"] == 4
    assert summary["accepted"] + summary["rejected"] == summary["rows"]
    found = result.accepted.set_index("postcode")
    assert sorted(found.index) == ["AB11AA", "AB13CC"]
    assert found.loc["AB13CC", "latitude"] == pytest.approx(52.01)
    assert summary["postcodes_found"] == 2


def test_a_postcode_without_a_grid_reference_is_rejected(tmp_path: Path) -> None:
    header = ["pcd", "pcds", "lat", "long"]
    path = samples.write_csv(
        tmp_path / "NSPL_FEB_2025_UK.csv",
        header,
        [["AB1 1AA", "AB1 1AA", "99.999999", "0.000000"], ["AB1 2BB", "AB1 2BB", "52.1", "-1.0"]],
    )
    result = lookup_postcodes(detect(path), {"AB11AA", "AB12BB"})
    assert result.accepted["postcode"].tolist() == ["AB12BB"]
    assert "AB11AA has no grid reference" in result.rejects["reason"].iloc[0]


def test_grid_references_are_used_when_lat_long_are_absent(tmp_path: Path) -> None:
    header = ["PCD", "PCDS", "OSEAST1M", "OSNRTH1M"]
    path = samples.write_csv(
        tmp_path / "ONSPD_FEB_2025_UK.csv", header, [["SW1A1AA", "SW1A 1AA", "529090", "179645"]]
    )
    result = lookup_postcodes(detect(path), {"SW1A1AA"})
    row = result.accepted.iloc[0]
    assert row["latitude"] == pytest.approx(51.501009, abs=5e-5)
    assert row["longitude"] == pytest.approx(-0.141588, abs=5e-5)
