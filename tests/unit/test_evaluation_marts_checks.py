"""The data tests of the evaluation marts pass on correct rows and catch deliberately wrong ones.

A small synthetic store (three PCNs: pilot, comparison, none) is built in memory with the
marts' own builders; each case then breaks one invariant in a rolled-back transaction and checks
that :func:`analysis.model.build.run_tests` names it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd
import pytest

from analysis.indicators import proportion_ci, rate_ci
from analysis.model.build import run_tests
from analysis.model.models import BY_NAME
from analysis.model.reference_tables import SWEMWBS_RAW_TO_METRIC
from analysis.model.retention_km import censored_counts

WEEKS = (4, 12, 26)
BUILT = ("pcn_arms", "mart_pcn_summary", "mart_retention_km", "mart_outcome_change")
METRIC = list(SWEMWBS_RAW_TO_METRIC.values())


def synthetic_inputs(seed: int = 7, n: int = 400) -> dict[str, pd.DataFrame]:
    """The tables the PCN summary, retention and outcome builders read, consistent by design."""
    rng = np.random.default_rng(seed)
    pcns = pd.DataFrame(
        {
            "pcn_code": ["A", "B", "C"],
            "pcn_name": ["Ash", "Birch", "Cedar"],
            "registered_patients": [30_000, 20_000, 10_000],
        }
    )
    pilots = pd.DataFrame(
        {
            "pilot_name": ["Trial", "Trial"],
            "pcn_code": ["A", "B"],
            "arm": ["pilot", "comparison"],
            "go_live": [date(2024, 6, 1)] * 2,
        }
    )
    journeys, followups = [], []
    for i in range(n):
        referred = date(2024, 1, 1) + timedelta(days=int(rng.integers(0, 365)))
        contacted = bool(rng.random() < 0.8)
        started = contacted and bool(rng.random() < 0.7)
        first = referred + timedelta(days=int(rng.integers(0, 30))) if started else None
        row = {
            "referral_id": f"R{i}",
            "pcn_code": "ABC"[i % 3],
            "referral_date": referred,
            "contacted": contacted,
            "first_attended": started,
            "first_attended_date": first,
            "days_to_first_attendance": (first - referred).days if first else None,
            "retention_days": None,
            "disengaged": None,
        }
        answers = {}
        if first:
            base = {
                "swemwbs_metric": float(rng.choice(METRIC)),
                "ons4_happy": float(rng.integers(0, 11)),
                "sipam_days": float(rng.integers(0, 8)),
            }
            followups.append(
                {
                    "referral_id": row["referral_id"],
                    "followup_week": 0,
                    "followup_date": first,
                    "still_attending": None,
                    **base,
                }
            )
            for week in WEEKS:
                if rng.random() < 0.8:
                    answers[week] = bool(rng.random() < 0.75)
                    later = {k: v + float(rng.integers(-1, 4)) for k, v in base.items()}
                    followups.append(
                        {
                            "referral_id": row["referral_id"],
                            "followup_week": week,
                            "followup_date": first + timedelta(weeks=week),
                            "still_attending": answers[week],
                            **later,
                        }
                    )
            stopped = [w for w, yes in answers.items() if not yes]
            if answers:
                row["disengaged"] = bool(stopped)
                row["retention_days"] = 7 * (stopped[0] if stopped else max(answers))
        for week in WEEKS:
            row[f"followed_up_{week}w"] = week in answers
            row[f"retained_{week}w"] = answers.get(week, False)
        journeys.append(row)
    follow = pd.DataFrame(followups)
    for column in ("ons4_satisfied", "ons4_worthwhile", "ons4_anxious"):
        follow[column] = np.nan
    access = pcns[["pcn_code"]].assign(
        weekly_occurrences_per_1000=[1.5, 2.0, 0.5],
        share_within_1km_suitable=[0.9, 0.5, 0.2],
        referred_share_within_1km_suitable=[0.8, 0.6, 0.1],
    )
    return {
        "stg_pcns": pcns,
        "stg_pilot_pcns": pilots,
        "journeys": pd.DataFrame(journeys),
        "stg_followups": follow,
        "mart_pcn_access": access,
    }


def equity_rows() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Correct mart_equity and mart_equity_sii rows, built from counts with the indicators."""
    rows = []
    for dimension, group, order, refs, started, population in (
        ("imd_quintile", "1", 1, 120, 60, 40_000),
        ("imd_quintile", "unknown", 2, 5, 3, None),
        ("sex", "female", 1, 80, 50, None),
        ("sex", "male", 2, 45, 13, None),
    ):
        uptake = proportion_ci(started, refs)
        row = {
            "dimension": dimension,
            "group_value": group,
            "group_order": order,
            "referrals": refs,
            "first_attended": started,
            "uptake": uptake[0],
            "uptake_lower": uptake[1],
            "uptake_upper": uptake[2],
            "population": population,
            "person_years": population * 2.0 if population else None,
        }
        rate = rate_ci(refs, population * 2.0, 1000) if population else (None,) * 3
        row |= dict(
            zip(("referral_rate", "referral_rate_lower", "referral_rate_upper"), rate, strict=True)
        )
        rows.append(row)
    sii = pd.DataFrame(
        [
            {
                "measure": "uptake",
                "sii": 0.2,
                "sii_lower": 0.1,
                "sii_upper": 0.3,
                "most_deprived_fitted": 0.5,
                "least_deprived_fitted": 0.7,
                "n_quantiles": 10,
                "ci_method": "simulation",
            }
        ]
    )
    return pd.DataFrame(rows).astype({"population": "Int64"}), sii


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    for name, frame in synthetic_inputs().items():
        con.register("incoming", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM incoming")
        con.unregister("incoming")
    for name in BUILT:
        model = BY_NAME[name]
        if model.builder is not None:
            model.builder(con)
        else:
            con.execute(f"CREATE TABLE {name} AS {model.sql()}")
    equity, sii = equity_rows()
    for name, frame in (("mart_equity", equity), ("mart_equity_sii", sii)):
        con.register("incoming", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM incoming")
        con.unregister("incoming")
    yield con
    con.close()


@pytest.mark.parametrize("name", [*BUILT, "mart_equity", "mart_equity_sii"])
def test_correct_rows_pass(con: duckdb.DuckDBPyConnection, name: str) -> None:
    assert con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] > 0
    assert run_tests(con, BY_NAME[name]) == []


def test_the_synthetic_store_has_every_arm(con: duckdb.DuckDBPyConnection) -> None:
    arms = {r[0] for r in con.execute("SELECT DISTINCT arm FROM mart_retention_km").fetchall()}
    assert arms == {"pilot", "comparison", "none", "all"}
    summary = con.execute("SELECT pcn_code, arm FROM mart_pcn_summary ORDER BY 1").fetchall()
    assert summary == [("A", "pilot"), ("B", "comparison"), ("C", "none")]


LAST_ROW = "(SELECT max(time_weeks) FROM mart_retention_km WHERE arm = 'pilot')"
RISE_AT_THE_END = (
    "SET survival = 0.999, survival_lower = 0.99, survival_upper = 1 "
    f"WHERE arm = 'pilot' AND time_weeks = {LAST_ROW}"
)
BREAKS = [
    ("mart_pcn_summary", "SET retained_12w = followed_up_12w + 1", "followed_up_12w >= retained_12w"),
    ("mart_pcn_summary", "SET followed_up_12w = first_attended + 1", "first_attended >= followed_up_12w"),
    ("mart_pcn_summary", "SET contacted = referrals + 1", "referrals >= contacted"),
    ("mart_pcn_summary", "SET retained_due_4w = retained_4w + 1", "retained_due_4w <= retained_4w"),
    ("mart_pcn_summary", "SET uptake_lower = uptake + 0.01", "uptake_lower <= uptake"),
    ("mart_pcn_summary", "SET referral_rate = referral_rate * 1.01", "referral_rate * patient_years"),
    ("mart_pcn_summary", "SET retention_12w = NULL", "(starters_due_12w = 0) = (retention_12w IS NULL)"),
    ("mart_pcn_summary", "SET arm = 'treatment'", "mart_pcn_summary.arm"),
    ("mart_pcn_summary", "SET pilot_name = NULL WHERE arm = 'pilot'", "pilot_name IS NULL"),
    ("mart_pcn_summary", "SET pcn_code = 'Z' WHERE arm = 'none'", "not in pcn_arms.pcn_code"),
    ("mart_retention_km", RISE_AT_THE_END, "min(k.survival)"),
    ("mart_retention_km", "SET n_censored = n_censored + 1 WHERE time_weeks = 0",
     "n_at_risk - n_events - n_censored"),
    ("mart_retention_km", "SET survival_lower = survival + 0.001 WHERE survival < 0.99",
     "survival_lower <= survival"),
    ("mart_retention_km", "SET time_weeks = 0", "duplicated key"),
    ("mart_outcome_change", "SET mean_change = mean_change + 0.5", "followup_mean - baseline_mean"),
    ("mart_outcome_change", "SET indicative_only = NOT indicative_only", "indicative_only ="),
    ("mart_outcome_change", "SET p_ttest = 1.5", "p_ttest BETWEEN 0 AND 1"),
    ("mart_outcome_change", "SET improved = n_pairs + 1 WHERE measure = 'swemwbs'",
     "improved BETWEEN 0 AND n_pairs"),
    ("mart_outcome_change", "SET cohens_d = cohens_d * 2", "cohens_d * sd_change"),
    ("mart_equity", "SET first_attended = referrals + 1", "first_attended <= referrals"),
    ("mart_equity", "SET referral_rate_upper = referral_rate / 2", "referral_rate <= referral_rate_upper"),
    ("mart_equity", "SET population = 100 WHERE dimension = 'sex'", "dimension = 'imd_quintile'"),
    ("mart_equity", "SET dimension = 'income'", "mart_equity.dimension"),
    ("mart_equity_sii", "SET least_deprived_fitted = least_deprived_fitted + 1",
     "least_deprived_fitted - most_deprived_fitted"),
    ("mart_equity_sii", "SET sii_lower = sii_upper + 1", "sii_lower <= sii_upper"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "change", "named"), BREAKS, ids=lambda v: str(v)[:40])
def test_a_broken_invariant_fails_its_data_test(
    con: duckdb.DuckDBPyConnection, name: str, change: str, named: str
) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"UPDATE {name} {change}")
        failures = run_tests(con, BY_NAME[name])
    finally:
        con.execute("ROLLBACK")
    assert any(named in f for f in failures), failures
    assert run_tests(con, BY_NAME[name]) == []


