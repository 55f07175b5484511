"""Tests for analysis.funnel: Wilson and exact Poisson funnel limits and significance labels.

Own cases first (no design folder needed), then every row of the PHEindicatormethods funnel
reference files in ``../shared/reference/methods``, to the tolerances of notes §6: proportion
limits absolute 1e-6 (percentage points), rate/ratio limits relative 1e-6 by bisection and
1e-4 by the χ² closed form, labels exact.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import poisson

from analysis.funnel import (
    DSR_NOT_APPLICABLE,
    SIGNIFICANCE_LABELS,
    funnel_axis_points,
    funnel_axis_range,
    poisson_mean_bound,
    proportion_funnel_limits,
    proportion_funnel_plot_data,
    proportion_funnel_significance,
    rate_funnel_limits,
    rate_funnel_plot_data,
    rate_funnel_significance,
    ratio_funnel_limits,
    ratio_funnel_plot_data,
    ratio_funnel_significance,
)
from analysis.indicators import exact_poisson_limits, wilson_limits
from tests.unit.reference_values import reference, reference_rows

PROPORTION_ABS = 1e-6  # percentage points
BISECTION_REL = 1e-6
CHISQ_REL = 1e-4

#: Pooled proportion of all 303 rows of testdata_funnel_prop_inputs.csv (notes §2.4; the
#: proportion significance file states it to full precision, the limits file rounds it).
PROP_BASELINE = 0.806424478571495
#: x-axis maximum behind phe_funnel_ratio_limits.csv. The file does not state it; 750 is the
#: only two-significant-figure maximum whose grid contains every row at its stated position.
RATIO_AXIS_MAX = 750

LIMIT_COLUMNS = ["lower_2s_limit", "upper_2s_limit", "lower_3s_limit", "upper_3s_limit"]


def _source_row(source: str) -> int:
    """The 1-based data row of the package's output file named in a ``source`` cell."""
    return int(re.search(r"data row (\d+)", source).group(1))


def _rel_err(actual, expected) -> float:
    actual, expected = np.asarray(actual, float), np.asarray(expected, float)
    return float(np.max(np.abs(actual / expected - 1)))


# --------------------------------------------------------------------------------------------
# Own cases: proportions
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("baseline", [0.05, 0.3, 0.5, 0.806, 0.97])
@pytest.mark.parametrize("population", [5, 20, 100, 1000, 123_456])
def test_proportion_limits_put_baseline_on_the_wilson_interval(baseline, population):
    """The defining property: at each unclipped limit y, y's Wilson interval ends at the baseline."""
    limits = proportion_funnel_limits(baseline, [population]).iloc[0]
    for prefix, confidence in (("2s", 0.95), ("3s", 0.998)):
        lower, upper = limits[f"lower_{prefix}_limit"], limits[f"upper_{prefix}_limit"]
        assert 0 <= lower < baseline < upper <= 1
        if 0 < lower:
            assert wilson_limits(lower * population, population, confidence)[1] == pytest.approx(
                baseline, rel=1e-9
            )
        if upper < 1:
            assert wilson_limits(upper * population, population, confidence)[0] == pytest.approx(
                baseline, rel=1e-9
            )


def test_proportion_limits_frame_and_clipping():
    frame = proportion_funnel_limits(0.8, [1, 10, 1000], multiplier=100)
    assert list(frame.columns) == ["population", *LIMIT_COLUMNS, "baseline"]
    assert frame.population.tolist() == [1, 10, 1000]
    assert frame.baseline.tolist() == pytest.approx([80.0] * 3)
    assert frame.upper_2s_limit.iloc[0] == 100  # clipped to the multiplier
    assert frame.lower_3s_limit.iloc[0] == 0  # clipped to zero
    assert (frame.lower_3s_limit <= frame.lower_2s_limit).all()
    assert (frame.upper_2s_limit <= frame.upper_3s_limit).all()
    assert frame.lower_2s_limit.is_monotonic_increasing
    assert frame.upper_2s_limit.is_monotonic_decreasing
    proportions = proportion_funnel_limits(0.8, [1, 10, 1000])
    np.testing.assert_allclose(proportions[LIMIT_COLUMNS] * 100, frame[LIMIT_COLUMNS])
    assert proportions.upper_2s_limit.iloc[0] == 1


