"""The evaluation marts on the pilot-scale demo, checked against computations from the raw CSVs:
plain-Python counts, lifelines for Kaplan-Meier, scipy for the paired tests, numpy for the SII."""

from __future__ import annotations

import tomllib
import warnings
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from scipy import stats

from analysis.filters import Filters
from analysis.indicators import proportion_ci, rate_ci
from analysis.metrics.retention import journeys_in_view, retention
from analysis.model.reference_tables import SWEMWBS_RAW_TO_METRIC
from tests.integration.test_demo_pipeline import accepted_rows, bad_rows

WEEKS = (4, 12, 26)
YES, NO = ("yes", "true", "y", "1"), ("no", "false", "n", "0")
TOL = 1e-9


class Raw:
    """The accepted rows of the demo's input files, with each PCN's arm from pilots.toml."""

    def __init__(self, demo_dir: Path) -> None:
        bad = bad_rows(demo_dir)
        practices = accepted_rows(demo_dir, "practices", bad)
        self.practice_pcn = {p["practice_code"]: p["pcn_code"] for p in practices}
        self.registered: Counter[str] = Counter()
        for p in practices:
            self.registered[p["pcn_code"]] += int(p["registered_patients"])
        self.areas = {a["lsoa_code"]: a for a in accepted_rows(demo_dir, "areas", bad)}
        self.referrals = {r["referral_id"]: r for r in accepted_rows(demo_dir, "referrals", bad)}
        self.followups = [
            f
            for f in accepted_rows(demo_dir, "followups", bad)
            if f["referral_id"] in self.referrals
        ]
        pilots = tomllib.loads((demo_dir / "pilots.toml").read_text(encoding="utf-8"))["pilot"]
        assert len(pilots) == 1, "the demo defines one pilot"
        self.arm = dict.fromkeys(self.registered, "none")
        self.arm |= dict.fromkeys(pilots[0].get("comparison_pcn_codes", []), "comparison")
        self.arm |= dict.fromkeys(pilots[0]["pcn_codes"], "pilot")
        dates = [day(r["referral_date"]) for r in self.referrals.values()]
        self.start, self.end = min(dates), max(dates)
        self.as_of = max([self.end, *(day(f["followup_date"]) for f in self.followups)])
        self.years = ((self.end - self.start).days + 1) / 365.25

    def pcn(self, referral: dict[str, str]) -> str:
        return self.practice_pcn[referral["practice_code"]]

    def answers(self) -> dict[tuple[str, int], dict[str, str]]:
        return {(f["referral_id"], int(f["followup_week"])): f for f in self.followups}


def day(text: str) -> date:
    return date.fromisoformat(text)


@pytest.fixture(scope="module")
def raw(demo_dir: Path) -> Raw:
    return Raw(demo_dir)


@pytest.fixture(scope="module")
def con(demo_store: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(demo_store), read_only=True)


