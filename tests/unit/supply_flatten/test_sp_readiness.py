"""SP-readiness scores on hand-built series, and the completeness report."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from analysis.supply.completeness import completeness_report
from analysis.supply.flatten import flatten_store
from analysis.supply.sp_readiness import CRITERIA, CRITERION_COLUMNS, sp_criteria, sp_score
from tests.unit.supply_flatten.helpers import FEED, flat, item, series
from tests.unit.supply_flatten.test_store import insert_items

REFERENCE = date(2025, 10, 1)
COMPLETE = series(
    "https://example.org/series/complete",
    description="A gentle, friendly yoga class for adults of all abilities; mats provided.",
    url="https://example.org/book/1",
    location={"name": "Hall", "address": {"postalCode": "E13 8SD"}},
    offers=[{"price": 0}],
    ageRange={"minValue": 18},
    level=["Beginner"],
    accessibilitySupport=[{"prefLabel": "Visual impairment"}],
    isCoached=True,
    organizer={"@type": "Organization", "name": "Club", "email": "club@example.org"},
)


def scored(data: dict, modified: int = 1_758_000_000) -> dict:
    supply = flat({FEED: [item(data, modified=modified)]}, reference_date=REFERENCE)
    return supply.series[0]


def test_complete_series_scores_one() -> None:
    row = scored(COMPLETE)  # modified 2025-09-16: within 90 days of 1 October
    assert all(row[c] for c in CRITERION_COLUMNS)
    assert row["sp_ready_score"] == 1.0


@pytest.mark.parametrize(
    ("drop", "change", "failing"),
    [
        ("location", None, "sp_has_location"),
        ("offers", None, "sp_has_price"),
        ("ageRange", None, "sp_has_age_range"),
        ("accessibilitySupport", None, "sp_has_accessibility"),
        ("level", None, "sp_has_level"),
        ("isCoached", None, "sp_has_leader"),
        ("organizer", None, "sp_has_organiser_contact"),
        ("url", None, "sp_has_url"),
        ("description", None, "sp_has_description"),
        (None, {"description": "Short."}, "sp_has_description"),
        (
            None,
            {"organizer": {"@type": "Organization", "name": "Club"}},
            "sp_has_organiser_contact",
        ),
        (None, {"location": {"name": "Hall", "address": "somewhere"}}, "sp_has_location"),
    ],
)
def test_each_missing_field_costs_one_tenth(drop, change, failing) -> None:
    data = {k: v for k, v in COMPLETE.items() if k != drop}
    data.update(change or {})
    row = scored(data)
    assert [c for c in CRITERION_COLUMNS if not row[c]] == [failing]
    assert row["sp_ready_score"] == pytest.approx(0.9)


@pytest.mark.parametrize(
    ("fields", "criterion"),
    [
        ({"isAccessibleForFree": True}, "sp_has_price"),
        ({"location": {"geo": {"latitude": 51.5, "longitude": -0.1}}}, "sp_has_location"),
        ({"accessibilityInformation": "Step-free access"}, "sp_has_accessibility"),
        ({"beta:isWheelchairAccessible": False}, "sp_has_accessibility"),
        ({"leader": [{"@type": "Person", "jobTitle": "Coach"}]}, "sp_has_leader"),
    ],
)
def test_alternative_ways_to_meet_a_criterion(fields, criterion) -> None:
    assert scored(series(**fields))[criterion] is True


def test_freshness_and_an_empty_series() -> None:
    bare = scored(series(), modified=1_700_000_000)  # November 2023: stale
    assert not any(bare[c] for c in CRITERION_COLUMNS)
    assert bare["sp_ready_score"] == 0.0
    # a change number is no timestamp: freshness falls back to when the item was seen
    row = {"freshness_at": datetime(2025, 7, 4)}
    assert sp_criteria(row, REFERENCE)["sp_is_fresh"] is True
    assert sp_criteria({"freshness_at": datetime(2025, 7, 2)}, REFERENCE)["sp_is_fresh"] is False
    assert sp_score(dict.fromkeys(CRITERION_COLUMNS, True)) == 1.0


def test_completeness_report_per_organiser_and_publisher() -> None:
    con = duckdb.connect(":memory:")
    club = {"@type": "Organization", "name": "Club", "email": "c@example.org"}
    items = [
        item(
            series(
                f"https://example.org/s/{n}",
                organizer=club,
                url="https://e.org/b",
                ageRange={"minValue": 18} if n < 2 else None,
            ),
            str(n),
        )
        for n in range(4)
    ] + [
        item(series("https://example.org/s/p", organizer={"@type": "Person", "name": "Jo"}), "p"),
        item(series("https://example.org/s/d", organizer=club), "d", state="deleted"),
    ]
    insert_items(con, FEED, items, publisher="Active Somewhere")
    flatten_store(con, horizon_start=date(2025, 9, 1), horizon_end=date(2025, 10, 1))
    report = completeness_report(con)
    assert list(report["organiser_name"]) == ["Club", "(an individual)"]
    club_row = report.iloc[0]
    assert club_row["publisher_name"] == "Active Somewhere"
    assert club_row["series"] == 4  # the deleted series is left out
    assert club_row["missing_age_range"] == 0.5 and club_row["missing_url"] == 0.0
    assert club_row["missing_organiser_contact"] == 0.0
    # contact, url and freshness (seen by the harvester on 20 September) for all four
    assert club_row["mean_sp_ready_score"] == pytest.approx((0.4 * 2 + 0.3 * 2) / 4)
    assert "ageRange" in club_row["fields_to_add"]  # missing from exactly half
    assert "url" not in club_row["fields_to_add"].split("; ")
    assert club_row["fields_to_add"].startswith("location.geo")  # 100% missing come first
    columns = {f"missing_{c.name}" for c in CRITERIA}
    assert columns <= set(report.columns)
    publishers = completeness_report(con, by="publisher")
    assert list(publishers["series"]) == [5] and "organiser_name" not in publishers
    with pytest.raises(ValueError, match="by must be"):
        completeness_report(con, by="venue")
