"""Nearest-session distances: the k-d tree agrees with brute force; suitability profiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.access import (
    ANY_PROFILE,
    DEFAULT_PROFILE,
    FREE_PROFILE,
    SuitabilityProfile,
    great_circle_km,
    nearest,
    suitable,
)


@pytest.mark.parametrize(("a", "b", "km"), [
    ((51.5, -0.1), (51.5, -0.1), 0.0),
    # One degree of latitude on the mean-radius sphere: 2πR/360.
    ((51.0, -1.0), (52.0, -1.0), 2 * np.pi * 6371.0088 / 360),
    # London to Manchester, about 262 km as the crow flies.
    ((51.5074, -0.1278), (53.4808, -2.2426), 262.0),
])
def test_great_circle(a, b, km) -> None:
    assert great_circle_km(*a, *b) == pytest.approx(km, abs=1.0 if km > 100 else 1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kd_tree_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    origins = rng.uniform([50.0, -5.0], [55.0, 1.5], size=(300, 2))
    targets = rng.uniform([50.0, -5.0], [55.0, 1.5], size=(80, 2))
    km, index = nearest(origins[:, 0], origins[:, 1], targets[:, 0], targets[:, 1])
    full = great_circle_km(origins[:, 0, None], origins[:, 1, None], targets[None, :, 0],
                           targets[None, :, 1])
    np.testing.assert_allclose(km, full.min(axis=1), rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(index, full.argmin(axis=1))


def test_no_targets_gives_infinite_distance() -> None:
    km, index = nearest(np.array([51.0]), np.array([0.0]), np.array([]), np.array([]))
    assert np.isinf(km[0]) and index[0] == -1


SERIES = pd.DataFrame(
    [
        (True, 0.0, False, None, 18, None, None, None, None, 0.9),
        (False, 4.5, True, ["Beginner"], None, None, ["Visual impairment"], None, None, 0.5),
        (False, 7.0, False, None, 18, None, None, None, True, 0.8),
        (True, 0.0, False, ["Advanced"], 18, None, None, None, None, 0.7),
        (True, 0.0, True, ["Beginner"], 5, 11, None, None, None, 0.6),
    ],
    columns=["is_free", "price_min", "is_beginner", "levels", "age_min", "age_max",
             "accessibility_support", "accessibility_information", "wheelchair_accessible",
             "sp_ready_score"],
)


@pytest.mark.parametrize(("profile", "expected"), [
    (ANY_PROFILE, [True, True, True, True, True]),
    (FREE_PROFILE, [True, False, False, True, True]),
    (DEFAULT_PROFILE, [True, True, False, False, False]),
    (SuitabilityProfile(accessibility=True), [False, True, False, False, False]),
    (SuitabilityProfile(max_price=None, beginner_or_no_level=False, admits_adults=False,
                        accessibility=True), [False, True, True, False, False]),
    (SuitabilityProfile(min_sp_ready=0.75), [True, False, False, False, False]),
])
def test_suitability_profiles(profile, expected) -> None:
    assert suitable(SERIES, profile).tolist() == expected


def test_profile_is_described_in_words() -> None:
    assert DEFAULT_PROFILE.describe() == "free or ≤ £5, beginner or no level, admits adults"
    assert FREE_PROFILE.describe() == "free"
