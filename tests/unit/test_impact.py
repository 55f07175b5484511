"""Pilot impact (DiD and ITS) on panels simulated here with a known effect, and edge cases."""

from __future__ import annotations

import math
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from analysis import impact
from analysis.fixed_effects import two_way_poisson_start
from analysis.indicators import rate_ci

SEASON = np.array([1.15, 1.10, 1.05, 1.00, 0.97, 0.92, 0.85, 0.80, 1.00, 1.08, 1.06, 0.90])


def simulate_panel(
    *,
    seed: int,
    n_pilot: int = 15,
    n_comparison: int = 15,
    months: int = 24,
    go_live_index: int = 12,
    rate_ratio: float = 1.30,
    base: float = 0.002,
    overdispersion: float = 0.0,
    start: str = "2023-01-01",
) -> pd.DataFrame:
    """count ~ Poisson(list · base · season · u_p · RR^(pilot & post)), u_p ~ Gamma(20, 1/20);
    with ``overdispersion`` = α each cell's mean is also multiplied by Gamma(1/α, α)."""
    rng = np.random.default_rng(seed)
    month = pd.date_range(start, periods=months, freq="MS")
    go_live = month[go_live_index]
    rows = []
    for p in range(n_pilot + n_comparison):
        arm = "pilot" if p < n_pilot else "comparison"
        size, u = int(rng.integers(5_000, 40_000)), rng.gamma(20, 1 / 20)
        for m in month:
            mu = size * base * SEASON[m.month - 1] * u
            mu *= rate_ratio if arm == "pilot" and m >= go_live else 1.0
            if overdispersion:
                mu *= rng.gamma(1 / overdispersion, overdispersion)
            rows.append([f"U{p:05d}", arm, m, size, 1.0, rng.poisson(mu), go_live.date()])
    return pd.DataFrame(rows, columns=impact.PANEL_COLUMNS)


def se_from_ci(est: impact.ImpactEstimate, df: int) -> float:
    return math.log(est.upper / est.lower) / (2 * stats.t.ppf(0.975, df))


# ---------------------------------------------------------------------------------------------
# Difference-in-differences
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_did_recovers_the_planted_rate_ratio(seed: int) -> None:
    est = impact.difference_in_differences(simulate_panel(seed=seed), pilot_name="sim")
    assert est.design == "did" and est.term == "pilot_x_post"
    assert est.lower < 1.30 < est.upper
    assert est.lower > 1 and est.p_value < 0.001
    assert est.model == "poisson"  # the data are Poisson given the fixed effects
    assert (est.n_pcns, est.n_pilot_pcns, est.n_comparison_pcns) == (30, 15, 15)
    assert (est.n_months, est.n_pre_months, est.n_post_months, est.n_obs) == (24, 12, 12, 720)
    assert est.go_live == date(2024, 1, 1)
    assert set(est.estimates["model"]) == {"poisson", "negative_binomial"}
    assert est.estimates["selected"].sum() == 1


def test_did_standard_error_is_cr1_cluster_robust_by_hand() -> None:
    panel = simulate_panel(seed=11, n_pilot=3, n_comparison=3, months=8, go_live_index=4)
    est = impact.difference_in_differences(panel, model="poisson")
    # Hand calculation: Poisson score sandwich summed within PCN, CR1 small-sample factor.
    frame = panel.assign(post=(panel["month"] >= pd.Timestamp(panel["go_live"][0])))
    x = pd.concat(
        [
            pd.Series(1.0, index=frame.index),
            pd.get_dummies(frame["pcn_code"], drop_first=True, dtype=float),
            pd.get_dummies(frame["month"], drop_first=True, dtype=float),
            ((frame["arm"] == "pilot") & frame["post"]).astype(float),
        ],
        axis=1,
    ).to_numpy()
    y = frame["referrals"].to_numpy(float)
    offset = np.log(frame["registered_patients"].to_numpy(float))
    beta = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset).fit().params
    mu = np.exp(x @ beta + offset)
    bread = np.linalg.inv(x.T @ (x * mu[:, None]))
    scores = pd.DataFrame(x * (y - mu)[:, None]).groupby(frame["pcn_code"].to_numpy()).sum()
    meat = scores.to_numpy().T @ scores.to_numpy()
    g, n, k = 6, len(y), x.shape[1]
    cov = g / (g - 1) * (n - 1) / (n - k) * bread @ meat @ bread
    assert math.isclose(math.log(est.rate_ratio), beta[-1], rel_tol=1e-6)
    assert math.isclose(se_from_ci(est, g - 1), math.sqrt(cov[-1, -1]), rel_tol=1e-5)
    naive_se = math.sqrt(bread[-1, -1])
    assert not math.isclose(se_from_ci(est, g - 1), naive_se, rel_tol=1e-3)


