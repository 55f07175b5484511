"""When sessions run: the Supply & gaps page's suitability controls (price, parts of the day,
weekday daytime) as a profile and a time filter, occurrences' local times, and each series'
occurrences counted by part of the day and weekday daytime ("slots", in pandas or in the
store's SQL)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from analysis.access import LIVE_SERIES_SQL, SuitabilityProfile

# fmt: off
__all__ = [
    "LIVE_OCCURRENCES_SQL",
    "LONDON",
    "PARTS_OF_DAY",
    "PRICE_CHOICES",
    "SLOT_COLUMNS",
    "WEEKDAY_DAYTIME",
    "SessionTimes",
    "build_series_slots",
    "matching_occurrences",
    "occurrence_slots",
    "occurrence_times",
    "profile_from_controls",
    "series_totals",
    "slots_sql",
    "timely_counts",
]
# fmt: on

LONDON = "Europe/London"
PRICE_CHOICES: dict[str, float | None] = {"Free only": 0.0, "Free or ≤ £5": 5.0, "Any price": None}
PARTS_OF_DAY = {"morning": (0, 12), "afternoon": (12, 17), "evening": (17, 24)}  # local hours
WEEKDAY_DAYTIME = (9, 17)  # Monday to Friday, starting 09:00 to 16:59 local time
SLOT_COLUMNS = ["series_id", "part", "weekday_daytime", "occurrences"]
LIVE_OCCURRENCES_SQL = f"""
SELECT o.series_id, o.start_utc FROM supply_occurrences AS o
WHERE NOT o.cancelled AND NOT o.orphan
  AND o.series_id IN (SELECT series_id FROM ({LIVE_SERIES_SQL}))
