"""Equity: the SII on simulated deciles with a known slope, and rates/uptake by group from the
demo store checked against counts made here and the shared CI functions."""

from __future__ import annotations

import math
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis import equity
from analysis.filters import Filters
from analysis.indicators import proportion_ci, rate_ci


# ---------------------------------------------------------------------------------------------
# Slope index of inequality
# ---------------------------------------------------------------------------------------------
def simulate_deciles(seed: int, intercept: float, slope: float, kind: str = "rate"):
    """Counts per decile whose true value is intercept + slope · (relative rank)."""
    rng = np.random.default_rng(seed)
    population = rng.integers(150_000, 250_000, size=10).astype(float)
    share = population / population.sum()
    rank = np.cumsum(share) - share / 2
    truth = intercept + slope * rank
    if kind == "rate":
        count = rng.poisson(truth / 1000 * population)
    else:
        population = np.round(population / 100)
        count = rng.binomial(population.astype(int), truth)
    return np.arange(1, 11), count.astype(float), population, rank


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("method", ["simulation", "analytic"])
def test_sii_recovers_a_known_slope_for_rates(seed: int, method: str) -> None:
    q, count, population, _ = simulate_deciles(seed, intercept=3.0, slope=-1.2)
    res = equity.slope_index_of_inequality(
        q, count, population, kind="rate", multiplier=1000, ci_method=method,
        repetitions=20_000,
    )  # fmt: skip
    assert res.ci_method == method
    assert res.lower < -1.2 < res.upper and res.upper < 0
    assert math.isclose(res.most_deprived_fitted + res.sii, res.least_deprived_fitted)


def test_sii_recovers_a_known_slope_for_proportions() -> None:
    q, count, n, _ = simulate_deciles(4, intercept=0.55, slope=0.15, kind="proportion")
    res = equity.slope_index_of_inequality(q, count, n, kind="proportion", repetitions=20_000)
    assert res.lower < 0.15 < res.upper and res.lower > 0
    assert math.isclose(res.most_deprived_fitted, 0.55, abs_tol=0.04)


def test_sii_is_the_population_weighted_regression_slope_on_the_relative_rank() -> None:
    q, count, population, rank = simulate_deciles(7, intercept=3.0, slope=1.0)
    shuffled = np.random.default_rng(0).permutation(10)  # input order must not matter
    res = equity.slope_index_of_inequality(
        q[shuffled], count[shuffled], population[shuffled], multiplier=1000, repetitions=10_000
    )
    y = count / population * 1000
    wls = sm.WLS(y, sm.add_constant(rank), weights=population).fit()
    assert math.isclose(res.sii, wls.params[1], rel_tol=1e-10)
    assert math.isclose(res.most_deprived_fitted, wls.params[0], rel_tol=1e-10)
    assert np.allclose(res.table["relative_rank"], rank)
    assert list(res.table["quantile"]) == list(range(1, 11))


def test_relative_rank_is_the_midpoint_of_the_cumulative_share() -> None:
    # The PHE example: 12% of the population in decile 1 gives rank 0.06, then 10% gives 0.17.
    population = [12, 10, 8, 10, 10, 10, 10, 10, 10, 10]
    res = equity.slope_index_of_inequality(range(1, 11), [5] * 10, population, repetitions=1000)
    assert np.allclose(res.table["relative_rank"][:3], [0.06, 0.17, 0.26])


def test_simulation_and_analytic_intervals_agree_for_large_counts() -> None:
    q, count, population, _ = simulate_deciles(9, intercept=30.0, slope=-10.0)
    sim = equity.slope_index_of_inequality(q, count, population, multiplier=1000)
    ana = equity.slope_index_of_inequality(q, count, population, multiplier=1000,
                                           ci_method="analytic")  # fmt: skip
    assert math.isclose(sim.upper - sim.lower, ana.upper - ana.lower, rel_tol=0.05)


