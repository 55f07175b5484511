"""Retention: Kaplan–Meier, numbers at risk, S(t), log-rank and Cox, checked against lifelines.

lifelines (a test-only dependency) is the oracle: its ``KaplanMeierFitter`` default CI is the
log(−log) "exponential Greenwood" interval, the one :mod:`analysis.survival` documents; its
``logrank_test`` / ``multivariate_logrank_test`` are the log-rank test; its ``CoxPHFitter`` uses
Efron's tie handling, as :mod:`analysis.cox` does.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.statistics import logrank_test, multivariate_logrank_test

from analysis.cox import COX_COLUMNS, cox_design, cox_hazard_ratios
from analysis.survival import (
    AT_RISK_COLUMNS,
    KM_COLUMNS,
    SURVIVAL_AT_COLUMNS,
    kaplan_meier,
    logrank,
    numbers_at_risk,
    survival_at,
)

TOL = 1e-9
# lifelines stops on a small change in log-likelihood; these options make it converge fully.
LIFELINES_TIGHT = {"precision": 1e-14, "r_precision": 1e-14, "max_steps": 500, "step_size": 0.5}


def journeys_from(days, events, **columns) -> pd.DataFrame:
    """A minimal journeys frame of starters with retention_days and disengaged."""
    n = len(days)
    frame = pd.DataFrame(
        {
            "referral_id": [f"R{i}" for i in range(n)],
            "first_attended_date": pd.Timestamp("2024-01-01"),
            "retention_days": pd.array(days, dtype="Int64"),
            "disengaged": pd.array([bool(e) for e in events], dtype="boolean"),
        }
    )
    for name, values in columns.items():
        frame[name] = values
    return frame


def lifelines_km(weeks, events) -> KaplanMeierFitter:
    return KaplanMeierFitter().fit(weeks, np.asarray(events, dtype=bool), ci_labels=["lo", "hi"])


def assert_matches_lifelines(curve: pd.DataFrame, weeks, events) -> None:
    """Every row of one group's curve equals lifelines' estimate and CI at that time."""
    kmf = lifelines_km(weeks, events)
    sf = kmf.survival_function_.iloc[:, 0]
    ci = kmf.confidence_interval_
    for row in curve.itertuples():
        t = row.time_weeks
        if t in sf.index:
            expected = (sf.loc[t], ci.loc[t, "lo"], ci.loc[t, "hi"])
        else:  # the origin row, before any event
            assert t == 0 and row.survival == 1.0
            expected = (1.0, 1.0, 1.0)
        got = (row.survival, row.lower, row.upper)
        np.testing.assert_allclose(got, expected, rtol=0, atol=TOL, err_msg=f"t = {t}")


TINY_CASES = {
    "ties and censoring": ([0, 7, 7, 14, 21, 21, 21, 35, 42, 42], [1, 1, 0, 1, 0, 1, 1, 0, 1, 1]),
    "ties at the last time reach zero": ([3, 5, 5, 9, 9], [1, 0, 1, 1, 1]),
    "censored last": ([2, 2, 4, 6, 30], [1, 1, 0, 1, 0]),
    "all censored": ([10, 20, 30], [0, 0, 0]),
    "one starter, one event": ([12], [1]),
    "events at day 0": ([0, 0, 0, 1, 5, 5, 8], [1, 1, 0, 1, 1, 0, 0]),
}


# --------------------------------------------------------------------------------------------
# Kaplan–Meier against lifelines
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", TINY_CASES, ids=list(TINY_CASES))
def test_tiny_cases_match_lifelines(case: str) -> None:
    days, events = TINY_CASES[case]
    curve = kaplan_meier(journeys_from(days, events))
    assert list(curve.columns) == KM_COLUMNS
    assert_matches_lifelines(curve, np.asarray(days) / 7, events)
    assert curve["time_weeks"].is_monotonic_increasing
    assert curve["survival"].is_monotonic_decreasing
    assert curve["time_weeks"].iloc[-1] == max(days) / 7  # the curve reaches the last follow-up
    assert ((curve["lower"] <= curve["survival"]) & (curve["survival"] <= curve["upper"])).all()


def test_hand_computed_curve() -> None:
    # 5 starters: events at 1 and 2 weeks (tie of 2 at week 2), one censored at 3 weeks.
    curve = kaplan_meier(journeys_from([7, 14, 14, 21, 28], [1, 1, 1, 0, 1]))
    assert curve["time_weeks"].tolist() == [0, 1, 2, 4]
    assert curve["n_at_risk"].tolist() == [5, 5, 4, 1]
    assert curve["n_events"].tolist() == [0, 1, 2, 1]
    np.testing.assert_allclose(curve["survival"], [1, 0.8, 0.4, 0.0])
    # log(−log) Greenwood at week 1: G = 1/(5·4); S = 0.8
    s, g, z = 0.8, 1 / 20, 1.959963984540054
    lower = np.exp(-np.exp(np.log(-np.log(s)) + z * np.sqrt(g) / -np.log(s)))
    assert curve["lower"].iloc[1] == pytest.approx(lower, abs=1e-12)
    assert curve.iloc[-1][["lower", "upper"]].tolist() == [0.0, 0.0]


def test_pilot_demo_by_group_matches_lifelines(demo_store) -> None:
    with duckdb.connect(str(demo_store), read_only=True) as con:
        journeys = con.execute("SELECT * FROM journeys").df()
    starters = journeys[
        journeys["retention_days"].notna() & journeys["first_attended_date"].notna()
    ]
    assert len(starters) > 1000
    overall = kaplan_meier(journeys)
    assert set(overall["group"]) == {"all"}
    assert_matches_lifelines(overall, starters["retention_days"] / 7, starters["disengaged"])
    by_sex = kaplan_meier(journeys, "sex")
    for sex, curve in by_sex.groupby("group"):
        rows = starters[starters["sex"] == sex]
        assert_matches_lifelines(curve, rows["retention_days"] / 7, rows["disengaged"])
    # S(t) at every lifelines timeline point, including censoring-only times
    kmf = lifelines_km(starters["retention_days"] / 7, starters["disengaged"])
    times = kmf.timeline
    got = survival_at(overall, times)
    np.testing.assert_allclose(got["survival"], kmf.predict(times), atol=TOL)
    np.testing.assert_allclose(got["lower"], kmf.confidence_interval_["lo"].to_numpy(), atol=TOL)
    np.testing.assert_allclose(got["upper"], kmf.confidence_interval_["hi"].to_numpy(), atol=TOL)


def test_confidence_level_is_used() -> None:
    days, events = TINY_CASES["ties and censoring"]
    curve = kaplan_meier(journeys_from(days, events), confidence=0.9)
    kmf = KaplanMeierFitter(alpha=0.1).fit(np.asarray(days) / 7, np.asarray(events, dtype=bool))
    ci = kmf.confidence_interval_
    row = curve[curve["time_weeks"] == 3].iloc[0]
    np.testing.assert_allclose([row.lower, row.upper], ci.loc[3].to_numpy(), atol=TOL)


# --------------------------------------------------------------------------------------------
# Numbers at risk and S(t)
# --------------------------------------------------------------------------------------------
def test_numbers_at_risk_by_hand() -> None:
    # weeks: 0 (event), 4 (censored), 4 (event), 8 (event), 12 (censored), 30 (censored)
    frame = journeys_from([0, 28, 28, 56, 84, 210], [1, 0, 1, 1, 0, 0])
    table = numbers_at_risk(frame, times=(0, 4, 8, 12, 26))
    assert list(table.columns) == AT_RISK_COLUMNS
    assert table["n_at_risk"].tolist() == [6, 5, 3, 2, 1]
    assert table["events_before"].tolist() == [0, 1, 2, 3, 3]
    assert table["censored_before"].tolist() == [0, 0, 1, 1, 2]


def test_numbers_at_risk_match_lifelines_event_table(demo_store) -> None:
    with duckdb.connect(str(demo_store), read_only=True) as con:
        journeys = con.execute("SELECT * FROM journeys").df()
    starters = journeys[journeys["retention_days"].notna()]
    kmf = lifelines_km(starters["retention_days"] / 7, starters["disengaged"])
    table = kmf.event_table
    times = table.index[::25].tolist()
    got = numbers_at_risk(journeys, times=times)
    assert got["n_at_risk"].tolist() == table.loc[times, "at_risk"].tolist()
    default = numbers_at_risk(journeys, "sex")
    assert default["time_weeks"].unique().tolist() == [0, 4, 8, 12, 16, 20, 26]
    first = default[default["time_weeks"] == 0].set_index("group")["n_at_risk"]
    assert first.to_dict() == starters.groupby("sex").size().to_dict()


def test_survival_at_is_a_right_continuous_step_lookup() -> None:
    curve = kaplan_meier(journeys_from([7, 14, 14, 21, 28], [1, 1, 1, 0, 1]))
    got = survival_at(curve, times=(0, 0.5, 1, 1.99, 2, 3.5, 4, 4.01))
    assert list(got.columns) == SURVIVAL_AT_COLUMNS
    expected = [1, 1, 0.8, 0.8, 0.4, 0.4, 0.0, np.nan]  # NaN beyond the last follow-up
    np.testing.assert_allclose(got["survival"], expected)
    assert np.isnan(got["lower"].iloc[-1])


def test_survival_at_defaults_and_groups() -> None:
    frame = journeys_from([7, 40, 100, 200, 14, 90, 190], [1, 1, 0, 0, 1, 1, 1],
                          sex=["female"] * 4 + ["male"] * 3)  # fmt: skip
    got = survival_at(kaplan_meier(frame, "sex"))
    assert got["time_weeks"].tolist() == [4, 12, 26] * 2
    female = got[got["group"] == "female"]["survival"].tolist()
    np.testing.assert_allclose(female, [0.75, 0.5, 0.5])
    male = got[got["group"] == "male"]["survival"].tolist()
    np.testing.assert_allclose(male, [2 / 3, 2 / 3, 1 / 3])  # weeks 2, 12.9, 27.1
    kmf = lifelines_km(np.asarray([7, 40, 100, 200]) / 7, [1, 1, 0, 0])
    np.testing.assert_allclose(female, kmf.predict([4, 12, 26]), atol=TOL)


def test_groups_keep_natural_order_and_skip_missing() -> None:
    frame = journeys_from([7, 14, 21, 28, 35], [1, 1, 1, 0, 1],
                          imd_quintile=[10.0, 2.0, np.nan, 2.0, 10.0])  # fmt: skip
    curve = kaplan_meier(frame, "imd_quintile")
    assert list(dict.fromkeys(curve["group"])) == ["2", "10"]
    assert curve.groupby("group")["n_at_risk"].max().to_dict() == {"2": 2, "10": 2}


# --------------------------------------------------------------------------------------------
# Log-rank against lifelines
# --------------------------------------------------------------------------------------------
def test_logrank_two_groups_matches_lifelines() -> None:
    rng = np.random.default_rng(3)
    days = rng.integers(0, 120, 80)
    events = rng.random(80) < 0.7
    group = np.where(rng.random(80) < 0.5, "a", "b")
    got = logrank(journeys_from(days, events, arm=group), "arm").iloc[0]
    a, b = group == "a", group == "b"
    ref = logrank_test(days[a] / 7, days[b] / 7, events[a], events[b])
    assert got["p_value"] == pytest.approx(ref.p_value, abs=TOL)
    assert got["chisq"] == pytest.approx(ref.test_statistic, abs=1e-9)
    assert (got["n_groups"], got["df"], got["n"], got["events"]) == (2, 1, 80, events.sum())


def test_logrank_on_the_pilot_demo_matches_lifelines(demo_store) -> None:
    with duckdb.connect(str(demo_store), read_only=True) as con:
        journeys = con.execute("SELECT * FROM journeys").df()
    starters = journeys[journeys["retention_days"].notna() & journeys["age_band"].notna()]
    got = logrank(journeys, "age_band").iloc[0]
    ref = multivariate_logrank_test(
        starters["retention_days"] / 7, starters["age_band"], starters["disengaged"].astype(bool)
    )
    assert got["df"] == starters["age_band"].nunique() - 1
    assert got["chisq"] == pytest.approx(ref.test_statistic, rel=TOL)
    assert got["p_value"] == pytest.approx(ref.p_value, abs=TOL)


# --------------------------------------------------------------------------------------------
# Cox proportional hazards against lifelines (Efron ties)
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pilot_starters(demo_store, demo_dir) -> pd.DataFrame:
    """Pilot journeys with the generator's distance to the referred series (truth file)."""
    with duckdb.connect(str(demo_store), read_only=True) as con:
        journeys = con.execute("SELECT * FROM journeys").df()
    truth = pd.read_csv(
        demo_dir / "truth" / "journeys.csv", usecols=["referral_id", "distance_km"]
    )
    truth = truth.rename(columns={"distance_km": "truth_distance_km"})
    return journeys.merge(truth, on="referral_id", how="left")