@pytest.mark.parametrize(
    ("numerator", "denominator", "label"),
    [
        (50, 100, "Not significant"),
        (60, 100, "High (0.025)"),  # at N=100, p=0.5: 95% limits 0.402–0.598
        (66, 100, "High (0.001)"),  # 99.8% limits 0.345–0.655
        (40, 100, "Low (0.025)"),
        (34, 100, "Low (0.001)"),
        (5, 10, "Not significant"),
        (10, 10, "High (0.001)"),  # at N=10 the 99.8% upper limit is 0.989
    ],
)
def test_proportion_significance_own_cases(numerator, denominator, label):
    assert proportion_funnel_significance(numerator, denominator, baseline=0.5) == label


def test_proportion_significance_default_baseline_is_pooled():
    nums, dens = [30, 50, 70, 500], [100, 100, 100, 1000]
    labels = proportion_funnel_significance(nums, dens)
    assert isinstance(labels, np.ndarray)
    explicit = proportion_funnel_significance(nums, dens, baseline=sum(nums) / sum(dens))
    assert labels.tolist() == explicit.tolist()
    assert labels.tolist() == ["Low (0.001)", "Not significant", "High (0.001)", "Not significant"]
    assert set(labels) <= set(SIGNIFICANCE_LABELS)


# --------------------------------------------------------------------------------------------
# Own cases: Poisson bounds, rates and ratios
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("tail", [0.025, 0.001])
def test_poisson_bound_closed_form_is_the_exact_limit(tail):
    counts = np.array([1, 2, 5, 9, 10, 50, 1000])
    lower = poisson_mean_bound(counts, tail, "lower", "chisq")
    upper = poisson_mean_bound(counts, tail, "upper", "chisq")
    np.testing.assert_allclose(poisson.sf(counts - 1, lower), tail, rtol=1e-9)
    np.testing.assert_allclose(poisson.cdf(counts, upper), tail, rtol=1e-9)
    level = 1 - 2 * tail
    exact_lo, exact_hi = exact_poisson_limits(counts, level)
    np.testing.assert_allclose(lower, exact_lo, rtol=1e-12)
    np.testing.assert_allclose(upper, exact_hi, rtol=1e-12)


@pytest.mark.parametrize("bound", ["lower", "upper"])
@pytest.mark.parametrize("tail", [0.025, 0.001])
def test_poisson_bisection_agrees_with_closed_form(bound, tail):
    counts = np.arange(1, 2001)
    bisected = poisson_mean_bound(counts, tail, bound, "bisection")
    closed = poisson_mean_bound(counts, tail, bound, "chisq")
    assert _rel_err(bisected, closed) < 5e-5


def test_poisson_bound_at_zero():
    assert poisson_mean_bound([0], 0.025, "lower").tolist() == [0.0]
    assert poisson_mean_bound([0], 0.025, "upper", "chisq")[0] == pytest.approx(-math.log(0.025))


@pytest.mark.parametrize(
    ("events", "column", "expected"),
    [
        # upper limit = r · E / λ_low(E): at E = 1, λ_low = −ln(0.975), −ln(0.999)
        (1, "upper_2s_limit", 100 / -math.log(0.975)),
        (1, "upper_3s_limit", 100 / -math.log(0.999)),
        # lower limit = r · E / λ_high(E): at E = 1, λ_high solves e^{−λ}(1 + λ) = 0.025
        (1, "lower_2s_limit", 100 / 5.571643390938897),
        (9, "lower_2s_limit", 100 * 9 / 17.08480345141917),
        (9, "upper_3s_limit", 100 * 9 / 2.4524244043637937),
    ],
)
def test_rate_limits_closed_form_hand_cases(events, column, expected):
    frame = rate_funnel_limits([events], 100.0, method="chisq")
    assert frame[column].iloc[0] == pytest.approx(expected, rel=1e-9)
    bisected = rate_funnel_limits([events], 100.0)
    assert bisected[column].iloc[0] == pytest.approx(expected, rel=CHISQ_REL)


