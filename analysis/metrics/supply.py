"""Supply & gaps: where suitable sessions are, who lives far from one, and a session finder.

:func:`load_supply` reads everything the Supply & gaps page needs for a view (one query per
table); the other functions are pure over its frames, so a changed suitability profile or time
filter is recomputed without touching the store. Distances come from :mod:`analysis.access`
(k-d tree, great-circle km): with the default profile and no time filter they reproduce
``mart_area_access.nearest_suitable_km`` and ``mart_pcn_access.share_within_1km_suitable``.

Small numbers: referred-people counts at or below :data:`SUPPRESSION_THRESHOLD` are never shown
to commissioners (:func:`suppressed` is the one rule; the full disclosure-control module will
replace it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from analysis.access import ACCESS_KM, LIVE_SERIES_SQL, SuitabilityProfile, great_circle_km
from analysis.access import nearest as nearest_km
from analysis.access import suitable as suitable_series
from analysis.filters import Filters, journey_predicate
from analysis.metrics.overview import arm_pcns

# fmt: off
__all__ = [
    "DESERT_SHARE", "PARTS_OF_DAY", "PRICE_CHOICES", "SUPPRESSION_THRESHOLD", "Located",
    "SessionTimes", "SupplyData", "area_choices", "area_coverage",
    "journeys_in_view", "load_supply", "locate_area", "locate_postcode", "matching_occurrences",
    "matching_series", "nearest_sessions", "normalise_postcode", "occurrence_times",
    "pcn_coverage", "pcn_table", "profile_from_controls", "redact_counts", "redact_share",
    "suppressed", "view_pcns",
]
# fmt: on

SUPPRESSION_THRESHOLD = 7  # counts of referred people at or below this are not shown
REDACTED = f"≤{SUPPRESSION_THRESHOLD}"
DESERT_SHARE = 0.40  # a PCN with less of its population within 1 km is a supply desert
LONDON = "Europe/London"
PRICE_CHOICES: dict[str, float | None] = {"Free only": 0.0, "Free or ≤ £5": 5.0, "Any price": None}
PARTS_OF_DAY = {"morning": (0, 12), "afternoon": (12, 17), "evening": (17, 24)}  # local hours
WEEKDAY_DAYTIME = (9, 17)  # Monday to Friday, starting 09:00 to 16:59 local time
# fmt: off
FINDER_COLUMNS = ["distance_km", "name", "activity_group", "next_sessions", "usually", "price",
                  "sp_ready_score", "postcode", "url", "source", "dataset_url", "series_id"]
# fmt: on
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9])([A-Z]{2})$")

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
OCCURRENCES_SQL = f"""
SELECT o.series_id, o.start_utc FROM supply_occurrences AS o
WHERE NOT o.cancelled AND NOT o.orphan
  AND o.series_id IN (SELECT series_id FROM ({LIVE_SERIES_SQL}))
