"""The fixed calendar of the synthetic place, and vectorised date helpers.

Dates are held as numpy ``datetime64[D]`` arrays (``NaT`` = missing) and written as ISO
``YYYY-MM-DD`` strings, empty when missing.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

REFERRAL_START = dt.date(2023, 10, 1)
REFERRAL_END = dt.date(2026, 9, 30)
GO_LIVE = dt.date(2025, 4, 1)
EXTRACTION_DATE = dt.date(2026, 10, 31)
SUPPLY_START = dt.date(2026, 9, 7)
SUPPLY_WEEKS = 12

NAT = np.datetime64("NaT", "D")


def day(d: dt.date) -> np.datetime64:
    """A ``datetime64[D]`` scalar for a date."""
    return np.datetime64(d.isoformat(), "D")


def month_starts(first: dt.date, last: dt.date) -> np.ndarray:
    """The first day of every month from ``first``'s month to ``last``'s month, inclusive."""
    start = np.datetime64(first.isoformat()[:7], "M")
    stop = np.datetime64(last.isoformat()[:7], "M") + 1
    return np.arange(start, stop).astype("datetime64[D]")


def iso_dates(days: np.ndarray) -> np.ndarray:
    """ISO strings for a ``datetime64[D]`` array; ``NaT`` becomes an empty string."""
    text = np.datetime_as_string(days.astype("datetime64[D]"), unit="D")
    return np.where(np.isnat(days), "", text)


def month_of_year(days: np.ndarray) -> np.ndarray:
    """Calendar month 1..12 of each date."""
    months = days.astype("datetime64[M]").astype(np.int64)
    return months % 12 + 1


def _last_sunday(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() + 1) % 7)


def uk_offset_hours(local_days: np.ndarray) -> np.ndarray:
    """UK offset from UTC (0 or 1 hour) for daytime wall-clock times on these local dates.

    British Summer Time runs from the last Sunday of March to the last Sunday of October
    (the change happens at 01:00 UTC, before any session starts).
    """
    years = local_days.astype("datetime64[Y]").astype(np.int64) + 1970
    offset = np.zeros(local_days.shape, dtype=np.int64)
    for year in np.unique(years):
        start = day(_last_sunday(int(year), 3))
        end = day(_last_sunday(int(year), 10))
        in_year = years == year
        offset[in_year & (local_days >= start) & (local_days < end)] = 1
    return offset
