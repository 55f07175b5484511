"""Catchments: majority of registered patients decides an LSOA's PCN, not the nearest practice."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.access import great_circle_km
from analysis.ingest.official.catchments import assign_pcns, shares

# Two practices on one east-west line; LSOA L2 is 1.0 km from P1 (PCN U00001) and 5.9 km from
# P2 (PCN U00002), but 700 of its 1,000 registered patients are with P2.
PRACTICES = pd.DataFrame(
    {
        "practice_code": ["A00001", "A00002", "A00003"],
        "pcn_code": ["U00001", "U00002", "U00003"],
        "latitude": [52.0, 52.0, 52.0],
        "longitude": [-1.100, -1.000, -1.090],
        "current": [True, True, False],  # A00003 has closed
    }
)
AREAS = pd.DataFrame(
    {
        "lsoa_code": ["E01000001", "E01000002", "E01000003", "E01000004", "E01000005"],
        "latitude": [52.0, 52.0, 52.0, 52.05, 52.0],
        "longitude": [-1.105, -1.085, -0.995, -1.100, -1.060],
    }
)
PATIENTS = pd.DataFrame(
    {
        "practice_code": ["A00001", "A00001", "A00002", "A00002", "A00003", "A00001", "A00002"],
        "lsoa_code": [
            "E01000001",
            "E01000002",
            "E01000002",
            "E01000003",
            "E01000001",
            "E01000005",
            "E01000005",
        ],
        "patients": [900, 300, 700, 1000, 5000, 400, 400],
    }
)


def _assigned() -> pd.DataFrame:
    return assign_pcns(AREAS, PRACTICES, shares(PATIENTS)).set_index("lsoa_code")


def test_majority_of_patients_beats_the_nearest_practice() -> None:
    lat, lon = AREAS.loc[1, ["latitude", "longitude"]]
    km = great_circle_km(
        lat, lon, PRACTICES["latitude"].to_numpy()[:2], PRACTICES["longitude"].to_numpy()[:2]
    )
    assert km[0] < km[1]  # the nearest practice is A00001 in U00001 …
    row = _assigned().loc["E01000002"]
    assert row["pcn_code"] == "U00002"  # … but most registered patients are with U00002
    assert row["pcn_method"] == "registered_patients"


def test_no_registered_patients_falls_back_to_the_nearest_open_practice() -> None:
    row = _assigned().loc["E01000004"]
    assert (row["pcn_code"], row["pcn_method"]) == ("U00001", "nearest_practice")


def test_a_tie_goes_to_the_pcn_of_the_nearest_practice() -> None:
    row = _assigned().loc["E01000005"]  # 400 v 400; A00001 is 2.7 km away, A00002 4.1 km
    assert (row["pcn_code"], row["pcn_method"]) == ("U00001", "registered_patients_tie_nearest")


def test_closed_practices_do_not_vote_or_count_as_nearest() -> None:
    # A00003 (closed, U00003) has 5,000 patients in E01000001 and sits nearby; it is ignored.
    assigned = _assigned()
    assert assigned.loc["E01000001", "pcn_code"] == "U00001"
    assert "U00003" not in set(assigned["pcn_code"])


def test_every_area_gets_exactly_one_pcn() -> None:
    assigned = _assigned()
    assert sorted(assigned.index) == sorted(AREAS["lsoa_code"])
    assert assigned["pcn_code"].notna().all()


def test_shares_add_up_within_each_lsoa_and_each_practice() -> None:
    table = shares(PATIENTS)
    assert table.groupby("lsoa_code")["share_of_lsoa"].sum().to_numpy() == pytest.approx(1.0)
    assert table.groupby("practice_code")["share_of_practice"].sum().to_numpy() == pytest.approx(
        1.0
    )
    row = table.set_index(["practice_code", "lsoa_code"]).loc[("A00002", "E01000002")]
    assert row["share_of_lsoa"] == pytest.approx(0.7)
    assert row["share_of_practice"] == pytest.approx(700 / 2100)
