"""Outcome scoring and paired change: hand-computed cases, reference tables, the pilot demo."""

from __future__ import annotations

import csv
import json
import math

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.stats import t as t_dist
from scipy.stats import wilcoxon

from analysis.indicators import proportion_ci
from analysis.outcomes import (
    ATTENDANCE,
    BAND_COLUMNS,
    CHANGE_COLUMNS,
    MEASURES,
    ONS4_BANDS,
    ONS4_ITEMS,
    attach_followups,
    band_shares,
    change_summary,
    followup_table,
    ons4_band,
    paired_outcomes,
    read_followup_table,
    read_followups,
    read_paired_outcomes,
    swemwbs_metric,
)
from tests.conftest import shared_path

ONS4_QUESTION = {  # ons4_thresholds.csv names
    "ons4_satisfied": "life_satisfaction",
    "ons4_worthwhile": "worthwhile",
    "ons4_happy": "happiness",
    "ons4_anxious": "anxiety",
}


def paired_frame(baseline, followup, measure: str = "swemwbs", **columns) -> pd.DataFrame:
    """A paired frame as :func:`paired_outcomes` returns, for one measure."""
    frame = pd.DataFrame(
        {
            "referral_id": [f"R{i}" for i in range(len(baseline))],
            "week": 12,
            f"{measure}_baseline": np.asarray(baseline, dtype=float),
            f"{measure}_followup": np.asarray(followup, dtype=float),
        }
    )
    for other in MEASURES:
        if other != measure:
            frame[f"{other}_baseline"] = np.nan
            frame[f"{other}_followup"] = np.nan
    for name, values in columns.items():
        frame[name] = values
    return frame


