"""Planted effect 2: whether a referred person attends a first session (uptake).

    started ~ Bernoulli(expit(b0 + ln(0.60) [IMD decile 1-2] + ln(1.50) [referred series free]
                              + age-band term + ln(1.15) [female]
                              + ln(0.80) [mental_health condition] + ln(0.85) [source != gp]))

IMD is the home area's decile. "Referred series free" is 0 when the referral names no series.
Age-band log-odds (reference 45-54 and unknown): 16-24 -0.35, 25-34 -0.25, 35-44 -0.10,
55-64 +0.10, 65-74 +0.20, 75+ +0.15. ``b0`` is solved (bisection) so that the mean uptake
probability over the generated referrals is 0.66 exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from analysis.demo.people import AGE_BANDS
from analysis.demo.streams import balanced_uniforms

TARGET_UPTAKE = 0.66
ODDS_RATIOS = {
    "imd_decile_1_2": 0.60,
    "referred_series_free": 1.50,
    "female": 1.15,
    "mental_health": 0.80,
    "source_not_gp": 0.85,
}
AGE_LOG_ODDS = {
    "16-24": -0.35,
    "25-34": -0.25,
    "35-44": -0.10,
    "45-54": 0.0,
    "55-64": 0.10,
    "65-74": 0.20,
    "75+": 0.15,
    "unknown": 0.0,
}


@dataclass
class Uptake:
    started: np.ndarray
    probability: np.ndarray
    intercept: float


def linear_predictor(
    imd_1_2: np.ndarray,
    free: np.ndarray,
    age_band: np.ndarray,
    female: np.ndarray,
    mental_health: np.ndarray,
    source_not_gp: np.ndarray,
) -> np.ndarray:
    """The linear predictor without the intercept."""
    age = np.asarray([AGE_LOG_ODDS[b] for b in AGE_BANDS])[age_band]
    terms = {
        "imd_decile_1_2": imd_1_2,
        "referred_series_free": free,
        "female": female,
        "mental_health": mental_health,
        "source_not_gp": source_not_gp,
    }
    lp = age.astype(float)
    for name, x in terms.items():
        lp = lp + math.log(ODDS_RATIOS[name]) * np.asarray(x, dtype=float)
    return lp


def solve_intercept(lp: np.ndarray, target: float = TARGET_UPTAKE) -> float:
    """The b0 giving mean(expit(b0 + lp)) == target."""
    low, high = -10.0, 10.0
    for _ in range(100):
        mid = (low + high) / 2
        if expit(mid + lp).mean() < target:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def draw_uptake(
    lp: np.ndarray, imd_1_2: np.ndarray, free: np.ndarray, rng: np.random.Generator
) -> Uptake:
    """Bernoulli draws, balanced within cells of (IMD decile 1-2, free series) ordered by p."""
    b0 = solve_intercept(lp)
    p = expit(b0 + lp)
    key = 4.0 * np.asarray(imd_1_2, dtype=float) + 2.0 * np.asarray(free, dtype=float) + p
    return Uptake(started=balanced_uniforms(key, rng) < p, probability=p, intercept=b0)