def test_zero_events_fall_back_to_the_analytic_interval() -> None:
    res = equity.slope_index_of_inequality(range(1, 6), [0, 3, 5, 8, 9], [1000] * 5)
    assert res.ci_method == "analytic" and res.notes
    assert res.lower < res.sii < res.upper


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((range(4), [1] * 4, [10] * 4), {}, "5 to 100 distinct"),
        (([1, 1, 2, 3, 4], [1] * 5, [10] * 5), {}, "5 to 100 distinct"),
        ((range(5), [1] * 5, [10, 10, 0, 10, 10]), {}, "denominator > 0"),
        ((range(5), [1, 1, -1, 1, 1], [10] * 5), {}, "count >= 0"),
        ((range(5), [11, 1, 1, 1, 1], [10] * 5), {"kind": "proportion"}, "must not exceed"),
        ((range(5), [1] * 4, [10] * 5), {}, "equal lengths"),
        ((range(5), [1] * 5, [10] * 5), {"kind": "odds"}, "kind must be"),
        ((range(5), [1] * 5, [10] * 5), {"confidence": 0.5}, "confidence"),
    ],
)
def test_sii_refusals(args, kwargs, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        equity.slope_index_of_inequality(*args, **kwargs)


# ---------------------------------------------------------------------------------------------
# From the demo store, against counts made here
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def con(demo_store):
    connection = duckdb.connect(str(demo_store), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def raw(con) -> dict[str, pd.DataFrame]:
    return {
        "journeys": con.execute("SELECT * FROM journeys").df(),
        "areas": con.execute("SELECT * FROM stg_areas").df(),
        "pcns": con.execute("SELECT * FROM stg_pcns").df(),
        "arms": con.execute("SELECT * FROM stg_pilot_pcns").df(),
    }


def _years(journeys: pd.DataFrame) -> float:
    first, last = journeys["referral_date"].min(), journeys["referral_date"].max()
    return ((last - first).days + 1) / 365.25


def test_residence_rates_by_quintile_match_counts_and_rate_ci(con, raw) -> None:
    got = equity.referral_rates_by_imd(con)
    assert list(got.columns) == equity.RATE_COLUMNS
    areas, journeys = raw["areas"], raw["journeys"]
    years = _years(journeys)
    quintile = areas.set_index("lsoa_code")["imd_quintile"]
    counts = journeys["lsoa_code"].map(quintile).dropna().astype(int).value_counts()
    population = areas.groupby("imd_quintile")["population"].sum()
    assert list(got["group"]) == ["1", "2", "3", "4", "5"] and set(got["arm"]) == {"all"}
    for _, row in got.iterrows():
        g = int(row["group"])
        expected = rate_ci(counts.get(g, 0), population[g] * years, multiplier=1000)
        assert row["referrals"] == counts.get(g, 0) and row["population"] == population[g]
        assert np.allclose([row["rate"], row["rate_lower"], row["rate_upper"]], expected)


def test_practice_rates_use_registered_patients_of_pcns_by_their_deprivation(con, raw) -> None:
    got = equity.referral_rates_by_imd(con, basis="practice", by="imd_decile")
    areas, pcns, journeys = raw["areas"], raw["pcns"], raw["journeys"]
    mean = (areas["population"] * areas["imd_decile"]).groupby(areas["pcn_code"]).sum()
    decile = (mean / areas.groupby("pcn_code")["population"].sum()).round().astype(int)
    pcns = pcns.assign(decile=pcns["pcn_code"].map(decile))
    registered = pcns.groupby("decile")["registered_patients"].sum()
    counts = journeys["pcn_code"].map(pcns.set_index("pcn_code")["decile"]).value_counts()
    assert sorted(got["group"].astype(int)) == sorted(registered.index)
    years = _years(journeys)
    for _, row in got.iterrows():
        g = int(row["group"])
        value, lower, upper = rate_ci(counts.get(g, 0), registered[g] * years, multiplier=1000)
        assert row["referrals"] == counts.get(g, 0)
        assert np.allclose(
            [row["rate"], row["rate_lower"], row["rate_upper"]], [value, lower, upper]
        )


DIMENSION_CASES = [
    ("imd_quintile", lambda j: j["imd_quintile"].astype("Int64").astype(str)),
    ("imd_decile", lambda j: j["imd_decile"].astype("Int64").astype(str)),
    ("age_band", lambda j: j["age_band"]),
    ("sex", lambda j: j["sex"]),
    ("ethnicity", lambda j: j["ethnicity"]),
]


@pytest.mark.parametrize(("dimension", "values"), DIMENSION_CASES)
def test_uptake_by_group_matches_counts_and_wilson(con, raw, dimension: str, values) -> None:
    journeys = raw["journeys"]
    arm = journeys["pcn_code"].map(
        raw["arms"].set_index("pcn_code")["arm"]
    )  # the demo has one pilot
    name = raw["arms"]["pilot_name"].iloc[0]
    got = equity.uptake_by(con, Filters(pilot=name), (dimension,))
    assert list(got.columns) == equity.UPTAKE_COLUMNS
    assert list(got["arm"].drop_duplicates()) == ["pilot", "comparison"]
    group = values(journeys).replace("<NA>", "unknown").fillna("unknown")
    for _, row in got.iterrows():
        rows = journeys[(arm == row["arm"]) & (group == row["group"])]
        n, x = len(rows), int(rows["first_attended"].sum())
        assert (row["referrals"], row["first_attended"]) == (n, x)
        assert np.allclose([row["uptake"], row["uptake_lower"], row["uptake_upper"]],
                           proportion_ci(x, n))  # fmt: skip
    assert got.groupby("arm")["referrals"].sum().sum() == arm.notna().sum()


def test_sii_from_the_store(con) -> None:
    rates = equity.imd_sii(con)
    uptake = equity.imd_sii(con, measure="uptake", ci_method="analytic")
    assert list(rates.columns) == equity.SII_COLUMNS
    for frame in (rates, uptake):
        row = frame.iloc[0]
        assert row["arm"] == "all" and row["n_quantiles"] == 10
        assert row["sii_lower"] < row["sii"] < row["sii_upper"]
    assert uptake.iloc[0]["ci_method"] == "analytic"
    # The demo plants lower uptake in deciles 1-2 (odds ratio 0.60): a positive gradient.
    assert uptake.iloc[0]["sii"] > 0


def test_empty_views_and_refusals(con) -> None:
    empty = Filters(start=date(1990, 1, 1), end=date(1990, 12, 31))
    assert equity.referral_rates_by_imd(con, empty).empty
    assert list(equity.uptake_by(con, empty).columns) == equity.UPTAKE_COLUMNS
    assert equity.imd_sii(con, empty).empty
    with pytest.raises(ValueError, match="unknown dimensions"):
        equity.uptake_by(con, dimensions=("postcode",))
    with pytest.raises(ValueError, match="basis must be"):
        equity.referral_rates_by_imd(con, basis="home")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="measure must be"):
        equity.imd_sii(con, measure="retention")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="activity group"):
        equity.uptake_by(con, Filters(activity_groups=("swimming",)))