# Hand-computed: t quantiles from tables (t_{0.975, 3} = 3.182446305284263,
# t_{0.975, 4} = 2.776445105197793, t_{0.975, 5} = 2.570581835636314).
CASES = [
    {  # changes 3, 0, 3, 1: mean 1.75, SD 1.5, SE 0.75
        "id": "zero change among four",
        "baseline": [20, 22, 18, 25], "followup": [23, 22, 21, 26],
        "n": 4, "baseline_mean": 21.25, "followup_mean": 23.0, "change": 1.75, "sd": 1.5,
        "half": 3.182446305284263 * 0.75, "t": 1.75 / 0.75, "d": 1.75 / 1.5, "improved": 2,
    },
    {  # changes 1..5: mean 3, SD sqrt(2.5); exact Wilcoxon two-sided p = 2 / 2**5
        "id": "all improve",
        "baseline": [10, 10, 10, 10, 10], "followup": [11, 12, 13, 14, 15],
        "n": 5, "baseline_mean": 10.0, "followup_mean": 13.0, "change": 3.0,
        "sd": math.sqrt(2.5), "half": 2.776445105197793 * math.sqrt(2.5 / 5),
        "t": 3 / math.sqrt(0.5), "d": 3 / math.sqrt(2.5), "improved": 3, "wilcoxon": 0.0625,
    },
    {  # changes -2, 1, 4, -1, 3, 1 (one missing pair dropped): mean 1, SD sqrt(26/5)
        "id": "mixed with a missing pair",
        "baseline": [20, 20, 20, 20, 20, 20, np.nan], "followup": [18, 21, 24, 19, 23, 21, 30],
        "n": 6, "baseline_mean": 20.0, "followup_mean": 21.0, "change": 1.0,
        "sd": math.sqrt(5.2), "half": 2.570581835636314 * math.sqrt(5.2 / 6),
        "t": 1 / math.sqrt(5.2 / 6), "d": 1 / math.sqrt(5.2), "improved": 2,
    },
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_hand_computed_change(case: dict) -> None:
    got = change_summary(paired_frame(case["baseline"], case["followup"]), measures=["swemwbs"])
    assert list(got.columns) == CHANGE_COLUMNS and len(got) == 1
    row = got.iloc[0]
    assert (row["measure"], row["group"], row["week"]) == ("swemwbs", "all", 12)
    assert row["n_pairs"] == case["n"]
    assert row["baseline_mean"] == pytest.approx(case["baseline_mean"], abs=1e-12)
    assert row["followup_mean"] == pytest.approx(case["followup_mean"], abs=1e-12)
    assert row["mean_change"] == pytest.approx(case["change"], abs=1e-12)
    assert row["sd_change"] == pytest.approx(case["sd"], abs=1e-12)
    assert row["change_lower"] == pytest.approx(case["change"] - case["half"], abs=1e-9)
    assert row["change_upper"] == pytest.approx(case["change"] + case["half"], abs=1e-9)
    assert row["t_statistic"] == pytest.approx(case["t"], abs=1e-9)
    assert row["cohens_d"] == pytest.approx(case["d"], abs=1e-12)
    assert row["p_ttest"] == pytest.approx(2 * t_dist.sf(case["t"], case["n"] - 1), abs=1e-12)
    if "wilcoxon" in case:
        assert row["p_wilcoxon"] == pytest.approx(case["wilcoxon"], abs=1e-12)
    assert 0 < row["p_wilcoxon"] <= 1
    assert row["improved"] == case["improved"]
    share, lower, upper = proportion_ci(case["improved"], case["n"])
    assert (row["improved_share"], row["improved_lower"], row["improved_upper"]) == (
        pytest.approx(share),
        pytest.approx(lower),
        pytest.approx(upper),
    )
    assert bool(row["indicative_only"])


def test_indicative_only_below_thirty_pairs() -> None:
    rng = np.random.default_rng(1)
    base = rng.normal(20, 4, 30)
    frame = paired_frame(base, base + rng.normal(1, 2, 30), group=["a"] * 29 + ["b"])
    overall = change_summary(frame, measures=["swemwbs"]).iloc[0]
    assert overall["n_pairs"] == 30 and not overall["indicative_only"]
    fewer = change_summary(frame.iloc[:29], measures=["swemwbs"]).iloc[0]
    assert fewer["n_pairs"] == 29 and fewer["indicative_only"]
    by = change_summary(frame, by="group", measures=["swemwbs"]).set_index("group")
    assert by["n_pairs"].to_dict() == {"a": 29, "b": 1}
    assert by["indicative_only"].all()


def test_degenerate_groups_give_nan_statistics_not_errors() -> None:
    one = change_summary(paired_frame([20], [22]), measures=["swemwbs"]).iloc[0]
    assert one["mean_change"] == 2 and one["n_pairs"] == 1
    assert np.isnan([one["sd_change"], one["change_lower"], one["p_ttest"], one["cohens_d"]]).all()
    same = change_summary(paired_frame([20, 21, 22], [22, 23, 24]), measures=["swemwbs"]).iloc[0]
    assert same["sd_change"] == 0 and np.isnan(same["cohens_d"]) and np.isnan(same["p_ttest"])
    none = change_summary(paired_frame([20, 21], [20, 21]), measures=["swemwbs"]).iloc[0]
    assert none["mean_change"] == 0 and np.isnan(none["p_wilcoxon"])
    empty = change_summary(paired_frame([np.nan], [20]))
    assert empty.empty and list(empty.columns) == CHANGE_COLUMNS
    with pytest.raises(ValueError, match="unknown measure"):
        change_summary(paired_frame([1], [2]), measures=["wemwbs"])
    with pytest.raises(ValueError, match="group by"):
        change_summary(paired_frame([1], [2]), by="nope")


def test_only_swemwbs_counts_improvers() -> None:
    frame = paired_frame([3, 4, 5], [6, 8, 5], measure="ons4_happy")
    row = change_summary(frame, measures=["ons4_happy"]).iloc[0]
    assert row["mean_change"] == pytest.approx(7 / 3)
    assert pd.isna(row["improved"]) and pd.isna(row["improved_share"])


# --------------------------------------------------------------------------------------------
# Scoring against the reference tables
# --------------------------------------------------------------------------------------------
def test_swemwbs_metric_matches_the_warwick_table() -> None:
    with shared_path("reference", "methods", "swemwbs_raw_to_metric.csv").open() as fh:
        table = {int(r["raw_score"]): float(r["metric_score"]) for r in csv.DictReader(fh)}
    assert sorted(table) == list(range(7, 36))
    items = []
    for raw in table:  # spread each raw score over seven answers 1-5
        answers = [1] * 7
        for i in range(raw - 7):
            answers[i % 7] += 1
        items.append(answers)
    got = swemwbs_metric(np.asarray(items))
    np.testing.assert_allclose(got, list(table.values()), rtol=0, atol=1e-12)


def test_swemwbs_missing_item_gives_missing_score() -> None:
    items = pd.DataFrame([[3, 3, 3, 3, 3, 3, 3], [3, None, 3, 3, 3, 3, 3], [None] * 7])
    got = swemwbs_metric(items)
    assert got[0] == pytest.approx(19.25)  # raw 21
    assert np.isnan(got[1]) and np.isnan(got[2])
    with pytest.raises(ValueError, match="1 to 5"):
        swemwbs_metric([[0, 3, 3, 3, 3, 3, 3]])
    with pytest.raises(ValueError, match="seven item columns"):
        swemwbs_metric([[3, 3, 3]])


def test_store_scoring_agrees_with_swemwbs_metric(demo_store) -> None:
    with duckdb.connect(str(demo_store), read_only=True) as con:
        rows = con.execute(
            "SELECT s.swemwbs_1, s.swemwbs_2, s.swemwbs_3, s.swemwbs_4, s.swemwbs_5, "
            "s.swemwbs_6, s.swemwbs_7, f.swemwbs_metric FROM src_followups AS s "
            "JOIN stg_followups AS f USING (referral_id, followup_week)"
        ).df()
    got = swemwbs_metric(rows.iloc[:, :7])
    expected = rows["swemwbs_metric"].astype(float).to_numpy()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got[~np.isnan(got)], expected[~np.isnan(expected)], atol=1e-12)
    assert np.isnan(got).any() and (~np.isnan(got)).sum() > 1000