def test_rate_limits_population_columns():
    frame = rate_funnel_limits([10, 100], 50.0, multiplier=1000, years_of_data=2, method="chisq")
    for prefix in ("lower_2s", "upper_2s", "lower_3s", "upper_3s"):
        population = 1000 * frame.events / frame[f"{prefix}_limit"]
        np.testing.assert_allclose(frame[f"{prefix}_population_1_year"], population / 2)
    assert frame.baseline.tolist() == [50.0, 50.0]
    assert (frame.lower_3s_limit < frame.lower_2s_limit).all()
    assert (frame.lower_2s_limit < 50).all() and (frame.upper_2s_limit > 50).all()


def test_ratio_limits_count_and_isr():
    isr = ratio_funnel_limits([1, 9, 100], ratio_type="isr", method="chisq")
    count = ratio_funnel_limits([1, 9, 100], ratio_type="count", method="chisq")
    np.testing.assert_allclose(isr[LIMIT_COLUMNS] / 100 - 1, count[LIMIT_COLUMNS], atol=1e-12)
    assert isr.lower_2s_exp_events.iloc[0] == pytest.approx(5.571643390938897, rel=1e-9)
    assert isr.upper_2s_exp_events.iloc[0] == pytest.approx(-math.log(0.975), rel=1e-9)
    assert isr.baseline.iloc[0] == 100 and count.baseline.iloc[0] == 0


@pytest.mark.parametrize(
    ("observed", "expected", "label"),
    [
        (100, 100, "Not significant"),
        (125, 100, "High (0.025)"),  # Byar's 95% lower of 125 ≈ 104.0, 99.8% ≈ 93.3
        (140, 100, "High (0.001)"),
        (80, 100, "Low (0.025)"),  # Byar's 95% upper of 80 ≈ 99.6, 99.8% ≈ 111.7
        (70, 100, "Low (0.001)"),  # Byar's 99.8% upper of 70 ≈ 99.93
        (0, 4, "Low (0.025)"),  # exact 95% upper of 0 = 3.69; 99.8% = 6.91
        (0, 7, "Low (0.001)"),
        (0, 3, "Not significant"),
        (1, 0.02, "High (0.025)"),  # exact 95% lower of 1 = 0.0253; 99.8% = 0.0010
    ],
)
def test_ratio_significance_own_cases(observed, expected, label):
    assert ratio_funnel_significance(observed, expected) == label


def test_rate_significance_own_cases():
    counts = [100, 125, 140, 80, 70, 0, 5]
    pops = [100_000] * 7
    labels = rate_funnel_significance(counts, pops, baseline_rate=100)
    assert labels.tolist() == [
        "Not significant",
        "High (0.025)",
        "High (0.001)",
        "Low (0.025)",
        "Low (0.001)",
        "Low (0.001)",
        "Low (0.001)",
    ]
    # DSRs: fewer than 10 events are not assessed; the rate gives the denominator
    rates = [100, 125, 140, 80, 70, math.nan, 5]
    dsr = rate_funnel_significance(counts, rates=rates, rate_type="dsr", baseline_rate=100)
    assert dsr.tolist()[:5] == labels.tolist()[:5]
    assert dsr.tolist()[5:] == [DSR_NOT_APPLICABLE] * 2
    # crude rates without denominators: a zero count has none, so it is not assessed
    crude = rate_funnel_significance(counts, rates=rates, baseline_rate=100)
    assert crude[5] == "Not significant"


def test_rate_significance_default_baseline():
    counts, pops = [10, 20, 30], [1000, 1000, 1000]
    assert rate_funnel_significance(counts, pops, multiplier=1000).tolist() == (
        rate_funnel_significance(counts, pops, multiplier=1000, baseline_rate=20).tolist()
    )
    assert rate_funnel_significance(12, 1000) == "Not significant"


# --------------------------------------------------------------------------------------------
# Own cases: the x-axis grid
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("denominators", "years", "expected"),
    [
        ([1000, 1500], None, (900.0, 1600.0)),  # floor(950) to 1 s.f.; ceil(1575) to 2 s.f.
        ([10, 5000], None, (0.0, 5300.0)),  # max > 2 × min → start at 0
        ([3000, 4500], 3, (2700.0, 4800.0)),  # rounded per year, then × years
        ([41980, 93122, 17951], None, (0.0, 98000.0)),
    ],
)
def test_funnel_axis_range(denominators, years, expected):
    assert funnel_axis_range(denominators, years_of_data=years) == pytest.approx(expected)


