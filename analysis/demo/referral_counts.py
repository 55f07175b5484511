"""Planted effect 1: referral counts per PCN and month, with a pilot step at go-live.

    count[p, m] ~ Poisson(list_size[p] * base_rate * seasonality[month(m)] * u[p]
                          * 1.30 ** (p is a pilot PCN and m >= go-live month))
    u[p] ~ Gamma(shape=20, scale=1/20)   (a mild PCN random effect, mean 1)

Comparison and other PCNs have no step. ``base_rate`` (referrals per registered patient per
month) is set so the expected total equals the scale's ``n_referrals``. Within a PCN-month each
referral goes to one of the PCN's practices with probability proportional to list size, and its
date is uniform over the days of the month.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.demo import dates
from analysis.demo.geography import Geography
from analysis.demo.streams import stream

RATE_RATIO = 1.30
PCN_EFFECT_SHAPE = 20.0
_RAW_SEASONALITY = np.array(
    [1.15, 1.10, 1.05, 1.00, 0.97, 0.92, 0.85, 0.80, 1.00, 1.08, 1.06, 0.90]
)
SEASONALITY = _RAW_SEASONALITY / _RAW_SEASONALITY.mean()


@dataclass
class ReferralCounts:
    months: np.ndarray
    post: np.ndarray
    pilot: np.ndarray
    pcn_effect: np.ndarray
    expected: np.ndarray
    counts: np.ndarray
    base_rate: float


@dataclass
class ReferralDraw:
    """Referrals in date order: practice and date of each."""

    practice: np.ndarray
    date: np.ndarray


def draw_counts(geo: Geography, n_referrals: int, seed: int) -> ReferralCounts:
    rng = stream(seed, "referral-counts")
    months = dates.month_starts(dates.REFERRAL_START, dates.REFERRAL_END)
    post = months >= dates.day(dates.GO_LIVE)
    pilot = np.isin(np.arange(geo.n_pcns), geo.pilot_pcns)
    u = rng.gamma(PCN_EFFECT_SHAPE, 1.0 / PCN_EFFECT_SHAPE, size=geo.n_pcns)
    season = SEASONALITY[dates.month_of_year(months) - 1]
    step = np.where(pilot[:, None] & post[None, :], RATE_RATIO, 1.0)
    shape = geo.pcn_list_size[:, None] * season[None, :] * u[:, None] * step
    base_rate = n_referrals / shape.sum()
    expected = base_rate * shape
    return ReferralCounts(
        months=months,
        post=post,
        pilot=pilot,
        pcn_effect=u,
        expected=expected,
        counts=rng.poisson(expected),
        base_rate=base_rate,
    )


def expand_counts(geo: Geography, counts: ReferralCounts, seed: int) -> ReferralDraw:
    """One row per referral: practice (by list share within the PCN) and date."""
    rng = stream(seed, "referral-expand")
    n_months = len(counts.months)
    flat = counts.counts.ravel()
    cell = np.repeat(np.arange(flat.size), flat)
    pcn, month = cell // n_months, cell % n_months
    # Practices are stored grouped by PCN; draw within each PCN's segment by list share.
    lists = geo.practice_list.astype(float)
    cum = np.cumsum(lists)
    seg_start = np.searchsorted(geo.practice_pcn, np.arange(geo.n_pcns))
    seg_end = np.searchsorted(geo.practice_pcn, np.arange(geo.n_pcns), side="right")
    before = cum[seg_start] - lists[seg_start]
    total = cum[seg_end - 1] - before
    pick = np.searchsorted(cum, before[pcn] + rng.random(len(cell)) * total[pcn], side="right")
    practice = np.clip(pick, seg_start[pcn], seg_end[pcn] - 1)
    start = counts.months[month]
    month_days = ((start.astype("datetime64[M]") + 1).astype("datetime64[D]") - start).astype(
        np.int64
    )
    date = start + np.floor(rng.random(len(cell)) * month_days).astype(np.int64)
    order = np.lexsort((rng.random(len(cell)), practice, date))
    return ReferralDraw(practice=practice[order], date=date[order])