def test_ons4_bands_match_the_ons_thresholds() -> None:
    with shared_path("reference", "methods", "ons4_thresholds.csv").open() as fh:
        thresholds = list(csv.DictReader(fh))
    for item, question in ONS4_QUESTION.items():
        rows = [r for r in thresholds if r["question"] == question]
        assert rows, question
        expected = {
            score: r["band"]
            for r in rows
            for score in range(int(r["min_score"]), int(r["max_score"]) + 1)
        }
        assert sorted(expected) == list(range(11))
        got = ons4_band(item, list(range(11)))
        assert got.tolist() == [expected[s] for s in range(11)], item


def test_ons4_band_missing_and_invalid() -> None:
    got = ons4_band("ons4_anxious", [0, None, np.nan, 6.0])
    assert got[0] == "very_low" and pd.isna(got[1]) and pd.isna(got[2]) and got[3] == "high"
    with pytest.raises(ValueError, match="0 to 10"):
        ons4_band("ons4_happy", [11])
    with pytest.raises(ValueError, match="unknown ONS4 item"):
        ons4_band("ons4_sad", [1])
    assert set(ONS4_ITEMS) == set(ONS4_QUESTION)


def test_band_shares_by_hand() -> None:
    frame = paired_frame([3, 5, 7, 9, np.nan], [5, 7, 9, 9, 10], measure="ons4_satisfied")
    got = band_shares(frame)
    assert list(got.columns) == BAND_COLUMNS
    sat = got[got["item"] == "ons4_satisfied"].set_index("band")
    assert sat.index.tolist() == ["low", "medium", "high", "very_high"]
    assert (sat["n_pairs"] == 4).all()
    assert sat["baseline_count"].tolist() == [1, 1, 1, 1]
    assert sat["followup_count"].tolist() == [0, 1, 1, 2]
    assert sat.loc["very_high", "followup_share"] == 0.5
    assert sat.loc["very_high", "followup_lower"] == pytest.approx(proportion_ci(2, 4)[1])
    assert set(got["item"]) == {"ons4_satisfied"}  # items without pairs have no rows


