"""The Wilcoxon signed-rank p of paired changes equals SciPy's, including its exact permutation
path (n ≤ 13 with ties or zeros), which is computed here by enumerating the sign flips at once."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest
from scipy import stats

from analysis.outcomes import PERMUTATION_MAX_N, wilcoxon_p
from analysis.signed_rank import EXACT_MAX_N


def scipy_p(change: np.ndarray) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(stats.wilcoxon(change).pvalue)


def samples(seed: int, count: int) -> list[np.ndarray]:
    """Random changes of 1–16 pairs (mostly ≤ 9, where SciPy's own permutation test is quick
    enough to compare against): small integer ranges (many ties and zeros), half points,
    continuous values."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < count:
        n = int(rng.integers(1, 10)) if rng.random() < 0.9 else int(rng.integers(10, 17))
        kind = rng.integers(0, 3)
        if kind == 0:
            x = rng.integers(-4, 5, n).astype(float)
        elif kind == 1:
            x = rng.integers(-8, 12, n) / 2.0
        else:
            x = np.round(rng.normal(0.5, 3, n), 3)
        if np.any(x != 0):
            out.append(x)
    return out


def test_equals_scipy_on_random_samples_with_ties_and_zeros() -> None:
    cases = samples(20250301, 150)
    permutation = 0
    for x in cases:
        nonzero = np.abs(x[x != 0])
        if len(x) <= PERMUTATION_MAX_N and (
            len(nonzero) < len(x) or len(np.unique(nonzero)) < len(nonzero)
        ):
            permutation += 1
        assert wilcoxon_p(x) == pytest.approx(scipy_p(x), abs=1e-12, rel=0), x.tolist()
    assert permutation > 60  # most cases exercise the exact permutation path


@pytest.mark.parametrize(
    "change",
    [
        [1.0, 0.0],
        [0.0, 0.0, 0.0, 2.0],
        [-1.0, -1.0, -1.0],
        [3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0],
        [2.0, -2.0, 1.0, -1.0, 0.0, 0.0, 4.0, 5.0, -6.0, 7.0, 7.0, 7.0, 0.5],
        [1.5, -2.5, 3.5, 4.5, 5.5, 6.5, 7.5],
    ],
)
def test_equals_scipy_on_edge_cases(change: list[float]) -> None:
    x = np.asarray(change)
    assert wilcoxon_p(x) == pytest.approx(scipy_p(x), abs=1e-12, rel=0)


def test_thirteen_pairs_with_ties_take_milliseconds() -> None:
    x = np.asarray([2.0, -2.0, 1.0, 1.0, 0.0, 3.0, 3.0, -3.0, 4.0, 5.0, 5.0, -1.0, 2.0])
    started = time.perf_counter()
    p = wilcoxon_p(x)
    assert time.perf_counter() - started < 0.5
    assert p == pytest.approx(scipy_p(x), abs=1e-12, rel=0)


def large_samples(seed: int, count: int) -> list[np.ndarray]:
    """Random changes of 14–2,000 pairs, where SciPy uses its normal approximation when there
    are ties or zeros (and past 50 pairs in any case): small integer ranges (many ties and
    zeros), half points, rounded and continuous values, and runs of one value."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < count:
        n = int(rng.integers(14, 60)) if rng.random() < 0.5 else int(rng.integers(60, 2001))
        kind = rng.integers(0, 5)
        if kind == 0:
            x = rng.integers(-4, 5, n).astype(float)
        elif kind == 1:
            x = rng.integers(-20, 30, n) / 2.0
        elif kind == 2:
            x = np.round(rng.normal(0.5, 3, n), 1)
        elif kind == 3:
            x = rng.normal(0.2, 1, n)
        else:
            x = np.repeat(rng.integers(-3, 4, 4).astype(float), n // 4 + 1)[:n]
        if np.any(x != 0):
            out.append(x)
    return out


def test_normal_approximation_equals_scipy_bit_for_bit() -> None:
    cases = large_samples(20250302, 400)
    normal = 0
    for x in cases:
        nonzero = np.abs(x[x != 0])
        if len(x) > EXACT_MAX_N or len(nonzero) < len(x) or len(np.unique(nonzero)) < len(x):
            normal += 1
        assert wilcoxon_p(x) == scipy_p(x), x.tolist()
    assert normal > 300  # most cases take the normal approximation


def test_normal_approximation_is_quicker_than_scipy() -> None:
    x = np.random.default_rng(7).integers(-4, 5, 800).astype(float)
    started = time.perf_counter()
    for _ in range(50):
        wilcoxon_p(x)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(50):
        scipy_p(x)
    assert ours < time.perf_counter() - started
