"""Great-circle geometry for the synthetic place.

Distances are great-circle (haversine) kilometres on a sphere of radius 6,371.0088 km (the IUGG
mean Earth radius). Nearest-neighbour searches use a k-d tree over unit vectors: the chord
between two points grows with their great-circle distance, so the nearest point by chord is the
nearest by great-circle distance.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0088
CENTRE_LAT = 52.63
CENTRE_LON = -1.13
_KM_PER_DEG_LAT = np.pi * EARTH_RADIUS_KM / 180.0


def haversine_km(
    lat1: np.ndarray | float,
    lon1: np.ndarray | float,
    lat2: np.ndarray | float,
    lon2: np.ndarray | float,
) -> np.ndarray:
    """Great-circle distance in km between points given in degrees (broadcasts)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def to_lat_lon(x_km: np.ndarray, y_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Degrees (rounded to 6 decimals) for local east/north offsets in km from the centre."""
    lat = CENTRE_LAT + y_km / _KM_PER_DEG_LAT
    lon = CENTRE_LON + x_km / (_KM_PER_DEG_LAT * np.cos(np.radians(CENTRE_LAT)))
    return np.round(lat, 6), np.round(lon, 6)


def to_xy(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local east/north km from the centre (the inverse of ``to_lat_lon``)."""
    y = (np.asarray(lat) - CENTRE_LAT) * _KM_PER_DEG_LAT
    x = (np.asarray(lon) - CENTRE_LON) * _KM_PER_DEG_LAT * np.cos(np.radians(CENTRE_LAT))
    return x, y


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """(n, 3) unit vectors for points in degrees."""
    phi, lmb = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(phi) * np.cos(lmb), np.cos(phi) * np.sin(lmb), np.sin(phi)])


def chord_for_km(km: float) -> float:
    """The unit-sphere chord length of a great-circle distance."""
    return float(2.0 * np.sin(km / (2.0 * EARTH_RADIUS_KM)))


class PointIndex:
    """Nearest-neighbour search over points in degrees, by great-circle distance."""

    def __init__(self, lat: np.ndarray, lon: np.ndarray) -> None:
        self.lat = np.asarray(lat, dtype=float)
        self.lon = np.asarray(lon, dtype=float)
        self._tree = cKDTree(unit_vectors(self.lat, self.lon))

    def __len__(self) -> int:
        return len(self.lat)

    def nearest(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Index of and great-circle km to the nearest indexed point, for each query point."""
        _, idx = self._tree.query(unit_vectors(lat, lon), k=1)
        return idx, haversine_km(lat, lon, self.lat[idx], self.lon[idx])

    def k_nearest(
        self, lat: np.ndarray, lon: np.ndarray, k: int, chunk: int = 4_096
    ) -> tuple[np.ndarray, np.ndarray]:
        """(n, k) indices and great-circle km of the k nearest indexed points (in chunks of
        query points, so temporary arrays stay small)."""
        k = min(k, len(self))
        lat, lon = np.atleast_1d(lat), np.atleast_1d(lon)
        idx = np.empty((len(lat), k), dtype=np.int64)
        dist = np.empty((len(lat), k))
        for a in range(0, len(lat), chunk):
            s = slice(a, a + chunk)
            _, found = self._tree.query(unit_vectors(lat[s], lon[s]), k=k)
            idx[s] = np.asarray(found).reshape(-1, k)
            dist[s] = haversine_km(lat[s, None], lon[s, None], self.lat[idx[s]], self.lon[idx[s]])
        return idx, dist

    def any_within(self, lat: np.ndarray, lon: np.ndarray, km: float) -> np.ndarray:
        """Whether each query point has an indexed point within ``km`` (great-circle)."""
        if len(self) == 0:
            return np.zeros(len(np.atleast_1d(lat)), dtype=bool)
        _, dist = self.nearest(lat, lon)
        return dist <= km
