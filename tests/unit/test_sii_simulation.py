"""The SII's simulated slopes, computed a block of draws at a time, equal the slopes computed on
the whole array of draws (the way :func:`analysis.inequality.slope_index_of_inequality` computed
them before), bit for bit, for rates and proportions, any scale and any number of draws."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import inequality


def whole_array(draws, se, centre, kind, scale, coef) -> np.ndarray:
    """Every draw at once: ``inv(draws * se + centre) * scale``, then the rows' products with
    ``coef`` 4096 rows at a time."""
    values = draws * se
    values += centre
    if kind == "rate":
        values = np.exp(values)
    else:
        values = 1 / (1 + np.exp(-values))
    if scale != 1:
        values = values * scale
    out = np.empty(len(values))
    for start in range(0, len(values), 4096):
        np.dot(values[start : start + 4096], coef, out=out[start : start + 4096])
    return out


@pytest.mark.parametrize("kind", ["rate", "proportion"])
def test_blocked_slopes_equal_the_whole_array(kind: str) -> None:
    rng = np.random.default_rng(7)
    for case in range(60):
        k = int(rng.integers(5, 21))
        repetitions = int(rng.choice([1, 50, 4095, 4096, 4097, 30_000, 100_000]))
        draws = rng.standard_normal((repetitions, k))
        se = rng.uniform(0.01, 0.5, k)
        centre = rng.uniform(-3, 3, k) if kind == "proportion" else rng.uniform(-1, 6, k)
        coef = rng.normal(0, 1, k)
        scale = 1.0 if kind == "rate" else float(rng.choice([1.0, 100.0, 0.5]))
        got = inequality._simulated_slopes(draws, se, centre, kind, scale, coef)
        want = whole_array(draws, se, centre, kind, scale, coef)
        assert np.array_equal(got, want), f"case {case}: {kind}, {repetitions} draws"


def test_sii_interval_comes_from_the_simulation() -> None:
    """The seeded simulation's interval brackets the SII and moves with the seed."""
    quantile, count = np.arange(1, 11), np.arange(50, 150, 10.0)
    population = np.full(10, 3000.0)
    fits = [
        inequality.slope_index_of_inequality(
            quantile, count, population, multiplier=1000, seed=seed
        )
        for seed in (1, 2)
    ]
    for fit in fits:
        assert fit.ci_method == "simulation"
        assert fit.lower < fit.sii < fit.upper
    assert fits[0].sii == fits[1].sii and fits[0].lower != fits[1].lower
