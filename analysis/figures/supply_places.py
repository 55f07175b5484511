"""Where things go on the supply map: the areas' typical spacing, series fanned out around a
shared place, the sessions near the areas in view, PCN outlines and the initial view."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pydeck as pdk
from scipy.spatial import ConvexHull, cKDTree

from analysis.access import EARTH_RADIUS_KM, unit_vectors
from analysis.figures.supply_style import DESERT_OUTLINE, OUTLINE, rgb

__all__ = ["fan_out", "near", "outlines", "spacing_m", "view_of"]


def spacing_m(lat: np.ndarray, lon: np.ndarray) -> float:
    """Median distance (m) from each area centroid to its nearest neighbour."""
    if len(lat) < 2:
        return 800.0
    chord, _ = cKDTree(unit_vectors(lat, lon)).query(unit_vectors(lat, lon), k=2)
    return float(np.median(2 * EARTH_RADIUS_KM * np.arcsin(chord[:, 1] / 2)) * 1000) or 800.0


def _cumcount(key: pd.Series) -> np.ndarray:
    """Each row's number among the rows with its key, counting from 0 in order (NaN where the
    key is missing), as pandas' ``groupby(key).cumcount()``."""
    codes, _ = pd.factorize(key, use_na_sentinel=True)
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    new = np.r_[True, ordered[1:] != ordered[:-1]] if len(codes) else np.zeros(0, dtype=bool)
    starts = np.flatnonzero(new)
    run = np.arange(len(codes)) - np.repeat(starts, np.diff(np.r_[starts, len(codes)]))
    count = np.empty(len(codes), dtype=float)
    count[order] = run
    return np.where(codes < 0, np.nan, count)


def fan_out(frame: pd.DataFrame, step_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Where each series is drawn (latitude, longitude) when those sharing a place are spread
    on a sunflower spiral (``step_m`` metres apart); ``frame``: series with ``place_key``,
    ``latitude`` and ``longitude``."""
    key, unkeyed = frame["place_key"], frame["place_key"].isna()
    if unkeyed.any():  # series without a place key are grouped by their coordinates
        at = frame.loc[unkeyed]
        key = key.fillna(at["latitude"].astype(str) + at["longitude"].astype(str))
    k = _cumcount(key)
    radius, angle = step_m * np.sqrt(k), k * math.radians(137.508)
    lat, lon = frame["latitude"].to_numpy(dtype=float), frame["longitude"].to_numpy(dtype=float)
    plot_lat = lat + radius * np.cos(angle) / 111_320
    plot_lon = lon + radius * np.sin(angle) / (111_320 * np.cos(np.radians(lat)))
    return plot_lat, plot_lon


def view_of(areas: pd.DataFrame) -> pdk.ViewState:
    lat, lon = areas["latitude"], areas["longitude"]
    mid = float((lat.min() + lat.max()) / 2)
    lon_span = max(float(lon.max() - lon.min()), 0.01)
    lat_span = max(float(lat.max() - lat.min()), 0.01) / math.cos(math.radians(mid))
    # deck.gl zoom z shows the world 512 × 2^z pixels wide; fit the areas in about 880 × 560 px
    zoom = min(math.log2(880 * 360 / (512 * lon_span)), math.log2(560 * 360 / (512 * lat_span)))
    return pdk.ViewState(
        latitude=mid,
        longitude=float((lon.min() + lon.max()) / 2),
        zoom=round(zoom - 0.25, 2),
        pitch=0,
        bearing=0,
    )


def outlines(areas: pd.DataFrame, pcns: pd.DataFrame, pad_m: float) -> list[dict]:
    """Each PCN's convex hull around its area centroids, pushed out by ``pad_m`` metres."""
    rows = []
    coords = areas[["longitude", "latitude"]].to_numpy()
    held = areas.groupby("pcn_code", observed=True).indices  # PCN → positions of its areas
    for pcn in pcns.itertuples():
        if pcn.pcn_code not in held:
            continue
        pts = coords[held[pcn.pcn_code]]
        centre = pts.mean(axis=0)
        ring = pts[ConvexHull(pts).vertices] if len(pts) >= 3 else pts
        scale = np.array([111_320 * math.cos(math.radians(centre[1])), 111_320])
        offset = (ring - centre) * scale
        norm = np.linalg.norm(offset, axis=1, keepdims=True)
        if len(ring) < 3:  # a small square around one or two areas
            ring = centre + np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * pad_m / scale
        else:
            ring = centre + offset * (1 + pad_m / np.maximum(norm, 1)) / scale
        desert = bool(pcn.desert)
        rows.append(
            {
                "polygon": ring.round(6).tolist(),
                "pcn_code": pcn.pcn_code,
                "label": f"{pcn.pcn_name}{' (under 40%)' if desert else ''}",
                "position": [round(float(centre[0]), 6), round(float(centre[1]), 6)],
                "line": rgb(DESERT_OUTLINE if desert else OUTLINE),
                "width": 3 if desert else 1.5,
            }
        )
    return rows


def near(series: pd.DataFrame, areas: pd.DataFrame, pad_km: float = 5.0) -> pd.Series:
    """True for series inside the areas' bounding box widened by ``pad_km``."""
    if areas.empty:
        return pd.Series(False, index=series.index)
    pad_lat = pad_km / 111.2
    pad_lon = pad_lat / math.cos(math.radians(float(areas["latitude"].mean())))
    lat, lon = areas["latitude"], areas["longitude"]
    return series["latitude"].between(lat.min() - pad_lat, lat.max() + pad_lat) & series[
        "longitude"
    ].between(lon.min() - pad_lon, lon.max() + pad_lon)
