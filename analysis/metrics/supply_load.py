"""Reading the Supply & gaps page's data from a built store: the filter-independent supply
(:func:`load_store_supply`, once per store) and one view's areas, referred people, PCNs and
practices (:func:`load_supply`, one query per table). The people referred in a view are read
numbered (:class:`ReferredPeople`), not as their text keys: a national view refers 170,000."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from analysis.access import LIVE_SERIES_SQL
from analysis.filters import Filters, journey_predicate
from analysis.metrics.overview import arm_pcns
from analysis.metrics.supply_times import (
    LIVE_OCCURRENCES_SQL,
    occurrence_slots,
    occurrence_times,
    series_totals,
)

# fmt: off
__all__ = [
    "IN_VIEW", "ReferredPeople", "StoreSupply", "SupplyData", "journeys_in_view", "load_place",
    "load_store_supply", "load_supply", "place_key", "read_occurrences", "read_referred_people",
    "view_pcns", "with_referred",
]
# fmt: on

LIST_COLUMNS = ("levels", "accessibility_support")
"""The live series' list columns: read as JSON text, each distinct list decoded once."""
LISTS_AS_JSON = ", ".join(f"to_json(live.{column}) AS {column}" for column in LIST_COLUMNS)
SERIES_SQL = f"""
SELECT live.* REPLACE ({LISTS_AS_JSON}), s.name, s.url, s.publisher_name, s.dataset_url,
       s.postcode, s.place_key, s.place_name, l.pcn_code
FROM ({LIVE_SERIES_SQL}) AS live
JOIN supply_series AS s USING (series_id)
LEFT JOIN series_located AS l USING (series_id)
ORDER BY series_id
"""
IN_VIEW = "list_contains($pcns::VARCHAR[], pcn_code)"
AREAS_SQL = f"""SELECT * EXCLUDE (referrals, referred_people), {IN_VIEW} AS in_view
FROM mart_area_access ORDER BY lsoa_code"""
PRACTICES_SQL = f"""SELECT practice_code, practice_name, pcn_code, latitude, longitude
FROM stg_practices WHERE {IN_VIEW} AND latitude IS NOT NULL ORDER BY 1"""
PLACES_SQL = """SELECT postcode, avg(latitude) AS latitude, avg(longitude) AS longitude
FROM supply_places WHERE postcode IS NOT NULL AND latitude IS NOT NULL
  AND longitude IS NOT NULL GROUP BY postcode ORDER BY postcode"""
SLOTS_SQL = "SELECT * FROM mart_series_slots ORDER BY series_id, part, weekday_daytime"
SOME_OCCURRENCES_SQL = f"""{LIVE_OCCURRENCES_SQL} AND list_contains($ids::VARCHAR[], o.series_id)
ORDER BY o.series_id, o.start_utc"""
REFERRALS_SQL = f"""SELECT {{columns}} FROM journeys
WHERE {IN_VIEW} AND referral_date BETWEEN $start AND $end AND ({{predicate}}) AND ({{where}})"""
PEOPLE_SQL = """
WITH referrals AS ({referrals}),
areas AS (SELECT lsoa_code, row_number() OVER (ORDER BY lsoa_code) AS area FROM mart_area_access),
people AS (
    SELECT list(DISTINCT (list_position($pcns::VARCHAR[], r.pcn_code) - 1) * $span
                         + coalesce(a.area, 0)) AS places
    FROM referrals AS r LEFT JOIN areas AS a USING (lsoa_code)
    GROUP BY r.patient_key
)
SELECT person, unnest(places) AS place
FROM (SELECT row_number() OVER () - 1 AS person, places FROM people)
"""
"""Each person referred in view numbered, with the distinct places (PCN and home area, coded
as ``pcn × $span + area``; area 0 = unknown, else the row of mart_area_access by lsoa_code
counting from 1) of their referrals: the people are told apart by their keys in the store."""


@dataclass(frozen=True)
class ReferredPeople:
    """The people referred in a view, numbered: one row per person and distinct PCN and home
    area of their referrals. ``person``: a number per person (the same for all their
    referrals; numbers mean nothing else); ``pcn``: the referral's PCN as a position in
    ``pcn_codes``; ``area``: the home area as a position in ``lsoa_codes`` (-1 when not known
    or not an area held)."""

    person: np.ndarray
    pcn: np.ndarray
    area: np.ndarray
    pcn_codes: tuple[str, ...]
    lsoa_codes: np.ndarray

    @property
    def empty(self) -> bool:
        """True when nobody was referred in the view."""
        return len(self.person) == 0


