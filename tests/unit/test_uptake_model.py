"""The uptake model on referrals simulated here from the demo's documented model."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from scipy.special import expit

from analysis import uptake_model as um

ORS = {"imd_decile_1_2": 0.60, "session_is_free": 1.50, "female": 1.15, "mental_health": 0.80,
       "source_not_gp": 0.85}  # fmt: skip
AGE = {"16-24": -0.35, "25-34": -0.25, "35-44": -0.10, "45-54": 0.0, "55-64": 0.10,
       "65-74": 0.20, "75+": 0.15}  # fmt: skip


def simulate(seed: int, n: int = 30_000, n_pcns: int = 40, pcn_sd: float = 0.3) -> pd.DataFrame:
    """Referrals drawn from the documented uptake model plus a PCN random intercept."""
    rng = np.random.default_rng(seed)
    pcn = rng.integers(0, n_pcns, n)
    frame = pd.DataFrame({
        "pcn_code": [f"U{p:05d}" for p in pcn],
        "imd_decile": rng.integers(1, 11, n),
        "session_is_free": rng.random(n) < 0.5,
        "age_band": rng.choice(list(AGE), n),
        "sex": rng.choice(["female", "male", "other"], n, p=[0.58, 0.40, 0.02]),
        "conditions": [["mental_health", "msk"] if r < 0.3 else ["msk"] for r in rng.random(n)],
        "referral_source": rng.choice(["gp", "link_worker", "self"], n, p=[0.6, 0.3, 0.1]),
        "opportunity_id": "https://example.org/series/1",
    })  # fmt: skip
    lp = 0.8 + rng.normal(0, pcn_sd, n_pcns)[pcn] + frame["age_band"].map(AGE)
    lp += math.log(ORS["imd_decile_1_2"]) * (frame["imd_decile"] <= 2)
    lp += math.log(ORS["session_is_free"]) * frame["session_is_free"]
    lp += math.log(ORS["female"]) * (frame["sex"] == "female")
    lp += math.log(ORS["mental_health"]) * frame["conditions"].map(lambda c: "mental_health" in c)
    lp += math.log(ORS["source_not_gp"]) * (frame["referral_source"] != "gp")
    frame["first_attended"] = rng.random(n) < expit(lp.astype(float))
    return frame


@pytest.mark.parametrize("seed", [1, 2])
def test_the_model_recovers_the_planted_odds_ratios(seed: int) -> None:
    model = um.fit_uptake_model(simulate(seed, pcn_sd=0.0))
    table = model.table.set_index("term")
    assert list(model.table.columns) == um.MODEL_COLUMNS
    for term, odds in ORS.items():
        assert table.loc[term, "lower"] < odds < table.loc[term, "upper"], term
    for band, log_odds in AGE.items():
        if band != "45-54":
            row = table.loc[f"age_band[{band}]"]
            assert row["lower"] < math.exp(log_odds) < row["upper"], band
    assert table.loc["imd_decile_1_2", "upper"] < 1 < table.loc["session_is_free", "lower"]
    assert (model.table["n"] == 30_000).all() and model.n_pcns == 40 and model.dropped == 0
    assert table.loc["age_band[16-24]", "label"] == "Age 16-24 (vs 45-54)"


def test_standard_errors_are_cr1_cluster_robust_by_pcn() -> None:
    frame = simulate(3, n=3_000, n_pcns=12, pcn_sd=0.5)
    model = um.fit_uptake_model(frame)
    x, _ = um._design(frame, "45-54")
    y = frame["first_attended"].to_numpy(float)
    beta = sm.GLM(y, x, family=sm.families.Binomial()).fit().params.to_numpy()
    p = expit(x.to_numpy() @ beta)
    bread = np.linalg.inv(x.to_numpy().T @ (x.to_numpy() * (p * (1 - p))[:, None]))
    scores = pd.DataFrame(x.to_numpy() * (y - p)[:, None]).groupby(frame["pcn_code"]).sum()
    g, n, k = 12, len(y), x.shape[1]
    cov = g / (g - 1) * (n - 1) / (n - k) * bread @ scores.T.to_numpy() @ scores.to_numpy() @ bread
    row = model.table.set_index("term").loc["session_is_free"]
    i = list(x.columns).index("session_is_free")
    se = math.log(row["upper"] / row["lower"]) / (2 * stats.t.ppf(0.975, g - 1))
    assert math.isclose(math.log(row["odds_ratio"]), beta[i], rel_tol=1e-6)
    assert math.isclose(se, math.sqrt(cov[i, i]), rel_tol=1e-5)
    # With a PCN random intercept, the robust SE of the IMD term is not the model-based one.
    j = list(x.columns).index("imd_decile_1_2")
    imd = model.table.set_index("term").loc["imd_decile_1_2"]
    robust = math.log(imd["upper"] / imd["lower"]) / (2 * stats.t.ppf(0.975, g - 1))
    assert not math.isclose(robust, math.sqrt(bread[j, j]), rel_tol=0.02)


def test_missing_imd_and_session_are_dropped_and_counted() -> None:
    frame = simulate(4, n=5_000)
    frame["session_is_free"] = frame["session_is_free"].astype(object)
    frame.loc[:99, "imd_decile"] = np.nan
    frame.loc[50:249, "session_is_free"] = None
    frame.loc[200:249, "opportunity_id"] = None  # no session named: 50 of the unknown prices
    model = um.fit_uptake_model(frame)
    assert (model.missing_imd, model.missing_session, model.dropped) == (100, 200, 250)
    assert model.n == 4_750 and (model.table["n"] == 4_750).all() and model.n_referrals == 5_000
    kept = um.fit_uptake_model(frame, no_session="not_free")
    assert (kept.missing_session, kept.dropped, kept.n) == (150, 200, 4_800)


@pytest.mark.parametrize(
    "conditions",
    [lambda c: ";".join(c), lambda c: np.array(c, dtype=object), lambda c: list(c)],
)
def test_conditions_as_text_list_or_array(conditions) -> None:
    frame = simulate(5, n=4_000)
    reference = um.fit_uptake_model(frame).table
    frame["conditions"] = frame["conditions"].map(conditions)
    frame.loc[0, "conditions"] = None
    got = um.fit_uptake_model(frame).table
    odds = got.set_index("term").loc["mental_health", "odds_ratio"]
    assert math.isclose(odds, reference.set_index("term").loc["mental_health", "odds_ratio"],
                        rel_tol=0.02)  # fmt: skip


def test_terms_without_variation_are_left_out_with_a_note() -> None:
    frame = simulate(6, n=4_000).assign(referral_source="gp")
    model = um.fit_uptake_model(frame)
    assert "source_not_gp" not in set(model.table["term"])
    assert any("source_not_gp" in note for note in model.notes)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="session_is_free"), "lacks columns: session_is_free"),
        (lambda f: f.assign(pcn_code="U00001"), "at least two PCNs"),
        (lambda f: f.assign(first_attended=True), "everyone"),
    ],
)
def test_refusals(change, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        um.fit_uptake_model(change(simulate(7, n=2_000)))
    with pytest.raises(ValueError, match="no_session must be"):
        um.fit_uptake_model(simulate(7, n=2_000), no_session="zero")  # type: ignore[arg-type]


def test_uptake_model_from_the_demo_store(demo_store) -> None:
    con = duckdb.connect(str(demo_store), read_only=True)
    try:
        columns = {r[0] for r in con.execute("DESCRIBE journeys").fetchall()}
        if "session_is_free" not in columns:
            with pytest.raises(ValueError, match="no session_is_free column"):
                um.uptake_model(con)
            return
        model = um.uptake_model(con)
    finally:
        con.close()
    assert list(model.table.columns) == um.MODEL_COLUMNS
    assert model.n + model.dropped == model.n_referrals