def test_did_counterfactual_series() -> None:
    panel = simulate_panel(seed=5)
    est = impact.difference_in_differences(panel, model="poisson")
    cf = est.counterfactual
    assert list(cf.columns) == impact.COUNTERFACTUAL_COLUMNS
    assert len(cf) == 24 and cf["post"].sum() == 12
    pre, post = cf[~cf["post"]], cf[cf["post"]]
    assert np.allclose(pre["expected_rate"], pre["counterfactual_rate"])
    # With the effect term zeroed every pilot PCN-month mean is divided by the rate ratio.
    assert np.allclose(post["expected_rate"] / post["counterfactual_rate"], est.rate_ratio)
    assert (cf["counterfactual_lower"] < cf["counterfactual_rate"]).all()
    assert (cf["counterfactual_rate"] < cf["counterfactual_upper"]).all()
    for arm in ("pilot", "comparison"):
        rows = panel[panel["arm"] == arm].groupby("month")[["referrals", "registered_patients"]]
        sums = rows.sum()
        value, lower, upper = rate_ci(sums["referrals"], sums["registered_patients"], 1000)
        assert np.allclose(cf[f"{arm}_rate"], value)
        assert np.allclose(cf[f"{arm}_rate_lower"], lower)
        assert np.allclose(cf[f"{arm}_rate_upper"], upper)
    # Poisson score equations: fitted counts sum to observed counts over the pilot PCNs.
    fitted = (cf["expected_rate"] * cf["pilot_registered"]).sum() / 1000
    assert math.isclose(fitted, cf["pilot_referrals"].sum(), rel_tol=1e-6)


def test_two_way_start_is_the_glm_estimate() -> None:
    """The alternating updates reach the Poisson GLM's estimate, in the GLM's column order."""
    panel = simulate_panel(seed=4, n_pilot=5, n_comparison=6, months=14, go_live_index=6)
    panel = panel.sample(frac=0.9, random_state=1).reset_index(drop=True)  # unbalanced
    month = panel["month"].dt.strftime("%Y-%m")
    treated = (panel["arm"] == "pilot") & (panel["month"] >= pd.Timestamp(panel["go_live"][0]))
    x = pd.concat([
        pd.Series(1.0, index=panel.index, name="const"),
        pd.get_dummies(panel["pcn_code"], prefix="pcn", drop_first=True, dtype=float),
        pd.get_dummies(month, prefix="month", drop_first=True, dtype=float),
        treated.astype(float).rename("pilot_x_post"),
    ], axis=1)  # fmt: skip
    y = panel["referrals"].to_numpy(float)
    offset = np.log(panel["registered_patients"].to_numpy(float))
    glm = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset).fit(tol=1e-12).params
    start = two_way_poisson_start(
        x, y, offset, panel["pcn_code"], month, "pilot_x_post", ("pcn", "month")
    )
    assert start is not None
    assert np.allclose(start, glm.to_numpy(), rtol=0, atol=1e-8)
    no_counts = np.where(panel["pcn_code"] == panel["pcn_code"][0], 0.0, y)
    assert (
        two_way_poisson_start(
            x, no_counts, offset, panel["pcn_code"], month, "pilot_x_post", ("pcn", "month")
        )
        is None
    )  # a PCN without referrals has no finite effect: the GLM starts on its own


