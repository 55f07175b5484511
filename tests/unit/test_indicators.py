"""Tests for analysis.indicators: Wilson proportions and exact/Byar's Poisson rates.

Hand-derived cases come first, so the suite passes without the design folder. The values were
computed from the published formulas in pure Python (``statistics.NormalDist`` for z, the
closed-form Wilson and Byar expressions, and a 200-step bisection on a ``math.fsum`` Poisson
CDF for the exact limits), independently of scipy and of the module under test. Then every
row of the PHEindicatormethods reference files in ``../shared/reference/methods`` is checked.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.indicators import (
    byar_limits,
    exact_poisson_limits,
    normalise_confidence,
    poisson_count_limits,
    proportion_ci,
    rate_ci,
    wilson_limits,
    z_value,
)
from tests.unit.reference_values import reference, reference_rows

REL = 1e-9  # notes §6: Wilson, Byar, exact — relative 1e-9
Z95 = 1.9599639845400536
Z998 = 3.090232306167813


def _level(text: str | float) -> float:
    """'95%' / '99.8%' / 0.95 → fraction."""
    if isinstance(text, str):
        return float(text.rstrip("%")) / 100
    return float(text)


# --------------------------------------------------------------------------------------------
# Hand-derived cases
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("confidence", "z"),
    [(0.95, Z95), (95, Z95), (0.998, Z998), (99.8, Z998), (0.9, 1.6448536269514722)],
)
def test_z_value(confidence, z):
    assert z_value(confidence) == pytest.approx(z, rel=1e-12)


def test_z_value_is_infinite_at_full_confidence():
    assert z_value(1) == math.inf
    assert z_value(100) == math.inf


@pytest.mark.parametrize(
    ("x", "n", "confidence", "lower", "upper"),
    [
        # x = 0: lower 0, upper z²/(n + z²)
        (0, 10, 0.95, 0.0, 0.27753279986288915),
        (0, 10, 0.998, 0.0, 0.4884789004534622),
        # x = n: lower n/(n + z²), upper 1
        (10, 10, 0.95, 0.7224672001371109, 1.0),
        (10, 10, 0.998, 0.5115210995465378, 1.0),
        # x = n/2: symmetric about 0.5
        (5, 10, 0.95, 0.23659309051256405, 0.763406909487436),
        (5, 10, 0.998, 0.15054367209425784, 0.8494563279057421),
        (1, 1, 0.95, 0.2065493143772375, 1.0),
        (3, 7, 0.95, 0.15821985525146975, 0.7495416354723428),
        (3, 7, 99.8, 0.09161890874602496, 0.847956435374812),
    ],
)
def test_proportion_ci_hand_cases(x, n, confidence, lower, upper):
    value, lo, hi = proportion_ci(x, n, confidence)
    assert value == pytest.approx(x / n, rel=1e-15)
    assert lo == pytest.approx(lower, rel=REL, abs=1e-15)
    assert hi == pytest.approx(upper, rel=REL)


@pytest.mark.parametrize(
    ("count", "confidence", "lower", "upper"),
    [
        # exact (Garwood) limits: P(X >= x; lower) = a, P(X <= x; upper) = a
        (0, 0.95, 0.0, 3.688879454113935),  # upper = -ln(0.025)
        (0, 0.998, 0.0, 6.907755278982137),  # upper = -ln(0.001)
        (1, 0.95, 0.025317807984289953, 5.571643390938897),  # lower = -ln(0.975)
        (1, 0.998, 0.0010005003335835897, 9.233413476451585),
        (9, 0.95, 4.115373097378333, 17.08480345141917),
        (9, 0.998, 2.4524244043637937, 22.657373309062926),
    ],
)
def test_exact_poisson_hand_cases(count, confidence, lower, upper):
    lo, hi = exact_poisson_limits(count, confidence)
    assert lo == pytest.approx(lower, rel=REL, abs=1e-15)
    assert hi == pytest.approx(upper, rel=REL)
    # below 10 events the combined rule uses the exact limits
    assert poisson_count_limits(count, confidence) == pytest.approx((lo, hi), rel=1e-15)


@pytest.mark.parametrize(
    ("count", "confidence", "lower", "upper"),
    [
        # Byar: x(1 − 1/(9x) − z/(3√x))³ and (x+1)(1 − 1/(9(x+1)) + z/(3√(x+1)))³
        (10, 0.95, 4.787449913967564, 18.391458605756473),
        (10, 0.998, 2.916318374695686, 24.19372492788055),
        (100, 0.95, 81.36210549052788, 121.6279375792065),
        (100, 0.998, 71.90369187259837, 134.94362176226318),
    ],
)
def test_byar_hand_cases(count, confidence, lower, upper):
    assert byar_limits(count, confidence) == pytest.approx((lower, upper), rel=REL)
    # from 10 events the combined rule uses Byar's method
    assert poisson_count_limits(count, confidence) == pytest.approx((lower, upper), rel=REL)


@pytest.mark.parametrize(
    ("count", "denominator", "multiplier", "confidence", "expected"),
    [
        (0, 1000, 1000, 0.95, (0.0, 0.0, 3.688879454113935)),
        (1, 100, 100, 0.95, (1.0, 0.025317807984289953, 5.571643390938897)),
        (9, 2000, 100_000, 0.95, (450.0, 205.76865486891665, 854.2401725709585)),
        (10, 5000, 1000, 0.998, (2.0, 0.5832636749391372, 4.83874498557611)),
        (100, 10_000, 100_000, 0.95, (1000.0, 813.6210549052788, 1216.279375792065)),
        # the count may exceed the denominator
        (100, 50, 1, 0.95, (2.0, 1.6272421098105576, 2.43255875158413)),
    ],
)
def test_rate_ci_hand_cases(count, denominator, multiplier, confidence, expected):
    result = rate_ci(count, denominator, multiplier, confidence)
    assert result == pytest.approx(expected, rel=REL, abs=1e-15)


def test_rate_ci_switches_method_at_ten():
    exact_hi = exact_poisson_limits(9, 0.95)[1]
    byar_lo = byar_limits(10, 0.95)[0]
    assert rate_ci(9, 1, 1)[2] == pytest.approx(exact_hi, rel=1e-15)
    assert rate_ci(10, 1, 1)[1] == pytest.approx(byar_lo, rel=1e-15)


def test_full_confidence_limits():
    assert proportion_ci(3, 7, 1) == (3 / 7, 0.0, 1.0)
    assert proportion_ci(3, 7, 100) == (3 / 7, 0.0, 1.0)
    value, lower, upper = rate_ci(3, 7, 1, confidence=1)
    assert (value, lower, upper) == (3 / 7, 0.0, math.inf)


def test_percentage_confidence_equals_fraction():
    assert proportion_ci(3, 7, 95) == proportion_ci(3, 7, 0.95)
    assert rate_ci([3, 30], [7, 70], 100, 99.8)[1] == pytest.approx(
        rate_ci([3, 30], [7, 70], 100, 0.998)[1], rel=1e-15
    )


@pytest.mark.parametrize(
    ("confidence", "expected"), [(0.9, 0.9), (1, 1.0), (90, 0.9), (100, 1.0), (97.5, 0.975)]
)
def test_normalise_confidence(confidence, expected):
    assert normalise_confidence(confidence) == pytest.approx(expected, rel=1e-15)


# --------------------------------------------------------------------------------------------
# Vectorisation
# --------------------------------------------------------------------------------------------
NUMS = [0, 1, 5, 20, 65, 0.445, 9856]
DENS = [10, 100, 100, 100, 100, 1, 12345]


@pytest.mark.parametrize("kind", [list, np.asarray, pd.Series, tuple])
def test_proportion_ci_vectorised_matches_scalar(kind):
    value, lower, upper = proportion_ci(kind(NUMS), kind(DENS), 0.998)
    for arr in (value, lower, upper):
        assert isinstance(arr, np.ndarray)
        assert arr.shape == (len(NUMS),)
    for i, (x, n) in enumerate(zip(NUMS, DENS, strict=True)):
        scalar = proportion_ci(x, n, 0.998)
        assert all(isinstance(v, float) for v in scalar)
        assert (value[i], lower[i], upper[i]) == pytest.approx(scalar, rel=1e-15, abs=0)


@pytest.mark.parametrize("kind", [list, np.asarray, pd.Series])
def test_rate_ci_vectorised_matches_scalar(kind):
    counts = [0, 1, 9, 10, 11, 250, 7776456]
    dens = [100, 100, 2000, 5000, 10, 220, 7564336677]
    value, lower, upper = rate_ci(kind(counts), kind(dens), 1000)
    for i, (x, n) in enumerate(zip(counts, dens, strict=True)):
        assert (value[i], lower[i], upper[i]) == pytest.approx(
            rate_ci(x, n, 1000), rel=1e-15, abs=0
        )


def test_scalar_broadcasts_against_array():
    value, lower, _ = proportion_ci([1, 2, 3], 10)
    assert value.tolist() == pytest.approx([0.1, 0.2, 0.3])
    assert lower[2] == proportion_ci(3, 10)[1]
    value, _, _ = rate_ci(10, [100, 1000])
    assert value.tolist() == pytest.approx([10_000.0, 1000.0])


def test_numpy_scalars_and_zero_d_arrays_give_floats():
    result = proportion_ci(np.int64(3), np.array(7.0))
    assert all(type(v) is float for v in result)


def test_empty_arrays():
    value, lower, upper = rate_ci([], [])
    assert value.shape == lower.shape == upper.shape == (0,)


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((-1, 10), {}, "numerator must be greater than or equal to zero"),
        (([1, -0.5], [10, 10]), {}, "numerator must be greater than or equal to zero"),
        ((1, 0), {}, "denominator must be greater than zero"),
        ((0, -5), {}, "denominator must be greater than zero"),
        ((11, 10), {}, "numerator must be less than or equal to denominator"),
        (([1, 11], [10, 10]), {}, "numerator must be less than or equal to denominator"),
        ((math.nan, 10), {}, "numerator contains NaN"),
        (([1, math.nan], [10, 10]), {}, "numerator contains NaN"),
        ((1, pd.Series([10.0, None])), {}, "denominator contains NaN"),
        (([1, 2, 3], [10, 10]), {}, "equal lengths"),
        ((1, math.inf), {}, "denominator must be finite"),
        ((1, 10), {"confidence": 0.5}, "confidence must lie between 0.9 and 1"),
        ((1, 10), {"confidence": 1.01}, "confidence must lie between 0.9 and 1"),
        ((1, 10), {"confidence": 89}, "confidence must lie between 0.9 and 1"),
        ((1, 10), {"confidence": 100.5}, "confidence must lie between 0.9 and 1"),
        ((1, 10), {"confidence": -95}, "confidence must lie between 0.9 and 1"),
        ((1, 10), {"confidence": math.nan}, "confidence must not be NaN"),
        ((1, 10), {"confidence": True}, "confidence must be a number"),
        ((1, 10), {"confidence": "95%"}, "confidence must be a number"),
        (("one", 10), {}, "numerator must be numeric"),
        (([[1, 2]], [[3, 4]]), {}, "one-dimensional"),
    ],
)
def test_proportion_ci_refuses(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        proportion_ci(*args, **kwargs)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((-1, 10), {}, "count must be greater than or equal to zero"),
        (([5, -1], [10, 10]), {}, "count must be greater than or equal to zero"),
        ((1, 0), {}, "denominator must be greater than zero"),
        (([1, 2], [10, -1]), {}, "denominator must be greater than zero"),
        ((math.nan, 10), {}, "count contains NaN"),
        ((1, np.array([np.nan])), {}, "denominator contains NaN"),
        (([1, 2], [10, 10, 10]), {}, "equal lengths"),
        ((1, 10), {"confidence": 0.8}, "confidence must lie between 0.9 and 1"),
        ((1, 10), {"confidence": 80}, "confidence must lie between 0.9 and 1"),
        ((1, 10), {"multiplier": 0}, "multiplier must be a positive finite number"),
        ((1, 10), {"multiplier": -100}, "multiplier must be a positive finite number"),
        ((1, 10), {"multiplier": "1000"}, "multiplier must be a number"),
    ],
)
def test_rate_ci_refuses(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        rate_ci(*args, **kwargs)


def test_count_limit_functions_refuse_negative_counts():
    for func in (byar_limits, exact_poisson_limits, poisson_count_limits):
        with pytest.raises(ValueError, match="count must be greater than or equal to zero"):
            func(-1)


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------
_confidence = st.one_of(
    st.floats(min_value=0.9, max_value=1.0), st.floats(min_value=90.0, max_value=100.0)
)


@st.composite
def _proportions(draw):
    n = draw(st.floats(min_value=1e-6, max_value=1e10, allow_nan=False, allow_infinity=False))
    share = draw(st.floats(min_value=0.0, max_value=1.0))
    return min(n * share, n), n


@settings(max_examples=300, deadline=None)
@given(_proportions(), _confidence)
def test_proportion_ci_properties(pair, confidence):
    x, n = pair
    value, lower, upper = proportion_ci(x, n, confidence)
    assert 0.0 <= lower <= value <= upper <= 1.0


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.integers(min_value=0, max_value=10**9), st.floats(min_value=0, max_value=1e6)),
    st.floats(min_value=1e-3, max_value=1e10),
    st.sampled_from([1, 100, 1000, 100_000]),
    _confidence,
)
def test_rate_ci_properties(count, denominator, multiplier, confidence):
    value, lower, upper = rate_ci(count, denominator, multiplier, confidence)
    assert 0.0 <= lower <= value <= upper


@settings(max_examples=100, deadline=None)
@given(_proportions())
def test_wider_at_higher_confidence(pair):
    x, n = pair
    _, lo95, hi95 = proportion_ci(x, n, 0.95)
    _, lo998, hi998 = proportion_ci(x, n, 0.998)
    assert lo998 <= lo95 and hi95 <= hi998


# --------------------------------------------------------------------------------------------
# PHEindicatormethods reference values (../shared/reference/methods)
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("row", reference_rows("phe_proportion_wilson.csv"))
def test_reference_proportion_wilson_row(row):
    value, lower, upper = proportion_ci(row.numerator, row.denominator, row.confidence)
    m = row.multiplier
    if not math.isnan(row.value):
        assert value * m == pytest.approx(row.value, rel=REL)
    assert lower * m == pytest.approx(row.lowercl, rel=REL)
    assert upper * m == pytest.approx(row.uppercl, rel=REL)


def test_reference_proportion_wilson_vectorised():
    ref = reference("phe_proportion_wilson.csv")
    assert len(ref) == 42
    for confidence, part in ref.groupby("confidence"):
        value, lower, upper = proportion_ci(part.numerator, part.denominator, confidence)
        m = part.multiplier.to_numpy()
        np.testing.assert_allclose(lower * m, part.lowercl, rtol=REL)
        np.testing.assert_allclose(upper * m, part.uppercl, rtol=REL)
        known = part.value.notna().to_numpy()
        np.testing.assert_allclose((value * m)[known], part.value[known], rtol=REL)


@pytest.mark.parametrize("row", reference_rows("phe_byars_wilson_raw_limits.csv"))
def test_reference_byars_wilson_raw_row(row):
    level = _level(row.confidence)
    if row.function.startswith("wilson"):
        lower, upper = wilson_limits(row.x, row.n, level)
    else:
        lower, upper = byar_limits(row.x, level)
    if not math.isnan(row.lowercl):  # the source leaves Byar's lower limit at x = 1 blank
        assert lower == pytest.approx(row.lowercl, rel=REL)
    assert upper == pytest.approx(row.uppercl, rel=REL)


@pytest.mark.parametrize("row", reference_rows("phe_rate_byars_exact.csv"))
def test_reference_rate_row(row):
    value, lower, upper = rate_ci(row.numerator, row.denominator, row.multiplier, row.confidence)
    assert value == pytest.approx(row.value, rel=REL)
    assert lower == pytest.approx(row.lowercl, rel=REL)
    assert upper == pytest.approx(row.uppercl, rel=REL)
    assert (row.numerator < 10) == (row.method == "Exact")


def test_reference_rate_vectorised():
    ref = reference("phe_rate_byars_exact.csv")
    assert len(ref) == 43
    for (multiplier, confidence), part in ref.groupby(["multiplier", "confidence"]):
        value, lower, upper = rate_ci(part.numerator, part.denominator, multiplier, confidence)
        np.testing.assert_allclose(value, part.value, rtol=REL)
        np.testing.assert_allclose(lower, part.lowercl, rtol=REL)
        np.testing.assert_allclose(upper, part.uppercl, rtol=REL)