def band_shares_one_band_at_a_time(paired: pd.DataFrame, by: str) -> pd.DataFrame:
    """The band shares as a reader would count them: each item, group and band on its own,
    with :func:`ons4_band` and one :func:`proportion_ci` call per count."""
    rows = []
    for item, scale in ONS4_ITEMS.items():
        for group in paired[by].dropna().unique():
            pairs = paired.loc[paired[by] == group, [f"{item}_baseline", f"{item}_followup"]]
            pairs = pairs.dropna()
            if pairs.empty:
                continue
            n = len(pairs)
            for order, (_, _, band) in enumerate(ONS4_BANDS[scale], start=1):
                row = {"item": item, "group": group, "band": band, "band_order": order}
                row["n_pairs"] = n
                for when in ("baseline", "followup"):
                    count = int((ons4_band(item, pairs[f"{item}_{when}"]) == band).sum())
                    share, lower, upper = proportion_ci(count, n)
                    row |= {f"{when}_count": count, f"{when}_share": share}
                    row |= {f"{when}_lower": lower, f"{when}_upper": upper}
                rows.append(row)
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", range(12))
def test_band_shares_equal_counting_one_band_at_a_time(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    frame = pd.DataFrame({"group": rng.choice(["a", "b", "c"], n), "week": 12})
    for item in ONS4_ITEMS:
        for when in ("baseline", "followup"):
            scores = rng.integers(0, 11, n).astype(float)
            scores[rng.random(n) < rng.random() * 0.6] = np.nan
            frame[f"{item}_{when}"] = scores
    got = band_shares(frame, "group").drop(columns="week")
    key = ["item", "group", "band_order"]
    got = got.sort_values(key).reset_index(drop=True)
    want = band_shares_one_band_at_a_time(frame, "group").sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want[got.columns], check_exact=True)


def test_band_shares_refuse_scores_outside_zero_to_ten() -> None:
    frame = paired_frame([3, 11], [5, 7], measure="ons4_happy")
    with pytest.raises(ValueError, match="ons4_happy scores must be whole numbers from 0 to 10"):
        band_shares(frame)


# --------------------------------------------------------------------------------------------
# The store and the pilot demo
# --------------------------------------------------------------------------------------------
def test_pilot_demo_pairs_reproduce_the_generators_tally(demo_store, demo_dir) -> None:
    truth = json.loads((demo_dir / "truth" / "planted_effects.json").read_text())
    realised = truth["effects"]["wellbeing"]["realised"]
    with duckdb.connect(str(demo_store), read_only=True) as con:
        paired = read_paired_outcomes(con, 12)
        n_journeys = con.execute("SELECT count(*) FROM journeys").fetchone()[0]
    assert len(paired) == n_journeys
    got = change_summary(paired, by=ATTENDANCE, measures=["swemwbs"]).set_index("group")
    assert got.index.tolist() == ["still attending", "stopped"]
    still, stopped = got.loc["still attending"], got.loc["stopped"]
    assert still["n_pairs"] == realised["pairs_still_attending"]
    assert stopped["n_pairs"] == realised["pairs_stopped"]
    assert still["mean_change"] == pytest.approx(realised["mean_change_still_attending"], abs=1e-6)
    assert stopped["mean_change"] == pytest.approx(realised["mean_change_stopped"], abs=1e-6)
    every = change_summary(paired, by="imd_quintile")
    assert set(every["measure"]) == set(MEASURES)
    assert set(every["group"]) <= {"1", "2", "3", "4", "5"}


