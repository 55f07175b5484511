"""Figures and plain-English text for the Uptake, Pilot impact and Equity pages.

Each figure is checked through its JSON: one trace per series, the values of the frame it was
given (as percentages where shown so), its interval, and a clear empty state.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis import equity
from analysis.figures import equity as efig
from analysis.figures import impact as ifig
from analysis.figures import uptake as ufig
from analysis.figures.house import white_template
from analysis.figures.overview import NO_DATA
from analysis.filters import Filters
from analysis.impact import pilot_impact
from analysis.metrics import overview, uptake
from analysis.store import open_store


@pytest.fixture(scope="module")
def demo(demo_store: Path):
    con = open_store(demo_store, read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def pilot(demo) -> str:
    return overview.pilot_names(demo)[0]


def spec(fig) -> dict:
    return json.loads(fig.to_json())


def is_empty(fig) -> bool:
    return any(a.get("text") == NO_DATA for a in spec(fig)["layout"].get("annotations", []))


def test_pcn_funnel_figure_has_a_trace_per_stage_with_cis(demo, pilot) -> None:
    stages = uptake.funnel_stages(uptake.uptake_funnel(demo, Filters(pilot=pilot), "pcn"))
    data = spec(ufig.pcn_funnel_figure(stages))["data"]
    assert [t["name"] for t in data] == list(uptake.STAGES.values())[1:]
    first = stages[stages["stage"] == "first_attended"]
    trace = data[1]
    assert trace["x"] == pytest.approx((first["share"] * 100).round(2).tolist())
    assert trace["y"][0] == f"{first['pcn_name'].iloc[0]} (pilot)"
    upper = (first["share_upper"] - first["share"]) * 100
    assert trace["error_x"]["array"] == pytest.approx(upper.round(2).tolist())
    assert is_empty(ufig.pcn_funnel_figure(stages.iloc[0:0]))


def test_funnel_plot_figure_labels_only_pcns_outside_the_limits() -> None:
    n = np.array([200, 210, 190, 200, 220, 205, 195, 200, 215, 185, 200, 210])
    x = np.round(n * 0.66).astype(int)
    x[3] = 75  # a PCN far below the pooled uptake
    per_pcn = pd.DataFrame({
        "arm": "all", "arm_label": "All PCNs", "pcn_code": [f"U{i}" for i in range(12)],
        "pcn_name": [f"PCN {i}" for i in range(12)], "referrals": n, "first_attended": x,
        "uptake": x / n, "uptake_lower": x / n - 0.02, "uptake_upper": x / n + 0.02,
    })  # fmt: skip
    plot = uptake.uptake_funnel_plot(per_pcn)
    fig = spec(ufig.uptake_funnel_plot_figure(plot))
    names = [t["name"] for t in fig["data"]]
    assert names[:4] == ["95% limits", "95% limits", "99.8% limits", "99.8% limits"]
    assert names[4] == f"Pooled uptake {plot.pooled:.1%}"
    points = fig["data"][-1]
    assert points["text"] == ["", "", "", "PCN 3"] + [""] * 8
    assert points["y"] == pytest.approx((x / n * 100).round(2).tolist())
    lower95 = fig["data"][0]["y"]
    assert lower95 == pytest.approx((plot.limits["lower_2s_limit"] * 100).round(2).tolist())
    assert is_empty(ufig.uptake_funnel_plot_figure(None))


def test_breakdown_figure_shows_plain_labels_per_arm(demo, pilot) -> None:
    groups = uptake.breakdown(demo, Filters(pilot=pilot), ("referral_source",))
    data = spec(ufig.breakdown_figure(groups, "referral_source"))["data"]
    assert [t["name"] for t in data] == ["Pilot PCNs", "Comparison PCNs"]
    assert "GP" in data[0]["y"] and "Link worker" in data[0]["y"]
    rows = groups[groups["arm"] == "pilot"]
    assert data[0]["x"] == pytest.approx((rows["uptake"] * 100).round(2).tolist())
    assert is_empty(ufig.breakdown_figure(groups, "sex"))
    assert ufig.display_label("mental_health") == "Mental health"
    assert ufig.in_sentence("IMD quintile") == "IMD quintile"


def test_days_and_trend_figures(demo, pilot) -> None:
    flt = Filters(pilot=pilot)
    per_arm = uptake.uptake_funnel(demo, flt, "arm")
    days = uptake.days_to_first_attendance(demo, flt)
    bars = spec(ufig.days_to_start_figure(days, per_arm))["data"]
    p = per_arm.iloc[0]
    assert bars[0]["name"] == (
        f"Pilot PCNs: median {p.days_median:.0f} days (IQR {p.days_q1:.0f}–{p.days_q3:.0f})"
    )
    assert sum(bars[0]["customdata"]) == p.first_attended
    trend = spec(ufig.uptake_trend_figure(uptake.uptake_funnel(demo, flt, "month")))
    assert [t["name"] for t in trend["data"] if t.get("showlegend") is not False] == [
        "Pilot PCNs",
        "Comparison PCNs",
    ]
    go_live = pd.Timestamp(per_arm["go_live"].iloc[0]).strftime("%Y-%m-%d")
    assert [s["x0"] for s in trend["layout"]["shapes"]] == [go_live]
    assert is_empty(ufig.days_to_start_figure(days.iloc[0:0], per_arm))


def test_impact_figure_shows_observed_counterfactual_and_comparison(demo, pilot) -> None:
    est = pilot_impact(demo, pilot)
    fig = spec(ifig.impact_figure(est))
    names = [t["name"] for t in fig["data"]]
    assert names == [
        "Counterfactual 95% CI",
        "Without the pilot (counterfactual)",
        "Model fit",
        "Pilot PCNs (observed)",
        "Comparison PCNs (observed)",
    ]
    cf = est.counterfactual
    observed = fig["data"][3]
    assert observed["y"] == pytest.approx(cf["pilot_rate"].round(4).tolist())
    assert len(fig["data"][1]["x"]) == int(cf["post"].sum())  # after go-live only
    assert [s["x0"] for s in fig["layout"]["shapes"]] == [f"{est.go_live:%Y-%m-%d}"]
    its = pilot_impact(demo, pilot, design="its")
    assert "Comparison PCNs (observed)" not in [
        t["name"] for t in spec(ifig.impact_figure(its))["data"]
    ]


def test_impact_text_says_what_the_interval_means(demo, pilot) -> None:
    est = pilot_impact(demo, pilot)
    up = replace(est, rate_ratio=1.3, lower=1.1, upper=1.52)
    assert ifig.summary_sentence(up).startswith(
        f"After go-live, referral rates in the {est.n_pilot_pcns} pilot PCNs were 30% higher"
    )
    assert "(95% CI from 10% higher to 52% higher); the interval excludes no change." in (
        ifig.summary_sentence(up)
    )
    flat = replace(est, rate_ratio=0.95, lower=0.8, upper=1.12)
    assert "5% lower" in ifig.summary_sentence(flat) and "consistent with no effect" in (
        ifig.summary_sentence(flat)
    )
    assert ifig.headline(up) == ("Rate ratio (DiD)", "1.30", "95% CI 1.10 to 1.52")
    notes = ifig.model_notes(est)
    assert notes[0].startswith("Difference-in-differences") and str(est.n_months) in notes[0]
    its = pilot_impact(demo, pilot, design="its")
    assert ifig.model_notes(its)[0].startswith("Interrupted time series")
    assert ifig.headline(its)[0] == "Step at go-live (rate ratio)"
    rows = ifig.estimate_rows(its)
    assert set(rows["term_label"]) == {ifig.TERMS["level_change"], ifig.TERMS["slope_change"]}


def test_equity_figures(demo, pilot) -> None:
    flt = Filters(pilot=pilot)
    rates = equity.referral_rates_by_imd(demo, flt)
    data = spec(efig.rate_by_imd_figure(rates))["data"]
    assert [t["name"] for t in data] == ["Pilot PCNs", "Comparison PCNs"]
    assert data[0]["x"][0] == "1 most deprived" and data[0]["x"][-1] == "5 least deprived"
    assert data[0]["y"] == pytest.approx(
        rates.loc[rates["arm"] == "pilot", "rate"].round(4).tolist()
    )
    up = equity.uptake_by(demo, flt, ("imd_quintile", "sex"))
    sex = spec(efig.uptake_by_figure(up, "sex"))["data"][0]
    assert sex["x"] == ["Female", "Male", "Other", "Unknown"]
    sii = pd.concat([equity.imd_sii(demo, flt, measure=m) for m in ("referral_rate", "uptake")])
    fig = spec(efig.sii_figure(sii))
    assert len(fig["data"]) == 4 and fig["data"][2]["xaxis"] == "x2"
    shown = efig.sii_rows(sii)
    uptake_row = shown[(shown["measure"] == "uptake") & (shown["arm"] == "pilot")].iloc[0]
    raw = sii[(sii["measure"] == "uptake") & (sii["arm"] == "pilot")].iloc[0]
    assert uptake_row["sii"] == pytest.approx(raw["sii"] * 100)
    assert fig["data"][2]["x"] == pytest.approx([round(raw["sii"] * 100, 4)])
    assert is_empty(efig.sii_figure(sii.iloc[0:0])) and is_empty(
        efig.rate_by_imd_figure(rates.iloc[0:0])
    )


def test_uptake_figures_are_the_same_with_and_without_plotly_validation(
    demo, pilot, monkeypatch
) -> None:
    flt = Filters(pilot=pilot)
    per_pcn = uptake.uptake_funnel(demo, flt, "pcn")
    per_arm = uptake.uptake_funnel(demo, flt, "arm")
    groups = uptake.breakdown(demo, flt)

    def draw() -> list[str]:
        figures = [
            ufig.pcn_funnel_figure(uptake.funnel_stages(per_pcn)),
            ufig.uptake_funnel_plot_figure(uptake.uptake_funnel_plot(per_pcn)),
            ufig.uptake_trend_figure(uptake.uptake_funnel(demo, flt, "month")),
            ufig.days_to_start_figure(uptake.days_to_first_attendance(demo, flt), per_arm),
            *(ufig.breakdown_figure(groups, d) for d in uptake.DIMENSIONS),
        ]
        return [json.dumps(spec(fig), sort_keys=True) for fig in figures]

    unchecked = draw()
    monkeypatch.setattr(ufig, "CHECK_FIGURES", True)
    assert draw() == unchecked


def test_uptake_figures_send_the_same_json_with_the_template_set_first(demo, pilot) -> None:
    """The template given with the layout: the same JSON, byte for byte, as setting it after."""
    flt = Filters(pilot=pilot)
    per_pcn = uptake.uptake_funnel(demo, flt, "pcn")
    data = {
        "pcn": (ufig.pcn_funnel_figure, uptake.funnel_stages(per_pcn)),
        "trend": (ufig.uptake_trend_figure, uptake.uptake_funnel(demo, flt, "month")),
    }
    for name, (draw, frame) in data.items():
        fig = draw(frame)
        spec_ = fig.to_plotly_json()
        layout_ = {**spec_["layout"], "template": None}  # set afterwards, as it used to be
        before = white_template(
            go.Figure({"data": spec_["data"], "layout": layout_}, _validate=False)
        )
        assert fig.to_json() == before.to_json(), name
        assert list(fig.to_dict()["layout"])[-1] == "template"


def test_equity_figures_are_the_same_with_and_without_plotly_validation(
    demo, pilot, monkeypatch
) -> None:
    flt = Filters(pilot=pilot)
    rates = equity.referral_rates_by_imd(demo, flt)
    up = equity.uptake_by(demo, flt, ("imd_quintile", "age_band", "sex", "ethnicity"))
    sii = pd.concat([equity.imd_sii(demo, flt, measure=m) for m in ("referral_rate", "uptake")])

    def draw() -> list[str]:
        figures = [efig.rate_by_imd_figure(rates), efig.sii_figure(sii),
                   *(efig.uptake_by_figure(up, d) for d in ("imd_quintile", "age_band", "sex",
                                                              "ethnicity"))]  # fmt: skip
        return [json.dumps(spec(fig), sort_keys=True) for fig in figures]

    unchecked = draw()
    monkeypatch.setattr(efig, "CHECK_FIGURES", True)
    assert draw() == unchecked
