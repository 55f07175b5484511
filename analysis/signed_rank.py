"""The Wilcoxon signed-rank test of paired changes, as SciPy computes it, without SciPy's
one-resample-at-a-time permutation loop for small samples with ties or zeros, and with its
normal approximation computed directly (the same operations, without ``stats.wilcoxon``'s
per-call argument handling, which cost more than the test)."""

from __future__ import annotations

import warnings

import numpy as np
from scipy import special, stats

__all__ = ["EXACT_MAX_N", "PERMUTATION_MAX_N", "wilcoxon_p"]

PERMUTATION_MAX_N = 13
"""Up to this many pairs with ties or zeros, SciPy's ``wilcoxon`` runs an exact permutation test."""
EXACT_MAX_N = 50
"""Up to this many pairs without ties or zeros, SciPy's ``wilcoxon`` uses the exact distribution."""


def _sign_flip_p(change: np.ndarray) -> float:
    """Two-sided exact permutation p of the signed-rank sum: all 2^n sign flips at once.

    The same null distribution, statistic and comparison as SciPy's ``permutation_test`` with
    ``permutation_type="samples"`` (which ``stats.wilcoxon`` runs, one resample at a time, for
    n ≤ 13 with ties or zeros): zeros dropped from the ranks, tied |changes| given their mean
    rank, the statistic the rank sum of the positive changes.
    """
    n = len(change)
    nonzero = change != 0
    ranks = np.zeros(n)
    ranks[nonzero] = stats.rankdata(np.abs(change[nonzero]))
    observed = float(ranks[change > 0].sum())
    flips = (np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1  # every sign pattern
    null = flips @ ranks  # rank sum of the changes made positive by each flip
    gamma = abs(np.finfo(float).eps * 100 * observed)
    less = np.count_nonzero(null <= observed + gamma) / 2**n
    greater = np.count_nonzero(null >= observed - gamma) / 2**n
    return float(np.clip(2 * min(less, greater), 0, 1))


def _normal_p(signed: np.ndarray, ties: np.ndarray) -> float:
    """Two-sided p of the normal approximation, step by step as SciPy's ``_wilcoxon_nd``
    computes it with its defaults (``zero_method="wilcox"``, ``correction=False``): zeros
    dropped, mean ranks of the |changes|, tie correction Σ(t³ − t)/2 in the variance, no
    continuity correction.

    ``signed`` holds the non-zero changes ordered by magnitude and ``ties`` the sizes of its
    runs of equal magnitude, in order. Ranks are whole or half numbers and the tie sizes whole,
    so their sums are exact in any order (as long as they stay below 2**53).
    """
    count = float(len(signed))
    ends = np.cumsum(ties)
    mean_rank = (ends - ties + 1 + ends) / 2.0  # the mean of ranks start..end of each run
    r_plus = float(np.sum(np.repeat(mean_rank, ties)[signed > 0]))
    t = ties.astype(float)
    mn = count * (count + 1.0) * 0.25
    se = count * (count + 1.0) * (2.0 * count + 1.0)
    se = np.sqrt((se - np.sum(t**3 - t) / 2) / 24)
    z = (r_plus - mn) / se
    return float(2 * special.ndtr(-np.abs(z)))


def wilcoxon_p(change: np.ndarray) -> float:
    """Two-sided Wilcoxon signed-rank p of paired changes, equal to ``stats.wilcoxon(change)``
    with SciPy's defaults (zero differences dropped; exact for n ≤ 50 without ties or zeros;
    exact permutation for n ≤ 13 with ties or zeros — here computed in one step by
    :func:`_sign_flip_p`; normal approximation otherwise — here
    :func:`_normal_p`)."""
    change = np.asarray(change, dtype=float)
    signed = change[change != 0]
    magnitude = np.abs(signed)
    order = np.argsort(magnitude)  # the order within a run of ties does not matter
    signed, magnitude = signed[order], magnitude[order]
    starts = np.flatnonzero(np.r_[True, magnitude[1:] != magnitude[:-1]])
    ties = np.diff(np.r_[starts, len(magnitude)])
    ties_or_zeros = len(signed) < len(change) or len(ties) < len(signed)
    if ties_or_zeros and len(change) <= PERMUTATION_MAX_N:
        return _sign_flip_p(change)
    if ties_or_zeros or len(change) > EXACT_MAX_N:
        return _normal_p(signed, ties)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small-sample / ties notices from scipy
        return float(stats.wilcoxon(change).pvalue)
