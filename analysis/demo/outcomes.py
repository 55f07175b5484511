"""Planted effect 4 and the other questionnaire answers: SWEMWBS, ONS4 and SIPAM.

SWEMWBS. Each starter has a latent baseline metric t0 ~ N(20, 4) truncated to [11.5, 28.5]
(symmetric, so its mean stays 20). At follow-up week w the target metric is

    t_w = t0 + change(w, still attending at that follow-up) + e,   e ~ N(0, 2.5) truncated +-4

with change(12) = +2.0 if attending, +0.3 if stopped (planted); change(4) = +1.0 / +0.2 and
change(26) = +2.5 / +0.3 (not planted for recovery). Targets stay inside [7, 35] by
construction. A target is turned into a raw score (7-35) by stochastic interpolation on the
Warwick raw-to-metric table: with m(r) <= t < m(r + 1), the raw score is r + 1 with probability
(t - m(r)) / (m(r + 1) - m(r)), else r, so E[metric] = t exactly and the mean change is not
biased by rounding. The raw score is split into seven items 1-5 (random spread). In 2% of
scored rows one item is left blank, so the score is missing; 5% of follow-up rows carry no
questionnaire at all.

ONS4 (0-10 each) and SIPAM (days 0-7) improve a little for people still attending
(approximately: +0.8 satisfied, +0.6 worthwhile, +0.7 happy, -0.8 anxious, scaled by
min(w, 12) / 12; SIPAM probability +0.15) before rounding and clipping.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

# Warwick SWEMWBS raw-score (7..35) to metric-score conversion table.
SWEMWBS_METRIC = np.array(
    [
        7.00,
        9.51,
        11.25,
        12.40,
        13.33,
        14.08,
        14.75,
        15.32,
        15.84,
        16.36,
        16.88,
        17.43,
        17.98,
        18.59,
        19.25,
        19.98,
        20.73,
        21.54,
        22.35,
        23.21,
        24.11,
        25.03,
        26.02,
        27.03,
        28.13,
        29.31,
        30.70,
        32.55,
        35.00,
    ]
)
BASELINE_MEAN, BASELINE_SD, BASELINE_LIMITS = 20.0, 4.0, (11.5, 28.5)
NOISE_SD, NOISE_LIMIT = 2.5, 4.0
CHANGE = {0: (0.0, 0.0), 4: (1.0, 0.2), 12: (2.0, 0.3), 26: (2.5, 0.3)}
ITEM_MISSING_SHARE = 0.02
NO_QUESTIONNAIRE_SHARE = 0.05
ONS4_ITEMS = ("ons4_satisfied", "ons4_worthwhile", "ons4_happy", "ons4_anxious")
ONS4_BASELINE = ((5.2, 2.0), (5.8, 2.0), (5.5, 2.2), (4.8, 2.5))
ONS4_GAIN = (0.8, 0.6, 0.7, -0.8)


def truncated_normal(
    rng: np.random.Generator, mean: float, sd: float, low: float, high: float, size: int
) -> np.ndarray:
    """Draws from N(mean, sd) truncated to [low, high], by inversion."""
    a, b = ndtr((low - mean) / sd), ndtr((high - mean) / sd)
    return mean + sd * ndtri(a + (b - a) * rng.random(size))


def metric_of_raw(raw: np.ndarray) -> np.ndarray:
    """Metric score for raw SWEMWBS sums 7..35."""
    return SWEMWBS_METRIC[np.asarray(raw) - 7]


def raw_for_target(target: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Raw sums whose expected metric equals ``target`` (which must lie in [7, 35])."""
    t = np.asarray(target, dtype=float)
    if (t < SWEMWBS_METRIC[0]).any() or (t > SWEMWBS_METRIC[-1]).any():
        raise ValueError("SWEMWBS metric targets must lie within 7..35")
    low = np.minimum(np.searchsorted(SWEMWBS_METRIC, t, side="right") - 1, 27)
    share = (t - SWEMWBS_METRIC[low]) / (SWEMWBS_METRIC[low + 1] - SWEMWBS_METRIC[low])
    return 7 + low + (rng.random(len(t)) < share)


def split_items(raw: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(n, 7) item answers 1..5 summing to each raw score."""
    items = np.ones((len(raw), 7), dtype=np.int64)
    left = np.asarray(raw) - 7
    for _ in range(28):
        todo = left > 0
        if not todo.any():
            break
        keys = rng.random((len(raw), 7))
        keys[items >= 5] = -1.0
        pick = np.argmax(keys, axis=1)
        rows = np.flatnonzero(todo)
        items[rows, pick[rows]] += 1
        left[rows] -= 1
    return items


@dataclass
class Baselines:
    """Latent per-starter baselines, drawn once and used by every follow-up row."""

    swemwbs: np.ndarray
    ons4: np.ndarray
    sipam_p: np.ndarray


def draw_baselines(rng: np.random.Generator, n: int) -> Baselines:
    return Baselines(
        swemwbs=truncated_normal(rng, BASELINE_MEAN, BASELINE_SD, *BASELINE_LIMITS, n),
        ons4=np.column_stack([rng.normal(m, s, n) for m, s in ONS4_BASELINE]),
        sipam_p=rng.beta(2.0, 5.0, n),
    )


@dataclass
class Answers:
    """Questionnaire answers for follow-up rows; 0 / -1 mark blank cells."""

    swemwbs: np.ndarray
    ons4: np.ndarray
    sipam: np.ndarray
    target: np.ndarray


def answer(
    base: Baselines,
    who: np.ndarray,
    week: np.ndarray,
    attending: np.ndarray,
    rng: np.random.Generator,
) -> Answers:
    """Answers for rows of starters ``who`` at ``week`` (attending: bool; ignored at week 0)."""
    n = len(who)
    change = np.asarray(
        [CHANGE[int(w)][0 if a else 1] for w, a in zip(week, attending, strict=True)]
    )
    target = (
        base.swemwbs[who]
        + change
        + np.where(
            week > 0, truncated_normal(rng, 0.0, NOISE_SD, -NOISE_LIMIT, NOISE_LIMIT, n), 0.0
        )
    )
    items = split_items(raw_for_target(target, rng), rng)
    blank_item = rng.random(n) < ITEM_MISSING_SHARE
    items[np.flatnonzero(blank_item), rng.integers(0, 7, n)[blank_item]] = 0
    on = (week > 0) & attending
    stopped = (week > 0) & ~attending
    ramp = np.minimum(week, 12) / 12.0
    gain = (
        np.asarray(ONS4_GAIN)[None, :] * (on * ramp)[:, None]
        + 0.1 * np.sign(np.asarray(ONS4_GAIN))[None, :] * stopped[:, None]
    )
    ons4 = np.clip(np.round(base.ons4[who] + gain + rng.normal(0, 1.2, (n, 4))), 0, 10)
    p = np.clip(base.sipam_p[who] + 0.15 * on * ramp + 0.03 * stopped, 0, 1)
    sipam = rng.binomial(7, p)
    none = rng.random(n) < NO_QUESTIONNAIRE_SHARE
    items[none] = 0
    ons4[none] = -1
    sipam[none] = -1
    return Answers(swemwbs=items, ons4=ons4.astype(np.int64), sipam=sipam, target=target)
