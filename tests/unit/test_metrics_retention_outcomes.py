"""Retention and outcome metrics: the journeys in view, curves by grouping, the cohort table, the
Cox model's guard rails and the outcome summaries (small frames built here, plus the demo store
for the filtered-journeys query)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from analysis.filters import Filters
from analysis.indicators import proportion_ci
from analysis.metrics import outcomes as om
from analysis.metrics import retention as rm
from analysis.metrics.overview import arm_pcns, pilot_names
from analysis.outcomes import (
    ATTENDANCE,
    MEASURES,
    change_summary,
    followup_table,
    paired_outcomes,
    read_followups,
)
from analysis.survival import kaplan_meier, logrank, numbers_at_risk, survival_at


def journeys(sizes: dict[str, int], by: str = "sex", seed: int = 7) -> pd.DataFrame:
    """Starters in groups of the given sizes, with exponential times to stopping (weeks)."""
    rng = np.random.default_rng(seed)
    parts = []
    for i, (group, n) in enumerate(sizes.items()):
        weeks = rng.exponential(15 + 10 * i, n)
        censor = rng.uniform(2, 30, n)
        parts.append(
            pd.DataFrame(
                {
                    by: group,
                    "retention_days": np.round(np.minimum(weeks, censor) * 7).astype(int),
                    "disengaged": weeks <= censor,
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    frame["first_attended_date"] = pd.Timestamp("2025-01-06")
    frame["referral_id"] = [f"R{i:04d}" for i in range(len(frame))]
    return frame


# ---------------------------------------------------------------- journeys in view (demo store)
@pytest.fixture(scope="module")
def demo(demo_store: Path):
    con = duckdb.connect(str(demo_store), read_only=True)
    yield con
    con.close()


def test_journeys_in_view_are_the_pilot_pcns_referrals_with_their_arm(demo) -> None:
    pilot = pilot_names(demo)[0]
    flt = Filters(pilot=pilot, start=date(2024, 4, 1), end=date(2025, 3, 31))
    got = rm.journeys_in_view(demo, flt)
    arms = arm_pcns(demo, flt).set_index("pcn_code")["arm"].astype(str)
    expected = demo.execute(
        "SELECT referral_id, pcn_code FROM journeys WHERE referral_date BETWEEN ? AND ? "
        "AND list_contains(?, pcn_code) ORDER BY referral_id",
        [flt.start, flt.end, arms.index.tolist()],
    ).df()
    assert sorted(got["referral_id"]) == expected["referral_id"].tolist()
    assert list(got.columns) == ["arm", "arm_label", *rm.JOURNEY_FIELDS]
    assert (got["arm"] == got["pcn_code"].map(arms)).all()
    assert set(got["arm_label"]) == {"Pilot PCNs", "Comparison PCNs"}
    assert got["referral_date"].is_monotonic_increasing


@pytest.mark.parametrize(
    "flt",
    [Filters(pilot="no such pilot"), Filters(start=date(2001, 1, 1), end=date(2001, 2, 1))],
)
def test_journeys_in_view_matching_nothing_is_empty_with_the_columns(demo, flt) -> None:
    got = rm.journeys_in_view(demo, flt)
    assert got.empty and list(got.columns) == ["arm", "arm_label", *rm.JOURNEY_FIELDS]
    result = rm.retention(got)
    assert result.km.empty and result.starters == 0 and result.logrank.empty
    assert rm.cohort_retention(got).empty
    assert rm.cox_model(got)[1].startswith("No starters")
    paired = om.paired_in_view(demo, flt, 12)
    assert paired.empty and om.outcomes(paired, 12).pairs == 0


def narrower_views(demo) -> list[Filters]:
    pilot = pilot_names(demo)[0]
    pcns = arm_pcns(demo, Filters(pilot=pilot))["pcn_code"].tolist()
    return [
        Filters(pilot=pilot),
        Filters(pilot=pilot, start=date(2024, 4, 1), end=date(2025, 3, 31)),
        Filters(pilot=pilot, pcn_codes=(pcns[0],), sexes=("female",)),
        Filters(pilot=pilot, referral_sources=("gp",), imd_quintiles=("1", "unknown")),
        Filters(pilot=pilot, start=date(2001, 1, 1), end=date(2001, 2, 1)),
        Filters(pilot=None, conditions=("mental_health",)),
    ]


def test_journeys_within_a_wider_read_equal_a_fresh_read(demo) -> None:
    for flt in narrower_views(demo):
        wider = rm.journeys_in_view(demo, Filters(pilot=flt.pilot))
        expected = rm.journeys_in_view(demo, flt)
        got = rm.journeys_within(demo, flt, wider)
        pd.testing.assert_frame_equal(got, expected, check_dtype=not expected.empty)
    assert len(got) < len(wider)  # the last view narrows by condition


def period_and_pcn_views(demo) -> list[Filters]:
    pilot = pilot_names(demo)[0]
    pcns = arm_pcns(demo, Filters(pilot=pilot))["pcn_code"].tolist()
    rng = np.random.default_rng(5)
    views = [Filters(pilot=pilot, pcn_codes=("NOT-A-PCN",)), Filters(pilot=None)]
    for _ in range(12):
        start = date(2024, 1, 1) + pd.Timedelta(days=int(rng.integers(-60, 700)))
        end = start + pd.Timedelta(days=int(rng.integers(0, 400)))
        chosen = tuple(rng.choice(pcns, size=int(rng.integers(1, 4)), replace=False))
        views += [
            Filters(pilot=pilot, start=start),
            Filters(pilot=pilot, start=start, end=end, pcn_codes=chosen),
            Filters(pilot=pilot, end=end, pcn_codes=chosen[:1]),
        ]
    return views


def test_period_and_pcn_views_are_selected_as_the_store_selects_them(demo) -> None:
    for flt in period_and_pcn_views(demo):
        wider = rm.journeys_in_view(demo, Filters(pilot=flt.pilot))
        read = rm.journeys_in_view(demo, flt)["referral_id"]
        expected = np.flatnonzero(wider["referral_id"].isin(read).to_numpy())
        np.testing.assert_array_equal(rm.rows_within(demo, flt, wider), expected)
    assert len(expected) < len(wider)  # the last view narrows the pilot's


def mapped_one_by_one(journeys: pd.DataFrame, followups: pd.DataFrame, week: int) -> pd.DataFrame:
    """Each measure looked up for each referral, one column at a time (the plain definition)."""
    out = journeys.copy()
    out["week"] = week
    for when, wk in (("baseline", 0), ("followup", week)):
        rows = followups[followups["followup_week"] == wk].set_index("referral_id")
        for measure in MEASURES:
            column = rows[measure].astype(float)
            out[f"{measure}_{when}"] = out["referral_id"].map(column).astype(float)
    rows = followups[followups["followup_week"] == week].set_index("referral_id")
    status = rows["still_attending"].map({True: "still attending", False: "stopped"})
    out[ATTENDANCE] = out["referral_id"].map(status)
    return out


def test_pairing_with_kept_followups_equals_reading_them(demo) -> None:
    for flt in narrower_views(demo)[:4]:
        for week in om.WEEKS:
            fresh = om.paired_in_view(demo, flt, week)
            kept = om.paired_in_view(
                demo, flt, week, journeys=rm.journeys_in_view(demo, flt),
                followups=followup_table(read_followups(demo), week),
            )  # fmt: skip
            pd.testing.assert_frame_equal(kept, fresh)
            reference = mapped_one_by_one(
                rm.journeys_in_view(demo, flt), read_followups(demo), week
            )
            pd.testing.assert_frame_equal(kept, reference)
            pd.testing.assert_frame_equal(
                paired_outcomes(rm.journeys_in_view(demo, flt), read_followups(demo), week),
                reference,
            )


# ---------------------------------------------------------------- Kaplan–Meier by grouping
def test_retention_leaves_out_small_groups_and_tests_the_rest() -> None:
    frame = journeys({"female": 60, "male": 45, "other": 5})
    result = rm.retention(frame, "sex")
    kept = frame[frame["sex"] != "other"]
    assert result.left_out == {"other": 5} and result.starters == 110
    pd.testing.assert_frame_equal(result.km, kaplan_meier(kept, "sex"))
    pd.testing.assert_frame_equal(result.at_risk, numbers_at_risk(kept, "sex"))
    pd.testing.assert_frame_equal(result.survival, survival_at(kaplan_meier(kept, "sex")))
    pd.testing.assert_frame_equal(result.logrank, logrank(kept, "sex"))


def test_arms_come_pilot_first_and_one_group_has_no_test() -> None:
    frame = journeys({"Comparison PCNs": 40, "Pilot PCNs": 50}, by="arm_label")
    result = rm.retention(frame, "arm_label")
    assert list(dict.fromkeys(result.km["group"])) == ["Pilot PCNs", "Comparison PCNs"]
    assert list(rm.survival_table(result)["group"]) == ["Pilot PCNs", "Comparison PCNs"]
    alone = rm.retention(frame[frame["arm_label"] == "Pilot PCNs"], "arm_label")
    assert alone.logrank.empty
    assert rm.describe_logrank(alone.logrank, "Arm").startswith("No log-rank test")


def test_unknown_grouping_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown grouping"):
        rm.retention(journeys({"a": 30}), "postcode")


def test_survival_and_at_risk_tables_are_the_long_frames_widened() -> None:
    result = rm.retention(journeys({"female": 60, "male": 45}), "sex")
    wide = rm.survival_table(result).set_index("group")
    for row in result.survival.itertuples():
        w = f"s_{row.time_weeks:g}w"
        assert wide.loc[row.group, w] == pytest.approx(row.survival, nan_ok=True)
        assert wide.loc[row.group, f"{w}_lower"] == pytest.approx(row.lower, nan_ok=True)
    assert wide["starters"].to_dict() == {"female": 60, "male": 45}
    risk = rm.at_risk_table(result.at_risk).set_index("group")
    assert list(risk.columns) == ["0 weeks", "4 weeks", "8 weeks", "12 weeks", "16 weeks",
                                  "20 weeks", "26 weeks"]  # fmt: skip
    for row in result.at_risk.itertuples():
        assert risk.loc[row.group, f"{row.time_weeks:g} weeks"] == row.n_at_risk


@pytest.mark.parametrize(
    ("p_value", "start"),
    [(0.0004, "Retention differs"), (0.03, "Retention differs"), (0.2, "No clear difference")],
)
def test_logrank_in_words(p_value: float, start: str) -> None:
    test = pd.DataFrame([{"chisq": 4.2, "df": 1, "p_value": p_value}])
    text = rm.describe_logrank(test, "Sex")
    assert text.startswith(start) and "χ² = 4.20 on 1 df" in text
    assert ("p < 0.001" in text) == (p_value < 0.001)


# ---------------------------------------------------------------- cohorts
def test_cohort_retention_counts_and_wilson_intervals() -> None:
    frame = pd.DataFrame(
        {
            "arm": ["pilot"] * 5 + ["comparison"],
            "arm_label": ["Pilot PCNs"] * 5 + ["Comparison PCNs"],
            "referral_id": list("abcdef"),
            "referral_month": pd.to_datetime(["2025-01-01"] * 4 + ["2025-02-01"] * 2),
            "first_attended": [True, True, True, False, True, True],
            "followed_up_4w": [True, True, False, False, True, False],
            "retained_4w": [True, False, False, False, True, False],
            "followed_up_12w": [True, False, False, False, False, False],
            "retained_12w": [True, False, False, False, False, False],
            "followed_up_26w": [False] * 6,
            "retained_26w": [False] * 6,
        }
    )
    got = rm.cohort_retention(frame)
    assert list(got.columns) == rm.COHORT_COLUMNS
    assert list(got["arm"].unique()) == ["pilot", "comparison"]
    jan4 = got[(got["referral_month"] == "2025-01-01") & (got["week"] == 4)].iloc[0]
    assert (jan4.starters, jan4.followed_up, jan4.retained) == (3, 2, 1)
    assert (jan4.share, jan4.lower, jan4.upper) == pytest.approx(proportion_ci(1, 2))
    assert got.loc[got["week"] == 26, "share"].isna().all()  # nobody followed up yet


# ---------------------------------------------------------------- Cox model guard rails
def cox_frame(n: int, pcns: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = journeys({"female": n // 2, "male": n - n // 2}, seed=seed)
    frame["pcn_code"] = [f"U{i % pcns:05d}" for i in range(len(frame))]
    frame["age_band"] = rng.choice(["45-54", "65-74"], len(frame))
    frame["imd_quintile"] = rng.integers(1, 6, len(frame))
    frame["conditions"] = [["mental_health"] if rng.random() < 0.3 else [] for _ in frame.index]
    frame["distance_to_session_km"] = rng.uniform(0.2, 5, len(frame))
    return frame


def test_cox_model_needs_two_pcns_and_enough_events() -> None:
    one_pcn = rm.cox_model(cox_frame(400, 1))
    assert one_pcn[0].empty and "at least two PCNs" in one_pcn[1]
    few = rm.cox_model(cox_frame(40, 4))
    assert few[0].empty and "Too few disengagements" in few[1]
    rows, reason = rm.cox_model(cox_frame(1500, 6))
    assert reason is None
    assert "distance_to_session_km" in set(rows["term"]) and (rows["clusters"] == 6).all()


# ---------------------------------------------------------------- outcomes
def test_paired_in_view_refuses_other_weeks(demo) -> None:
    with pytest.raises(ValueError, match="week must be one of 4, 12, 26"):
        om.paired_in_view(demo, Filters(), 8)


def test_outcomes_summarise_by_attendance_and_arm(demo) -> None:
    pilot = pilot_names(demo)[0]
    paired = om.paired_in_view(demo, Filters(pilot=pilot), 12)
    result = om.outcomes(paired, 12)
    pd.testing.assert_frame_equal(result.by_attendance, change_summary(paired, ATTENDANCE))
    by_arm = change_summary(paired, "arm_label")
    assert sorted(map(tuple, result.by_arm[["measure", "group"]].to_numpy())) == sorted(
        map(tuple, by_arm[["measure", "group"]].to_numpy())
    )
    assert result.by_arm["group"].iloc[0] == "Pilot PCNs"
    swemwbs = result.improvement.set_index(["by", "group"])
    row = swemwbs.loc[(ATTENDANCE, "still attending")]
    expected = result.by_attendance.set_index(["measure", "group"]).loc[
        ("swemwbs", "still attending")
    ]
    assert row["improved"] == expected["improved"] and row["n_pairs"] == expected["n_pairs"]
    assert len(result.improvement) == 4 and result.bands["item_label"].notna().all()
    both = paired[["swemwbs_baseline", "swemwbs_followup"]].notna().all(axis=1)
    assert result.pairs == int(both.sum()) > 100
    assert om.indicative_groups(result) == []


def test_small_groups_are_listed_as_indicative() -> None:
    summary = pd.DataFrame(
        {
            "group": ["stopped", "stopped", "still attending"],
            "n_pairs": [20, 25, 40],
            "indicative_only": [True, True, False],
        }
    )
    arms = pd.DataFrame({"group": ["Comparison PCNs"], "n_pairs": [12], "indicative_only": [True]})
    result = om.Outcomes(12, summary, arms, pd.DataFrame(), pd.DataFrame(), 60)
    assert om.indicative_groups(result) == [
        "people who had stopped (20 pairs at fewest)",
        "Comparison PCNs (12 pairs at fewest)",
    ]
