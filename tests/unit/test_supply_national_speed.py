"""Supply & gaps reads and counts less on its first load, with the same numbers, each checked
against the method used before (written out here) on the demo store:

- the people referred in a view are read numbered (:class:`ReferredPeople`) and counted per
  area and PCN without their text keys (before: pandas distinct counts of the referrals' rows),
  over many views and profiles;
- the map's session records are written from each distinct tooltip line written once (before:
  rows made from a copy of every series column and written by pandas), the same text;
- the live series' list columns are read as JSON text, each distinct list decoded once
  (before: DuckDB made an array for each of 65,000 rows), and each series' occurrences are
  summed over its run of sorted slots (before: a pandas group-by);
- area and PCN reach take only the suitable series' columns they use (before: a copy of all);
- the series sharing a place are numbered for the map's spiral with NumPy (before: a pandas
  group-by).
"""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from analysis.access import ACCESS_KM, LIVE_SERIES_SQL
from analysis.access import nearest as nearest_km
from analysis.figures.supply_map_rows import _pct, _price, session_records
from analysis.figures.supply_places import _cumcount
from analysis.figures.supply_style import OTHER_COLOUR, activity_colours, rgb
from analysis.filters import Filters
from analysis.metrics import supply as m
from analysis.metrics.overview import arm_pcns, pilot_names
from analysis.metrics.supply_coverage import PCN_COLUMNS
from analysis.metrics.supply_load import _lists
from analysis.metrics.supply_times import series_totals, timely_counts

PROFILES = [  # (profile, times): the page's default, any session, a narrow one
    m.profile_from_controls("Free or ≤ £5", 0, [], False, True, False),
    m.profile_from_controls("Any price", 0, [], False, False, False),
    m.profile_from_controls("Free only", 60, ["Evening"], False, True, True),
]


