"""Supply & gaps metrics on small hand-made frames: the suppression rule, time-of-day filters in
Europe/London time, coverage per area and PCN, postcode lookup and the session finder."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from analysis.access import DEFAULT_PROFILE, SuitabilityProfile, great_circle_km
from analysis.metrics import supply as m
from analysis.metrics.supply_finder import _usual as usual_slots

KM_LAT = 1 / 111.2  # degrees of latitude in about a kilometre
LAT, LON = 52.6, -1.15


@pytest.mark.parametrize(("count", "hidden"), [(0, True), (1, True), (7, True), (8, False)])
def test_counts_at_or_below_seven_are_suppressed(count: int, hidden: bool) -> None:
    assert m.SUPPRESSION_THRESHOLD == 7
    assert m.suppressed(pd.Series([count])).tolist() == [hidden]


def test_redacted_counts_and_shares() -> None:
    counts = pd.Series([3, 8, 1234])
    assert m.redact_counts(counts).tolist() == ["≤7", "8", "1,234"]
    share = pd.Series([0.5, 0.25, 0.9])
    out = m.redact_share(share, pd.Series([100, 100, 100]), pd.Series([50, 5, 90]))
    assert out.isna().tolist() == [False, True, False]


def test_session_times_validate_and_describe() -> None:
    times = m.SessionTimes(("evening", "morning"), weekday_daytime=True)
    assert times.parts == ("morning", "evening") and times.active
    assert times.describe() == "morning or evening, weekday daytime"
    assert not m.SessionTimes().active and m.SessionTimes().describe() == "any time"
    with pytest.raises(ValueError, match="night"):
        m.SessionTimes(("night",))


def test_occurrence_times_use_uk_local_time() -> None:
    occ = pd.DataFrame(
        {
            "series_id": ["a", "a", "a", "a"],
            "start_utc": pd.to_datetime(
                [
                    "2026-07-01 08:30",  # Wednesday 09:30 BST: morning, weekday daytime
                    "2026-07-01 16:30",  # 17:30 BST: evening
                    "2026-12-02 16:30",  # Wednesday 16:30 GMT: afternoon, weekday daytime
                    "2026-07-04 10:00",  # Saturday 11:00 BST: morning, not a weekday
                ]
            ),
        }
    )
    out = m.occurrence_times(occ)
    assert out["start_local"].dt.strftime("%H:%M").tolist() == ["09:30", "17:30", "16:30", "11:00"]
    assert out["part"].tolist() == ["morning", "evening", "afternoon", "morning"]
    assert out["weekday_daytime"].tolist() == [True, False, True, False]
    assert out["week"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-06-29",
        "2026-06-29",
        "2026-11-30",
        "2026-06-29",
    ]
    evening = m.matching_occurrences(out, m.SessionTimes(("evening",)))
    assert evening.tolist() == [False, True, False, False]
    both = m.matching_occurrences(out, m.SessionTimes(("morning",), weekday_daytime=True))
    assert both.tolist() == [True, False, False, False]


def series_row(series_id: str, north_km: float, **kw: object) -> dict:
    row = {
        "series_id": series_id,
        "latitude": LAT + north_km * KM_LAT,
        "longitude": LON,
        "is_free": True,
        "price_min": 0.0,
        "is_beginner": True,
        "levels": [],
        "age_min": 18,
        "age_max": None,
        "accessibility_support": [],
        "accessibility_information": None,
        "wheelchair_accessible": False,
        "sp_ready_score": 0.9,
        "activity_group": "Walking",
        "name": f"Session {series_id}",
        "url": f"https://x.invalid/{series_id}",
        "publisher_name": "Pub",
        "dataset_url": "https://x.invalid/",
        "postcode": "EB1 1AA",
        "place_key": f"place-{series_id}",
        "place_name": "Hall",
        "pcn_code": "P1",
    }
    return row | kw


def small_data(weeks: int = 2) -> m.SupplyData:
    """Two PCNs: P1's areas sit beside free sessions; P2's areas are 5 km north of any."""
    series = pd.DataFrame(
        [
            series_row("s1", 0.0),
            series_row("s2", 0.3, is_free=False, price_min=12.0, activity_group="Swimming"),
            series_row("s3", 0.5, postcode="EB1 1AB"),
        ]
    )
    occ = pd.DataFrame(
        {
            "series_id": ["s1", "s1", "s2", "s3"],
            # s1: Wed 09:30 BST twice; s2: Wed 19:00 BST; s3: Sat 10:00 BST
            "start_utc": pd.to_datetime(
                ["2026-07-01 08:30", "2026-07-08 08:30", "2026-07-01 18:00", "2026-07-04 09:00"]
            ),
        }
    )
    areas = pd.DataFrame(
        {
            "lsoa_code": ["A1", "A2", "B1", "B2"],
            "lsoa_name": ["North 1", "North 2", "Far 1", "Far 2"],
            "pcn_code": ["P1", "P1", "P2", "P2"],
            "latitude": [LAT, LAT + 0.6 * KM_LAT, LAT + 5 * KM_LAT, LAT + 6 * KM_LAT],
            "longitude": [LON] * 4,
            "population": [1000, 3000, 2000, 2000],
            "imd_decile": [1, 5, 9, 10],
            "in_view": [True] * 4,
        }
    )
    referred = pd.DataFrame(
        {
            "patient_key": ["p1", "p1", "p2", "p3", "p4"],
            "pcn_code": ["P1", "P1", "P1", "P2", "P2"],
            "lsoa_code": ["A1", "A1", "B1", "B2", None],
        }
    )
    pcns = pd.DataFrame(
        {
            "pcn_code": ["P1", "P2"],
            "pcn_name": ["One", "Two"],
            "arm": ["all", "all"],
            "population": [4000, 4000],
            "live_series": [3, 0],
            "free_series": [2, 0],
            "weekly_occurrences_per_1000": [0.5, 0.0],
        }
    )
    places = pd.DataFrame(
        {
            "postcode": ["EB1 1AA", "EB1 1AB"],
            "latitude": [LAT, LAT + 0.01],
            "longitude": [LON, LON],
        }
    )
    return m.SupplyData(
        series, m.occurrence_times(occ), areas, referred, pcns, pd.DataFrame(), places, weeks
    )


def test_matching_series_applies_profile_and_times() -> None:
    data = small_data()
    assert m.matching_series(data, DEFAULT_PROFILE, m.SessionTimes()).tolist() == [
        True,
        False,
        True,
    ]
    anything = SuitabilityProfile(max_price=None)
    assert m.matching_series(data, anything, m.SessionTimes(("evening",))).tolist() == [
        False,
        True,
        False,
    ]
    weekday = m.SessionTimes(weekday_daytime=True)
    assert m.matching_series(data, anything, weekday).tolist() == [True, False, False]


def test_area_and_pcn_coverage() -> None:
    data = small_data()
    ok = m.matching_series(data, DEFAULT_PROFILE, m.SessionTimes())
    areas = m.area_coverage(data, ok)
    expected = great_circle_km(LAT + 5 * KM_LAT, LON, LAT + 0.5 * KM_LAT, LON)
    assert areas.loc[2, "nearest_km"] == pytest.approx(expected)
    assert areas["within_1km"].tolist() == [True, True, False, False]
    assert areas.loc[1, "nearest_name"] == "Session s3"  # 0.1 km away, nearer than s1
    assert areas["referred_people"].tolist() == [1, 0, 1, 1]  # p1 counted once

    pcns = m.pcn_coverage(data, areas, ok).set_index("pcn_code")
    assert pcns.loc["P1", "share_within_1km"] == 1.0 and pcns.loc["P2", "share_within_1km"] == 0
    # P1 referred p1 (A1, near) and p2 (B1, far); P2's p4 has no known home
    assert pcns.loc["P1", ["referred_located", "referred_within_1km"]].tolist() == [2, 1]
    assert pcns.loc["P1", "referred_share_within_1km"] == 0.5
    assert pcns.loc["P2", "referred_located"] == 1
    # s1 (2 occurrences) and s3 (1) in P1 over 2 weeks: 1.5 a week per 4,000 people
    assert pcns.loc["P1", "suitable_weekly_per_1000"] == pytest.approx(1000 * 1.5 / 4000)
    assert pcns.loc["P1", "suitable_series"] == 2
    assert pcns["desert"].tolist() == [False, True]
    weekday = m.SessionTimes(weekday_daytime=True)
    ok2 = m.matching_series(data, DEFAULT_PROFILE, weekday)
    again = m.pcn_coverage(data, m.area_coverage(data, ok2), ok2, weekday).set_index("pcn_code")
    assert again.loc["P1", "suitable_weekly_per_1000"] == pytest.approx(1000 * 1.0 / 4000)


def test_coverage_in_two_steps_and_with_counted_occurrences_is_the_same() -> None:
    data = small_data()
    counted = dataclasses.replace(
        data, occurrence_counts=data.occurrences["series_id"].value_counts()
    )
    for times in (m.SessionTimes(), m.SessionTimes(("morning",)), m.SessionTimes((), True)):
        ok = m.matching_series(data, DEFAULT_PROFILE, times)
        areas = m.area_coverage(data, ok)
        whole = m.pcn_coverage(data, areas, ok, times)
        reach = m.pcn_reach(counted, m.area_reach(counted, ok), ok, times)
        pd.testing.assert_frame_equal(m.pcn_referred(reach, areas, data.referred), whole)
        assert m.referred_people(areas, data.referred).tolist() == [1, 0, 1, 1]


def test_no_suitable_session_leaves_distances_missing() -> None:
    data = small_data()
    none = pd.Series(False, index=data.series.index)
    areas = m.area_coverage(data, none)
    assert areas["nearest_km"].isna().all() and not areas["within_1km"].any()
    pcns = m.pcn_coverage(data, areas, none)
    assert pcns["share_within_1km"].tolist() == [0.0, 0.0] and pcns["desert"].all()


def test_pcn_table_redacts_small_referred_counts() -> None:
    data = small_data()
    ok = m.matching_series(data, DEFAULT_PROFILE, m.SessionTimes())
    rows = m.pcn_table(m.pcn_coverage(data, m.area_coverage(data, ok), ok))
    assert rows["referred_located"].tolist() == ["≤7", "≤7"]
    assert rows["referred_share_within_1km"].isna().all()
    assert rows["gap"].tolist() == ["", "Desert: under 40% within 1 km"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("eb11aa", "EB1 1AA"),
        (" sw1a  1aa ", "SW1A 1AA"),
        ("EB1", None),
        ("hello", None),
        ("", None),
    ],
)
def test_normalise_postcode(text: str, expected: str | None) -> None:
    assert m.normalise_postcode(text) == expected


def test_locate_postcode_exact_then_sector() -> None:
    places = small_data().places
    exact = m.locate_postcode("eb1 1ab", places)
    assert exact is not None and exact.latitude == pytest.approx(LAT + 0.01)
    assert exact.label == "postcode EB1 1AB"
    sector = m.locate_postcode("EB1 1ZZ", places)
    assert sector is not None and sector.latitude == pytest.approx(LAT + 0.005)
    assert "sector EB1 1" in sector.label
    assert m.locate_postcode("EB9 9ZZ", places) is None
    assert m.locate_postcode("not a postcode", places) is None


def test_area_choices_and_locate_area() -> None:
    areas = small_data().areas
    assert m.area_choices(areas)["B1"] == "Far 1 (B1)"
    located = m.locate_area(areas, "B1")
    assert located is not None and located.label == "Far 1 (B1)"
    assert m.locate_area(areas, None) is None


def test_nearest_sessions_sorted_with_next_times_and_attribution() -> None:
    data = small_data()
    ok = m.matching_series(data, SuitabilityProfile(max_price=None), m.SessionTimes())
    where = m.Located(LAT + 0.35 * KM_LAT, LON, "here")
    now = pd.Timestamp("2026-07-02 12:00", tz="Europe/London")
    found = m.nearest_sessions(data, ok, where, now, limit=2)
    assert found["series_id"].tolist() == ["s2", "s3"]
    assert np.all(np.diff(found["distance_km"]) >= 0)
    assert found["price"].tolist() == ["From £12.00", "Free"]
    assert found["next_sessions"].tolist() == ["none after 2 Jul 2026", "Sat 4 Jul 10:00"]
    assert found["source"].tolist() == ["Source: Pub", "Source: Pub"]
    all_three = m.nearest_sessions(data, ok, where, now)
    s1 = all_three.set_index("series_id").loc["s1"]
    assert s1["next_sessions"] == "Wed 8 Jul 09:30" and s1["usually"] == "Wednesdays 09:30"
    evening = m.nearest_sessions(data, ok, where, now, m.SessionTimes(("evening",)))
    assert evening.set_index("series_id").loc["s1", "usually"] == ""


def test_nearest_sessions_empty_when_nothing_suits() -> None:
    data = small_data()
    none = pd.Series(False, index=data.series.index)
    found = m.nearest_sessions(data, none, m.Located(LAT, LON, "here"), pd.Timestamp("2026-07-01"))
    assert found.empty and list(found.columns) == m.FINDER_COLUMNS


def test_profile_from_controls() -> None:
    profile, times = m.profile_from_controls("Free only", 60, ["Evening"], True, False, True)
    assert profile == SuitabilityProfile(
        max_price=0.0, beginner_or_no_level=False, accessibility=True, min_sp_ready=0.6
    )
    assert times == m.SessionTimes(("evening",), True)
    default, anytime = m.profile_from_controls("Free or ≤ £5", 0, None, False, True, False)
    assert default == DEFAULT_PROFILE and not anytime.active


def test_usual_slots_recurring_first_then_in_weekday_order() -> None:
    slots = pd.Series(["5 Fridays 19:45", "1 Mondays 19:45", "3 Wednesdays 10:00"] * 2)
    assert usual_slots(slots) == "Mondays 19:45 · Wednesdays 10:00 · Fridays 19:45"
    assert usual_slots(pd.Series(["2 Tuesdays 09:00", "4 Thursdays 09:00"])) == "Tuesdays 09:00"