ORDER BY o.series_id, o.start_utc
"""


# ---- disclosure control (the one rule) ----------------------------------------------------------
def suppressed(counts: pd.Series) -> pd.Series:
    """True where a count of people is too small to show (≤ :data:`SUPPRESSION_THRESHOLD`)."""
    return pd.to_numeric(counts, errors="coerce").fillna(0).le(SUPPRESSION_THRESHOLD)


def redact_counts(counts: pd.Series) -> pd.Series:
    """Counts as display text: the number with a thousands separator, or "≤7"."""
    text = pd.to_numeric(counts, errors="coerce").fillna(0).astype("int64").map("{:,}".format)
    return text.where(~suppressed(counts), REDACTED).astype(object)


def redact_share(share: pd.Series, *counts: pd.Series) -> pd.Series:
    """A share, missing wherever a count it is made from is suppressed."""
    hidden = pd.Series(False, index=share.index)
    for count in counts:
        hidden |= suppressed(count)
    return share.where(~hidden)


def pcn_table(pcns: pd.DataFrame) -> pd.DataFrame:
    """:func:`pcn_coverage` rows as shown to commissioners: referred-people counts redacted,
    shares built from a redacted count hidden, and a plain "Supply gap" note for deserts."""
    return pcns.assign(
        referred_located=redact_counts(pcns["referred_located"]),
        referred_within_1km=redact_counts(pcns["referred_within_1km"]),
        referred_share_within_1km=redact_share(
            pcns["referred_share_within_1km"],
            pcns["referred_located"],
            pcns["referred_within_1km"],
        ),
        gap=pcns["desert"].map({True: f"Desert: under {DESERT_SHARE:.0%} within 1 km"}).fillna(""),
    )


# ---- the profile's time filter ------------------------------------------------------------------
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


# ---- loading a view -----------------------------------------------------------------------------
@dataclass(frozen=True)
class SupplyData:
    """What the page needs for one view. ``series``: live series with place, attribution and
    PCN; ``occurrences``: their non-cancelled occurrences with local times; ``areas``: every
    area of mart_area_access (``in_view`` marks those of the PCNs in view; referred people may
    live outside them); ``referred``: people referred in view (patient_key, pcn_code,
    lsoa_code); ``pcns``: mart_pcn_access rows in view with their arm; ``practices``;
    ``places``: postcode → coordinates; ``weeks``: weeks of weekly supply."""

    series: pd.DataFrame
    occurrences: pd.DataFrame
    areas: pd.DataFrame
    referred: pd.DataFrame
    pcns: pd.DataFrame
    practices: pd.DataFrame
    places: pd.DataFrame
    weeks: int


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
    occurrences with local times, the places and the weeks of weekly supply."""

    series: pd.DataFrame
    occurrences: pd.DataFrame
    places: pd.DataFrame
    weeks: int


def load_store_supply(con: duckdb.DuckDBPyConnection) -> StoreSupply:
    """Read the filter-independent supply once per store (see :class:`StoreSupply`)."""
    return StoreSupply(
        series=con.execute(SERIES_SQL).df(),
        occurrences=occurrence_times(con.execute(OCCURRENCES_SQL).df()),
        places=con.execute(PLACES_SQL).df(),
        weeks=int(
            con.execute("SELECT count(DISTINCT week) FROM mart_pcn_supply_week").fetchone()[0]
        ),
    )


def load_supply(
    con: duckdb.DuckDBPyConnection, filters: Filters, store: StoreSupply | None = None
) -> SupplyData:
    """Read one view's supply, areas, referred people, PCNs and practices from a built store
    (``store``: :func:`load_store_supply` of the same store, read here when not given)."""
    store = store or load_store_supply(con)
    pcns = view_pcns(con, filters)
    codes = {"pcns": pcns["pcn_code"].tolist()}
    series, occurrences = store.series, store.occurrences
    if filters.activity_groups:
        series = series[series["activity_group"].isin(filters.activity_groups)]
        occurrences = occurrences[occurrences["series_id"].isin(series["series_id"])]
    mart = con.execute(f"SELECT * FROM mart_pcn_access WHERE {IN_VIEW}", codes).df()
    return SupplyData(
        series=series.reset_index(drop=True),
        occurrences=occurrences.reset_index(drop=True),
        areas=con.execute(AREAS_SQL, codes).df(),
        referred=journeys_in_view(con, filters, "patient_key, pcn_code, lsoa_code"),
        pcns=pcns.merge(mart, on="pcn_code").sort_values("pcn_code", ignore_index=True),
        practices=con.execute(PRACTICES_SQL, codes).df(),
        places=store.places,
        weeks=store.weeks,
    )


# ---- coverage for a profile ---------------------------------------------------------------------
def matching_series(
    data: SupplyData, profile: SuitabilityProfile, times: SessionTimes
) -> pd.Series:
    """True for the live series that suit the profile (and, with a time filter, have an
    occurrence at the chosen times)."""
    ok = suitable_series(data.series, profile)
    if times.active:
        occ = data.occurrences
        timely = occ.loc[matching_occurrences(occ, times), "series_id"]
        ok &= data.series["series_id"].isin(timely)
    return ok


