"""Public-health indicator statistics: confidence intervals for proportions and rates.

The methods are those of the OHID Fingertips technical guidance and the PHEindicatormethods R
package (v2.1.0), re-implemented here from the published formulas (see
``shared/design/notes-evaluation.md`` §2):

* proportions — Wilson score interval (Wilson 1927);
* crude rates — exact Poisson limits from the χ² distribution when the count is below 10, and
  Byar's approximation (Breslow & Day 1987) from 10 upwards.

Funnel-plot limits and significance labels live in :mod:`analysis.funnel`.

Every public function accepts scalars or equal-length array-likes (lists, numpy arrays, pandas
Series). Scalars in give floats out; any array-like in gives numpy arrays out (a scalar argument is
broadcast against the arrays). Invalid input raises :class:`ValueError` naming the problem.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
from scipy.special import ndtri
from scipy.stats import chi2

__all__ = [
    "EXACT_BELOW",
    "ArrayLike",
    "byar_limits",
    "exact_poisson_limits",
    "normalise_confidence",
    "poisson_count_limits",
    "proportion_ci",
    "rate_ci",
    "wilson_limits",
    "z_value",
]

ArrayLike: TypeAlias = float | int | Sequence[float] | np.ndarray | pd.Series
"""A scalar, or a one-dimensional array-like of numbers."""

Result: TypeAlias = tuple[Any, Any, Any]

EXACT_BELOW = 10
"""Counts below this use exact Poisson (χ²) limits; from this count upwards, Byar's method."""


# --------------------------------------------------------------------------------------------
# Input handling (shared with analysis.funnel)
# --------------------------------------------------------------------------------------------
def normalise_confidence(confidence: float) -> float:
    """Return the confidence level as a fraction in [0.9, 1].

    Like PHEindicatormethods, a level in [90, 100] is read as a percentage (95 → 0.95). Anything
    outside 0.9–1 and 90–100 (or not a finite number) raises :class:`ValueError`.
    """
    level = real_number("confidence", confidence)
    if math.isnan(level):
        raise ValueError("confidence must not be NaN")
    if 90 <= level <= 100:
        level /= 100
    if not 0.9 <= level <= 1:
        raise ValueError(
            f"confidence must lie between 0.9 and 1 (or 90 and 100 as a percentage), "
            f"got {confidence!r}"
        )
    return level


def real_number(name: str, value: Any) -> float:
    """``value`` as a float; booleans, strings and other non-numbers raise :class:`ValueError`."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        # The public contract is ValueError for every invalid argument.
        raise ValueError(f"{name} must be a number, got {value!r}")  # noqa: TRY004
    return float(value)


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile z = Φ⁻¹(c + (1 − c)/2) for confidence level c.

    Infinite at c = 1.
    """
    return _z(normalise_confidence(confidence))


def _z(level: float) -> float:
    # Φ⁻¹(c + (1 − c)/2) written as −Φ⁻¹((1 − c)/2), which stays accurate (and finite) for
    # levels just below 1, where c + (1 − c)/2 would round to 1.
    return float(-ndtri((1 - level) / 2))


def as_float_arrays(**named: Any) -> tuple[list[np.ndarray], bool]:
    """Convert keyword arguments to broadcast float arrays; also report whether all were scalar.

    Each argument must be a real number or a one-dimensional array-like of real numbers without
    NaN. Array arguments must share one length; scalars are broadcast against them.
    """
    arrays: list[np.ndarray] = []
    length: int | None = None
    length_from = ""
    for name, value in named.items():
        arr = to_float_array(name, value)
        if np.isnan(arr).any():
            raise ValueError(f"{name} contains NaN (missing values are not allowed)")
        if arr.ndim == 1:
            if length is None:
                length, length_from = arr.shape[0], name
            elif arr.shape[0] != length:
                raise ValueError(
                    f"{name} has length {arr.shape[0]} but {length_from} has length {length}; "
                    "array arguments must have equal lengths"
                )
        arrays.append(arr)
    scalar = length is None
    if not scalar:
        arrays = [np.broadcast_to(a, (length,)).astype(float, copy=True) for a in arrays]
    return arrays, scalar


