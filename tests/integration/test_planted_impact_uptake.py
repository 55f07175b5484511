"""The london-scale demo's planted pilot impact and uptake effects are recovered.

METHODS.md "Planted effects" 1 and 2: the planted value lies inside the reported 95% CI and the
CI excludes the null. The planted values are read from the generator's own constants, the
same ones ``truth/planted_effects.json`` documents.
"""

from __future__ import annotations

import duckdb
import pytest

from analysis import impact
from analysis.demo.referral_counts import RATE_RATIO
from analysis.demo.uptake import ODDS_RATIOS
from analysis.uptake_model import uptake_model

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def con(london_store):
    connection = duckdb.connect(str(london_store), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def pilot_name(con) -> str:
    (name,) = con.execute("SELECT DISTINCT pilot_name FROM stg_pilot_pcns").fetchone()
    return name


def test_planted_values_are_the_documented_ones() -> None:
    assert RATE_RATIO == 1.30
    assert ODDS_RATIOS["imd_decile_1_2"] == 0.60
    assert ODDS_RATIOS["referred_series_free"] == 1.50


def test_did_recovers_the_referral_rate_ratio(con, pilot_name: str) -> None:
    est = impact.pilot_impact(con, pilot_name)
    assert est.design == "did" and est.n_pilot_pcns == 40 and est.n_comparison_pcns == 40
    assert est.lower < RATE_RATIO < est.upper, est
    assert est.lower > 1 and est.p_value < 0.001
    negative_binomial = est.estimates.query("model == 'negative_binomial'").iloc[0]
    assert negative_binomial["lower"] < RATE_RATIO < negative_binomial["upper"]
    cf = est.counterfactual
    post = cf[cf["post"]]
    assert (post["counterfactual_rate"] < post["expected_rate"]).all()


def test_its_on_the_pilot_pcns_alone_recovers_the_step(con, pilot_name: str) -> None:
    est = impact.pilot_impact(con, pilot_name, design="its")
    assert est.lower < RATE_RATIO < est.upper and est.lower > 1, est


def test_uptake_odds_ratios(con) -> None:
    model = uptake_model(con)
    table = model.table.set_index("term")
    imd, free = table.loc["imd_decile_1_2"], table.loc["session_is_free"]
    assert imd["lower"] < ODDS_RATIOS["imd_decile_1_2"] < imd["upper"] < 1, imd
    assert 1 < free["lower"] < ODDS_RATIOS["referred_series_free"] < free["upper"], free
    for term, key in (("female", "female"), ("mental_health", "mental_health"),
                      ("source_not_gp", "source_not_gp")):  # fmt: skip
        assert table.loc[term, "lower"] < ODDS_RATIOS[key] < table.loc[term, "upper"], term
    assert model.n > 0.9 * model.n_referrals