@pytest.mark.parametrize("seed", [5, 8])
def test_did_from_the_two_way_start_equals_the_default_start(seed, monkeypatch) -> None:
    panel = simulate_panel(seed=seed, overdispersion=0.15 if seed == 8 else 0.0)
    started = impact.difference_in_differences(panel)
    monkeypatch.setattr(impact, "two_way_poisson_start", lambda *args: None)
    default = impact.difference_in_differences(panel)
    assert started.model == default.model
    for name in ("rate_ratio", "lower", "upper", "p_value", "nb_alpha", "overdispersion_p"):
        assert getattr(started, name) == pytest.approx(getattr(default, name), rel=1e-9)
    for frame in ("estimates", "counterfactual"):
        pd.testing.assert_frame_equal(
            getattr(started, frame), getattr(default, frame), rtol=1e-9, atol=0
        )


def test_overdispersed_counts_choose_the_negative_binomial() -> None:
    panel = simulate_panel(seed=8, base=0.01, overdispersion=0.15)
    est = impact.difference_in_differences(panel)
    assert est.model == "negative_binomial" and est.overdispersion_p < 0.05
    assert est.dispersion > 1.5 and 0.05 < est.nb_alpha < 0.4
    assert est.lower < 1.30 < est.upper
    forced = impact.difference_in_differences(panel, model="poisson")
    assert forced.model == "poisson" and forced.lower < 1.30 < forced.upper


def test_part_months_and_mid_month_go_live() -> None:
    panel = simulate_panel(seed=3)
    panel["go_live"] = date(2024, 1, 15)
    panel.loc[panel["month"] == panel["month"].max(), "month_fraction"] = 0.5
    est = impact.difference_in_differences(panel)
    assert est.n_months == 23 and est.n_pre_months == 12 and est.n_post_months == 11
    assert any("mid-month" in note for note in est.notes)
    last = est.counterfactual.iloc[-1]
    sums = panel[(panel["arm"] == "pilot") & (panel["month"] == panel["month"].max())]
    assert math.isclose(last["pilot_registered"], sums["registered_patients"].sum() * 0.5)


# ---------------------------------------------------------------------------------------------
# Interrupted time series
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seasonality", ["month", "fourier"])
def test_its_recovers_a_level_change(seasonality: str) -> None:
    panel = simulate_panel(seed=21, n_pilot=20, n_comparison=0, months=36, go_live_index=18,
                           rate_ratio=1.25)  # fmt: skip
    est = impact.interrupted_time_series(panel, seasonality=seasonality, harmonics=3)
    assert est.design == "its" and est.term == "level_change"
    assert est.lower < 1.25 < est.upper and est.lower > 1
    slope = est.estimates.query("term == 'slope_change' and selected").iloc[0]
    assert slope["lower"] < 1 < slope["upper"]
    assert est.n_pcns == 20 and est.n_comparison_pcns == 0 and est.n_obs == 36
    cf = est.counterfactual
    assert cf["comparison_rate"].isna().all() and len(cf) == 36


def test_its_hac_standard_error_matches_statsmodels() -> None:
    panel = simulate_panel(seed=4, n_pilot=5, n_comparison=0, months=30, go_live_index=15)
    est = impact.interrupted_time_series(panel, seasonality="none", model="poisson")
    series = panel.groupby("month")[["referrals", "registered_patients"]].sum()
    t = np.arange(30) - 15.0
    post = (t >= 0).astype(float)
    x = np.column_stack([np.ones(30), t, post, post * t])
    res = sm.GLM(series["referrals"].to_numpy(), x, family=sm.families.Poisson(),
                 offset=np.log(series["registered_patients"].to_numpy(float))).fit(
        cov_type="HAC", cov_kwds={"maxlags": 3, "use_correction": True}, use_t=True)  # fmt: skip
    assert math.isclose(math.log(est.rate_ratio), res.params[2], rel_tol=1e-6)
    assert math.isclose(se_from_ci(est, 30 - 4), res.bse[2], rel_tol=1e-6)
    assert "HAC" in est.standard_errors


