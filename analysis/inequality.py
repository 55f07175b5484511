"""The slope index of inequality (SII).

The PHE method (as in PHEindicatormethods ``phe_sii``): deciles
ordered from 1 (most deprived) to 10; each gets the relative rank of the midpoint of its
share of the population (or of referrals, for uptake) in the cumulative distribution, 0 = most
deprived end, 1 = least deprived; the SII is the slope of the population-weighted
least-squares regression of the decile values on that rank, i.e. the modelled value at the
least-deprived end minus the most-deprived end. A negative SII means higher values in more
deprived areas. The CI is by **simulation** (default, the PHE approach): each decile's value
is redrawn from a normal distribution on the log scale (rates) or logit scale (proportions)
with the standard error implied by its 95% CI, the regression refitted, and the percentiles
of the simulated slopes taken. Deciles with 0 events (or 100% for a proportion) have no
finite log/logit SE, and then the **analytic** CI is used instead (and reported): the slope
is linear in the decile values, SII = Σ cᵢ yᵢ, so Var(SII) = Σ cᵢ² Var(yᵢ) with Poisson
(rates) or binomial (proportions) sampling variances, and a normal interval.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from analysis.indicators import normalise_confidence, proportion_ci, rate_ci


@dataclass(frozen=True)
class SiiResult:
    """The SII with its CI; ``table`` has one row per quantile with its value and rank."""

    sii: float
    lower: float
    upper: float
    most_deprived_fitted: float  # intercept: modelled value at rank 0
    least_deprived_fitted: float  # modelled value at rank 1
    confidence: float
    ci_method: Literal["simulation", "analytic"]
    table: pd.DataFrame
    notes: tuple[str, ...] = field(default=())


def slope_index_of_inequality(
    quantile: np.ndarray | pd.Series | list,
    count: np.ndarray | pd.Series | list,
    denominator: np.ndarray | pd.Series | list,
    *,
    kind: Literal["rate", "proportion"] = "rate",
    multiplier: float = 1.0,
    confidence: float = 0.95,
    ci_method: Literal["simulation", "analytic"] = "simulation",
    repetitions: int = 100_000,
    seed: int = 20250301,
) -> SiiResult:
    """SII across ordered quantiles (1 = most deprived), see the module docstring.

    ``count / denominator × multiplier`` is each quantile's value; the denominator also gives
    the population shares for the ranks. Needs 5 to 100 quantiles with denominators > 0.
    """
    level = normalise_confidence(confidence)
    q = np.asarray(quantile, dtype=float)
    x, n = np.asarray(count, dtype=float), np.asarray(denominator, dtype=float)
    if not len(q) == len(x) == len(n):
        raise ValueError("quantile, count and denominator must have equal lengths")
    if not 5 <= len(q) <= 100 or len(np.unique(q)) != len(q):
        raise ValueError(f"the SII needs 5 to 100 distinct quantiles, got {len(np.unique(q))}")
    if (n <= 0).any() or np.isnan(n).any() or (x < 0).any() or np.isnan(x).any():
        raise ValueError("every quantile needs a denominator > 0 and a count >= 0")
    if kind == "proportion" and (x > n).any():
        raise ValueError("count must not exceed denominator for a proportion")
    if kind not in ("rate", "proportion") or ci_method not in ("simulation", "analytic"):
        raise ValueError("kind must be 'rate' or 'proportion'; ci_method 'simulation'/'analytic'")
    order = np.argsort(q)
    q, x, n = q[order], x[order], n[order]
    share = n / n.sum()
    rank = np.cumsum(share) - share / 2
    y = x / n * multiplier
    centred = rank - share @ rank
    coef = share * centred / (share @ centred**2)  # SII = coef @ y (weighted least squares)
    sii = float(coef @ y)
    intercept = float(share @ y - sii * (share @ rank))
    fn = rate_ci if kind == "rate" else proportion_ci
    ci95 = fn(x, n, **({"multiplier": multiplier} if kind == "rate" else {}))
    value_lo, value_hi = ci95[1], ci95[2]
    if kind == "proportion":
        value_lo, value_hi = value_lo * multiplier, value_hi * multiplier
    notes: list[str] = []
    degenerate = (x == 0).any() or (kind == "proportion" and (x == n).any())
    if ci_method == "simulation" and degenerate:
        ci_method = "analytic"
        notes.append("a quantile has 0 events (or 100%), so the analytic CI was used")
    if ci_method == "simulation":
        z95 = stats.norm.ppf(0.975)
        link = np.log if kind == "rate" else _logit
        scale = multiplier if kind == "proportion" else 1.0
        se = (link(value_hi / scale) - link(value_lo / scale)) / (2 * z95)
        draws = _standard_normal(seed, repetitions, len(y))
        sims = _simulated_slopes(draws, se, link(y / scale), kind, scale, coef)
        lower, upper = np.quantile(sims, [(1 - level) / 2, (1 + level) / 2])
    else:
        p = x / n
        var = x * (multiplier / n) ** 2 if kind == "rate" else p * (1 - p) / n * multiplier**2
        half = stats.norm.ppf((1 + level) / 2) * float(np.sqrt(coef**2 @ var))
        lower, upper = sii - half, sii + half
    table = pd.DataFrame(
        {
            "quantile": q,
            "count": x,
            "denominator": n,
            "value": y,
            "value_lower": value_lo,
            "value_upper": value_hi,
            "share": share,
            "relative_rank": rank,
        }
    )
    return SiiResult(
        sii,
        float(lower),
        float(upper),
        intercept,
        intercept + sii,
        level,
        ci_method,
        table,
        tuple(notes),
    )


@functools.lru_cache(maxsize=8)
def _standard_normal(seed: int, repetitions: int, quantiles: int) -> np.ndarray:
    """The simulation's draws, made once per seed and shape (read-only): the same numbers as
    drawing them afresh, without the cost on every fit."""
    draws = np.random.default_rng(seed).standard_normal((repetitions, quantiles))
    draws.setflags(write=False)
    return draws


def _simulated_slopes(
    draws: np.ndarray,
    se: np.ndarray,
    centre: np.ndarray,
    kind: Literal["rate", "proportion"],
    scale: float,
    coef: np.ndarray,
    rows: int = 4096,
) -> np.ndarray:
    """Each simulated slope: ``inv(draws * se + centre) * scale @ coef`` (``inv`` = exp for a
    rate, the inverse logit for a proportion; ``* scale`` only when it is not 1), a block of
    ``rows`` draws at a time in one reused buffer: every element goes through the same
    operations as on the whole array, and each block's product is the one a product taken
    4096 rows at a time would take, so the slopes are the same without two arrays of every
    draw written to memory (``tests/unit/test_sii_simulation.py`` checks they are equal)."""
    out = np.empty(len(draws))
    buffer = np.empty((min(rows, len(draws)), draws.shape[1]))
    for start in range(0, len(draws), rows):
        block = draws[start : start + rows]
        values = buffer[: len(block)]
        np.multiply(block, se, out=values)
        values += centre
        if kind == "rate":
            np.exp(values, out=values)
        else:
            _expit(values)  # in place on a 2-D block
        if scale != 1:
            values *= scale
        np.dot(values, coef, out=out[start : start + rows])
    return out


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1 - p))


def _expit(v: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-v)), computed in place when ``v`` is a large simulation array."""
    if np.ndim(v) < 2:
        return 1 / (1 + np.exp(-v))
    out = np.negative(v, out=v)
    np.exp(out, out=out)
    out += 1
    return np.reciprocal(out, out=out)