@dataclass(frozen=True)
class SupplyData:
    """What the page needs for one view. ``series``: live series with place, attribution and
    PCN; ``occurrences``: their non-cancelled occurrences with local times (None when read
    from a store: :func:`read_occurrences` reads a few series' when needed); ``areas``: every
    area of mart_area_access (``in_view`` marks those of the PCNs in view; referred people may
    live outside them); ``referred``: people referred in view, numbered
    (:class:`ReferredPeople`) when read from a store, else rows (patient_key, pcn_code,
    lsoa_code); ``pcns``: mart_pcn_access rows in view with their arm; ``practices``;
    ``places``: postcode → coordinates; ``weeks``: weeks of weekly supply;
    ``occurrence_counts``: each series' number of occurrences, when counted beforehand;
    ``slots``: the occurrences counted by part of the day and weekday daytime
    (:func:`analysis.metrics.supply_times.occurrence_slots`), when counted beforehand."""

    series: pd.DataFrame
    occurrences: pd.DataFrame | None
    areas: pd.DataFrame
    referred: pd.DataFrame | ReferredPeople
    pcns: pd.DataFrame
    practices: pd.DataFrame
    places: pd.DataFrame
    weeks: int
    occurrence_counts: pd.Series | None = None  # series_id → occurrences (any time), if known
    slots: pd.DataFrame | None = None

    @property
    def time_slots(self) -> pd.DataFrame:
        """The series' occurrences counted by part of the day and weekday daytime."""
        if self.slots is not None:
            return self.slots
        if self.occurrences is None:
            raise ValueError("supply data holds neither occurrences nor their slots")
        return occurrence_slots(self.occurrences)


