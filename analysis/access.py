"""Access to supply: great-circle distances from areas to the nearest suitable session.

Distances use a k-d tree over points on the unit sphere (3-D unit vectors), so each query is
O(log n) rather than a loop over every area × session pair; the chord length the tree returns
is converted exactly to the great-circle distance. A *suitable* session is a live series (not
deleted, not cancelled, with coordinates) that matches a profile: by default free or at most
£5, for beginners or with no level given, admitting adults; optionally with accessibility
support and a minimum SP-readiness.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0088
ACCESS_KM = 1.0  # "within 1 km" in the coverage metrics


@dataclass(frozen=True)
class SuitabilityProfile:
    """Which sessions count as suitable for a referred adult."""

    max_price: float | None = 5.0  # None = any price; 0 = free only
    beginner_or_no_level: bool = True
    admits_adults: bool = True
    accessibility: bool = False  # accessibility support, information or wheelchair access
    min_sp_ready: float = 0.0

    def describe(self) -> str:
        parts = ["free" if self.max_price == 0 else
                 "any price" if self.max_price is None else f"free or ≤ £{self.max_price:g}"]
        if self.beginner_or_no_level:
            parts.append("beginner or no level")
        if self.admits_adults:
            parts.append("admits adults")
        if self.accessibility:
            parts.append("accessibility support")
        if self.min_sp_ready > 0:
            parts.append(f"SP-readiness ≥ {self.min_sp_ready:.0%}")
        return ", ".join(parts)


DEFAULT_PROFILE = SuitabilityProfile()
FREE_PROFILE = SuitabilityProfile(max_price=0.0, beginner_or_no_level=False, admits_adults=False)
ANY_PROFILE = SuitabilityProfile(max_price=None, beginner_or_no_level=False, admits_adults=False)

LIVE_SERIES_SQL = """
SELECT series_id, latitude, longitude, is_free, price_min, is_beginner, levels, age_min,
       age_max, accessibility_support, accessibility_information, wheelchair_accessible,
       sp_ready_score, activity_group
FROM supply_series
WHERE NOT deleted AND latitude IS NOT NULL AND longitude IS NOT NULL
  AND coalesce(event_status, '') NOT LIKE '%Cancelled'
"""


def unit_vectors(latitude: np.ndarray, longitude: np.ndarray) -> np.ndarray:
    lat, lon = np.radians(latitude), np.radians(longitude)
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def great_circle_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Haversine distance in km (vectorised)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def nearest(
    from_lat: np.ndarray, from_lon: np.ndarray, to_lat: np.ndarray, to_lon: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each origin, the great-circle km to the nearest target and its index (-1 if none)."""
    n = len(from_lat)
    if len(to_lat) == 0 or n == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    tree = cKDTree(unit_vectors(np.asarray(to_lat, float), np.asarray(to_lon, float)))
    chord, index = tree.query(unit_vectors(np.asarray(from_lat, float), np.asarray(from_lon, float)))
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2, 0.0, 1.0))
    return km, index.astype(np.int64)


def _flag(values: pd.Series) -> pd.Series:
    """A nullable yes/no column as plain booleans, missing read as no."""
    return values.astype("boolean").fillna(False).astype(bool)


def suitable(series: pd.DataFrame, profile: SuitabilityProfile) -> pd.Series:
    """True for the live series that match the profile."""
    ok = pd.Series(True, index=series.index)
    if profile.max_price is not None:
        free = _flag(series["is_free"])
        cheap = series["price_min"].le(profile.max_price).fillna(False)
        ok &= free | cheap
    if profile.beginner_or_no_level:
        no_level = series["levels"].map(lambda v: v is None or len(v) == 0)
        ok &= _flag(series["is_beginner"]) | no_level
    if profile.admits_adults:
        adult_min = series["age_min"].fillna(18).le(64)
        adult_max = series["age_max"].isna() | series["age_max"].ge(18)
        ok &= adult_min & adult_max
    if profile.accessibility:
        support = series["accessibility_support"].map(lambda v: v is not None and len(v) > 0)
        info = series["accessibility_information"].notna()
        ok &= support | info | _flag(series["wheelchair_accessible"])
    if profile.min_sp_ready > 0:
        ok &= series["sp_ready_score"].fillna(0).ge(profile.min_sp_ready)
    return ok


def live_series(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(LIVE_SERIES_SQL).df()


def nearest_suitable_km(
    areas: pd.DataFrame, series: pd.DataFrame, profile: SuitabilityProfile
) -> np.ndarray:
    chosen = series[suitable(series, profile)]
    km, _ = nearest(areas["latitude"].to_numpy(), areas["longitude"].to_numpy(),
                    chosen["latitude"].to_numpy(), chosen["longitude"].to_numpy())
    return np.where(np.isfinite(km), km, np.nan)


def build_area_access(con: duckdb.DuckDBPyConnection) -> None:
    """Table area_access: per area, km to the nearest live, free and suitable session."""
    areas = con.execute(
        "SELECT lsoa_code, pcn_code, population, imd_decile, latitude, longitude FROM stg_areas"
    ).df()
    series = live_series(con)
    frame = areas[["lsoa_code", "pcn_code", "population", "imd_decile"]].copy()
    for column, profile in (("nearest_any_km", ANY_PROFILE), ("nearest_free_km", FREE_PROFILE),
                            ("nearest_suitable_km", DEFAULT_PROFILE)):
        frame[column] = nearest_suitable_km(areas, series, profile)
    con.register("incoming_area_access", frame)
    con.execute("CREATE OR REPLACE TABLE area_access AS SELECT * FROM incoming_area_access")
    con.unregister("incoming_area_access")


def build_series_located(con: duckdb.DuckDBPyConnection) -> None:
    """Table series_located: each series with coordinates → its nearest area and so a PCN."""
    series = con.execute(
        "SELECT series_id, latitude, longitude FROM supply_series "
        "WHERE latitude IS NOT NULL AND longitude IS NOT NULL"
    ).df()
    areas = con.execute("SELECT lsoa_code, pcn_code, latitude, longitude FROM stg_areas").df()
    km, index = nearest(series["latitude"].to_numpy(), series["longitude"].to_numpy(),
                        areas["latitude"].to_numpy(), areas["longitude"].to_numpy())
    found = index >= 0
    frame = pd.DataFrame({
        "series_id": series["series_id"],
        "lsoa_code": np.where(found, areas["lsoa_code"].to_numpy()[np.where(found, index, 0)]
                              if len(areas) else None, None),
        "pcn_code": np.where(found, areas["pcn_code"].to_numpy()[np.where(found, index, 0)]
                             if len(areas) else None, None),
        "km_to_area_centroid": np.where(found, km, np.nan),
    })
    frame = frame.astype({"series_id": "string", "lsoa_code": "string", "pcn_code": "string"})
    con.register("incoming_series_located", frame)
    con.execute("CREATE OR REPLACE TABLE series_located AS SELECT * FROM incoming_series_located")
    con.unregister("incoming_series_located")