def table(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    return con.execute(f"SELECT * FROM {name}").df()


# --------------------------------------------------------------------------------------------
# mart_pcn_summary
# --------------------------------------------------------------------------------------------
def expected_pcn_counts(raw: Raw) -> tuple[Counter[tuple[str, str]], dict[str, list[int]]]:
    answers = raw.answers()
    counts: Counter[tuple[str, str]] = Counter()
    days: dict[str, list[int]] = defaultdict(list)
    for rid, r in raw.referrals.items():
        pcn, started = raw.pcn(r), r["first_attended_date"] != ""
        flags = {
            "referrals": True,
            "contacted": bool(r["contacted_date"] or r["first_attended_date"])
            or r["status"] not in ("referred", "unable_to_contact"),
            "first_attended": started,
        }
        if started:
            days[pcn].append((day(r["first_attended_date"]) - day(r["referral_date"])).days)
        for week in WEEKS:
            answer = answers.get((rid, week), {}).get("still_attending")
            due = started and (raw.as_of - day(r["first_attended_date"])).days >= 7 * week
            flags[f"followed_up_{week}w"] = started and answer is not None
            flags[f"retained_{week}w"] = started and answer is not None and answer.lower() in YES
            flags[f"starters_due_{week}w"] = due
            flags[f"followed_up_due_{week}w"] = due and flags[f"followed_up_{week}w"]
            flags[f"retained_due_{week}w"] = due and flags[f"retained_{week}w"]
        for name, flag in flags.items():
            counts[(pcn, name)] += int(flag)
    return counts, days


def test_pcn_summary_counts_equal_the_raw_files(raw: Raw, con: duckdb.DuckDBPyConnection) -> None:
    counts, days = expected_pcn_counts(raw)
    mart = table(con, "mart_pcn_summary").set_index("pcn_code")
    assert sorted(mart.index) == sorted(raw.registered)
    names = [
        c
        for c in mart.columns
        if c.startswith(
            ("referrals", "contacted", "first_attended", "followed_up", "retained", "starters_due")
        )
    ]
    assert len(names) == 3 + 5 * len(WEEKS)
    for pcn, row in mart.iterrows():
        for name in names:
            assert row[name] == counts[(pcn, name)], (pcn, name)
        assert row["arm"] == raw.arm[pcn]
        assert row["registered_patients"] == raw.registered[pcn]
        assert row["patient_years"] == pytest.approx(raw.registered[pcn] * raw.years, rel=TOL)
        q1, median, q3 = np.percentile(days[pcn], [25, 50, 75])
        assert (
            row["days_to_first_attendance_q1"],
            row["days_to_first_attendance_median"],
            row["days_to_first_attendance_q3"],
        ) == pytest.approx((q1, median, q3), rel=TOL)
    assert mart["referrals"].sum() == len(raw.referrals)
    assert (mart["period_start"].dt.date == raw.start).all()
    assert (mart["as_of"].dt.date == raw.as_of).all()


def test_pcn_summary_intervals_are_the_indicator_functions_on_the_raw_counts(
    raw: Raw, con: duckdb.DuckDBPyConnection
) -> None:
    counts, _ = expected_pcn_counts(raw)
    mart = table(con, "mart_pcn_summary").set_index("pcn_code")
    proportions = {
        "contact_rate": ("contacted", "referrals"),
        "uptake": ("first_attended", "referrals"),
    }
    for w in WEEKS:
        proportions[f"retention_{w}w"] = (f"retained_due_{w}w", f"starters_due_{w}w")
        proportions[f"retention_{w}w_cc"] = (f"retained_due_{w}w", f"followed_up_due_{w}w")
    for pcn, row in mart.iterrows():
        for name, (num, den) in proportions.items():
            got = (row[name], row[f"{name}_lower"], row[f"{name}_upper"])
            if counts[(pcn, den)] == 0:
                assert all(pd.isna(v) for v in got), (pcn, name)
                continue
            expected = proportion_ci(counts[(pcn, num)], counts[(pcn, den)])
            assert got == pytest.approx(expected, rel=TOL), (pcn, name)
        rate = rate_ci(counts[(pcn, "referrals")], raw.registered[pcn] * raw.years, 1000)
        got = (row["referral_rate"], row["referral_rate_lower"], row["referral_rate_upper"])
        assert got == pytest.approx(rate, rel=TOL), pcn


def test_pcn_summary_supply_columns_are_those_of_the_access_mart(
    con: duckdb.DuckDBPyConnection,
) -> None:
    columns = [
        "weekly_occurrences_per_1000",
        "share_within_1km_suitable",
        "referred_share_within_1km_suitable",
    ]
    summary = table(con, "mart_pcn_summary").set_index("pcn_code")[columns].sort_index()
    access = table(con, "mart_pcn_access").set_index("pcn_code")[columns].sort_index()
    pd.testing.assert_frame_equal(summary, access)
    assert summary.notna().all().all()


# --------------------------------------------------------------------------------------------
# mart_retention_km
# --------------------------------------------------------------------------------------------
def retention_times(raw: Raw) -> pd.DataFrame:
    """Starters with a follow-up after week 0 saying whether they still attend: their arm, days
    from first attendance to disengagement (the first "no") or censoring (the last "yes")."""
    by_referral: dict[str, list[dict[str, str]]] = defaultdict(list)
    for f in raw.followups:
        if int(f["followup_week"]) > 0 and f["still_attending"]:
            by_referral[f["referral_id"]].append(f)
    rows = []
    for rid, r in raw.referrals.items():
        found = sorted(by_referral.get(rid, []), key=lambda f: int(f["followup_week"]))
        if not r["first_attended_date"] or not found:
            continue
        stopped = [f for f in found if f["still_attending"].lower() in NO]
        if stopped:
            end = day(stopped[0]["last_attended_date"] or stopped[0]["followup_date"])
        else:
            end = day(found[-1]["followup_date"])
        days = max(0, (end - day(r["first_attended_date"])).days)
        rows.append({"arm": raw.arm[raw.pcn(r)], "days": days, "event": int(bool(stopped))})
    return pd.DataFrame(rows)


def test_km_mart_equals_lifelines_on_times_from_the_raw_files(
    raw: Raw, con: duckdb.DuckDBPyConnection
) -> None:
    times = retention_times(raw)
    mart = table(con, "mart_retention_km")
    arms = [*sorted(times["arm"].unique()), "all"]
    assert sorted(mart["arm"].unique()) == sorted(arms)
    checked = 0
    for arm in arms:
        rows = times if arm == "all" else times[times["arm"] == arm]
        fit = KaplanMeierFitter().fit(rows["days"], rows["event"])
        table_ = fit.event_table
        curve = mart[mart["arm"] == arm].sort_values("time_weeks")
        mart_days = np.rint(curve["time_weeks"].to_numpy() * 7).astype(int)
        assert np.allclose(curve["time_weeks"] * 7, mart_days, atol=1e-9)
        events = table_.index[table_["observed"] > 0].to_numpy().astype(int)
        assert set(events) <= set(mart_days)  # every disengagement time is a row
        assert mart_days[-1] == rows["days"].max()
        assert curve["n_at_risk"].iloc[0] == len(rows)
        bounds = [*mart_days[1:], np.inf]
        for (_, row), t, nxt in zip(curve.iterrows(), mart_days, bounds, strict=True):
            assert row["n_at_risk"] == (rows["days"] >= t).sum()
            assert row["n_events"] == int(table_["observed"].get(float(t), 0))
            censored = rows[(rows["event"] == 0) & (rows["days"] >= t) & (rows["days"] < nxt)]
            assert row["n_censored"] == len(censored)
            s = fit.survival_function_at_times(t).iloc[0]
            assert row["survival"] == pytest.approx(s, abs=TOL)
            if 0 < s < 1:
                ci = fit.confidence_interval_.loc[float(t)]
                assert row["survival_lower"] == pytest.approx(ci.iloc[0], abs=TOL)
                assert row["survival_upper"] == pytest.approx(ci.iloc[1], abs=TOL)
                checked += 1
    assert checked > 100


def test_km_mart_curves_never_rise_and_account_for_everyone(
    con: duckdb.DuckDBPyConnection,
) -> None:
    mart = table(con, "mart_retention_km")
    origins = {}
    for arm, curve in mart.groupby("arm"):
        curve = curve.sort_values("time_weeks")
        assert (np.diff(curve["survival"]) <= 0).all(), arm
        assert (
            (curve["survival_lower"] <= curve["survival"])
            & (curve["survival"] <= curve["survival_upper"])
        ).all(), arm
        assert curve[["survival", "survival_lower", "survival_upper"]].stack().between(0, 1).all()
        left = curve["n_at_risk"] - curve["n_events"] - curve["n_censored"]
        assert (left.iloc[:-1].to_numpy() == curve["n_at_risk"].iloc[1:].to_numpy()).all(), arm
        assert left.iloc[-1] == 0
        origins[arm] = curve["n_at_risk"].iloc[0]
    assert origins["all"] == sum(n for arm, n in origins.items() if arm != "all")


def test_km_mart_is_the_retention_pages_default_curve(con: duckdb.DuckDBPyConnection) -> None:
    pilot = con.execute("SELECT min(pilot_name) FROM stg_pilot_pcns").fetchone()[0]
    mart = table(con, "mart_retention_km")
    labels = {"Pilot PCNs": "pilot", "Comparison PCNs": "comparison", "All PCNs": "all"}
    for flt in (Filters(pilot=pilot), Filters()):
        page = retention(journeys_in_view(con, flt), "arm_label")
        assert not page.left_out
        for label, curve in page.km.groupby("group"):
            ours = mart[mart["arm"] == labels[label]].sort_values("time_weeks")
            theirs = curve.sort_values("time_weeks")
            for a, b in (
                ("time_weeks", "time_weeks"),
                ("n_at_risk", "n_at_risk"),
                ("n_events", "n_events"),
                ("survival", "survival"),
                ("survival_lower", "lower"),
                ("survival_upper", "upper"),
            ):
                np.testing.assert_array_equal(ours[a].to_numpy(), theirs[b].to_numpy(), a)


# --------------------------------------------------------------------------------------------
# mart_outcome_change
# --------------------------------------------------------------------------------------------
def scores(f: dict[str, str]) -> dict[str, float]:
    items = [f[f"swemwbs_{i}"] for i in range(1, 8)]
    out = {"swemwbs": SWEMWBS_RAW_TO_METRIC[sum(map(int, items))] if all(items) else np.nan}
    for name in ("ons4_satisfied", "ons4_worthwhile", "ons4_happy", "ons4_anxious", "sipam_days"):
        out[name] = float(f[name]) if f[name] else np.nan
    return out


def test_outcome_change_equals_scipy_on_pairs_from_the_raw_file(
    raw: Raw, con: duckdb.DuckDBPyConnection
) -> None:
    scored = {key: scores(f) for key, f in raw.answers().items()}
    mart = table(con, "mart_outcome_change").set_index(["measure", "week"])
    assert len(mart) == 6 * len(WEEKS)
    for (measure, week), row in mart.iterrows():
        pairs = [
            (s[measure], scored[(rid, week)][measure])
            for (rid, wk), s in scored.items()
            if wk == 0 and (rid, week) in scored
        ]
        base, follow = np.array([p for p in pairs if not np.isnan(p[0] + p[1])]).T
        change = follow - base
        n = len(change)
        assert row["n_pairs"] == n
        assert row["baseline_mean"] == pytest.approx(base.mean(), rel=TOL)
        assert row["followup_mean"] == pytest.approx(follow.mean(), rel=TOL)
        test = stats.ttest_rel(follow, base)
        assert row["t_statistic"] == pytest.approx(test.statistic, rel=TOL)
        assert row["p_ttest"] == pytest.approx(test.pvalue, rel=1e-6, abs=1e-300)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert row["p_wilcoxon"] == pytest.approx(stats.wilcoxon(change).pvalue, rel=1e-6)
        lower, upper = stats.t.interval(0.95, n - 1, change.mean(), stats.sem(change))
        assert (row["change_lower"], row["change_upper"]) == pytest.approx((lower, upper), rel=TOL)
        assert row["cohens_d"] == pytest.approx(change.mean() / change.std(ddof=1), rel=TOL)
        assert row["indicative_only"] == (n < 30)
        if measure == "swemwbs":
            improved = int((change >= 3).sum())
            assert row["improved"] == improved
            got = (row["improved_share"], row["improved_lower"], row["improved_upper"])
            assert got == pytest.approx(proportion_ci(improved, n), rel=TOL)
        else:
            assert pd.isna(row["improved"])


# --------------------------------------------------------------------------------------------
# mart_equity and mart_equity_sii
# --------------------------------------------------------------------------------------------
def test_equity_mart_equals_counts_from_the_raw_files(
    raw: Raw, con: duckdb.DuckDBPyConnection
) -> None:
    counts: Counter[tuple[str, str, str]] = Counter()
    for r in raw.referrals.values():
        area = raw.areas.get(r["lsoa_code"])
        groups = {
            "imd_quintile": str((int(area["imd_decile"]) + 1) // 2) if area else "unknown",
            "age_band": r["age_band"] or "unknown",
            "sex": r["sex"] or "unknown",
            "ethnicity": r["ethnicity"] or "unknown",
        }
        for dimension, group in groups.items():
            counts[(dimension, group, "referrals")] += 1
            counts[(dimension, group, "first_attended")] += int(r["first_attended_date"] != "")
    population: Counter[str] = Counter()
    for a in raw.areas.values():
        population[str((int(a["imd_decile"]) + 1) // 2)] += int(a["population"])
    mart = table(con, "mart_equity")
    expected = {(d, g) for d, g, _ in counts}
    assert set(zip(mart["dimension"], mart["group_value"], strict=True)) == expected
    for row in mart.itertuples(index=False):
        referrals = counts[(row.dimension, row.group_value, "referrals")]
        started = counts[(row.dimension, row.group_value, "first_attended")]
        assert (row.referrals, row.first_attended) == (referrals, started)
        got = (row.uptake, row.uptake_lower, row.uptake_upper)
        assert got == pytest.approx(proportion_ci(started, referrals), rel=TOL)
        if row.dimension == "imd_quintile" and row.group_value != "unknown":
            years = population[row.group_value] * raw.years
            assert row.population == population[row.group_value]
            got = (row.referral_rate, row.referral_rate_lower, row.referral_rate_upper)
            assert got == pytest.approx(rate_ci(referrals, years, 1000), rel=TOL)
        else:
            assert pd.isna(row.population) and pd.isna(row.referral_rate)


def test_equity_sii_is_the_weighted_least_squares_slope_on_raw_deciles(
    raw: Raw, con: duckdb.DuckDBPyConnection
) -> None:
    refs: Counter[int] = Counter()
    started: Counter[int] = Counter()
    population: Counter[int] = Counter()
    for a in raw.areas.values():
        population[int(a["imd_decile"])] += int(a["population"])
    for r in raw.referrals.values():
        area = raw.areas.get(r["lsoa_code"])
        if area:
            refs[int(area["imd_decile"])] += 1
            started[int(area["imd_decile"])] += int(r["first_attended_date"] != "")
    deciles = np.arange(1, 11)
    measures = {
        "referral_rate": (
            [refs[d] / (population[d] * raw.years) * 1000 for d in deciles],
            [population[d] for d in deciles],
        ),
        "uptake": ([started[d] / refs[d] for d in deciles], [refs[d] for d in deciles]),
    }
    mart = table(con, "mart_equity_sii").set_index("measure")
    assert sorted(mart.index) == sorted(measures)
    for measure, (values, weights) in measures.items():
        share = np.asarray(weights, dtype=float) / sum(weights)
        rank = np.cumsum(share) - share / 2
        slope, intercept = np.polyfit(rank, values, 1, w=np.sqrt(share))
        row = mart.loc[measure]
        assert row["sii"] == pytest.approx(slope, rel=1e-9)
        assert row["most_deprived_fitted"] == pytest.approx(intercept, rel=1e-9)
        assert row["sii_lower"] < row["sii"] < row["sii_upper"]
        assert row["n_quantiles"] == 10