"""
"""The non-cancelled occurrences of live series (series_id, naive-UTC start_utc)."""


@dataclass(frozen=True)
class SessionTimes:
    """When sessions must run: any of ``parts`` of the day (empty = any time) and, optionally,
    on a weekday during the day (Monday–Friday, 09:00–17:00), Europe/London time."""

    parts: tuple[str, ...] = ()
    weekday_daytime: bool = False

    def __post_init__(self) -> None:
        unknown = set(self.parts) - set(PARTS_OF_DAY)
        if unknown:
            raise ValueError(f"unknown part of the day: {', '.join(sorted(unknown))}")
        object.__setattr__(self, "parts", tuple(p for p in PARTS_OF_DAY if p in self.parts))

    @property
    def active(self) -> bool:
        return bool(self.parts) or self.weekday_daytime

    def describe(self) -> str:
        text = " or ".join(self.parts) if self.parts else "any time"
        return text + (", weekday daytime" if self.weekday_daytime else "")


def profile_from_controls(
    price: str,
    min_ready_percent: float,
    parts: list[str] | None,
    weekday_daytime: bool,
    beginner: bool,
    accessibility: bool,
) -> tuple[SuitabilityProfile, SessionTimes]:
    """The profile and time filter the page's controls describe (price as a
    :data:`PRICE_CHOICES` label, parts of the day in any case)."""
    profile = SuitabilityProfile(
        max_price=PRICE_CHOICES[price],
        beginner_or_no_level=beginner,
        accessibility=accessibility,
        min_sp_ready=min_ready_percent / 100,
    )
    return profile, SessionTimes(tuple(p.lower() for p in parts or ()), weekday_daytime)


def occurrence_times(occurrences: pd.DataFrame) -> pd.DataFrame:
    """Add ``start_local`` (Europe/London, naive), ``part`` of the day, ``weekday_daytime`` and
    ``week`` (the Monday of the UTC date, as in mart_pcn_supply_week) to occurrences."""
    out = occurrences.copy()
    utc = pd.to_datetime(out["start_utc"])
    local = utc.dt.tz_localize("UTC").dt.tz_convert(LONDON).dt.tz_localize(None)
    hour = local.dt.hour
    out["start_local"] = local
    out["part"] = pd.cut(hour, [0, 12, 17, 24], right=False, labels=list(PARTS_OF_DAY))
    out["part"] = out["part"].astype(object)
    start, end = WEEKDAY_DAYTIME
    out["weekday_daytime"] = (local.dt.dayofweek < 5) & hour.ge(start) & hour.lt(end)
    out["week"] = utc.dt.normalize() - pd.to_timedelta(utc.dt.dayofweek, unit="D")
    return out


def matching_occurrences(occurrences: pd.DataFrame, times: SessionTimes) -> pd.Series:
    """True for occurrences that run at the chosen times."""
    ok = pd.Series(True, index=occurrences.index)
    if times.parts:
        ok &= occurrences["part"].isin(times.parts)
    if times.weekday_daytime:
        ok &= occurrences["weekday_daytime"].astype(bool)
    return ok


def occurrence_slots(occurrences: pd.DataFrame) -> pd.DataFrame:
    """Each series' occurrences (with :func:`occurrence_times`) counted by part of the day and
    weekday daytime (:data:`SLOT_COLUMNS`; one row per combination that occurs)."""
    keys = ["series_id", "part", "weekday_daytime"]
    counts = occurrences.groupby(keys, observed=True, sort=True).size()
    out = counts.rename("occurrences").reset_index()
    out["weekday_daytime"] = out["weekday_daytime"].astype(bool)
    return out[SLOT_COLUMNS]


def series_totals(slots: pd.DataFrame) -> pd.Series:
    """series_id → its occurrences in all, from :func:`occurrence_slots` rows: summed over each
    series' run of rows when they come sorted by series (as the store gives them), else by
    pandas."""
    ids = slots["series_id"].to_numpy()
    if len(ids) == 0:
        return slots.groupby("series_id")["occurrences"].sum()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    index = pd.Index(ids[starts], name="series_id")
    if not (index.is_unique and index.is_monotonic_increasing):  # not sorted by series
        return slots.groupby("series_id")["occurrences"].sum()
    totals = np.add.reduceat(slots["occurrences"].to_numpy(), starts)
    return pd.Series(totals, index=index, name="occurrences")


def slots_sql(occurrences: str) -> str:
    """SQL giving :func:`occurrence_slots` of ``occurrences`` (an SQL relation with
    ``series_id`` and naive-UTC ``start_utc``), Europe/London local time computed in the store
    (ICU time zones, as pandas' ``tz_convert``) once per distinct start: a million occurrences
    start at a few thousand distinct times."""
    start, end = WEEKDAY_DAYTIME
    parts = "".join(
        f" WHEN hour(local) < {to} THEN '{name}'" for name, (_, to) in PARTS_OF_DAY.items()
    )
    return f"""
        WITH occ AS ({occurrences}),
        starts AS (
            SELECT start_utc, CASE{parts} END AS part,
                   isodow(local) <= 5 AND hour(local) >= {start} AND hour(local) < {end}
                       AS weekday_daytime
            FROM (SELECT start_utc, timezone('{LONDON}', timezone('UTC', start_utc)) AS local
                  FROM (SELECT DISTINCT start_utc FROM occ))
        )
        SELECT series_id, part, weekday_daytime, count(*) AS occurrences
        FROM occ JOIN starts USING (start_utc)
        GROUP BY ALL ORDER BY series_id, part, weekday_daytime
    """


def build_series_slots(con: duckdb.DuckDBPyConnection) -> None:
    """Table mart_series_slots: :func:`occurrence_slots` of every live series' non-cancelled
    occurrences, counted once per build (the Supply & gaps page reads it instead of a million
    occurrences)."""
    con.execute(f"CREATE OR REPLACE TABLE mart_series_slots AS {slots_sql(LIVE_OCCURRENCES_SQL)}")


def timely_counts(slots: pd.DataFrame, times: SessionTimes) -> pd.Series:
    """series_id → its number of occurrences at the chosen times (series with none left out)."""
    ok = matching_occurrences(slots, times)  # a slot has the occurrences' part and weekday flag
    return slots.loc[ok, "occurrences"].groupby(slots.loc[ok, "series_id"]).sum()