@pytest.fixture(scope="module")
def con(demo_store: Path):
    with duckdb.connect(str(demo_store), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def store(con) -> m.StoreSupply:
    return m.load_store_supply(con)


def views(con) -> list[Filters]:
    """Views of every kind: all PCNs, a pilot, a period, chosen PCNs, referral and person
    filters, an activity group, and views matching nobody."""
    pilot = pilot_names(con)[0]
    pcns = arm_pcns(con, Filters(pilot=pilot))["pcn_code"].tolist()
    return [
        Filters(),
        Filters(pilot=pilot),
        Filters(pilot=pilot, start=date(2024, 4, 1), end=date(2025, 3, 31)),
        Filters(pilot=pilot, pcn_codes=tuple(pcns[:2]), sexes=("female",)),
        Filters(pilot=pilot, referral_sources=("gp",), imd_quintiles=("1", "unknown")),
        Filters(pilot=None, conditions=("mental_health",), age_bands=("65-74",)),
        Filters(pilot=pilot, activity_groups=("Swimming", "Football")),
        Filters(pilot=pilot, start=date(2001, 1, 1), end=date(2001, 2, 1)),
        Filters(pilot=pilot, pcn_codes=("NOT-A-PCN",)),
    ]


def referral_rows(con, flt: Filters) -> pd.DataFrame:
    """The referrals in view as rows with their text keys, as the page read them before."""
    return m.journeys_in_view(con, flt, "patient_key, pcn_code, lsoa_code")


def people_by_area(areas: pd.DataFrame, rows: pd.DataFrame) -> pd.Series:
    """Before: distinct patient keys per home area, by pandas."""
    people = rows.dropna(subset=["lsoa_code"]).groupby("lsoa_code")["patient_key"].nunique()
    return areas["lsoa_code"].map(people).fillna(0).astype("int64")


def people_by_pcn(reach: pd.DataFrame, areas: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Before: distinct patient keys per PCN with a known home, and within 1 km, by pandas."""
    home = rows.merge(areas[["lsoa_code", "nearest_km"]], on="lsoa_code", how="inner")
    located = home.groupby("pcn_code")["patient_key"].nunique()
    near = home[home["nearest_km"].le(ACCESS_KM)].groupby("pcn_code")["patient_key"].nunique()
    out = reach.copy()
    out["referred_located"] = out["pcn_code"].map(located).fillna(0).astype("int64")
    out["referred_within_1km"] = out["pcn_code"].map(near).fillna(0).astype("int64")
    denominator = out["referred_located"].where(out["referred_located"] > 0)
    out["referred_share_within_1km"] = out["referred_within_1km"] / denominator
    return out[PCN_COLUMNS]


def test_numbered_people_count_as_the_referrals_rows(con, store) -> None:
    checked = set()
    for flt in views(con):
        data = m.load_supply(con, flt, store)
        rows = referral_rows(con, flt)
        assert isinstance(data.referred, m.ReferredPeople)
        assert data.referred.empty == rows.empty
        people = data.referred
        assert len(set(people.person)) == rows["patient_key"].nunique()
        for profile, times in PROFILES:
            ok = m.matching_series(data, profile, times)
            areas = m.area_reach(data, ok)
            reach = m.pcn_reach(data, areas, ok, times)
            expected = people_by_area(areas, rows)
            assert_series_equal(m.referred_people(areas, people), expected, check_exact=True)
            pcns = m.pcn_referred(reach, areas, people)
            assert_frame_equal(pcns, people_by_pcn(reach, areas, rows), check_exact=True)
            with_people = areas.assign(referred_people=expected)
            whole = m.area_coverage(data, ok)
            assert_frame_equal(whole, with_people, check_exact=True)
            assert_frame_equal(m.pcn_coverage(data, whole, ok, times), pcns, check_exact=True)
            checked.add((bool(expected.sum()), bool(pcns["referred_within_1km"].sum())))
    assert checked >= {(True, True), (False, False)}  # people counted, and views of nobody


def test_numbered_people_count_the_same_over_areas_in_another_order(con, store) -> None:
    """Areas given shuffled, only some of them or with an area twice are matched by code."""
    pilot = pilot_names(con)[0]
    flt = Filters(pilot=pilot)
    data, rows = m.load_supply(con, flt, store), referral_rows(con, flt)
    ok = m.matching_series(data, *PROFILES[0])
    areas = m.area_reach(data, ok)
    reach = m.pcn_reach(data, areas, ok)
    rng = np.random.default_rng(3)
    for some in (
        areas.sample(frac=1.0, random_state=1),
        areas[areas["in_view"]],
        areas.iloc[rng.choice(len(areas), len(areas) // 2, replace=False)],
        pd.concat([areas.iloc[:50], areas.iloc[10:20]]),
    ):
        assert_series_equal(
            m.referred_people(some, data.referred), people_by_area(some, rows), check_exact=True
        )
        if some["lsoa_code"].is_unique:
            expected = people_by_pcn(reach, some, rows)
            got = m.pcn_referred(reach, some, data.referred)
            assert_frame_equal(got, expected, check_exact=True)


def test_a_person_referred_from_two_places_is_counted_once_in_each() -> None:
    """Numbered people from hand-made rows: one person with referrals in two PCNs and two
    areas, another twice from one area; an unknown home counts nowhere."""
    areas = pd.DataFrame({"lsoa_code": ["A1", "A2", "B1"], "nearest_km": [0.5, 2.0, 0.9]})
    rows = pd.DataFrame(
        {
            "patient_key": ["p1", "p1", "p1", "p2", "p2", "p3"],
            "pcn_code": ["P1", "P1", "P2", "P1", "P1", "P2"],
            "lsoa_code": ["A1", "A2", "B1", "A2", "A2", None],
        }
    )
    people = m.ReferredPeople(
        person=np.array([0, 0, 0, 1, 2]),
        pcn=np.array([0, 0, 1, 0, 1]),
        area=np.array([0, 1, 2, 1, -1]),
        pcn_codes=("P1", "P2"),
        lsoa_codes=areas["lsoa_code"].to_numpy(),
    )
    reach = pd.DataFrame({c: [None, None] for c in PCN_COLUMNS[:-4]})
    reach = reach.assign(pcn_code=["P1", "P2"], suitable_series=0, suitable_weekly_per_1000=0.0)
    reach["desert"] = False
    assert m.referred_people(areas, people).tolist() == [1, 2, 1]
    assert_series_equal(m.referred_people(areas, people), people_by_area(areas, rows))
    got = m.pcn_referred(reach, areas, people)
    assert got["referred_located"].tolist() == [2, 1]  # P1: p1 once (two areas) and p2
    assert got["referred_within_1km"].tolist() == [1, 1]  # P1: p1 from A1; P2: p1 from B1
    assert_frame_equal(got, people_by_pcn(reach, areas, rows))


def fanned_out_before(frame: pd.DataFrame, step_m: float) -> pd.DataFrame:
    """Before: the series frame copied with its spiral coordinates added."""
    out = frame.copy()
    key, unkeyed = out["place_key"], out["place_key"].isna()
    if unkeyed.any():
        at = out.loc[unkeyed]
        key = key.fillna(at["latitude"].astype(str) + at["longitude"].astype(str))
    k = out.groupby(key).cumcount().to_numpy(dtype=float)
    radius, angle = step_m * np.sqrt(k), k * math.radians(137.508)
    out["plot_lat"] = out["latitude"] + radius * np.cos(angle) / 111_320
    out["plot_lon"] = out["longitude"] + radius * np.sin(angle) / (
        111_320 * np.cos(np.radians(out["latitude"]))
    )
    return out


def each_distinct_before(values: pd.Series, text) -> np.ndarray:
    """Before: ``text`` of each distinct value (as pandas tells values apart), by row."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    labels = np.array([text(v) for v in distinct] + [text(np.nan)], dtype=object)
    return labels[codes]


def session_rows_before(series: pd.DataFrame, ok: pd.Series, step_m: float) -> pd.DataFrame:
    """Before: every series column kept, the tooltip lines added, the whole frame rounded."""
    s = fanned_out_before(series.assign(ok=ok.to_numpy()), step_m)
    colours = activity_colours(s.loc[s["ok"], "activity_group"].tolist())
    group = s["activity_group"].fillna("Other activities")
    fills = {g: rgb(colours.get(g, OTHER_COLOUR)) for g in group.unique()}
    s["fill"] = [fills[g] for g in group]
    free = s["is_free"].astype("boolean").fillna(False).to_numpy()
    price = each_distinct_before(s["price_min"], _price)
    s["title"] = s["name"].fillna("(unnamed session)")
    s["line1"] = s["activity_group"].fillna("Activity not classified") + " · "
    s["line1"] += (
        np.where(free, "free", price)
        + " · SP-readiness "
        + each_distinct_before(s["sp_ready_score"], _pct)
    )
    s["line2"] = s["place_name"].fillna("") + ", " + s["postcode"].fillna("postcode not given")
    s["line3"] = "Source: " + s["publisher_name"].fillna("publisher not named")
    return s.round({"plot_lon": 6, "plot_lat": 6})


def session_json_before(series: pd.DataFrame, ok: pd.Series, step_m: float) -> tuple[str, str]:
    """Before: the suitable and the other sessions' rows written by pandas, keys sorted."""
    rows = session_rows_before(series, ok, step_m)
    tip = ["plot_lon", "plot_lat", "title", "line1", "line2", "line3"]
    suitable = rows.loc[rows["ok"], sorted(["fill", *tip])]
    others = rows.loc[~rows["ok"], sorted(tip)]
    return tuple(f.to_json(orient="records", double_precision=10) for f in (suitable, others))


def with_gaps(series: pd.DataFrame) -> pd.DataFrame:
    """Series with some of every column the records show missing, and some -0.0 prices."""
    n = np.arange(len(series))
    return series.assign(
        place_key=series["place_key"].where(n % 5 > 0),
        name=series["name"].where(n % 7 > 0),
        activity_group=series["activity_group"].where(n % 11 > 0),
        price_min=series["price_min"].where(n % 3 > 0).mask(n % 13 == 0, -0.0),
        is_free=series["is_free"].astype("boolean").mask(n % 17 == 0),
        sp_ready_score=series["sp_ready_score"].where(n % 4 > 0),
        place_name=series["place_name"].where(n % 6 > 0),
        postcode=series["postcode"].where(n % 8 > 0),
        publisher_name=series["publisher_name"].where(n % 9 > 0),
    )


def test_session_records_are_the_rows_pandas_wrote_before(store) -> None:
    series = store.series
    rng = np.random.default_rng(5)
    for frame in (
        series,
        with_gaps(series),
        series.iloc[rng.permutation(len(series))[:100]],
        series.iloc[:0],
    ):
        for ok in (
            frame["is_free"].fillna(False).astype(bool),
            pd.Series(True, index=frame.index),
            pd.Series(False, index=frame.index),
        ):
            for step in (25.0, 140.0):
                got = session_records(frame, ok, step)
                assert got == session_json_before(frame, ok, step)
                assert [len(json.loads(records)) for records in got] == [ok.sum(), (~ok).sum()]


SERIES_BEFORE = f"""
SELECT live.*, s.name, s.url, s.publisher_name, s.dataset_url, s.postcode, s.place_key,
       s.place_name, l.pcn_code
FROM ({LIVE_SERIES_SQL}) AS live
JOIN supply_series AS s USING (series_id)
LEFT JOIN series_located AS l USING (series_id)
ORDER BY series_id
"""
"""Before: the live series read with their list columns as lists."""


def test_store_series_and_totals_are_those_read_and_summed_before(con, store) -> None:
    before = con.execute(SERIES_BEFORE).df()
    assert_frame_equal(store.series, before, check_exact=True)
    for column in ("levels", "accessibility_support"):  # the demo holds lists and empty ones
        assert {len(v) for v in before[column]} > {0}
    totals = store.slots.groupby("series_id")["occurrences"].sum()
    assert_series_equal(store.occurrence_counts, totals, check_exact=True)


def test_lists_decoded_from_their_json_are_the_lists_duckdb_gives() -> None:
    lists = """SELECT * FROM (VALUES (['Beginner']), ([]::VARCHAR[]), (NULL), (['a', NULL]),
        (['x, y', 'z']), (['"quoted" \\ slash/ · £5 – 🏊']), (['Beginner']), ([]::VARCHAR[]))
        AS t(levels)"""
    with duckdb.connect() as memory:
        before = memory.execute(lists).df()["levels"]
        texts = memory.execute(f"SELECT to_json(levels) AS levels FROM ({lists})").df()["levels"]
    got = pd.Series(_lists(texts), name="levels")
    assert_series_equal(got, before, check_exact=True)
    assert got[2] is pd.NA and got[3][1] is None


def test_series_totals_sum_runs_of_sorted_rows_as_pandas_sums_them(store) -> None:
    slots = store.slots
    rng = np.random.default_rng(11)
    for rows in (
        slots,
        slots.iloc[rng.permutation(len(slots))],  # unsorted: pandas sums them
        slots.iloc[:1],
        slots.iloc[:0],
        slots[slots["part"] == "evening"],
    ):
        expected = rows.groupby("series_id")["occurrences"].sum()
        assert_series_equal(series_totals(rows), expected, check_exact=True)


def reach_before(data: m.SupplyData, ok: pd.Series, times: m.SessionTimes) -> tuple:
    """Before: area and PCN reach from copies of every column of the suitable series."""
    areas, chosen = data.areas.copy(), data.series[ok.to_numpy()]
    km, index = nearest_km(
        areas["latitude"].to_numpy(), areas["longitude"].to_numpy(),
        chosen["latitude"].to_numpy(), chosen["longitude"].to_numpy(),
    )  # fmt: skip
    found = index >= 0
    areas["nearest_km"] = np.where(found, km, np.nan)
    names = chosen["name"].fillna("(unnamed)").to_numpy(dtype=object)
    areas["nearest_name"] = np.where(
        found, names[np.where(found, index, 0)] if len(names) else None, None
    )
    areas["within_1km"] = areas["nearest_km"].le(ACCESS_KM)
    keep = "pcn_code pcn_name arm population live_series free_series weekly_occurrences_per_1000"
    out = data.pcns[keep.split()].copy()
    within = areas["population"].where(areas["within_1km"], 0).groupby(areas["pcn_code"]).sum()
    out["population_within_1km"] = out["pcn_code"].map(within).fillna(0).astype("int64")
    out["share_within_1km"] = out["population_within_1km"] / out["population"].where(
        out["population"] > 0
    )
    out["suitable_series"] = out["pcn_code"].map(chosen.groupby("pcn_code").size())
    out["suitable_series"] = out["suitable_series"].fillna(0).astype("int64")
    timely = timely_counts(data.time_slots, times)
    per_series = chosen["series_id"].map(timely).fillna(0)
    weekly = per_series.groupby(chosen["pcn_code"]).sum() / max(data.weeks, 1)
    per_1000 = out["pcn_code"].map(weekly).fillna(0)
    out["suitable_weekly_per_1000"] = 1000 * (per_1000 / out["population"].where(
        out["population"] > 0
    ))  # fmt: skip
    out["desert"] = out["share_within_1km"].lt(m.DESERT_SHARE)
    return areas, out


def test_reach_reads_only_the_suitable_series_columns_it_uses(con, store) -> None:
    for flt in views(con)[:4]:
        data = m.load_place(con, flt, store)
        for profile, times in PROFILES:
            ok = m.matching_series(data, profile, times)
            areas, pcns = reach_before(data, ok, times)
            assert_frame_equal(m.area_reach(data, ok), areas, check_exact=True)
            assert_frame_equal(m.pcn_reach(data, areas, ok, times), pcns, check_exact=True)


def test_places_are_counted_in_order_as_pandas_counts_them(store) -> None:
    """The spiral's step for each series: its number among the series at its place."""
    rng = np.random.default_rng(2)
    places = store.series["place_key"]
    for key in (
        places,
        places.where(rng.random(len(places)) > 0.2),  # some without a place: NaN
        places.iloc[rng.permutation(len(places))],
        places.iloc[:1],
        places.iloc[:0],
    ):
        expected = key.groupby(key).cumcount().to_numpy(dtype=float)
        np.testing.assert_array_equal(_cumcount(key), expected)
