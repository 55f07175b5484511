"""The Uptake page through the entrypoint, headless (AppTest), on the demo store.

Every filter combination is given as URL query parameters, as a shared link would; the page's
numbers, tables and chart data must equal what :mod:`analysis.metrics.uptake` returns for the
same :class:`~analysis.filters.Filters`.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.figures.uptake import in_sentence
from analysis.filters import Filters
from analysis.metrics import overview, uptake
from dashboard.filters import ALL_PCNS
from tests.app.conftest import page_opener

PAGE = "views/uptake.py"


@pytest.fixture
def page(demo_store: Path, monkeypatch: pytest.MonkeyPatch):
    """Run the Uptake page with these query parameters; returns the AppTest."""
    return page_opener(PAGE, demo_store, monkeypatch)


def view_of(demo, params: dict) -> Filters:
    """The Filters a link describes, with the sidebar's defaults for what it leaves out."""
    window = overview.data_window(demo)
    flt = Filters.from_query_params(params)
    pilot = params.get("pilot", overview.pilot_names(demo)[0])
    return replace(
        flt,
        pilot=None if pilot == ALL_PCNS else pilot,
        start=flt.start or window.first_referral,
        end=flt.end or window.last_referral,
    )


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


CASES = {
    "default pilot": {},
    "all PCNs, GP and self referrals for MSK or mental health": {
        "pilot": ALL_PCNS,
        "source": ["gp", "self"],
        "condition": ["msk", "mental_health"],
        "start": "2024-06-01",
    },
    "pilot, walking and group exercise, women over 55, most deprived": {
        "activity": ["Walking", "Group Exercise"],
        "age": ["55-64", "65-74", "75+"],
        "sex": "female",
        "imd": ["1", "2"],
    },
}


@pytest.mark.parametrize("params", CASES.values(), ids=CASES.keys())
def test_uptake_page_shows_the_funnel_for_the_view(page, demo, params: dict) -> None:
    at = page(**params)
    assert not at.exception
    flt = view_of(demo, params)
    assert at.session_state["filters"] == flt
    assert at.title[0].value == "Uptake"
    per_pcn = uptake.uptake_funnel(demo, flt, "pcn")
    per_arm = uptake.uptake_funnel(demo, flt, "arm")
    assert per_arm["referrals"].sum() > 0
    assert [(m.label, m.value) for m in at.metric] == [
        (f"Uptake, {a.arm_label}", f"{a.uptake:.1%}") for a in per_arm.itertuples()
    ]
    assert all("95% CI" in m.help for m in at.metric)

    funnel_table, plot_table = at.dataframe[0].value, at.dataframe[1].value
    assert funnel_table["referrals"].tolist() == [*per_pcn["referrals"], *per_arm["referrals"]]
    assert funnel_table["retained_26w"].tolist() == [
        *per_pcn["retained_26w"],
        *per_arm["retained_26w"],
    ]
    assert funnel_table["uptake_lower"].tolist() == pytest.approx(
        [*per_pcn["uptake_lower"], *per_arm["uptake_lower"]], nan_ok=True
    )
    plot = uptake.uptake_funnel_plot(per_pcn)
    assert plot_table["significance"].tolist() == plot.points["significance"].tolist()

    pcn_chart, funnel_plot, _trend, by_group, days = charts(at)
    assert [t["name"] for t in pcn_chart["data"]] == list(uptake.STAGES.values())[1:]
    points = [t for t in funnel_plot["data"] if t.get("mode") == "markers+text"]
    assert sum(len(t["x"]) for t in points) == len(plot.points)
    assert [t["name"] for t in funnel_plot["data"]][4] == f"Pooled uptake {plot.pooled:.1%}"
    first = next(iter(uptake.DIMENSIONS))
    assert at.radio(key="uptake_breakdown").value == first
    groups = uptake.breakdown(demo, flt)
    source = groups[(groups["dimension"] == first) & (groups["arm"] == per_arm["arm"].iloc[0])]
    assert by_group["data"][0]["x"] == pytest.approx((source["uptake"] * 100).round(2).tolist())
    a = per_arm.iloc[0]
    assert days["data"][0]["name"].endswith(
        f"median {a.days_median:.0f} days (IQR {a.days_q1:.0f}–{a.days_q3:.0f})"
    )
    assert len(at.caption) >= 5 + len(per_arm)  # a caption under every chart and headline


def test_every_breakdown_has_its_chart_table_and_downloads(page, demo) -> None:
    at = page()
    flt = view_of(demo, {})
    groups = uptake.breakdown(demo, flt)
    arm = uptake.uptake_funnel(demo, flt, "arm")["arm"].iloc[0]
    choice = at.radio(key="uptake_breakdown")
    assert choice.options == [label for label, _ in uptake.DIMENSIONS.values()]
    for dim, (label, _) in uptake.DIMENSIONS.items():
        at = choice.set_value(dim).run()
        assert not at.exception
        rows = groups[groups["dimension"] == dim]
        chart = charts(at)[3]
        assert chart["layout"]["title"]["text"] == f"Uptake by {in_sentence(label)}"
        mine = rows[rows["arm"] == arm]
        assert chart["data"][0]["x"] == pytest.approx((mine["uptake"] * 100).round(2).tolist())
        shown = at.dataframe[3].value
        assert shown["referrals"].tolist() == rows["referrals"].tolist()
        assert shown["group"].tolist() == rows["group"].tolist()
        keys = {b.proto.id.split("-")[-1] for b in at.get("download_button")}
        assert {f"download_by_{dim}_csv", f"download_by_{dim}_xlsx"} <= keys
        choice = at.radio(key="uptake_breakdown")


def test_monthly_table_and_trend_carry_go_live(page, demo) -> None:
    at = page()
    flt = view_of(demo, {})
    monthly = uptake.uptake_funnel(demo, flt, "month")
    trend = charts(at)[2]
    go_live = pd.Timestamp(monthly["go_live"].iloc[0]).strftime("%Y-%m-%d")
    assert [s["x0"] for s in trend["layout"]["shapes"]] == [go_live]
    assert at.dataframe[2].value["referrals"].tolist() == monthly["referrals"].tolist()


def test_a_filter_matching_nothing_says_so(page, demo) -> None:
    pilot = overview.pilot_names(demo)[0]
    pcn = overview.arm_pcns(demo, Filters(pilot=pilot))["pcn_code"].iloc[0]
    at = page(pcn=[pcn], activity="Cycling", age="16-24", sex="male", imd="5", source="nurse")
    assert not at.exception
    assert uptake.uptake_funnel(demo, at.session_state["filters"], "arm").empty
    assert "No referrals match these filters" in at.info[0].value
    assert len(at.metric) == 0 and len(at.get("plotly_chart")) == 0
