"""Funnel-plot control limits and significance labels for proportions, rates and ratios.

Re-implemented from the published methods (``shared/design/notes-evaluation.md`` §2.4) of the
OHID Fingertips technical guidance and PHEindicatormethods v2.1.0 (``calculate_funnel_limits``,
``assign_funnel_significance``):

* proportions — limits built from the Wilson score interval (Wilson 1927): for a population N the
  limit is the observed proportion whose Wilson interval has an endpoint exactly at the baseline;
* rates (crude or directly standardised) and ratios (observed / expected) — exact Poisson limits
  (Spiegelhalter 2005; Eayres & Williams 2004), computed either by the same bisection as the
  Fingertips tools (an exact match to their published numbers) or by the χ² closed form;
* significance — the observed value against the 95% (p = 0.975, "0.025") and 99.8% (p = 0.999,
  "0.001") limits, labelled exactly ``"High (0.001)"``, ``"High (0.025)"``, ``"Low (0.001)"``,
  ``"Low (0.025)"`` or ``"Not significant"``; rate and ratio significance use Byar's method
  (exact χ² below 10 events) on the observed count.

The "2s" and "3s" column names follow PHEindicatormethods; the limits are exact 95% and 99.8%
limits, not ±2 and ±3 standard deviations.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal, TypeAlias

import numpy as np
import pandas as pd
from scipy.special import ndtri
from scipy.stats import chi2, poisson

from analysis.indicators import (
    ArrayLike,
    as_float_arrays,
    check_count,
    check_denominator,
    check_multiplier,
    poisson_count_limits,
    real_number,
    to_float_array,
)

__all__ = [
    "DSR_NOT_APPLICABLE",
    "NOT_SIGNIFICANT",
    "SIGNIFICANCE_LABELS",
    "funnel_axis_points",
    "funnel_axis_range",
    "poisson_mean_bound",
    "proportion_funnel_limits",
    "proportion_funnel_plot_data",
    "proportion_funnel_significance",
    "rate_funnel_limits",
    "rate_funnel_plot_data",
    "rate_funnel_significance",
    "ratio_funnel_limits",
    "ratio_funnel_plot_data",
    "ratio_funnel_significance",
]

PoissonMethod: TypeAlias = Literal["bisection", "chisq"]
RateType: TypeAlias = Literal["crude", "dsr"]
RatioType: TypeAlias = Literal["count", "isr"]
Statistic: TypeAlias = Literal["proportion", "rate", "ratio"]

HIGH_001, HIGH_025 = "High (0.001)", "High (0.025)"
LOW_001, LOW_025 = "Low (0.001)", "Low (0.025)"
NOT_SIGNIFICANT = "Not significant"
DSR_NOT_APPLICABLE = "Not applicable for events less than 10 for dsrs"
SIGNIFICANCE_LABELS = (HIGH_001, HIGH_025, LOW_001, LOW_025, NOT_SIGNIFICANT)
"""The five funnel significance labels, worst-high first."""

#: (column prefix, one-sided tail probability) for the 95% and 99.8% limits.
_LEVELS = (("2s", 0.025), ("3s", 0.001))
_DSR_MIN_EVENTS = 10


# --------------------------------------------------------------------------------------------
# Proportions
# --------------------------------------------------------------------------------------------
def _wilson_funnel(p: float, population: np.ndarray, p_lim: float, side: str) -> np.ndarray:
    """Proportion whose Wilson interval at ``population`` has an endpoint at ``p`` (notes §2.4)."""
    q = float(ndtri(p_lim)) ** 2
    n = population
    a = p * (n / q + 1)
    c = 1 / q + 1 / n
    b = np.sqrt((8 * a) ** 2 - 64 * c * p * (n * (p * (n / q + 2) - 1) + q * (p - 1)))
    root = (a - b / 8) if side == "low" else (a + b / 8)
    return root / c / n


def _check_baseline_proportion(baseline: float) -> float:
    value = real_number("baseline proportion", baseline)
    if not 0 <= value <= 1:
        raise ValueError(f"baseline proportion must lie between 0 and 1, got {baseline!r}")
    return value


def proportion_funnel_limits(
    baseline_proportion: float, denominators: ArrayLike, *, multiplier: float = 1.0
) -> pd.DataFrame:
    """Wilson-based 95% and 99.8% funnel limits for a proportion (Eayres & Williams 2004).

    For each population N the limits are the observed proportions whose Wilson score interval
    (Wilson 1927) at N has an endpoint exactly at the baseline, at p = 0.975 (95%) and
    p = 0.999 (99.8%), clipped to ``[0, multiplier]``.

    Parameters
    ----------
    baseline_proportion
        Pooled proportion in 0..1, normally Σnumerators / Σdenominators.
    denominators
        Populations (x-axis values) at which to evaluate the limits; each > 0.
    multiplier
        1 (default) for proportions, 100 for percentages.

    Returns
    -------
    DataFrame with columns ``population``, ``lower_2s_limit``, ``upper_2s_limit`` (95%),
    ``lower_3s_limit``, ``upper_3s_limit`` (99.8%) and ``baseline``, one row per denominator.
    """
    p = _check_baseline_proportion(baseline_proportion)
    scale = check_multiplier(multiplier)
    (n,), _ = as_float_arrays(denominators=denominators)
    n = np.atleast_1d(n)
    check_denominator("denominators", n)
    out = pd.DataFrame({"population": n})
    for prefix, tail in _LEVELS:
        for side in ("lower", "upper"):
            limit = _wilson_funnel(p, n, 1 - tail, "low" if side == "lower" else "high")
            out[f"{side}_{prefix}_limit"] = np.clip(limit * scale, 0.0, scale)
    out["baseline"] = p * scale
    return out


def proportion_funnel_significance(
    numerators: ArrayLike, denominators: ArrayLike, baseline: float | None = None
):
    """Label each proportion against the Wilson-based funnel limits at its own denominator.

    ``"Low (0.001)"`` / ``"High (0.001)"`` when x/n is strictly outside the 99.8% limits,
    ``"Low (0.025)"`` / ``"High (0.025)"`` when outside the 95% limits only, otherwise
    ``"Not significant"`` (Eayres & Williams 2004; Wilson 1927).

    Parameters
    ----------
    numerators, denominators
        Scalars or equal-length array-likes with ``0 <= numerator <= denominator``,
        ``denominator > 0``.
    baseline
        Comparator proportion in 0..1; defaults to Σnumerators / Σdenominators.

    Returns
    -------
    A label (str) for scalar input, otherwise a numpy array of labels.
    """
    (x, n), scalar = as_float_arrays(numerators=numerators, denominators=denominators)
    check_count("numerators", x)
    check_denominator("denominators", n)
    if (x > n).any():
        raise ValueError("numerators must be less than or equal to denominators for a proportion")
    p = float(np.sum(x) / np.sum(n)) if baseline is None else _check_baseline_proportion(baseline)
    value = x / n
    labels = np.select(
        [
            value < _wilson_funnel(p, n, 0.999, "low"),
            value < _wilson_funnel(p, n, 0.975, "low"),
            value > _wilson_funnel(p, n, 0.999, "high"),
            value > _wilson_funnel(p, n, 0.975, "high"),
        ],
        [LOW_001, LOW_025, HIGH_001, HIGH_025],
        default=NOT_SIGNIFICANT,
    ).astype(object)
    return str(labels[()]) if scalar else labels


# --------------------------------------------------------------------------------------------
# Poisson mean bounds (rates and ratios)
# --------------------------------------------------------------------------------------------
def poisson_mean_bound(
    observed: ArrayLike,
    tail_probability: float,
    bound: Literal["lower", "upper"],
    method: PoissonMethod = "bisection",
) -> np.ndarray:
    """Poisson mean λ at which the observed count sits exactly on a one-sided tail.

    ``bound="lower"`` solves P(X ≥ observed; λ) = tail_probability (the exact lower confidence
    bound for the mean; 0 when observed = 0); ``bound="upper"`` solves
    P(X ≤ observed; λ) = tail_probability.

    ``method="chisq"`` uses the closed form (Garwood 1936): χ²_p(2x)/2 and χ²_{1−p}(2x+2)/2.
    ``method="bisection"`` reproduces the Fingertips/PHEindicatormethods calculation exactly:
    bisection on v in (0, 1) with λ = (1 + x)·v/(1 − v), starting at v = 0.5 with step 0.5,
    halving the step until it is at most 1e-7 (23 steps). It agrees with the closed form to
    about 5e-5 relative and with the published Fingertips funnels to about 1e-9. The bisection
    is vectorised across counts.
    """
    if bound not in ("lower", "upper"):
        raise ValueError(f"bound must be 'lower' or 'upper', got {bound!r}")
    if method not in ("bisection", "chisq"):
        raise ValueError(f"method must be 'bisection' or 'chisq', got {method!r}")
    p = real_number("tail_probability", tail_probability)
    if not 0 < p < 1:
        raise ValueError(f"tail_probability must lie strictly between 0 and 1, got {p!r}")
    (x,), _ = as_float_arrays(observed=observed)
    x = np.atleast_1d(x)
    check_count("observed", x)
    if method == "chisq":
        if bound == "lower":
            with np.errstate(invalid="ignore", divide="ignore"):
                result = np.where(x > 0, chi2.ppf(p, 2 * x) / 2, 0.0)
        else:
            result = chi2.ppf(1 - p, 2 * x + 2) / 2
        return np.asarray(result, dtype=float)
    v = np.full(x.shape, 0.5)
    step = 0.5
    while step > 1e-7:
        step /= 2
        mean = (1 + x) * v / (1 - v)
        if bound == "lower":
            move_down = poisson.sf(x - 1, mean) > p
        else:
            move_down = poisson.cdf(x, mean) < p
        v = np.where(move_down, v - step, v + step)
    result = (1 + x) * v / (1 - v)
    if bound == "lower":
        result = np.where(x > 0, result, 0.0)
    return result


def rate_funnel_limits(
    events: ArrayLike,
    baseline_rate: float,
    *,
    multiplier: float = 100_000,
    years_of_data: float = 1,
    method: PoissonMethod = "bisection",
) -> pd.DataFrame:
    """Exact Poisson 95% and 99.8% funnel limits for a crude or standardised rate.

    For E events and baseline rate r (per ``multiplier``), the population at which E events would
    sit on a limit is ``multiplier · λ / r``, where λ is the Poisson mean bound of E from
    :func:`poisson_mean_bound` (upper bound → lower limit, lower bound → upper limit); the rate
    limit is ``multiplier · E / population`` (Spiegelhalter 2005; Eayres & Williams 2004).

    Parameters
    ----------
    events
        Event counts (x-axis values), each > 0.
    baseline_rate
        Pooled rate per ``multiplier`` (> 0).
    multiplier
        Rate per this many people (default 100,000).
    years_of_data
        Years the counts cover; ``*_population_1_year`` columns are population ÷ years.
    method
        ``"bisection"`` (Fingertips-exact, default) or ``"chisq"`` (closed form).

    Returns
    -------
    DataFrame with columns ``events``, then for ``2s`` (95%) and ``3s`` (99.8%) and each of
    ``lower``/``upper``: ``{side}_{level}_population_1_year`` and ``{side}_{level}_limit``;
    and ``baseline``.
    """
    scale = check_multiplier(multiplier)
    av = _positive("baseline_rate", baseline_rate) / scale
    years = _positive("years_of_data", years_of_data)
    (e,), _ = as_float_arrays(events=events)
    e = np.atleast_1d(e)
    check_denominator("events", e)
    out = pd.DataFrame({"events": e})
    for prefix, tail in _LEVELS:
        for side, bound in (("lower", "upper"), ("upper", "lower")):
            population = poisson_mean_bound(e, tail, bound, method) / av
            out[f"{side}_{prefix}_population_1_year"] = population / years
            out[f"{side}_{prefix}_limit"] = e / population * scale
    out["baseline"] = av * scale
    return out


def ratio_funnel_limits(
    observed_events: ArrayLike,
    *,
    ratio_type: RatioType = "isr",
    method: PoissonMethod = "bisection",
) -> pd.DataFrame:
    """Exact Poisson 95% and 99.8% funnel limits for an observed/expected ratio.

    For O observed events the expected count at which O sits on a limit is the Poisson mean
    bound of O (:func:`poisson_mean_bound`; upper bound → lower limit). The limit is O/expected,
    reported as ``ratio_type="isr"`` (× 100, baseline 100) or ``"count"`` (− 1, baseline 0).

    Returns
    -------
    DataFrame with columns ``observed_events``, then for ``2s`` (95%) and ``3s`` (99.8%) and
    each of ``lower``/``upper``: ``{side}_{level}_exp_events`` and ``{side}_{level}_limit``;
    and ``baseline``.
    """
    if ratio_type not in ("count", "isr"):
        raise ValueError(f"ratio_type must be 'count' or 'isr', got {ratio_type!r}")
    (o,), _ = as_float_arrays(observed_events=observed_events)
    o = np.atleast_1d(o)
    check_denominator("observed_events", o)
    out = pd.DataFrame({"observed_events": o})
    for prefix, tail in _LEVELS:
        for side, bound in (("lower", "upper"), ("upper", "lower")):
            expected = poisson_mean_bound(o, tail, bound, method)
            ratio = o / expected
            out[f"{side}_{prefix}_exp_events"] = expected
            out[f"{side}_{prefix}_limit"] = ratio * 100 if ratio_type == "isr" else ratio - 1
    out["baseline"] = 100.0 if ratio_type == "isr" else 0.0
    return out


def _positive(name: str, value: float) -> float:
    number = real_number(name, value)
    if not (math.isfinite(number) and number > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return number


def _poisson_labels(
    count: np.ndarray, expected_ok: np.ndarray, ratio: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """Labels from the count's Byar/exact limits; ``ratio(limit)`` → limit relative to baseline."""
    lo998, hi998 = poisson_count_limits(count, 0.998)
    lo95, hi95 = poisson_count_limits(count, 0.95)
    with np.errstate(invalid="ignore", divide="ignore"):
        conditions = [
            expected_ok & (ratio(lo998) > 1),
            expected_ok & (ratio(lo95) > 1),
            expected_ok & (ratio(hi998) < 1),
            expected_ok & (ratio(hi95) < 1),
        ]
    return np.select(
        conditions, [HIGH_001, HIGH_025, LOW_001, LOW_025], default=NOT_SIGNIFICANT
    ).astype(object)


