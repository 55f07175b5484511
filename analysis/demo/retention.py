"""Planted effect 3: time from first attendance to disengagement among starters.

Weibull proportional hazards, time T in weeks:

    S(t | x) = exp(-(t / 23.41) ** 0.547 * exp(lp))
    lp = ln(1.10) (distance_km - mean distance) + ln(0.85) ([age 65+] - share 65+)
         + ln(1.15) ([female] - share female)

Distance is the great-circle km from the home area centroid to the referred series' location.
Every covariate is centred on its mean over starters (distance over starters who name a
series; a starter who names none gets the mean distance), so the population S(12) is about
0.50 as in the South Tyneside scheme (k = 0.547, eta = 23.41 weeks). T is drawn by inversion:
T = eta * (E * exp(-lp)) ** (1 / k) with E ~ Exponential(1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analysis.demo.streams import balanced_uniforms

WEIBULL_SHAPE = 0.547
WEIBULL_SCALE_WEEKS = 23.41
HAZARD_RATIOS = {"distance_per_km": 1.10, "age_65_plus": 0.85, "female": 1.15}


@dataclass
class Retention:
    weeks: np.ndarray
    centres: dict[str, float]


def draw_disengagement(
    started: np.ndarray,
    distance_km: np.ndarray,
    age_65_plus: np.ndarray,
    female: np.ndarray,
    rng: np.random.Generator,
) -> Retention:
    """T in weeks for starters (NaN for everyone else)."""
    has_distance = started & ~np.isnan(distance_km)
    centres = {
        "distance_km": float(distance_km[has_distance].mean()) if has_distance.any() else 0.0,
        "age_65_plus": float(age_65_plus[started].mean()) if started.any() else 0.0,
        "female": float(female[started].mean()) if started.any() else 0.0,
    }
    dist = np.where(np.isnan(distance_km), centres["distance_km"], distance_km)
    lp = (
        math.log(HAZARD_RATIOS["distance_per_km"]) * (dist - centres["distance_km"])
        + math.log(HAZARD_RATIOS["age_65_plus"]) * (age_65_plus - centres["age_65_plus"])
        + math.log(HAZARD_RATIOS["female"]) * (female - centres["female"])
    )
    who = np.flatnonzero(started)
    e = np.full(len(started), np.nan)
    e[who] = -np.log1p(-balanced_uniforms(dist[who], rng))
    weeks = WEIBULL_SCALE_WEEKS * (e * np.exp(-lp)) ** (1.0 / WEIBULL_SHAPE)
    return Retention(weeks=np.where(started, weeks, np.nan), centres=centres)
