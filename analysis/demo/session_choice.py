"""Which session series each referral is into.

Link workers refer near home: among the 150 referable series (live, with coordinates) nearest
to the home area's centroid, one is chosen with probability proportional to
exp(-distance / 2.5 km), so distances are mostly 0-5 km. About 5% of referrals name no series
(an activity not in the feed); they carry an activity concept only, or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.demo.geo import PointIndex
from analysis.demo.geography import Geography
from analysis.demo.supply import Series

CANDIDATES = 150
DISTANCE_SCALE_KM = 2.5
NO_SERIES_SHARE = 0.05


@dataclass
class SessionChoice:
    series: np.ndarray
    distance_km: np.ndarray

    @property
    def has_series(self) -> np.ndarray:
        return self.series >= 0


def choose_series(
    geo: Geography, series: Series, home_area: np.ndarray, rng: np.random.Generator
) -> SessionChoice:
    """Series index (-1 for none) and great-circle km from home area centroid to it."""
    referable = np.flatnonzero(series.referable)
    index = PointIndex(series.lat[referable], series.lon[referable])
    near, dist = index.k_nearest(geo.area_lat, geo.area_lon, CANDIDATES)
    weight = np.exp(-dist / DISTANCE_SCALE_KM)
    cum = np.cumsum(weight, axis=1)
    cum /= cum[:, -1:]
    # Inverse-CDF draw within each home area's row, without a (referrals x candidates) matrix:
    # row a's cumulative weights are shifted to (a, a + 1], so one sorted search serves all rows.
    k = cum.shape[1]
    u = rng.random(len(home_area))
    flat = (cum + np.arange(len(cum))[:, None]).ravel()
    col = np.searchsorted(flat, home_area + u, side="left") - home_area * k
    col = np.clip(col, 0, k - 1)
    chosen = referable[near[home_area, col]]
    distance = dist[home_area, col]
    none = rng.random(len(home_area)) < NO_SERIES_SHARE
    return SessionChoice(
        series=np.where(none, -1, chosen), distance_km=np.where(none, np.nan, distance)
    )
