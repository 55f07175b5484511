"""The Retention page through the entrypoint, headless (AppTest), on the demo store: what it shows
equals the survival functions run on the same referrals, selected here with plain SQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.cox import cox_hazard_ratios
from analysis.figures.retention import term_labels
from analysis.filters import Filters
from analysis.metrics.overview import ARM_LABELS, arm_pcns, pilot_names
from analysis.survival import kaplan_meier, logrank, numbers_at_risk, survival_at
from dashboard.filters import ALL_PCNS
from tests.app.conftest import page_opener

PAGE = "views/retention.py"


@pytest.fixture
def page(demo_store: Path, monkeypatch: pytest.MonkeyPatch):
    """Open the Retention page with the given URL query parameters (run, ready to inspect)."""
    return page_opener(PAGE, demo_store, monkeypatch, run_entry_first=True)


def referrals(con: duckdb.DuckDBPyConnection, flt: Filters) -> pd.DataFrame:
    """The referrals a pilot / period / PCN filter selects, with their arm label (plain SQL)."""
    arms = arm_pcns(con, flt)
    frame = con.execute(
        "SELECT * FROM journeys WHERE list_contains(?, pcn_code) AND referral_date "
        "BETWEEN coalesce(?, DATE '1900-01-01') AND coalesce(?, DATE '2999-01-01')",
        [arms["pcn_code"].tolist(), flt.start, flt.end],
    ).df()
    labels = arms.set_index("pcn_code")["arm"].astype(str).map(ARM_LABELS)
    return frame.assign(arm_label=frame["pcn_code"].map(labels))


def shown(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page with ``column`` (e.g. "s_12w": the survival table)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def chart(at: AppTest, key: str) -> dict:
    charts = {c.proto.id.split("-")[-1]: c for c in at.get("plotly_chart")}
    found = [c for c in at.get("plotly_chart") if key in c.proto.id]
    assert found, f"no chart {key!r} among {list(charts)}"
    return json.loads(found[0].proto.spec)


def test_curves_tables_and_cox_equal_the_survival_functions(page, demo) -> None:
    at = page()
    assert not at.exception
    assert at.title[0].value == "Retention"
    flt: Filters = at.session_state["filters"]
    assert flt.pilot == pilot_names(demo)[0]
    journeys = referrals(demo, flt)

    expected = survival_at(kaplan_meier(journeys, "arm_label")).set_index(["group", "time_weeks"])
    at_risk_table, survival_table = shown(at, "0 weeks"), shown(at, "s_12w")
    assert survival_table["group"].tolist() == ["Pilot PCNs", "Comparison PCNs"]
    for row in survival_table.itertuples():
        s12 = expected.loc[(row.group, 12.0)]
        assert row.s_12w == pytest.approx(s12["survival"], abs=1e-12)
        assert (row.s_12w_lower, row.s_12w_upper) == pytest.approx((s12["lower"], s12["upper"]))
        assert row.s_4w == pytest.approx(expected.loc[(row.group, 4.0), "survival"])

    risk = numbers_at_risk(journeys, "arm_label")
    wide = risk.pivot(index="group", columns="time_weeks", values="n_at_risk")
    risk_shown = at_risk_table.set_index("group")
    for (group, weeks), n in wide.stack().items():
        assert risk_shown.loc[group, f"{weeks:g} weeks"] == n

    km = chart(at, "km")
    curves = [t for t in km["data"] if t.get("line", {}).get("shape") == "hv"]
    assert [t["name"] for t in curves] == ["Pilot PCNs", "Comparison PCNs"]
    assert any(t.get("fill") == "toself" for t in km["data"])  # the CI bands

    p = logrank(journeys, "arm_label")["p_value"].iloc[0]
    assert any(f"p = {p:.3f}" in m.value for m in at.markdown)

    assert not [c for c in at.get("plotly_chart") if "cox" in c.proto.id]  # fitted on demand
    assert any("switch on the model" in c.value for c in at.caption)
    at.toggle(key="retention_cox").set_value(True).run()
    assert not at.exception
    cox = cox_hazard_ratios(journeys)
    forest = chart(at, "cox")
    assert forest["layout"]["xaxis"]["type"] == "log"
    assert forest["data"][0]["y"] == term_labels(cox)
    assert forest["data"][0]["x"] == pytest.approx(cox["hazard_ratio"].tolist(), abs=1e-4)
    assert any("clustered by PCN" in c.value for c in at.caption)
    assert len(at.caption) >= 3  # a caption under every chart


def test_grouping_by_sex_redraws_the_curves(page, demo) -> None:
    at = page()
    at.segmented_control(key="retention_by").set_value("sex").run()
    assert not at.exception
    journeys = referrals(demo, at.session_state["filters"])
    drawn = journeys[journeys["sex"].isin(["female", "male"])]  # the others have < 20 starters
    expected = survival_at(kaplan_meier(drawn, "sex")).set_index(["group", "time_weeks"])
    table = shown(at, "s_12w").set_index("group")
    assert table.index.tolist() == ["female", "male"]
    for group in ("female", "male"):
        assert table.loc[group, "s_12w"] == pytest.approx(expected.loc[(group, 12.0), "survival"])
    assert any("Not drawn, fewer than 20 starters" in c.value for c in at.caption)


def test_chosen_pcns_and_period(page, demo) -> None:
    pilot = pilot_names(demo)[0]
    arms = arm_pcns(demo, Filters(pilot=pilot))
    chosen = [arms.loc[arms["arm"] == a, "pcn_code"].iloc[0] for a in ("pilot", "comparison")]
    at = page(pilot=pilot, pcn=chosen, start="2024-06-01", end="2026-03-31")
    assert not at.exception
    flt = at.session_state["filters"]
    assert flt.pcn_codes == tuple(sorted(chosen)) and flt.start == date(2024, 6, 1)
    journeys = referrals(demo, flt)
    expected = survival_at(kaplan_meier(journeys, "arm_label")).set_index(["group", "time_weeks"])
    for row in shown(at, "s_12w").itertuples():
        assert row.s_12w == pytest.approx(expected.loc[(row.group, 12.0), "survival"])


def test_all_pcns_as_one_group(page, demo) -> None:
    at = page(pilot=ALL_PCNS)
    assert not at.exception
    assert shown(at, "s_12w")["group"].tolist() == ["All PCNs"]
    assert any(m.value.startswith("No log-rank test") for m in at.markdown)


def test_one_pcn_has_curves_but_no_clustered_model(page, demo) -> None:
    pilot = pilot_names(demo)[0]
    pcn = arm_pcns(demo, Filters(pilot=pilot))["pcn_code"].iloc[0]
    at = page(pilot=pilot, pcn=[pcn])
    assert not at.exception
    at.toggle(key="retention_cox").set_value(True).run()
    assert "at least two PCNs" in at.info[0].value
    assert len(at.get("plotly_chart")) == 2  # curves and cohorts, no forest plot


def test_a_filter_matching_nothing_says_so(page, demo) -> None:
    pilot = pilot_names(demo)[0]
    pcn = arm_pcns(demo, Filters(pilot=pilot))["pcn_code"].iloc[0]
    day = demo.execute(
        "SELECT d::DATE FROM generate_series(DATE '2024-01-01', DATE '2024-12-31', "
        "INTERVAL 1 DAY) AS t(d) WHERE d NOT IN (SELECT referral_date FROM journeys "
        "WHERE pcn_code = ?) ORDER BY 1 LIMIT 1",
        [pcn],
    ).fetchone()[0]
    at = page(pilot=pilot, pcn=[pcn], start=day.isoformat(), end=day.isoformat())
    assert not at.exception
    assert "No referrals match these filters" in at.info[0].value
    assert len(at.get("plotly_chart")) == 0 and len(at.dataframe) == 0
