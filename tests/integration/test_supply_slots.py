"""Supply & gaps counts each series' occurrences by part of the day and weekday daytime in the
store (ICU time zones) instead of reading every occurrence: the counts must equal those made
in pandas from the occurrences' local times, across the clock changes, and the page's numbers
must not change."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from analysis.filters import Filters
from analysis.metrics import supply as m
from analysis.metrics.supply_times import LIVE_OCCURRENCES_SQL, slots_sql

TIMES = [
    m.SessionTimes(),
    m.SessionTimes(("morning",)),
    m.SessionTimes(("afternoon", "evening")),
    m.SessionTimes((), weekday_daytime=True),
    m.SessionTimes(("evening",), weekday_daytime=True),
]


@pytest.fixture(scope="module")
def con(demo_store: Path):
    with duckdb.connect(str(demo_store), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def every_occurrence(con) -> pd.DataFrame:
    return m.occurrence_times(con.execute(LIVE_OCCURRENCES_SQL + " ORDER BY 1, 2").df())


def test_store_slots_equal_the_slots_of_every_occurrence(con, every_occurrence) -> None:
    store = m.load_store_supply(con)
    expected = m.occurrence_slots(every_occurrence)
    assert len(expected) > 100 and set(expected["part"]) == set(m.PARTS_OF_DAY)
    assert expected["weekday_daytime"].any() and not expected["weekday_daytime"].all()
    assert_frame_equal(store.slots, expected, check_dtype=False)
    counts = every_occurrence["series_id"].value_counts().sort_index()
    assert_series_equal(
        store.occurrence_counts.sort_index(), counts, check_names=False, check_dtype=False
    )


def test_slots_sql_uses_uk_local_time_across_the_clock_changes() -> None:
    starts = pd.to_datetime(
        [
            "2025-03-29 11:30",  # Saturday 11:30 GMT: morning, not a weekday
            "2025-03-31 08:30",  # Monday 09:30 BST: morning and weekday daytime
            "2025-10-24 15:30",  # Friday 16:30 BST: afternoon and weekday daytime
            "2025-10-27 16:30",  # Monday 16:30 GMT: afternoon and weekday daytime
            "2025-10-27 17:00",  # Monday 17:00 GMT: evening
            "2025-11-03 23:30",  # Monday 23:30 GMT: evening
        ]
    )
    occ = pd.DataFrame({"series_id": ["s"] * len(starts), "start_utc": starts})
    with duckdb.connect() as memory:
        memory.register("occ", occ)
        in_store = memory.execute(slots_sql("SELECT * FROM occ")).df()
    expected = m.occurrence_slots(m.occurrence_times(occ))
    assert_frame_equal(in_store, expected, check_dtype=False)
    assert list(in_store.drop(columns="series_id").itertuples(index=False, name=None)) == [
        ("afternoon", True, 2),
        ("evening", False, 2),
        ("morning", False, 1),
        ("morning", True, 1),
    ]


PROFILES = {
    "page default": m.profile_from_controls("Free or ≤ £5", 0, [], False, True, False)[0],
    "any session": m.profile_from_controls("Any price", 0, [], False, False, False)[0],
}


def with_every_occurrence(data: m.SupplyData, occurrences: pd.DataFrame) -> m.SupplyData:
    """``data`` as it was before slots: every occurrence held, nothing counted beforehand."""
    return replace(data, occurrences=occurrences, slots=None, occurrence_counts=None)


@pytest.mark.parametrize("times", TIMES, ids=lambda t: t.describe())
@pytest.mark.parametrize("profile", PROFILES.values(), ids=PROFILES.keys())
def test_coverage_from_slots_equals_coverage_from_occurrences(
    con, every_occurrence, profile, times
) -> None:
    data = m.load_supply(con, Filters())
    assert data.occurrences is None and data.slots is not None
    full = with_every_occurrence(data, every_occurrence)
    ok = m.matching_series(data, profile, times)
    assert_series_equal(ok, m.matching_series(full, profile, times))
    evening_weekday_daytime = times.weekday_daytime and times.parts == ("evening",)
    assert ok.any() != evening_weekday_daytime  # 17:00 ends the working day
    areas = m.area_reach(data, ok)
    assert_frame_equal(m.pcn_reach(data, areas, ok, times), m.pcn_reach(full, areas, ok, times))


def test_finder_reads_only_the_nearest_series_occurrences(con, every_occurrence) -> None:
    data = m.load_supply(con, Filters())
    full = with_every_occurrence(data, every_occurrence)
    ok = m.matching_series(data, PROFILES["any session"], m.SessionTimes())
    area = data.areas[data.areas["in_view"]].iloc[0]
    where = m.Located(float(area["latitude"]), float(area["longitude"]), "an area")
    now = pd.Timestamp(every_occurrence["start_local"].min()).tz_localize(m.LONDON)
    asked: list[list[str]] = []

    def read(ids: list[str]) -> pd.DataFrame:
        asked.append(ids)
        return m.read_occurrences(con, ids)

    for times in TIMES:
        found = m.nearest_sessions(data, ok, where, now, times, read=read)
        assert_frame_equal(found, m.nearest_sessions(full, ok, where, now, times))
        if not times.active:
            assert found["next_sessions"].str.contains(":").all()
    assert len(asked) == len(TIMES) and all(len(ids) == 10 for ids in asked)
    with pytest.raises(ValueError, match="occurrences"):
        m.nearest_sessions(data, ok, where, now)
