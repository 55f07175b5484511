"""The Wilcoxon signed-rank test of paired changes, as SciPy computes it, without SciPy's
one-resample-at-a-time permutation loop for small samples with ties or zeros."""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

__all__ = ["PERMUTATION_MAX_N", "wilcoxon_p"]

PERMUTATION_MAX_N = 13
"""Up to this many pairs with ties or zeros, SciPy's ``wilcoxon`` runs an exact permutation test."""


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


def wilcoxon_p(change: np.ndarray) -> float:
    """Two-sided Wilcoxon signed-rank p of paired changes, equal to ``stats.wilcoxon(change)``
    with SciPy's defaults (zero differences dropped; exact for n ≤ 50 without ties or zeros;
    exact permutation for n ≤ 13 with ties or zeros — here computed in one step by
    :func:`_sign_flip_p`; normal approximation with continuity correction otherwise)."""
    change = np.asarray(change, dtype=float)
    nonzero = np.abs(change[change != 0])
    if len(change) <= PERMUTATION_MAX_N and (
        len(nonzero) < len(change) or len(np.unique(nonzero)) < len(nonzero)
    ):
        return _sign_flip_p(change)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small-sample / ties notices from scipy
        return float(stats.wilcoxon(change).pvalue)