def view_pcns(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """The PCNs a view covers (the pilot's, or all) with their arm, narrowed to chosen PCNs."""
    pcns = arm_pcns(con, filters)[["pcn_code", "arm"]].drop_duplicates("pcn_code")
    if filters.pcn_codes:
        pcns = pcns[pcns["pcn_code"].isin(filters.pcn_codes)]
    return pcns.reset_index(drop=True)


def _referrals(
    con: duckdb.DuckDBPyConnection, filters: Filters, params: dict[str, object] | None = None
) -> tuple[str, dict[str, object]]:
    """The referral filter's SQL condition and the parameters of :data:`REFERRALS_SQL`."""
    predicate, restrictions = journey_predicate(filters)
    return predicate, dict(params or {}) | restrictions | {
        "pcns": view_pcns(con, filters)["pcn_code"].tolist(),
        "start": filters.start or date.min,
        "end": filters.end or date.max,
    }


def journeys_in_view(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    columns: str = "*",
    where: str = "TRUE",
    params: dict[str, object] | None = None,
) -> pd.DataFrame:
    """Journeys of the PCNs in view referred in the period that pass the filter's referral
    restrictions (and ``where``, an SQL condition that may use ``params``)."""
    predicate, params = _referrals(con, filters, params)
    sql = REFERRALS_SQL.format(columns=columns, predicate=predicate, where=where)
    return con.execute(sql, params).df()


def read_referred_people(
    con: duckdb.DuckDBPyConnection, filters: Filters, lsoa_codes: np.ndarray
) -> ReferredPeople:
    """The people referred in a view (as :func:`journeys_in_view` selects referrals),
    numbered; ``lsoa_codes``: mart_area_access's codes in order (as :data:`AREAS_SQL` reads
    them), which the areas are numbered by."""
    held = con.execute("SELECT count(*) FROM mart_area_access").fetchone()[0]
    if held != len(lsoa_codes):
        raise ValueError(f"mart_area_access holds {held} areas, not the {len(lsoa_codes)} given")
    span = len(lsoa_codes) + 1
    predicate, params = _referrals(con, filters, {"span": span})
    referrals = REFERRALS_SQL.format(
        columns="patient_key, pcn_code, lsoa_code", predicate=predicate, where="TRUE"
    )
    found = con.execute(PEOPLE_SQL.format(referrals=referrals), params).fetchnumpy()
    place = np.asarray(found["place"], dtype=np.int64)
    return ReferredPeople(
        person=np.asarray(found["person"], dtype=np.int64),
        pcn=place // span,
        area=place % span - 1,
        pcn_codes=tuple(params["pcns"]),
        lsoa_codes=np.asarray(lsoa_codes, dtype=object),
    )


@dataclass(frozen=True)
class StoreSupply:
    """The part of :class:`SupplyData` no filter changes: every live series, their
    occurrences counted by part of the day and weekday daytime (``slots``) and in all, the
    places and the weeks of weekly supply."""

    series: pd.DataFrame
    slots: pd.DataFrame
    places: pd.DataFrame
    weeks: int
    occurrence_counts: pd.Series  # series_id → its number of occurrences


def _lists(texts: pd.Series) -> np.ndarray:
    """Lists written as JSON text, as DuckDB gives a list column to pandas (an object array
    per list, pd.NA for a missing one), each distinct list decoded once and shared by the rows
    holding it (a national store's 65,000 series hold a few distinct lists)."""
    codes, distinct = pd.factorize(texts, use_na_sentinel=True)
    lists = np.empty(len(distinct) + 1, dtype=object)
    for i, text in enumerate(distinct):
        lists[i] = np.array(json.loads(text), dtype=object)
    lists[-1] = pd.NA  # code -1: missing
    return lists[codes]


def load_store_supply(con: duckdb.DuckDBPyConnection) -> StoreSupply:
    """Read the filter-independent supply once per store (see :class:`StoreSupply`); the
    occurrences are counted by the build (mart_series_slots), not read (a national store holds
    a million)."""
    slots = con.execute(SLOTS_SQL).df()  # of the live series, as SERIES_SQL reads them
    series = con.execute(SERIES_SQL).df()
    for column in LIST_COLUMNS:
        series[column] = _lists(series[column])
    return StoreSupply(
        series=series,
        slots=slots,
        places=con.execute(PLACES_SQL).df(),
        weeks=int(
            con.execute("SELECT count(DISTINCT week) FROM mart_pcn_supply_week").fetchone()[0]
        ),
        occurrence_counts=series_totals(slots),
    )


def read_occurrences(con: duckdb.DuckDBPyConnection, series_ids: list[str]) -> pd.DataFrame:
    """The non-cancelled occurrences of some live series, with local times
    (:func:`analysis.metrics.supply_times.occurrence_times`), by series and start."""
    frame = con.execute(SOME_OCCURRENCES_SQL, {"ids": list(series_ids)}).df()
    return occurrence_times(frame)


def place_key(filters: Filters) -> tuple:
    """The parts of a view's filters that decide its supply, areas, PCNs and practices (the
    pilot, the chosen PCNs and activity groups): views with the same key differ only in who
    was referred (the period and the referral filters)."""
    return (filters.pilot, tuple(filters.pcn_codes), tuple(filters.activity_groups))


def load_place(
    con: duckdb.DuckDBPyConnection, filters: Filters, store: StoreSupply | None = None
) -> SupplyData:
    """A view's supply, areas, PCNs and practices, with no referred people (the same for every
    view of one :func:`place_key`; ``store``: :func:`load_store_supply` of the same store, read
    here when not given)."""
    store = store or load_store_supply(con)
    pcns = view_pcns(con, filters)
    codes = {"pcns": pcns["pcn_code"].tolist()}
    series, slots = store.series, store.slots
    if filters.activity_groups:
        series = series[series["activity_group"].isin(filters.activity_groups)]
        slots = slots[slots["series_id"].isin(series["series_id"])].reset_index(drop=True)
    mart = con.execute(f"SELECT * FROM mart_pcn_access WHERE {IN_VIEW}", codes).df()
    return SupplyData(
        series=series.reset_index(drop=True) if filters.activity_groups else series,
        occurrences=None,  # read for a few series when the finder needs them
        areas=con.execute(AREAS_SQL, codes).df(),
        referred=pd.DataFrame(
            {c: pd.Series(dtype=object) for c in ("patient_key", "pcn_code", "lsoa_code")}
        ),
        pcns=pcns.merge(mart, on="pcn_code").sort_values("pcn_code", ignore_index=True),
        practices=con.execute(PRACTICES_SQL, codes).df(),
        places=store.places,
        weeks=store.weeks,
        occurrence_counts=store.occurrence_counts,  # a series keeps all its occurrences
        slots=slots,
    )


def with_referred(
    con: duckdb.DuckDBPyConnection, filters: Filters, place: SupplyData
) -> SupplyData:
    """``place`` (:func:`load_place` of the same :func:`place_key`) with the people referred in
    the view (numbered: :class:`ReferredPeople`); the place's frames are shared, not copied."""
    lsoa_codes = place.areas["lsoa_code"].to_numpy()
    return replace(place, referred=read_referred_people(con, filters, lsoa_codes))


def load_supply(
    con: duckdb.DuckDBPyConnection, filters: Filters, store: StoreSupply | None = None
) -> SupplyData:
    """Read one view's supply, areas, referred people, PCNs and practices from a built store
    (``store``: :func:`load_store_supply` of the same store, read here when not given)."""
    return with_referred(con, filters, load_place(con, filters, store))
