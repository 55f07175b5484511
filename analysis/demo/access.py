"""Access to free sessions: population within 1 km, per PCN.

An area counts as covered when the great-circle distance from its centroid to the nearest free,
live session series that has coordinates in the feed is at most 1 km. A PCN's share is the
covered population over its whole population (areas grouped by catchment PCN, blank
``pcn_code`` resolved to the PCN of the nearest practice). These are the numbers the generator
writes to ``truth/pcn_access.csv`` and uses to plant the supply deserts.
"""

from __future__ import annotations

import numpy as np

from analysis.demo.geo import PointIndex
from analysis.demo.geography import Geography

ACCESS_KM = 1.0


def areas_within(
    geo: Geography, lat: np.ndarray, lon: np.ndarray, km: float = ACCESS_KM
) -> np.ndarray:
    """Whether each area's centroid is within ``km`` of any of the given points."""
    return PointIndex(lat, lon).any_within(geo.area_lat, geo.area_lon, km)


def pcn_population_within(
    geo: Geography, lat: np.ndarray, lon: np.ndarray, km: float = ACCESS_KM
) -> tuple[np.ndarray, np.ndarray]:
    """(population, population within ``km`` of a point) per PCN."""
    covered = areas_within(geo, lat, lon, km)
    total = geo.pcn_population
    within = np.bincount(
        geo.area_pcn, weights=geo.area_pop * covered, minlength=geo.n_pcns
    ).astype(np.int64)
    return total, within