def test_funnel_axis_points_shape():
    grid = funnel_axis_points(0, 110_000)
    assert len(grid) == 100
    assert grid[:11].tolist() == list(range(1, 12))
    assert grid[-1] == 110_000
    assert (np.diff(grid) >= 1).all()
    ratio = funnel_axis_points(0, 750, statistic="ratio")
    assert ratio[-1] < 750  # the ratio grid stops short of the maximum
    assert funnel_axis_points(900, 1580)[0] == 900


def test_plot_data_builders():
    frame = proportion_funnel_plot_data([30, 50, 70], [100, 200, 300], multiplier=100)
    assert len(frame) == 100
    assert frame.baseline.iloc[0] == pytest.approx(150 / 600 * 100)
    assert frame.population.iloc[0] == 1 and frame.population.iloc[-1] == 320  # 315 → 2 s.f.
    rates = rate_funnel_plot_data([5, 50, 500], [10_000, 100_000, 1_000_000], method="chisq")
    assert len(rates) == 100 and rates.events.iloc[0] == 1
    assert rates.baseline.iloc[0] == pytest.approx(555 / 1_110_000 * 100_000)
    ratios = ratio_funnel_plot_data([8, 150], [6.2, 119.6], ratio_type="count", method="chisq")
    assert len(ratios) == 100 and ratios.baseline.iloc[0] == 0


