"""Session supply: session series at venues, their weekly occurrences, and feed faults.

Series run weekly (75%) or twice weekly (25%) through the 12-week supply window. Whether a
series is free depends on its venue kind (parks mostly free, leisure centres mostly paid).
Around each supply-desert PCN every series is priced above £5, so under 40% of the desert's
population lives within 1 km of a free session (see ``access``). Deliberate publisher faults
are flagged here and documented in ``docs/demo-data.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.demo import dates
from analysis.demo.access import pcn_population_within
from analysis.demo.concepts import ACTIVITIES
from analysis.demo.geo import PointIndex
from analysis.demo.geography import Geography
from analysis.demo.streams import stream
from analysis.demo.venues import DEMO_HOST, Venues

SERIES_ID_BASE = f"{DEMO_HOST}/activities/session-series"
DESERT_SHARE_LIMIT = 0.35
KIND_WEIGHT = {
    "park": 1.0,
    "community_hall": 1.2,
    "leisure_centre": 3.5,
    "school_sports_hall": 1.0,
}
FREE_PROBABILITY = {
    "park": 0.85,
    "community_hall": 0.5,
    "leisure_centre": 0.08,
    "school_sports_hall": 0.25,
}
PRICE_RANGE = {
    "park": (2.0, 3.0),
    "community_hall": (3.0, 5.0),
    "leisure_centre": (4.0, 7.5),
    "school_sports_hall": (3.0, 5.0),
}
DESERT_PRICE_RANGE = (5.5, 9.0)
TWICE_WEEKLY_SHARE = 0.25
SHARE_DELETED_SERIES = 0.015
SHARE_ORPHANED = 0.15
SHARE_UPDATED_LATER = 0.03
SHARE_NO_GEO = 0.01
SHARE_PRICE_STRING = 0.03
SHARE_CANCELLED = 0.02
SHARE_DELETED_SESSIONS = 0.005


@dataclass
class Series:
    """One row per session series (live and deleted)."""

    identifier: np.ndarray
    at_id: np.ndarray
    venue: np.ndarray
    activity: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    pcn: np.ndarray
    is_free: np.ndarray
    price: np.ndarray
    days: np.ndarray
    start_minute: np.ndarray
    minutes: np.ndarray
    capacity: np.ndarray
    first_day: np.ndarray
    deleted: np.ndarray
    orphaned: np.ndarray
    updated_later: np.ndarray
    no_geo: np.ndarray
    price_string: np.ndarray
    modified: np.ndarray
    traits: np.ndarray

    def __len__(self) -> int:
        return len(self.identifier)

    @property
    def live(self) -> np.ndarray:
        return ~self.deleted

    @property
    def referable(self) -> np.ndarray:
        """Live series with coordinates: the ones link workers refer into."""
        return ~self.deleted & ~self.no_geo


@dataclass
class Occurrences:
    """One row per ScheduledSession item in the feed."""

    series: np.ndarray
    seq: np.ndarray
    local_start: np.ndarray
    offset_hours: np.ndarray
    cancelled: np.ndarray
    deleted: np.ndarray
    updated_later: np.ndarray
    remaining: np.ndarray
    rpde_id: np.ndarray
    modified: np.ndarray

    def __len__(self) -> int:
        return len(self.series)

    @property
    def start_utc(self) -> np.ndarray:
        return self.local_start - self.offset_hours.astype("timedelta64[h]")


@dataclass
class Supply:
    venues: Venues
    series: Series
    occurrences: Occurrences
    desert_buffer_km: float


def _flag(rng: np.random.Generator, eligible: np.ndarray, share: float) -> np.ndarray:
    """Mark round(share x eligible) of the eligible rows (at least one when any exist)."""
    idx = np.flatnonzero(eligible)
    flag = np.zeros(len(eligible), dtype=bool)
    if len(idx):
        flag[rng.choice(idx, size=max(1, round(share * len(idx))), replace=False)] = True
    return flag


def _change_numbers(
    rng: np.random.Generator, base_order: np.ndarray, late: np.ndarray, start: int, max_gap: int
) -> np.ndarray:
    """Increasing change numbers: rows in ``base_order`` first, then ``late`` rows shuffled."""
    order = np.concatenate([base_order[~late[base_order]], rng.permutation(np.flatnonzero(late))])
    modified = np.empty(len(late), dtype=np.int64)
    modified[order] = start + np.cumsum(rng.integers(1, max_gap + 1, size=len(late)))
    return modified


def _schedule(
    rng: np.random.Generator, activity: np.ndarray, kind: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n = len(activity)
    twice = rng.random(n) < TWICE_WEEKLY_SHARE
    last_day = np.where(kind == "park", 7, 6)
    first = rng.integers(0, last_day)
    second = (first + rng.integers(2, 4, size=n)) % last_day
    days = np.column_stack([first, np.where(twice, second, -1)])
    daytime = np.asarray([ACTIVITIES[a].daytime for a in activity]) ^ (rng.random(n) < 0.2)
    quarter = np.where(daytime, rng.integers(36, 57, size=n), rng.integers(70, 81, size=n))
    return days, quarter * 15


def _price(rng: np.random.Generator, kind: np.ndarray, desert: np.ndarray) -> np.ndarray:
    low = np.asarray([PRICE_RANGE[k][0] for k in kind])
    high = np.asarray([PRICE_RANGE[k][1] for k in kind])
    low = np.where(desert, DESERT_PRICE_RANGE[0], low)
    high = np.where(desert, DESERT_PRICE_RANGE[1], high)
    steps = np.floor(rng.random(len(kind)) * ((high - low) / 0.5 + 1))
    return low + 0.5 * steps


def _desert_zone(geo: Geography, venues: Venues, buffer_km: float) -> np.ndarray:
    desert_area = np.isin(geo.area_pcn, geo.desert_pcns)
    index = PointIndex(geo.area_lat[desert_area], geo.area_lon[desert_area])
    return index.any_within(venues.lat, venues.lon, buffer_km)


def build_series(geo: Geography, venues: Venues, n_series: int, seed: int) -> tuple[Series, float]:
    """Draw the session series, plant the deserts and flag feed faults."""
    rng = stream(seed, "series")
    weight = np.asarray([KIND_WEIGHT[k] for k in venues.kind])
    venue = np.sort(rng.choice(len(venues), size=n_series, p=weight / weight.sum()))
    kind = venues.kind[venue]
    choices = {k: [i for i, a in enumerate(ACTIVITIES) if k in a.venues] for k in KIND_WEIGHT}
    activity = np.asarray([choices[k][rng.integers(len(choices[k]))] for k in kind])
    base_free = rng.random(n_series) < np.asarray([FREE_PROBABILITY[k] for k in kind])
    price_draw = stream(seed, "series-price")
    days, start_minute = _schedule(rng, activity, kind)
    deleted = _flag(rng, np.ones(n_series, bool), SHARE_DELETED_SERIES)
    no_geo = _flag(rng, ~deleted, SHARE_NO_GEO)
    lat, lon = venues.lat[venue], venues.lon[venue]

    # Widen the desert zone until every desert PCN has under 35% of its people within 1 km.
    buffer_km = 0.4
    while True:
        in_zone = _desert_zone(geo, venues, buffer_km)[venue]
        is_free = base_free & ~in_zone
        counted = is_free & ~deleted & ~no_geo
        total, within = pcn_population_within(geo, lat[counted], lon[counted])
        if (within[geo.desert_pcns] < DESERT_SHARE_LIMIT * total[geo.desert_pcns]).all():
            break
        buffer_km = round(buffer_km + 0.2, 1)
    price = np.where(is_free, 0.0, _price(price_draw, kind, in_zone))

    identifier = np.asarray(
        [
            f"EB{n:06d}"
            for n in np.sort(
                rng.choice(np.arange(100_000, 1_000_000), size=n_series, replace=False)
            )
        ],
        dtype=object,
    )
    first_day = dates.day(dates.SUPPLY_START) - rng.integers(7, 7 * 52 * 6, size=n_series)
    orphaned = _flag(rng, deleted, SHARE_ORPHANED)
    updated_later = _flag(rng, ~deleted, SHARE_UPDATED_LATER)
    nearest_area, _ = PointIndex(geo.area_lat, geo.area_lon).nearest(lat, lon)
    minutes = np.asarray([ACTIVITIES[a].minutes for a in activity])
    capacity = np.asarray(
        [
            {"park": 30, "community_hall": 16, "leisure_centre": 20, "school_sports_hall": 16}[k]
            for k in kind
        ]
    ) + rng.integers(-4, 5, n_series)
    return Series(
        identifier=identifier,
        at_id=np.asarray([f"{SERIES_ID_BASE}/{i}" for i in identifier], dtype=object),
        venue=venue,
        activity=activity,
        lat=lat,
        lon=lon,
        pcn=geo.area_pcn[nearest_area],
        is_free=is_free,
        price=price,
        days=days,
        start_minute=start_minute,
        minutes=minutes,
        capacity=capacity,
        first_day=first_day,
        deleted=deleted,
        orphaned=orphaned,
        updated_later=updated_later,
        no_geo=no_geo,
        price_string=_flag(rng, is_free & ~deleted, SHARE_PRICE_STRING),
        modified=_change_numbers(
            rng, np.argsort(first_day, kind="stable"), updated_later | deleted, 240_000, 40
        ),
        traits=rng.random((n_series, 8)),
    ), buffer_km


def build_occurrences(series: Series, seed: int) -> Occurrences:
    """Every weekly occurrence of every series in the supply window, with its feed state."""
    rng = stream(seed, "occurrences")
    per_week = (series.days >= 0).sum(axis=1)
    s_idx = np.repeat(np.arange(len(series)), per_week * dates.SUPPLY_WEEKS)
    n = len(s_idx)
    start_of_series = np.concatenate([[0], np.cumsum(per_week * dates.SUPPLY_WEEKS)[:-1]])
    k = np.arange(n) - start_of_series[s_idx]
    week, slot = k // per_week[s_idx], k % per_week[s_idx]
    weekday = series.days[s_idx, slot]
    local_day = dates.day(dates.SUPPLY_START) + 7 * week + weekday
    order = np.lexsort((weekday, week, s_idx))
    s_idx, local_day = s_idx[order], local_day[order]
    seq = np.empty(n, dtype=np.int64)
    seq[:] = np.arange(n) - np.searchsorted(s_idx, s_idx)
    local_start = local_day.astype("datetime64[m]") + series.start_minute[s_idx].astype(
        "timedelta64[m]"
    )
    cancelled = rng.random(n) < SHARE_CANCELLED
    gone_with_series = series.deleted[s_idx] & ~series.orphaned[s_idx]
    deleted = gone_with_series | (rng.random(n) < SHARE_DELETED_SESSIONS)
    cancelled &= ~deleted
    updated_later = (rng.random(n) < SHARE_UPDATED_LATER) & ~deleted
    capacity = series.capacity[s_idx]
    remaining = capacity - rng.binomial(capacity, 0.55)
    created = np.lexsort((s_idx, local_start))
    rpde_id = np.empty(n, dtype=np.int64)
    rpde_id[created] = 30_000_000 + np.arange(n)
    return Occurrences(
        series=s_idx,
        seq=seq + 1,
        local_start=local_start,
        offset_hours=dates.uk_offset_hours(local_day),
        cancelled=cancelled,
        deleted=deleted,
        updated_later=updated_later,
        remaining=np.where(cancelled, capacity, remaining),
        rpde_id=rpde_id,
        modified=_change_numbers(rng, created, updated_later | cancelled | deleted, 2_750_000, 6),
    )
