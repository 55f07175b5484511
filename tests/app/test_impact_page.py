"""The Pilot impact page through the entrypoint, headless (AppTest), on the demo store.

The page must show what :func:`analysis.impact.pilot_impact` estimates for the chosen pilot
(rate ratio with its CI, the counterfactual series, the comparison PCNs, the model notes),
say plainly when no pilot is chosen, and say which sidebar filters it does not apply.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.figures import impact as figures
from analysis.filters import Filters
from analysis.impact import pilot_impact
from analysis.metrics import overview
from dashboard.filters import ALL_PCNS
from tests.app.conftest import page_opener

PAGE = "views/impact.py"


@pytest.fixture(scope="module")
def estimate(demo):
    return pilot_impact(demo, overview.pilot_names(demo)[0])


@pytest.fixture
def page(demo_store: Path, monkeypatch: pytest.MonkeyPatch):
    """Open the page with these query parameters; returns the AppTest."""
    return page_opener(PAGE, demo_store, monkeypatch)


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_impact_page_shows_the_estimate_and_the_counterfactual(page, demo, estimate) -> None:
    at = page()
    assert not at.exception
    assert at.title[0].value == "Pilot impact"
    est = estimate
    assert [(m.label, m.value) for m in at.metric] == [
        ("Rate ratio (DiD)", f"{est.rate_ratio:.2f}"),
        ("Change in referral rate", f"{est.rate_ratio - 1:+.0%}"),
        ("Go-live", f"{est.go_live:%-d %b %Y}"),
    ]
    assert at.metric[0].help == f"95% CI {est.lower:.2f} to {est.upper:.2f}"
    text = markdown(at)
    assert figures.summary_sentence(est) in text
    for note in figures.model_notes(est):
        assert note in text
    assert not at.info  # nothing narrowed: no "filters do not apply" note

    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    by_name = {t["name"]: t for t in chart["data"]}
    assert by_name["Pilot PCNs (observed)"]["y"] == pytest.approx(
        est.counterfactual["pilot_rate"].round(4).tolist()
    )
    post = est.counterfactual[est.counterfactual["post"]]
    assert by_name["Without the pilot (counterfactual)"]["y"] == pytest.approx(
        post["counterfactual_rate"].round(4).tolist()
    )
    assert "Comparison PCNs (observed)" in by_name
    assert [s["x0"] for s in chart["layout"]["shapes"]] == [f"{est.go_live:%Y-%m-%d}"]

    series, comparison, estimates = (d.value for d in at.dataframe)
    assert series["pilot_referrals"].tolist() == est.counterfactual["pilot_referrals"].tolist()
    arms = overview.arm_pcns(demo, Filters(pilot=est.pilot_name))
    assert comparison["pcn_code"].tolist() == arms["pcn_code"].tolist()
    assert (comparison["arm"].astype(str) == "comparison").sum() == est.n_comparison_pcns
    assert estimates["rate_ratio"].tolist() == pytest.approx(est.estimates["rate_ratio"].tolist())
    assert len(at.caption) >= 3


def test_without_a_pilot_the_page_asks_for_one(page) -> None:
    at = page(pilot=ALL_PCNS)
    assert not at.exception
    assert "Choose a pilot" in at.info[0].value
    assert len(at.metric) == 0 and len(at.get("plotly_chart")) == 0


def test_other_filters_are_named_and_do_not_change_the_estimate(page, demo, estimate) -> None:
    at = page(source=["gp"], sex="female", start="2025-01-01")
    assert not at.exception
    note = at.info[0].value
    assert "the referral source, sex and period filters do not apply" in note
    assert at.metric[0].value == f"{estimate.rate_ratio:.2f}"


def test_a_filter_matching_nothing_still_explains_itself(page, demo, estimate) -> None:
    pcn = overview.arm_pcns(demo, Filters(pilot=estimate.pilot_name))["pcn_code"].iloc[0]
    at = page(pcn=[pcn], activity="Cycling", age="16-24", imd="5", source="nurse")
    assert not at.exception
    assert (
        "the PCNs, referral source, activity group, age band and IMD quintile filters do not"
        in at.info[0].value
    )
    assert at.metric[0].value == f"{estimate.rate_ratio:.2f}"
