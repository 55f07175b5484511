"""The Outcomes page through the entrypoint, headless (AppTest), on the demo store: its tables
equal :func:`analysis.outcomes.change_summary` on the same referrals, selected here with SQL."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis.filters import Filters
from analysis.metrics.outcomes import ATTRIBUTION
from analysis.metrics.overview import ARM_LABELS, arm_pcns, pilot_names
from analysis.outcomes import (
    ATTENDANCE,
    CHANGE_COLUMNS,
    change_summary,
    paired_outcomes,
    read_followups,
)
from tests.app.conftest import page_opener

PAGE = "views/outcomes.py"
NUMBERS = ["n_pairs", "baseline_mean", "followup_mean", "mean_change", "change_lower",
           "change_upper", "p_ttest", "cohens_d", "improved_share"]  # fmt: skip


@pytest.fixture
def page(demo_store: Path, monkeypatch: pytest.MonkeyPatch):
    """Open the Outcomes page with the given URL query parameters (run, ready to inspect)."""
    return page_opener(PAGE, demo_store, monkeypatch, run_entry_first=True)


def paired(con: duckdb.DuckDBPyConnection, flt: Filters, week: int) -> pd.DataFrame:
    """The pilot / period / PCN filter's referrals with their questionnaires (plain SQL)."""
    arms = arm_pcns(con, flt)
    frame = con.execute(
        "SELECT * FROM journeys WHERE list_contains(?, pcn_code) AND referral_date "
        "BETWEEN coalesce(?, DATE '1900-01-01') AND coalesce(?, DATE '2999-01-01')",
        [arms["pcn_code"].tolist(), flt.start, flt.end],
    ).df()
    labels = arms.set_index("pcn_code")["arm"].astype(str).map(ARM_LABELS)
    frame = frame.assign(arm_label=frame["pcn_code"].map(labels))
    return paired_outcomes(frame, read_followups(con), week)


def same(shown: pd.DataFrame, expected: pd.DataFrame) -> None:
    keys = ["measure", "group"]
    shown, expected = shown.set_index(keys).sort_index(), expected.set_index(keys).sort_index()
    assert shown.index.equals(expected.index)
    pd.testing.assert_frame_equal(
        shown[NUMBERS].astype(float), expected[NUMBERS].astype(float), rtol=1e-9
    )
    assert shown["indicative_only"].tolist() == expected["indicative_only"].tolist()


def test_change_tables_equal_change_summary(page, demo) -> None:
    at = page()
    assert not at.exception
    assert at.title[0].value == "Outcomes"
    flt: Filters = at.session_state["filters"]
    assert flt.pilot == pilot_names(demo)[0]
    data = paired(demo, flt, 12)
    by_attendance, by_arm = at.dataframe[0].value, at.dataframe[1].value
    assert list(by_attendance.columns) == CHANGE_COLUMNS
    same(by_attendance, change_summary(data, ATTENDANCE))
    same(by_arm, change_summary(data, "arm_label"))
    assert by_arm["group"].iloc[0] == "Pilot PCNs"
    swemwbs = by_attendance.set_index(["measure", "group"]).loc[("swemwbs", "still attending")]
    assert swemwbs["mean_change"] > 1  # the planted gain among those still attending
    change = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [t["name"] for t in change["data"]] == ["Still attending", "Stopped"]
    assert change["data"][0]["x"][0] == pytest.approx(swemwbs["mean_change"], abs=1e-4)
    assert any(ATTRIBUTION in c.value for c in at.caption)
    assert not [w for w in at.warning if "Indicative" in w.value]


def test_choosing_week_4(page, demo) -> None:
    at = page()
    at.segmented_control(key="outcomes_week").set_value(4).run()
    assert not at.exception
    data = paired(demo, at.session_state["filters"], 4)
    same(at.dataframe[0].value, change_summary(data, ATTENDANCE))
    assert (at.dataframe[0].value["week"] == 4).all()


def test_small_groups_are_flagged_indicative(page, demo) -> None:
    pilot = pilot_names(demo)[0]
    arms = arm_pcns(demo, Filters(pilot=pilot))
    chosen = [arms.loc[arms["arm"] == a, "pcn_code"].iloc[0] for a in ("pilot", "comparison")]
    at = page(pilot=pilot, pcn=chosen, start="2026-01-01")
    assert not at.exception
    shown = pd.concat([at.dataframe[0].value, at.dataframe[1].value])
    small = shown[shown["n_pairs"] < 30]
    assert not small.empty and small["indicative_only"].all()
    assert "Indicative only" in next(w.value for w in at.warning if "Indicative" in w.value)
    symbols = [
        s for c in at.get("plotly_chart")[:2] for t in json.loads(c.proto.spec)["data"]
        for s in t["marker"]["symbol"]
    ]  # fmt: skip
    assert "circle-open" in symbols
    same(at.dataframe[1].value, change_summary(paired(demo, at.session_state["filters"], 12),
                                               "arm_label"))  # fmt: skip


def test_no_pairs_yet_says_so(page, demo) -> None:
    at = page(start="2026-09-01")
    at.segmented_control(key="outcomes_week").set_value(26).run()
    assert not at.exception
    assert "baseline and a week-26 questionnaire" in at.info[0].value
    assert len(at.get("plotly_chart")) == 0


def test_a_filter_matching_nothing_says_so(page, demo) -> None:
    pilot = pilot_names(demo)[0]
    pcn = arm_pcns(demo, Filters(pilot=pilot))["pcn_code"].iloc[-1]
    day = demo.execute(
        "SELECT d::DATE FROM generate_series(DATE '2025-01-01', DATE '2025-12-31', "
        "INTERVAL 1 DAY) AS t(d) WHERE d NOT IN (SELECT referral_date FROM journeys "
        "WHERE pcn_code = ?) ORDER BY 1 LIMIT 1",
        [pcn],
    ).fetchone()[0]
    at = page(pilot=pilot, pcn=[pcn], start=day.isoformat(), end=day.isoformat())
    assert not at.exception
    assert "No referrals match these filters" in at.info[0].value
    assert len(at.get("plotly_chart")) == 0 and len(at.dataframe) == 0