def ratio_funnel_significance(observed: ArrayLike, expected: ArrayLike):
    """Label each observed/expected ratio against exact Poisson funnel limits.

    The observed count's 99.8% and 95% limits — exact χ² below 10 events, Byar's from 10
    (Breslow & Day 1987) — are divided by the expected count: a lower limit above 1 is
    ``"High (…)"``, an upper limit below 1 is ``"Low (…)"``, else ``"Not significant"``.

    Returns a label (str) for scalar input, otherwise a numpy array of labels.
    """
    (o, e), scalar = as_float_arrays(observed=observed, expected=expected)
    check_count("observed", o)
    check_denominator("expected", e)
    o1, e1 = np.atleast_1d(o), np.atleast_1d(e)
    labels = _poisson_labels(o1, np.ones(o1.shape, bool), lambda limit: limit / e1)
    return str(labels[0]) if scalar else labels


def _rate_denominators(
    counts: ArrayLike,
    denominators: ArrayLike | None,
    rates: ArrayLike | None,
    multiplier: float,
    rate_type: RateType,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Counts and the denominators behind them (NaN where a zero count leaves none)."""
    if rate_type not in ("crude", "dsr"):
        raise ValueError(f"rate_type must be 'crude' or 'dsr', got {rate_type!r}")
    if rate_type == "dsr" and denominators is not None:
        raise ValueError(
            "for rate_type='dsr' the denominators are derived from rates; "
            "pass rates, not denominators"
        )
    if denominators is not None:
        (x, n), scalar = as_float_arrays(counts=counts, denominators=denominators)
        check_count("counts", x)
        check_denominator("denominators", n)
        return np.atleast_1d(x), np.atleast_1d(n), scalar
    if rates is None:
        raise ValueError(
            "rates are required when denominators are not given (and always for rate_type='dsr')"
        )
    (x,), scalar = as_float_arrays(counts=counts)
    check_count("counts", x)
    x = np.atleast_1d(x)
    r = np.atleast_1d(to_float_array("rates", rates))
    if r.shape[0] not in (x.shape[0], 1):
        raise ValueError("rates must have the same length as counts")
    r = np.broadcast_to(r, x.shape)
    positive = x > 0
    if np.isnan(r[positive]).any() or (r[positive] <= 0).any() or np.isinf(r).any():
        raise ValueError("rates must be positive and finite wherever the count is above zero")
    with np.errstate(invalid="ignore", divide="ignore"):
        n = np.where(positive, multiplier * x / r, np.nan)
    return x, n, scalar


def rate_funnel_significance(
    counts: ArrayLike,
    denominators: ArrayLike | None = None,
    *,
    rates: ArrayLike | None = None,
    multiplier: float = 100_000,
    rate_type: RateType = "crude",
    baseline_rate: float | None = None,
):
    """Label each rate against exact Poisson funnel limits around the weighted average rate.

    The observed count's 99.8% and 95% limits — exact χ² below 10 events, Byar's from 10
    (Breslow & Day 1987) — divided by the denominator are compared with the baseline rate:
    a lower limit above it is ``"High (…)"``, an upper limit below it ``"Low (…)"``.

    Denominators, as in PHEindicatormethods: for crude rates, ``denominators`` if given,
    otherwise ``multiplier · count / rate``; for DSRs always ``multiplier · count / rate``. A
    zero count without a given denominator has none: it is left out of the baseline and
    labelled ``"Not significant"``. For DSRs, counts below 10 are labelled
    ``"Not applicable for events less than 10 for dsrs"``.

    Parameters
    ----------
    counts
        Event counts (≥ 0).
    denominators
        Populations (> 0), crude rates only.
    rates
        Rates per ``multiplier`` (NaN allowed where the count is 0); required for DSRs and for
        crude rates without denominators.
    multiplier
        Rates are per this many people (default 100,000).
    rate_type
        ``"crude"`` (default) or ``"dsr"``.
    baseline_rate
        Comparator rate per ``multiplier``; defaults to Σcounts / Σdenominators × multiplier.

    Returns
    -------
    A label (str) for scalar input, otherwise a numpy array of labels.
    """
    scale = check_multiplier(multiplier)
    x, n, scalar = _rate_denominators(counts, denominators, rates, scale, rate_type)
    known = ~np.isnan(n)
    if baseline_rate is None:
        if not known.any():
            raise ValueError("no denominators: cannot compute the baseline rate")
        av = float(np.sum(x) / np.sum(n[known]))
    else:
        av = _positive("baseline_rate", baseline_rate) / scale
    labels = _poisson_labels(x, known, lambda limit: limit / n / av)
    if rate_type == "dsr":
        labels = np.where(x < _DSR_MIN_EVENTS, DSR_NOT_APPLICABLE, labels).astype(object)
    return str(labels[0]) if scalar else labels


# --------------------------------------------------------------------------------------------
# The 100-point x-axis grid
# --------------------------------------------------------------------------------------------
def _signif_floor(x: float) -> float:
    """Floor of 95% of x to one significant figure (0 stays 0)."""
    if x == 0:
        return 0.0
    digits = len(str(math.floor(x * 0.95))) - 1
    return math.floor(x * 0.95 / 10.0**digits) * 10.0**digits


def _signif_ceiling(x: float) -> float:
    """Ceiling of 105% of x to two significant figures (0 stays 0)."""
    if x == 0:
        return 0.0
    digits = len(str(math.ceil(x * 1.05))) - 2
    return math.ceil(x * 1.05 / 10.0**digits) * 10.0**digits


def funnel_axis_range(
    denominators: ArrayLike, *, years_of_data: float | None = None
) -> tuple[float, float]:
    """x-axis range for a funnel plot from the denominators (notes §2.4).

    The minimum is 0 when the largest denominator is more than twice the smallest, otherwise
    95% of the smallest floored to one significant figure; the maximum is 105% of the largest
    ceilinged to two significant figures. With ``years_of_data`` (rates) both are rounded per
    year: ÷ years, rounded, × years. NaN denominators are ignored.
    """
    values = np.asarray(denominators, dtype=float)
    values = values[~np.isnan(values)]
    if values.size == 0:
        raise ValueError("denominators must contain at least one value")
    check_denominator("denominators", values)
    years = 1.0 if years_of_data is None else _positive("years_of_data", years_of_data)
    low, high = float(values.min()), float(values.max())
    axis_min = 0.0 if high > 2 * low else _signif_floor(low / years) * years
    return axis_min, _signif_ceiling(high / years) * years


def funnel_axis_points(
    axis_min: float, axis_max: float, *, n_points: int = 100, statistic: Statistic = "proportion"
) -> np.ndarray:
    """Geometric grid of x-axis points for drawing funnel limits (notes §2.4).

    pt₁ = max(1, axis_min); ptⱼ = max(round((axis_max/ptⱼ₋₁)^(1/(n+1−j)) · ptⱼ₋₁), ptⱼ₋₁ + 1),
    with round half to even. For ``statistic="ratio"`` the exponent is 1/(n+2−j), as in
    PHEindicatormethods, so the grid stops short of ``axis_max``. Points are spaced closely at
    small denominators, where the limits bend most.
    """
    if statistic not in ("proportion", "rate", "ratio"):
        raise ValueError(f"statistic must be 'proportion', 'rate' or 'ratio', got {statistic!r}")
    if n_points < 2:
        raise ValueError("n_points must be at least 2")
    offset = 1 if statistic == "ratio" else 0
    points = [max(1.0, float(axis_min))]
    for j in range(2, n_points + 1):
        prev = points[-1]
        step = (axis_max / prev) ** (1 / (n_points + 1 + offset - j)) * prev
        points.append(max(float(round(step)), prev + 1))
    return np.asarray(points)


def proportion_funnel_plot_data(
    numerators: ArrayLike,
    denominators: ArrayLike,
    *,
    multiplier: float = 1.0,
    n_points: int = 100,
) -> pd.DataFrame:
    """Funnel limits for a proportion on the standard x-axis grid, around Σx / Σn.

    Combines :func:`funnel_axis_range`, :func:`funnel_axis_points` and
    :func:`proportion_funnel_limits` (Wilson 1927; Eayres & Williams 2004).
    """
    (x, n), _ = as_float_arrays(numerators=numerators, denominators=denominators)
    check_count("numerators", x)
    check_denominator("denominators", n)
    grid = funnel_axis_points(*funnel_axis_range(n), n_points=n_points)
    return proportion_funnel_limits(float(np.sum(x) / np.sum(n)), grid, multiplier=multiplier)


def rate_funnel_plot_data(
    counts: ArrayLike,
    denominators: ArrayLike | None = None,
    *,
    rates: ArrayLike | None = None,
    years_of_data: float = 1,
    multiplier: float = 100_000,
    rate_type: RateType = "crude",
    method: PoissonMethod = "bisection",
    n_points: int = 100,
) -> pd.DataFrame:
    """Exact Poisson funnel limits for a rate on the standard grid of event counts.

    The baseline is Σcounts / Σdenominators (denominators derived as in
    :func:`rate_funnel_significance`); the axis range is rounded per year and converted to
    events (floor of min × baseline, ceiling of max × baseline), then gridded with
    :func:`funnel_axis_points` and passed to :func:`rate_funnel_limits`.
    """
    scale = check_multiplier(multiplier)
    x, n, _ = _rate_denominators(counts, denominators, rates, scale, rate_type)
    known = ~np.isnan(n)
    av = float(np.sum(x) / np.sum(n[known]))
    low, high = funnel_axis_range(n, years_of_data=years_of_data)
    grid = funnel_axis_points(
        math.floor(low * av), math.ceil(high * av), n_points=n_points, statistic="rate"
    )
    return rate_funnel_limits(
        grid, av * scale, multiplier=scale, years_of_data=years_of_data, method=method
    )


def ratio_funnel_plot_data(
    observed: ArrayLike,
    expected: ArrayLike,
    *,
    ratio_type: RatioType = "isr",
    method: PoissonMethod = "bisection",
    n_points: int = 100,
) -> pd.DataFrame:
    """Exact Poisson funnel limits for observed/expected ratios on the standard grid.

    The axis range comes from the expected counts; the grid points are observed-event counts
    (see :func:`funnel_axis_points` for the ratio variant) passed to :func:`ratio_funnel_limits`.
    """
    (o, e), _ = as_float_arrays(observed=observed, expected=expected)
    check_count("observed", o)
    check_denominator("expected", e)
    grid = funnel_axis_points(*funnel_axis_range(e), n_points=n_points, statistic="ratio")
    return ratio_funnel_limits(grid, ratio_type=ratio_type, method=method)