def _coords(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return frame["latitude"].to_numpy(), frame["longitude"].to_numpy()


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator ÷ denominator, missing where the denominator is 0."""
    return numerator / denominator.where(denominator > 0)


def area_coverage(data: SupplyData, ok: pd.Series) -> pd.DataFrame:
    """Areas with ``nearest_km`` (to a suitable series; NaN when there is none), the nearest
    series' name, ``within_1km`` and ``referred_people`` (distinct people referred in view)."""
    areas, chosen = data.areas.copy(), data.series[ok.to_numpy()]
    km, index = nearest_km(*_coords(areas), *_coords(chosen))
    found = index >= 0
    areas["nearest_km"] = np.where(found, km, np.nan)
    names = chosen["name"].fillna("(unnamed)").to_numpy(dtype=object)
    areas["nearest_name"] = np.where(
        found, names[np.where(found, index, 0)] if len(names) else None, None
    )
    areas["within_1km"] = areas["nearest_km"].le(ACCESS_KM)
    people = data.referred.dropna(subset=["lsoa_code"]).groupby("lsoa_code")["patient_key"]
    areas["referred_people"] = areas["lsoa_code"].map(people.nunique()).fillna(0).astype("int64")
    return areas


def pcn_coverage(
    data: SupplyData, areas: pd.DataFrame, ok: pd.Series, times: SessionTimes | None = None
) -> pd.DataFrame:
    """One row per PCN in view: the share of its population (and of its referred people, by
    practice) within 1 km of a suitable session, suitable weekly sessions per 1,000 people,
    the mart's weekly supply of all sessions, live/free/suitable series and a desert flag."""
    keep = "pcn_code pcn_name arm population live_series free_series weekly_occurrences_per_1000"
    out = data.pcns[keep.split()].copy()
    times = times or SessionTimes()
    within = areas["population"].where(areas["within_1km"], 0).groupby(areas["pcn_code"]).sum()
    out["population_within_1km"] = out["pcn_code"].map(within).fillna(0).astype("int64")
    out["share_within_1km"] = _ratio(out["population_within_1km"], out["population"])
    home = data.referred.merge(areas[["lsoa_code", "nearest_km"]], on="lsoa_code", how="inner")
    located = home.groupby("pcn_code")["patient_key"].nunique()
    near = home[home["nearest_km"].le(ACCESS_KM)].groupby("pcn_code")["patient_key"].nunique()
    out["referred_located"] = out["pcn_code"].map(located).fillna(0).astype("int64")
    out["referred_within_1km"] = out["pcn_code"].map(near).fillna(0).astype("int64")
    out["referred_share_within_1km"] = _ratio(out["referred_within_1km"], out["referred_located"])
    chosen = data.series[ok.to_numpy()]
    out["suitable_series"] = out["pcn_code"].map(chosen.groupby("pcn_code").size())
    out["suitable_series"] = out["suitable_series"].fillna(0).astype("int64")
    occ = data.occurrences
    occ = occ[occ["series_id"].isin(chosen["series_id"]) & matching_occurrences(occ, times)]
    per_series = chosen["series_id"].map(occ["series_id"].value_counts()).fillna(0)
    weekly = per_series.groupby(chosen["pcn_code"]).sum() / max(data.weeks, 1)
    out["suitable_weekly_per_1000"] = 1000 * _ratio(
        out["pcn_code"].map(weekly).fillna(0), out["population"]
    )
    out["desert"] = out["share_within_1km"].lt(DESERT_SHARE)
    return out


# ---- the session finder -------------------------------------------------------------------------
@dataclass(frozen=True)
class Located:
    """Where a finder search starts: coordinates and how they were found."""

    latitude: float
    longitude: float
    label: str


def normalise_postcode(text: str) -> str | None:
    """A UK postcode in upper case with one space ("eb98wj" → "EB9 8WJ"); None if not one."""
    found = POSTCODE.match(re.sub(r"\s+", "", text or "").upper())
    return f"{found[1]} {found[2]}{found[3]}" if found else None


def locate_postcode(text: str, places: pd.DataFrame) -> Located | None:
    """Coordinates for a postcode from the session places held: the postcode itself, else the
    centre of the places in its sector (e.g. "EB9 8"); None when neither is known."""
    postcode = normalise_postcode(text)
    if postcode is None or places.empty:
        return None
    found, label = places[places["postcode"] == postcode], f"postcode {postcode}"
    if found.empty:
        sector = postcode[:-2]
        found = places[places["postcode"].str.upper().str.startswith(sector)]
        label = f"the centre of postcode sector {sector} (postcode {postcode} not held)"
    if found.empty:
        return None
    return Located(float(found["latitude"].mean()), float(found["longitude"].mean()), label)


def area_choices(areas: pd.DataFrame) -> dict[str, str]:
    """LSOA code → "name (code)" for an area picker, by name."""
    rows = areas.sort_values(["lsoa_name", "lsoa_code"])
    labels = rows["lsoa_name"] + " (" + rows["lsoa_code"] + ")"
    return dict(zip(rows["lsoa_code"], labels, strict=True))


def locate_area(areas: pd.DataFrame, code: str | None) -> Located | None:
    """An area's population-weighted centroid, labelled with its name; None if unknown."""
    row = areas[areas["lsoa_code"] == code]
    if row.empty:
        return None
    name = f"{row['lsoa_name'].iloc[0]} ({code})"
    return Located(float(row["latitude"].iloc[0]), float(row["longitude"].iloc[0]), name)


def _price(row: pd.Series) -> str:
    if (pd.notna(row["is_free"]) and bool(row["is_free"])) or row["price_min"] == 0:
        return "Free"
    return "Price not given" if pd.isna(row["price_min"]) else f"From £{row['price_min']:.2f}"


def _usual(slots: pd.Series) -> str:
    """The regular weekly slots of a series ("Mondays 10:00 · Thursdays 18:30") from slots
    written "<ISO weekday> <day>s <time>": up to three that recur, most frequent first (ties in
    weekday order); else its most frequent slot."""
    counts = slots.value_counts(sort=False)
    ranked = sorted(counts.index, key=lambda slot: (-counts[slot], slot))
    recurring = [slot for slot in ranked if counts[slot] >= 2][:3]
    return " · ".join(slot[2:] for slot in recurring or ranked[:1])


def nearest_sessions(
    data: SupplyData,
    ok: pd.Series,
    where: Located,
    now: pd.Timestamp,
    times: SessionTimes | None = None,
    limit: int = 10,
) -> pd.DataFrame:
    """The ``limit`` suitable sessions nearest a point, nearest first: distance, the next
    occurrences (at the chosen times) after ``now`` (Europe/London), the usual day and time,
    price, SP-readiness and the publisher's attribution."""
    chosen = data.series[ok.to_numpy()].copy()
    columns = FINDER_COLUMNS
    if chosen.empty:
        return pd.DataFrame(columns=columns)
    chosen["distance_km"] = great_circle_km(
        where.latitude, where.longitude, chosen["latitude"], chosen["longitude"]
    )
    top = chosen.sort_values(["distance_km", "series_id"]).head(limit).copy()
    occ = data.occurrences[data.occurrences["series_id"].isin(top["series_id"])]
    occ = occ[matching_occurrences(occ, times or SessionTimes())]
    now = pd.Timestamp(now)
    local_now = now.tz_convert(LONDON).tz_localize(None) if now.tzinfo else now
    upcoming = occ[occ["start_local"] >= local_now].groupby("series_id")["start_local"]
    top["next_sessions"] = top["series_id"].map(
        upcoming.apply(lambda s: ", ".join(t.strftime("%a %-d %b %H:%M") for t in s.head(3)))
    )
    top["next_sessions"] = top["next_sessions"].fillna(f"none after {local_now:%-d %b %Y}")
    slot = occ["start_local"].dt.strftime("%u %As %H:%M")
    top["usually"] = top["series_id"].map(slot.groupby(occ["series_id"]).agg(_usual)).fillna("")
    top["price"] = top.apply(_price, axis=1)
    top["source"] = "Source: " + top["publisher_name"].fillna(top["dataset_url"]).fillna(
        "publisher not named"
    )
    return top[columns].reset_index(drop=True)