@settings(max_examples=50, deadline=None)
@given(
    st.floats(min_value=0.01, max_value=0.99),
    st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=20),
)
def test_proportion_limit_ordering_property(baseline, populations):
    frame = proportion_funnel_limits(baseline, populations)
    assert (frame.lower_3s_limit <= frame.lower_2s_limit + 1e-12).all()
    assert (frame.lower_2s_limit <= baseline).all()
    assert (frame.upper_2s_limit >= baseline).all()
    assert (frame.upper_2s_limit <= frame.upper_3s_limit + 1e-12).all()
    assert ((frame[LIMIT_COLUMNS] >= 0) & (frame[LIMIT_COLUMNS] <= 1)).all().all()


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: proportion_funnel_limits(1.2, [10]), "baseline proportion must lie between"),
        (lambda: proportion_funnel_limits(0.5, [0, 10]), "denominators must be greater than"),
        (lambda: proportion_funnel_significance([11], [10]), "less than or equal to"),
        (lambda: proportion_funnel_significance([-1], [10]), "greater than or equal to zero"),
        (lambda: proportion_funnel_significance([1, 2], [10]), "equal lengths"),
        (lambda: rate_funnel_limits([0, 1], 100), "events must be greater than zero"),
        (lambda: rate_funnel_limits([1], -1), "baseline_rate must be a positive"),
        (lambda: rate_funnel_limits([1], 1, years_of_data=0), "years_of_data must be"),
        (lambda: rate_funnel_limits([1], 1, method="normal"), "method must be"),
        (lambda: ratio_funnel_limits([1], ratio_type="smr"), "ratio_type must be"),
        (lambda: ratio_funnel_significance([1], [0]), "expected must be greater than zero"),
        (lambda: rate_funnel_significance([1], [10], rate_type="dsr"), "derived from rates"),
        (lambda: rate_funnel_significance([1]), "rates are required"),
        (lambda: rate_funnel_significance([1, 2], rates=[5, 0]), "rates must be positive"),
        (lambda: rate_funnel_significance([1, 2], rates=[5, 6, 7]), "same length"),
        (lambda: rate_funnel_significance([1], [10], rate_type="x"), "rate_type must be"),
        (lambda: poisson_mean_bound([1], 0.5, "middle"), "bound must be"),
        (lambda: poisson_mean_bound([1], 1.5, "lower"), "tail_probability must lie"),
        (lambda: funnel_axis_points(0, 100, statistic="odds"), "statistic must be"),
    ],
)
def test_funnel_functions_refuse(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --------------------------------------------------------------------------------------------
# PHEindicatormethods reference values (../shared/reference/methods)
# --------------------------------------------------------------------------------------------
PROPORTION_COLUMNS = {
    "lower_2s_limit": "lower_2s_limit_95",
    "upper_2s_limit": "upper_2s_limit_95",
    "lower_3s_limit": "lower_3s_limit_99_8",
    "upper_3s_limit": "upper_3s_limit_99_8",
}


@pytest.mark.parametrize("row", reference_rows("phe_funnel_proportion_limits.csv"))
def test_reference_proportion_limits_row(row):
    ours = proportion_funnel_limits(PROP_BASELINE, [row.population], multiplier=row.multiplier)
    for column, theirs in PROPORTION_COLUMNS.items():
        assert ours[column].iloc[0] == pytest.approx(row[theirs], abs=PROPORTION_ABS)
    assert ours.baseline.iloc[0] == pytest.approx(row.baseline_pct, abs=PROPORTION_ABS)


def test_reference_proportion_limits_grid_and_vectorised():
    ref = reference("phe_funnel_proportion_limits.csv")
    assert len(ref) == 29
    grid = funnel_axis_points(0, ref.population.max())
    positions = ref.source.map(_source_row) - 1
    assert grid[positions].tolist() == ref.population.tolist()
    ours = proportion_funnel_limits(PROP_BASELINE, grid, multiplier=100).iloc[positions]
    for column, theirs in PROPORTION_COLUMNS.items():
        np.testing.assert_allclose(ours[column], ref[theirs], rtol=0, atol=PROPORTION_ABS)


@pytest.mark.parametrize("row", reference_rows("phe_funnel_proportion_significance.csv"))
def test_reference_proportion_significance_row(row):
    label = proportion_funnel_significance(
        row.numerator, row.denominator, baseline=row.comparator_average_proportion
    )
    assert label == row.significance


def test_reference_proportion_significance_vectorised():
    ref = reference("phe_funnel_proportion_significance.csv")
    assert len(ref) == 44
    labels = proportion_funnel_significance(ref.numerator, ref.denominator, PROP_BASELINE)
    assert labels.tolist() == ref.significance.tolist()


RATE_PREFIXES = ["lower_2s", "upper_2s", "lower_3s", "upper_3s"]


@pytest.mark.parametrize("method", ["bisection", "chisq"])
@pytest.mark.parametrize("row", reference_rows("phe_funnel_rate_dsr_limits.csv"))
def test_reference_rate_limits_row(row, method):
    tolerance = BISECTION_REL if method == "bisection" else CHISQ_REL
    ours = rate_funnel_limits(
        [row.events],
        row.baseline,
        multiplier=row.multiplier,
        years_of_data=row.years_of_data,
        method=method,
    ).iloc[0]
    for prefix in RATE_PREFIXES:
        for suffix in ("limit", "population_1_year"):
            column = f"{prefix}_{suffix}"
            assert ours[column] == pytest.approx(row[column], rel=tolerance), column
    assert ours.baseline == pytest.approx(row.baseline, rel=1e-12)


def test_reference_rate_limits_grid_and_vectorised():
    ref = reference("phe_funnel_rate_dsr_limits.csv")
    assert len(ref) == 29
    grid = funnel_axis_points(ref.events.min(), ref.events.max(), statistic="rate")
    positions = ref.source.map(_source_row) - 1
    assert grid[positions].tolist() == ref.events.tolist()
    ours = rate_funnel_limits(grid, 116.1720835, multiplier=100_000, years_of_data=3)
    ours = ours.iloc[positions]
    for prefix in RATE_PREFIXES:
        for suffix in ("limit", "population_1_year"):
            column = f"{prefix}_{suffix}"
            np.testing.assert_allclose(ours[column], ref[column], rtol=BISECTION_REL)


RATE_SIGNIFICANCE_CASES = {
    # label column: how PHEindicatormethods was called (notes §2.4)
    "sig_dsr_per_100000_with_0": {"rates": "rate_dsr_per_100000", "rate_type": "dsr"},
    "sig_crude_per_100000_with_0": {"denominators": "pop", "multiplier": 100_000},
    "sig_crude_per_100_with_0": {"denominators": "pop", "multiplier": 100},
    # "without zeros": no denominator column, so a zero count has none (rate 0 → 0/0)
    "sig_crude_per_100000_without_0": {"rates": "rate_crude_per_100000"},
}
#: Weighted averages per multiplier computed over all 40 rows, as stated in notes §2.4.
RATE_SIGNIFICANCE_AVERAGES = {
    "sig_dsr_per_100000_with_0": 704.90047,
    "sig_crude_per_100000_with_0": 668.50893,
    "sig_crude_per_100_with_0": 0.66850893,
    "sig_crude_per_100000_without_0": 686.53397,
}


def _rate_significance(ref: pd.DataFrame, column: str) -> np.ndarray:
    case = RATE_SIGNIFICANCE_CASES[column]
    return rate_funnel_significance(
        ref["count"],
        ref[case["denominators"]] if "denominators" in case else None,
        rates=ref[case["rates"]] if "rates" in case else None,
        multiplier=case.get("multiplier", 100_000),
        rate_type=case.get("rate_type", "crude"),
    )


@pytest.mark.parametrize("column", list(RATE_SIGNIFICANCE_CASES))
def test_reference_rate_significance(column):
    ref = reference("phe_funnel_rate_significance.csv")
    assert len(ref) == 40
    labels = _rate_significance(ref, column)
    mismatches = [
        (i + 2, ours, theirs)
        for i, (ours, theirs) in enumerate(zip(labels, ref[column], strict=True))
        if ours != theirs
    ]
    assert not mismatches, f"(line, ours, reference): {mismatches}"


@pytest.mark.parametrize("column", list(RATE_SIGNIFICANCE_CASES))
def test_reference_rate_significance_with_stated_average(column):
    """The same labels with the baseline passed explicitly (the notes' rounded averages)."""
    ref = reference("phe_funnel_rate_significance.csv")
    case = RATE_SIGNIFICANCE_CASES[column]
    labels = rate_funnel_significance(
        ref["count"],
        ref[case["denominators"]] if "denominators" in case else None,
        rates=ref[case["rates"]] if "rates" in case else None,
        multiplier=case.get("multiplier", 100_000),
        rate_type=case.get("rate_type", "crude"),
        baseline_rate=RATE_SIGNIFICANCE_AVERAGES[column],
    )
    assert labels.tolist() == ref[column].tolist()


RATIO_SUFFIXES = ["exp_events", "count", "isr"]


@pytest.mark.parametrize("method", ["bisection", "chisq"])
@pytest.mark.parametrize("row", reference_rows("phe_funnel_ratio_limits.csv"))
def test_reference_ratio_limits_row(row, method):
    tolerance = BISECTION_REL if method == "bisection" else CHISQ_REL
    for ratio_type in ("count", "isr"):
        ours = ratio_funnel_limits([row.observed_events], ratio_type=ratio_type, method=method)
        ours = ours.iloc[0]
        for prefix in RATE_PREFIXES:
            assert ours[f"{prefix}_exp_events"] == pytest.approx(
                row[f"{prefix}_exp_events"], rel=tolerance
            )
            assert ours[f"{prefix}_limit"] == pytest.approx(
                row[f"{prefix}_{ratio_type}"], rel=tolerance
            )


def test_reference_ratio_limits_grid_and_vectorised():
    ref = reference("phe_funnel_ratio_limits.csv")
    assert len(ref) == 29
    grid = funnel_axis_points(0, RATIO_AXIS_MAX, statistic="ratio")
    positions = ref.source.map(_source_row) - 1
    assert grid[positions].tolist() == ref.observed_events.tolist()
    for ratio_type in ("count", "isr"):
        ours = ratio_funnel_limits(grid, ratio_type=ratio_type).iloc[positions]
        for prefix in RATE_PREFIXES:
            np.testing.assert_allclose(
                ours[f"{prefix}_exp_events"], ref[f"{prefix}_exp_events"], rtol=BISECTION_REL
            )
            np.testing.assert_allclose(
                ours[f"{prefix}_limit"], ref[f"{prefix}_{ratio_type}"], rtol=BISECTION_REL
            )


@pytest.mark.parametrize("row", reference_rows("phe_funnel_ratio_significance.csv"))
def test_reference_ratio_significance_row(row):
    assert ratio_funnel_significance(row.observed, row.expected) == row.significance


def test_reference_ratio_significance_vectorised():
    ref = reference("phe_funnel_ratio_significance.csv")
    assert len(ref) == 50
    labels = ratio_funnel_significance(ref.observed, ref.expected)
    assert labels.tolist() == ref.significance.tolist()