def test_cox_matches_lifelines_on_the_pilot_demo(pilot_starters: pd.DataFrame) -> None:
    kw = {"distance": "truth_distance_km", "conditions": ("mental_health", "msk")}
    hr = cox_hazard_ratios(pilot_starters, cluster=None, **kw)
    assert list(hr.columns) == COX_COLUMNS
    design = cox_design(pilot_starters, cluster=None, **kw)
    data = design.exog.assign(T=design.weeks, E=design.event)
    ref = CoxPHFitter().fit(data, "T", "E", fit_options=LIFELINES_TIGHT)
    assert hr["term"].tolist() == ref.params_.index.tolist()
    # Same partial likelihood (Efron), both solved to convergence: log HR and SE within 1e-8.
    np.testing.assert_allclose(hr["log_hr"], ref.params_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(hr["se"], ref.standard_errors_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(hr["p_value"], ref.summary["p"], rtol=1e-6, atol=1e-12)
    assert (hr["n"] == len(data)).all() and (hr["events"] == data["E"].sum()).all()
    terms = set(hr["term"])
    assert {"age_band[65-74]", "sex[female]", "imd_quintile[1]", "truth_distance_km"} <= terms
    assert "imd_quintile[5]" not in terms and "sex[male]" not in terms  # the references


def test_clustered_standard_errors_match_lifelines_without_ties() -> None:
    # lifelines' score residuals ignore ties, so compare the sandwich on tie-free times.
    rng = np.random.default_rng(11)
    n = 400
    x = rng.normal(size=n)
    cluster = rng.integers(0, 12, n)
    frailty = rng.gamma(4, 1 / 4, 12)[cluster]
    days = rng.exponential(60 / (np.exp(0.4 * x) * frailty)) + rng.random(n) * 1e-3
    events = rng.random(n) < 0.8
    frame = journeys_from(np.zeros(n, dtype=int), events, pcn_code=cluster.astype(str), km=x)
    frame["retention_days"] = days  # continuous times: no ties
    hr = cox_hazard_ratios(frame, distance="km", conditions=(), age=None, categorical=(),
                           cluster="pcn_code").set_index("term")  # fmt: skip
    data = pd.DataFrame({"km": x, "T": days / 7, "E": events, "c": cluster})
    ref = CoxPHFitter().fit(data, "T", "E", cluster_col="c", fit_options=LIFELINES_TIGHT)
    assert hr.loc["km", "log_hr"] == pytest.approx(ref.params_["km"], abs=1e-8)
    assert hr.loc["km", "se"] == pytest.approx(ref.standard_errors_["km"], rel=1e-9)
    assert hr.loc["km", "clusters"] == 12


def test_cox_options_and_reference_levels(pilot_starters: pd.DataFrame) -> None:
    hr = cox_hazard_ratios(pilot_starters, distance="truth_distance_km", age="65+",
                           references={"sex": "female"}).set_index("term")  # fmt: skip
    assert "age_65_plus" in hr.index and "sex[male]" in hr.index
    assert hr.loc["sex[male]", "reference"] == "female"
    assert hr.loc["age_65_plus", "hazard_ratio"] < 1  # planted 0.85
    row = hr.loc["truth_distance_km"]
    assert row["lower"] < row["hazard_ratio"] < row["upper"] and row["clusters"] == 8
    assert (hr["hazard_ratio"] == np.exp(hr["log_hr"])).all()


def test_rare_levels_are_pooled_or_left_out() -> None:
    n = 60
    sex = ["female"] * 30 + ["male"] * 27 + ["other"] * 2 + ["unknown"]
    frame = journeys_from(list(range(1, n + 1)), [1] * n, sex=sex, pcn_code=["A", "B"] * 30,
                          age_band="45-54", imd_quintile=3, conditions=[[]] * n,
                          distance_to_session_km=np.linspace(0.1, 5, n))  # fmt: skip
    design = cox_design(frame)
    assert len(design.weeks) == n - 3  # the pooled "other (pooled)" has 3 events (< 5): dropped
    assert design.exog.columns.tolist() == ["sex[female]", "distance_to_session_km"]


# --------------------------------------------------------------------------------------------
# Empty and degenerate inputs
# --------------------------------------------------------------------------------------------
def test_empty_inputs_give_empty_frames() -> None:
    empty = journeys_from([], [], sex=[])
    for frame, columns in (
        (kaplan_meier(empty), KM_COLUMNS),
        (kaplan_meier(empty, "sex"), KM_COLUMNS),
        (numbers_at_risk(empty), AT_RISK_COLUMNS),
        (survival_at(kaplan_meier(empty)), SURVIVAL_AT_COLUMNS),
    ):
        assert frame.empty and list(frame.columns) == columns
    not_started = journeys_from([5], [1])
    not_started["first_attended_date"] = pd.NaT
    assert kaplan_meier(not_started).empty


def test_single_group_and_degenerate_inputs_raise_clear_errors() -> None:
    frame = journeys_from([7, 14, 21], [1, 0, 1], sex="female", pcn_code="A",
                          distance_to_session_km=[1.0, 2.0, 3.0])  # fmt: skip
    assert kaplan_meier(frame, "sex")["group"].unique().tolist() == ["female"]
    with pytest.raises(ValueError, match="at least two groups"):
        logrank(frame, "sex")
    with pytest.raises(ValueError, match="one disengagement event"):
        logrank(journeys_from([7, 14], [0, 0], arm=["a", "b"]), "arm")
    with pytest.raises(ValueError, match="lacks column"):
        kaplan_meier(frame, "ethnicity")
    with pytest.raises(ValueError, match="no starters"):
        cox_hazard_ratios(journeys_from([], [], sex=[], pcn_code=[], age_band=[],
                                        imd_quintile=[], conditions=[],
                                        distance_to_session_km=[]))  # fmt: skip
    kw = {"conditions": (), "categorical": (), "age": "65+"}
    frame["age_band"] = ["45-54", "65-74", "75+"]
    with pytest.raises(ValueError, match="at least two pcn_code"):
        cox_hazard_ratios(frame, **kw)
    with pytest.raises(ValueError, match="no disengagement events"):
        cox_hazard_ratios(frame.assign(disengaged=False), **kw)
    with pytest.raises(ValueError, match="age must be"):
        cox_hazard_ratios(frame, age="decade", conditions=(), categorical=())
    with pytest.raises(ValueError, match="times must be"):
        numbers_at_risk(frame, times=(-1,))
    with pytest.raises(ValueError, match="negative"):
        kaplan_meier(journeys_from([-3], [1]))