def test_its_on_too_few_months_for_monthly_seasonality() -> None:
    panel = simulate_panel(seed=2, n_comparison=0, months=14, go_live_index=7)
    with pytest.raises(ValueError, match="cannot identify"):
        impact.interrupted_time_series(panel, seasonality="month")
    assert impact.interrupted_time_series(panel, seasonality="fourier", harmonics=1).n_months == 14


# ---------------------------------------------------------------------------------------------
# Refusals
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p[p["arm"] == "pilot"], "comparison PCNs.*design='its'"),
        (lambda p: p[(p["arm"] == "comparison") | (p["pcn_code"] == "U00000")], "2 pilot PCNs"),
        (lambda p: p[p["month"] >= "2024-01-01"], "no months before go-live"),
        (lambda p: p[p["month"] < "2024-01-01"], "no months after go-live"),
        (lambda p: p.iloc[0:0], "no PCN-months"),
        (lambda p: p.drop(columns="referrals"), "lacks columns: referrals"),
        (lambda p: p.assign(registered_patients=0), "registered_patients must be greater"),
        (lambda p: p.assign(referrals=-1), "must not be negative"),
        (lambda p: p.assign(go_live=pd.NaT), "exactly one go-live"),
        (lambda p: p.assign(referrals=np.where(p["arm"] == "pilot", 0, p["referrals"])),
         "no referrals in the pilot PCNs before"),
    ],
)  # fmt: skip
def test_did_refuses_unusable_panels(change, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        impact.difference_in_differences(change(simulate_panel(seed=1)))


def test_its_refusals() -> None:
    panel = simulate_panel(seed=1, n_comparison=3)
    with pytest.raises(ValueError, match="no pilot PCNs"):
        impact.interrupted_time_series(panel[panel["arm"] == "comparison"])
    with pytest.raises(ValueError, match="at least 3 months before and after"):
        impact.interrupted_time_series(panel[panel["month"] < "2024-03-01"], seasonality="none")
    with pytest.raises(ValueError, match="seasonality must be"):
        impact.interrupted_time_series(panel, seasonality="weekly")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="model must be"):
        impact.interrupted_time_series(panel, seasonality="none", model="gaussian")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# From the store
# ---------------------------------------------------------------------------------------------
def test_pilot_impact_from_the_demo_store(demo_store) -> None:
    con = duckdb.connect(str(demo_store), read_only=True)
    try:
        (name,) = con.execute("SELECT DISTINCT pilot_name FROM stg_pilot_pcns").fetchone()
        panel = impact.load_pilot_panel(con, name)
        assert list(panel.columns) == impact.PANEL_COLUMNS
        assert panel.groupby("pcn_code").size().nunique() == 1
        assert (panel["month_fraction"] > 0).all() and (panel["month_fraction"] <= 1).all()
        did = impact.pilot_impact(con, name)
        its = impact.pilot_impact(con, name, design="its")
        with pytest.raises(ValueError, match="no pilot named 'nope'"):
            impact.pilot_impact(con, "nope")
        with pytest.raises(ValueError, match="design must be"):
            impact.pilot_impact(con, name, design="rct")  # type: ignore[arg-type]
    finally:
        con.close()
    assert did.design == "did" and did.pilot_name == name and did.n_months == 36
    assert did.n_pilot_pcns == 4 and did.n_comparison_pcns == 4
    assert did.lower < did.rate_ratio < did.upper
    assert its.design == "its" and its.n_pilot_pcns == 4 and its.n_comparison_pcns == 0
