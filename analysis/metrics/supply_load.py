"""Reading the Supply & gaps page's data from a built store: the filter-independent supply
(:func:`load_store_supply`, once per store) and one view's areas, referred people, PCNs and
practices (:func:`load_supply`, one query per table)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import duckdb
import pandas as pd

from analysis.access import LIVE_SERIES_SQL
from analysis.filters import Filters, journey_predicate
from analysis.metrics.overview import arm_pcns
from analysis.metrics.supply_times import (
    LIVE_OCCURRENCES_SQL,
    occurrence_slots,
    occurrence_times,
)

# fmt: off
__all__ = [
    "IN_VIEW", "StoreSupply", "SupplyData", "journeys_in_view", "load_place",
    "load_store_supply", "load_supply", "place_key", "read_occurrences", "view_pcns",
    "with_referred",
]
# fmt: on

SERIES_SQL = f"""
SELECT live.*, s.name, s.url, s.publisher_name, s.dataset_url, s.postcode, s.place_key,
       s.place_name, l.pcn_code
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


@dataclass(frozen=True)
class SupplyData:
    """What the page needs for one view. ``series``: live series with place, attribution and
    PCN; ``occurrences``: their non-cancelled occurrences with local times (None when read
    from a store: :func:`read_occurrences` reads a few series' when needed); ``areas``: every
    area of mart_area_access (``in_view`` marks those of the PCNs in view; referred people may
    live outside them); ``referred``: people referred in view (patient_key, pcn_code,
    lsoa_code); ``pcns``: mart_pcn_access rows in view with their arm; ``practices``;
    ``places``: postcode → coordinates; ``weeks``: weeks of weekly supply;
    ``occurrence_counts``: each series' number of occurrences, when counted beforehand;
    ``slots``: the occurrences counted by part of the day and weekday daytime
    (:func:`analysis.metrics.supply_times.occurrence_slots`), when counted beforehand."""

    series: pd.DataFrame
    occurrences: pd.DataFrame | None
    areas: pd.DataFrame
    referred: pd.DataFrame
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


def journeys_in_view(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    columns: str = "*",
    where: str = "TRUE",
    params: dict[str, object] | None = None,
) -> pd.DataFrame:
    """Journeys of the PCNs in view referred in the period that pass the filter's referral
    restrictions (and ``where``, an SQL condition that may use ``params``)."""
    predicate, restrictions = journey_predicate(filters)
    params = (
        dict(params or {})
        | restrictions
        | {
            "pcns": view_pcns(con, filters)["pcn_code"].tolist(),
            "start": filters.start or date.min,
            "end": filters.end or date.max,
        }
    )
    sql = f"""
        SELECT {columns} FROM journeys
        WHERE {IN_VIEW} AND referral_date BETWEEN $start AND $end
          AND ({predicate}) AND ({where})
    """
    return con.execute(sql, params).df()


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


def load_store_supply(con: duckdb.DuckDBPyConnection) -> StoreSupply:
    """Read the filter-independent supply once per store (see :class:`StoreSupply`); the
    occurrences are counted by the build (mart_series_slots), not read (a national store holds
    a million)."""
    slots = con.execute(SLOTS_SQL).df()  # of the live series, as SERIES_SQL reads them
    return StoreSupply(
        series=con.execute(SERIES_SQL).df(),
        slots=slots,
        places=con.execute(PLACES_SQL).df(),
        weeks=int(
            con.execute("SELECT count(DISTINCT week) FROM mart_pcn_supply_week").fetchone()[0]
        ),
        occurrence_counts=slots.groupby("series_id")["occurrences"].sum(),
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
    the view; the place's frames are shared, not copied."""
    referred = journeys_in_view(con, filters, "patient_key, pcn_code, lsoa_code")
    return replace(place, referred=referred)


def load_supply(
    con: duckdb.DuckDBPyConnection, filters: Filters, store: StoreSupply | None = None
) -> SupplyData:
    """Read one view's supply, areas, referred people, PCNs and practices from a built store
    (``store``: :func:`load_store_supply` of the same store, read here when not given)."""
    return with_referred(con, filters, load_place(con, filters, store))