@pytest.mark.parametrize(
    "flt",
    [Filters(), Filters(start=date(2025, 1, 1)), Filters(conditions=("msk",)),
     Filters(start=date(1990, 1, 1), end=date(1990, 12, 31))],
    ids=["all", "from 2025", "MSK", "nothing in view"],
)  # fmt: skip
def test_the_page_tables_equal_each_function(con, flt) -> None:
    dims = ("imd_quintile", "age_band", "sex", "ethnicity")
    rates, uptake, sii = equity.page_tables(con, flt, dims)
    expected_uptake = equity.uptake_by(con, flt, dims)
    if expected_uptake.empty:
        assert rates.empty and uptake.empty and sii.empty
        return
    pd.testing.assert_frame_equal(rates, equity.referral_rates_by_imd(con, flt), check_exact=True)
    pd.testing.assert_frame_equal(uptake, expected_uptake, check_exact=True)
    expected_sii = [equity.imd_sii(con, flt, measure=m) for m in ("referral_rate", "uptake")]
    pd.testing.assert_frame_equal(
        sii, pd.concat(expected_sii, ignore_index=True), check_exact=True
    )


def test_the_simulated_interval_uses_the_seeded_draws_every_time() -> None:
    q, x, n = np.arange(1, 11), np.arange(30, 130, 10.0), np.full(10, 400.0)
    first = equity.slope_index_of_inequality(q, x, n, kind="proportion", seed=7, repetitions=5000)
    again = equity.slope_index_of_inequality(q, x, n, kind="proportion", seed=7, repetitions=5000)
    assert (first.lower, first.upper) == (again.lower, again.upper)
    # The same simulation written out with fresh draws from the same seed.
    share = n / n.sum()
    rank = np.cumsum(share) - share / 2
    centred = rank - share @ rank
    coef = share * centred / (share @ centred**2)
    _, lo, hi = proportion_ci(x, n)
    logit = lambda p: np.log(p / (1 - p))
    se = (logit(hi) - logit(lo)) / (2 * 1.959963984540054)
    draws = np.random.default_rng(7).standard_normal((5000, 10))
    sims = 1 / (1 + np.exp(-(logit(x / n) + draws * se))) @ coef
    assert [first.lower, first.upper] == pytest.approx(np.quantile(sims, [0.025, 0.975]), rel=1e-9)