def test_censored_counts_account_for_everyone_between_curve_times() -> None:
    weeks = np.array([0.0, 0.0, 1.0, 2.0, 2.0, 3.5, 4.0, 6.0])
    event = np.array([1, 0, 1, 0, 1, 0, 1, 0])
    times = np.array([0.0, 1.0, 2.0, 4.0, 6.0])
    # censored at 0 → [0, 1); 2.0 and 3.5 → [2, 4); 6.0 → the last time, at or after it
    assert censored_counts(times, weeks, event).tolist() == [1, 0, 2, 0, 1]


def test_outcome_change_with_too_few_pairs_for_an_interval_passes() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE journeys AS SELECT 'R1' AS referral_id UNION ALL SELECT 'R2'")
    con.execute(
        "CREATE TABLE stg_followups AS SELECT * FROM (VALUES "
        "('R1', 0, NULL, 20.0, 5, 5, 5, 5, 2), ('R1', 4, true, 24.0, 6, 6, 6, 4, 3), "
        "('R2', 0, NULL, NULL, 5, NULL, NULL, NULL, NULL)) AS t(referral_id, followup_week, "
        "still_attending, swemwbs_metric, ons4_satisfied, ons4_worthwhile, ons4_happy, "
        "ons4_anxious, sipam_days)"
    )
    BY_NAME["mart_outcome_change"].builder(con)
    rows = con.execute("SELECT measure, n_pairs, change_lower FROM mart_outcome_change").fetchall()
    assert len(rows) == 6 and all(n == 1 and lower is None for _, n, lower in rows)
    assert run_tests(con, BY_NAME["mart_outcome_change"]) == []