def to_float_array(name: str, value: Any) -> np.ndarray:
    """``value`` as a float array of at most one dimension (missing values become NaN)."""
    try:
        if isinstance(value, (pd.Series, pd.Index)):
            arr = value.to_numpy(dtype=float, na_value=np.nan)
        else:
            arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from None
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or one-dimensional, got shape {arr.shape}")
    return arr


def finish(arrays: Sequence[np.ndarray], scalar: bool) -> tuple[Any, ...]:
    """Return plain floats for scalar input, numpy arrays otherwise."""
    if scalar:
        return tuple(float(a) for a in arrays)
    return tuple(np.asarray(a, dtype=float) for a in arrays)


# --------------------------------------------------------------------------------------------
# Limits on the count scale
# --------------------------------------------------------------------------------------------
def _wilson(x: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    z = _z(level)
    if math.isinf(z):
        return np.zeros_like(x), np.ones_like(x)
    z2 = z * z
    centre = 2 * x + z2
    spread = z * np.sqrt(z2 + 4 * x * (1 - x / n))
    # (centre − spread) / (2(n + z²)) rewritten without the cancellation between centre and
    # spread: (centre² − spread²) = 4x²(1 + z²/n), so the lower limit is 2x² / (n(centre + spread)).
    lower = 2 * x * x / (n * (centre + spread))
    return lower, (centre + spread) / (2 * (n + z2))


def _exact(x: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    alpha = 1 - level
    if alpha == 0:
        return np.zeros_like(x), np.full_like(x, np.inf)
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = chi2.ppf(alpha / 2, 2 * x) / 2
    # x = 0 (and subnormal x, where scipy returns NaN) has lower limit 0.
    lower = np.where((x > 0) & ~np.isnan(lower), lower, 0.0)
    upper = chi2.isf(alpha / 2, 2 * x + 2) / 2
    return lower, upper


def _byar(x: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    z = _z(level)
    if math.isinf(z):
        return np.zeros_like(x), np.full_like(x, np.inf)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        lower = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
    lower = np.where(x > 0, np.maximum(lower, 0.0), 0.0)
    x1 = x + 1
    upper = x1 * (1 - 1 / (9 * x1) + z / (3 * np.sqrt(x1))) ** 3
    return lower, upper


def _count_limits(x: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    exact_lo, exact_hi = _exact(x, level)
    byar_lo, byar_hi = _byar(x, level)
    small = x < EXACT_BELOW
    return np.where(small, exact_lo, byar_lo), np.where(small, exact_hi, byar_hi)


def check_count(name: str, x: np.ndarray) -> None:
    if (x < 0).any():
        raise ValueError(f"{name} must be greater than or equal to zero")
    if np.isinf(x).any():
        raise ValueError(f"{name} must be finite")


def check_denominator(name: str, n: np.ndarray) -> None:
    if (n <= 0).any():
        raise ValueError(f"{name} must be greater than zero")
    if np.isinf(n).any():
        raise ValueError(f"{name} must be finite")


def wilson_limits(numerator: ArrayLike, denominator: ArrayLike, confidence: float = 0.95):
    """Wilson score limits (Wilson 1927) for a proportion, as proportions 0..1.

    ``lower, upper = (2x + z² ∓ z·√(z² + 4x(1 − x/n))) / (2(n + z²))``. Returns ``(lower, upper)``.
    """
    level = normalise_confidence(confidence)
    (x, n), scalar = as_float_arrays(numerator=numerator, denominator=denominator)
    _validate_proportion(x, n)
    return finish(_wilson(x, n, level), scalar)


def byar_limits(count: ArrayLike, confidence: float = 0.95):
    """Byar's approximate Poisson limits for a count (Breslow & Day 1987).

    ``lower = x(1 − 1/(9x) − z/(3√x))³``, ``upper = (x+1)(1 − 1/(9(x+1)) + z/(3√(x+1)))³``.
    The lower limit is floored at 0 (Byar's formula can go negative for very small counts, where
    :func:`exact_poisson_limits` should be used instead). Returns ``(lower, upper)`` as counts.
    """
    level = normalise_confidence(confidence)
    (x,), scalar = as_float_arrays(count=count)
    check_count("count", x)
    return finish(_byar(x, level), scalar)


def exact_poisson_limits(count: ArrayLike, confidence: float = 0.95):
    """Exact Poisson limits for a count from the χ² distribution (Garwood 1936).

    ``lower = χ²_{(1−c)/2}(2x)/2`` (0 when x = 0), ``upper = χ²_{c+(1−c)/2}(2x + 2)/2``.
    Returns ``(lower, upper)`` as counts.
    """
    level = normalise_confidence(confidence)
    (x,), scalar = as_float_arrays(count=count)
    check_count("count", x)
    return finish(_exact(x, level), scalar)


def poisson_count_limits(count: ArrayLike, confidence: float = 0.95):
    """Poisson limits for a count as PHEindicatormethods ``phe_rate`` uses them.

    Exact χ² limits when the count is below :data:`EXACT_BELOW` (10), Byar's method from 10
    upwards (Breslow & Day 1987). Returns ``(lower, upper)`` as counts.
    """
    level = normalise_confidence(confidence)
    (x,), scalar = as_float_arrays(count=count)
    check_count("count", x)
    return finish(_count_limits(x, level), scalar)


# --------------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------------
def _validate_proportion(x: np.ndarray, n: np.ndarray) -> None:
    check_count("numerator", x)
    check_denominator("denominator", n)
    if (x > n).any():
        raise ValueError("numerator must be less than or equal to denominator for a proportion")


def proportion_ci(
    numerator: ArrayLike, denominator: ArrayLike, confidence: float = 0.95
) -> Result:
    """Proportion with its Wilson score confidence interval (Wilson 1927).

    Parameters
    ----------
    numerator, denominator
        Scalars or equal-length array-likes. The numerator may be non-integer (for example a
        weighted count) but must satisfy ``0 <= numerator <= denominator`` and
        ``denominator > 0``; NaN is refused.
    confidence
        Confidence level in [0.9, 1], or in [90, 100] read as a percentage. At 1 the limits
        are 0 and 1.

    Returns
    -------
    (value, lower, upper)
        As proportions in 0..1: floats for scalar input, numpy arrays otherwise.

    Raises
    ------
    ValueError
        Naming the problem: negative numerator, denominator ≤ 0, numerator > denominator, NaN,
        arrays of different lengths, or confidence out of range.
    """
    level = normalise_confidence(confidence)
    (x, n), scalar = as_float_arrays(numerator=numerator, denominator=denominator)
    _validate_proportion(x, n)
    lower, upper = _wilson(x, n, level)
    value = x / n
    # Guard the bounds against rounding at the extremes (e.g. x = 0 or x = n).
    lower = np.clip(np.minimum(lower, value), 0.0, 1.0)
    upper = np.clip(np.maximum(upper, value), 0.0, 1.0)
    return finish((value, lower, upper), scalar)


def rate_ci(
    count: ArrayLike,
    denominator: ArrayLike,
    multiplier: float = 100_000,
    confidence: float = 0.95,
) -> Result:
    """Crude rate with exact Poisson (count < 10) or Byar's (count ≥ 10) confidence limits.

    The limits for the count are the exact χ² limits below 10 events and Byar's approximation
    (Breslow & Day 1987) from 10 events, as in PHEindicatormethods ``phe_rate``; the rate and
    its limits are then ``count / denominator × multiplier``.

    Parameters
    ----------
    count, denominator
        Scalars or equal-length array-likes. ``count >= 0`` and ``denominator > 0``; the count
        may exceed the denominator (for example repeat events per person).
    multiplier
        Rate per this many of the denominator (default 100,000); must be positive.
    confidence
        Confidence level in [0.9, 1], or in [90, 100] read as a percentage. At 1 the limits
        are 0 and infinity.

    Returns
    -------
    (value, lower, upper)
        Per ``multiplier``: floats for scalar input, numpy arrays otherwise.

    Raises
    ------
    ValueError
        Naming the problem: negative count, denominator ≤ 0, NaN, arrays of different lengths,
        multiplier ≤ 0, or confidence out of range.
    """
    level = normalise_confidence(confidence)
    scale = check_multiplier(multiplier)
    (x, n), scalar = as_float_arrays(count=count, denominator=denominator)
    check_count("count", x)
    check_denominator("denominator", n)
    lower, upper = _count_limits(x, level)
    return finish((x / n * scale, lower / n * scale, upper / n * scale), scalar)


def check_multiplier(multiplier: float) -> float:
    """Validated multiplier: a positive finite number."""
    value = real_number("multiplier", multiplier)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"multiplier must be a positive finite number, got {multiplier!r}")
    return value