def test_paired_outcomes_lines_up_weeks(demo_store) -> None:
    with duckdb.connect(str(demo_store), read_only=True) as con:
        followups = read_followups(con)
        journeys = con.execute("SELECT * FROM journeys").df()
    paired = paired_outcomes(journeys, followups, 12)
    # journeys pivots SWEMWBS and SIPAM itself: the two must agree
    np.testing.assert_array_equal(paired["swemwbs_baseline"], journeys["swemwbs_0w"].astype(float))
    np.testing.assert_array_equal(paired["sipam_days_followup"],
                                  journeys["sipam_days_12w"].astype(float))  # fmt: skip
    stopped = paired[ATTENDANCE] == "stopped"
    assert (~journeys.loc[stopped, "retained_12w"]).all()
    assert journeys.loc[paired[ATTENDANCE] == "still attending", "retained_12w"].all()
    with pytest.raises(ValueError, match="positive whole number"):
        paired_outcomes(journeys, followups, 0)
    with pytest.raises(ValueError, match="one row per referral_id"):
        paired_outcomes(journeys, pd.concat([followups, followups.iloc[:1]]), 12)


@pytest.mark.parametrize("week", [4, 12, 26])
def test_the_week_table_joined_in_the_store_equals_the_one_placed_in_pandas(
    demo_store, week: int
) -> None:
    with duckdb.connect(str(demo_store), read_only=True) as con:
        placed = followup_table(read_followups(con), week)
        joined = read_followup_table(con, week)
        journeys = con.execute("SELECT referral_id FROM journeys").df()
    pd.testing.assert_frame_equal(joined.sort_index()[placed.columns], placed.sort_index(),
                                  check_exact=True)  # fmt: skip
    pd.testing.assert_frame_equal(attach_followups(journeys, joined, week),
                                  attach_followups(journeys, placed, week), check_exact=True)  # fmt: skip
    with duckdb.connect(str(demo_store), read_only=True) as con:
        pilot = con.execute("SELECT min(pilot_name) FROM stg_pilot_pcns").fetchone()[0]
        of_pilot = read_followup_table(con, week, pilot)
        in_pilot = con.execute(
            "SELECT referral_id FROM journeys WHERE pcn_code IN "
            "(SELECT pcn_code FROM stg_pilot_pcns WHERE pilot_name = ?)",
            [pilot],
        ).df()
        assert read_followup_table(con, week, "no such pilot").empty  # only a pilot's referrals
    assert 0 < len(of_pilot) <= len(joined)
    pd.testing.assert_frame_equal(attach_followups(in_pilot, of_pilot, week),
                                  attach_followups(in_pilot, placed, week), check_exact=True)  # fmt: skip
    with pytest.raises(ValueError, match="positive whole number"):
        read_followup_table(con, 0)


@pytest.mark.parametrize("seed", range(8))
def test_change_summary_equals_scipy_group_by_group(seed: int) -> None:
    """The t interval and the Wilcoxon p of each group equal SciPy's own calls exactly."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 600))
    base = rng.integers(7, 36, n).astype(float)
    follow = np.clip(base + rng.integers(-4, 6, n), 7, 35).astype(float)
    follow[rng.random(n) < 0.2] = np.nan
    groups = rng.choice(["a", "b", "c"], n)
    frame = paired_frame(base, follow, group=groups)
    got = change_summary(frame, "group", measures=["swemwbs"]).set_index("group")
    for group in ("a", "b", "c"):
        keep = (groups == group) & ~np.isnan(follow)
        change = follow[keep] - base[keep]
        m, sd, k = change.mean(), change.std(ddof=1), len(change)
        half = float(t_dist.ppf(0.975, k - 1)) * sd / np.sqrt(k)
        assert got.loc[group, "change_lower"] == m - half
        assert got.loc[group, "change_upper"] == m + half
        assert got.loc[group, "p_wilcoxon"] == float(wilcoxon(change).pvalue)
