"""Overview figures: the figure JSON (traces, names, colours, CIs, the go-live line) built from
small hand-written frames shaped like the metrics' output."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.figures import overview as f
from analysis.metrics.overview import FUNNEL_COLUMNS, KPI_COLUMNS, MONTHLY_COLUMNS

LABELS = {"pilot": "Pilot PCNs", "comparison": "Comparison PCNs", "all": "All PCNs"}
STAGES = [
    "Referred",
    "Contacted",
    "First attendance",
    "Attending at 4 weeks",
    "Attending at 12 weeks",
    "Attending at 26 weeks",
]


def funnel_frame(arms: tuple[str, ...] = ("pilot", "comparison")) -> pd.DataFrame:
    rows = []
    for i, arm in enumerate(arms):
        counts = [200 + i * 10, 180, 130, 90, 60, 40]
        for stage, label, count in zip(
            [
                "referrals",
                "contacted",
                "first_attended",
                "retained_4w",
                "retained_12w",
                "retained_26w",
            ],
            STAGES,
            counts,
            strict=True,
        ):
            share = count / counts[0]
            rows.append(
                {
                    "arm": arm,
                    "arm_label": LABELS[arm],
                    "stage": stage,
                    "stage_label": label,
                    "count": count,
                    "share": share,
                    "share_lower": share - 0.05 if share < 1 else 1.0,
                    "share_upper": min(share + 0.04, 1.0),
                }
            )
    return pd.DataFrame(rows, columns=FUNNEL_COLUMNS)


def monthly_frame(
    arms: tuple[str, ...] = ("pilot", "comparison"), go_live: str | None = "2025-04-01"
) -> pd.DataFrame:
    months = pd.date_range("2025-01-01", periods=6, freq="MS")
    rows = []
    for i, arm in enumerate(arms):
        for j, month in enumerate(months):
            rate = 0.3 + 0.01 * j + 0.05 * i
            rows.append(
                {
                    "arm": arm,
                    "arm_label": LABELS[arm],
                    "month": month,
                    "referrals": 40 + j,
                    "registered_patients": 150_000,
                    "month_fraction": 1.0,
                    "rate": rate,
                    "rate_lower": rate - 0.05,
                    "rate_upper": rate + 0.06,
                    "go_live": pd.Timestamp(go_live) if go_live else pd.NaT,
                }
            )
    return pd.DataFrame(rows, columns=MONTHLY_COLUMNS)


def as_json(fig) -> dict:
    return json.loads(fig.to_json())


def test_funnel_has_one_bar_trace_per_arm_in_okabe_ito_colours() -> None:
    spec = as_json(f.funnel_figure(funnel_frame()))
    bars = spec["data"]
    assert [t["type"] for t in bars] == ["bar", "bar"]
    assert [t["name"] for t in bars] == ["Pilot PCNs", "Comparison PCNs"]
    assert [t["marker"]["color"] for t in bars] == ["#0072B2", "#E69F00"]
    assert bars[0]["y"] == STAGES and bars[0]["orientation"] == "h"
    assert bars[0]["x"][:3] == pytest.approx([100.0, 90.0, 65.0])
    assert bars[0]["text"][0] == "200"


def test_funnel_draws_wilson_intervals_as_error_bars() -> None:
    spec = as_json(f.funnel_figure(funnel_frame()))
    error = spec["data"][0]["error_x"]
    assert error["type"] == "data" and error["symmetric"] is False
    assert error["array"][1:3] == pytest.approx([4.0, 4.0])
    assert error["arrayminus"][1:3] == pytest.approx([5.0, 5.0])
    assert error["array"][0] == 0 and error["arrayminus"][0] == 0  # "Referred" is 100% exactly


def test_funnel_labels_are_plain_english() -> None:
    layout = as_json(f.funnel_figure(funnel_frame()))["layout"]
    assert layout["title"]["text"] == "How far referred people get"
    assert layout["xaxis"]["title"]["text"] == "Share of referrals (%)"
    assert layout["yaxis"]["autorange"] == "reversed"  # "Referred" at the top


def test_trend_has_a_ci_band_and_a_line_per_arm() -> None:
    spec = as_json(f.monthly_trend_figure(monthly_frame()))
    traces = spec["data"]
    assert [(t["name"], t.get("fill"), t.get("showlegend")) for t in traces] == [
        ("Pilot PCNs 95% CI", "toself", False),
        ("Pilot PCNs", None, None),
        ("Comparison PCNs 95% CI", "toself", False),
        ("Comparison PCNs", None, None),
    ]
    pilot, comparison = traces[1], traces[3]
    assert pilot["line"]["color"] == "#0072B2" and comparison["line"]["color"] == "#E69F00"
    assert comparison["line"]["dash"] == "dash"  # told apart without colour too
    assert pilot["x"][0] == "2025-01-01" and pilot["y"][0] == pytest.approx(0.3)
    band = traces[0]
    assert len(band["x"]) == 12
    assert band["y"][0] == pytest.approx(0.36) and band["y"][-1] == pytest.approx(0.25)
    assert band["fillcolor"] == "rgba(0, 114, 178, 0.18)"


def test_trend_marks_go_live_with_a_vertical_line() -> None:
    layout = as_json(f.monthly_trend_figure(monthly_frame()))["layout"]
    (shape,) = layout["shapes"]
    assert shape["type"] == "line" and shape["x0"] == shape["x1"] == "2025-04-01"
    assert (shape["yref"], shape["y0"], shape["y1"]) == ("paper", 0, 1)
    assert any(a["text"] == "Go-live 1 Apr 2025" for a in layout["annotations"])
    assert layout["yaxis"]["title"]["text"] == "Referrals per 1,000 patients"
    assert layout["xaxis"]["title"]["text"] == "Month of referral"


def test_trend_without_a_pilot_has_one_line_and_no_go_live() -> None:
    spec = as_json(f.monthly_trend_figure(monthly_frame(("all",), go_live=None)))
    assert [t["name"] for t in spec["data"]] == ["All PCNs 95% CI", "All PCNs"]
    assert not spec["layout"].get("shapes")


def test_trend_of_counts_has_no_band() -> None:
    spec = as_json(f.monthly_trend_figure(monthly_frame(), value="referrals"))
    assert [t["name"] for t in spec["data"]] == ["Pilot PCNs", "Comparison PCNs"]
    assert spec["data"][0]["y"] == [40, 41, 42, 43, 44, 45]
    assert spec["layout"]["yaxis"]["title"]["text"] == "Referrals"


@pytest.mark.parametrize(
    ("builder", "columns"),
    [(f.funnel_figure, FUNNEL_COLUMNS), (f.monthly_trend_figure, MONTHLY_COLUMNS)],
)
def test_empty_frames_give_a_figure_saying_so(builder, columns) -> None:
    spec = as_json(builder(pd.DataFrame(columns=columns)))
    assert spec["data"] == []
    assert [a["text"] for a in spec["layout"]["annotations"]] == [f.NO_DATA]


def test_empty_figures_keep_the_house_layout_with_hidden_axes() -> None:
    spec = as_json(f.funnel_figure(pd.DataFrame(columns=FUNNEL_COLUMNS)))
    assert spec["layout"]["title"]["text"] == "How far referred people get"
    assert spec["layout"]["xaxis"]["visible"] is False
    assert spec["layout"]["yaxis"]["visible"] is False
    assert spec["layout"]["template"]["layout"]["plot_bgcolor"] == "white"


def test_figures_are_the_same_with_and_without_plotly_validation(monkeypatch) -> None:
    """The charts skip plotly's validation of their plain dicts: the JSON must not change."""

    def draw() -> list[str]:
        figures = [
            f.funnel_figure(funnel_frame()),
            f.funnel_figure(funnel_frame(("all",))),
            f.funnel_figure(pd.DataFrame(columns=FUNNEL_COLUMNS)),
            f.monthly_trend_figure(monthly_frame()),
            f.monthly_trend_figure(monthly_frame(("all",), go_live=None)),
            f.monthly_trend_figure(monthly_frame(), value="referrals"),
            f.monthly_trend_figure(pd.DataFrame(columns=MONTHLY_COLUMNS)),
        ]
        return [json.dumps(as_json(fig), sort_keys=True) for fig in figures]

    unchecked = draw()
    monkeypatch.setattr(f, "CHECK_FIGURES", True)
    assert draw() == unchecked


def test_figure_json_holds_plain_lists() -> None:
    """Values go in as lists, so the JSON (and AppTest's copy of it) is readable as is."""
    text = (
        f.monthly_trend_figure(monthly_frame()).to_json()
        + f.funnel_figure(funnel_frame()).to_json()
    )
    assert "bdata" not in text


def kpi_row(**changes: object) -> pd.Series:
    row = dict.fromkeys(KPI_COLUMNS, np.nan)
    row.update(
        arm="pilot",
        arm_label="Pilot PCNs",
        pcns=4,
        registered_patients=174_248,
        referrals=1712,
        referral_rate=3.2743,
        referral_rate_lower=3.121,
        referral_rate_upper=3.4331,
        first_attended=1130,
        uptake=0.660047,
        uptake_lower=0.637272,
        uptake_upper=0.682105,
        starters_due_12w=1076,
        retained_12w=465,
        retention_12w=0.432156,
        retention_12w_lower=0.40285,
        retention_12w_upper=0.461945,
        followed_up_12w=838,
        retention_12w_cc=0.554893,
        days_median=12.0,
        days_q1=8.0,
        days_q3=18.0,
    )
    row.update(changes)
    return pd.Series(row)


def test_kpi_cards_format_values_deltas_and_cis() -> None:
    cards = f.kpi_cards(
        kpi_row(),
        kpi_row(referral_rate=2.3685, uptake=0.657261, retention_12w=0.471372, days_median=14.0),
    )
    assert [(c.label, c.value, c.delta) for c in cards] == [
        ("Referrals", "1,712", None),
        ("Rate per 1,000/year", "3.3", "+0.9"),
        ("Uptake", "66.0%", "+0.3 pp"),
        ("12-week retention", "43.2%", "-3.9 pp"),
        ("Median days to start", "12", "-2.0 days"),
    ]
    assert "95% CI 63.7% to 68.2%" in cards[2].help
    assert "465 of 1,076 starters" in cards[3].help and "55.5%" in cards[3].help
    assert cards[4].lower_is_better and "IQR 8 to 18" in cards[4].help
    assert [c.delta_color for c in cards[1:]] == ["normal", "normal", "normal", "inverse"]


def test_kpi_cards_show_no_difference_without_a_direction() -> None:
    (days,) = [c for c in f.kpi_cards(kpi_row(), kpi_row(days_median=12.04)) if "days" in c.label]
    assert days.delta == "0.0 days" and days.delta_color == "off"


def test_kpi_cards_without_a_comparison_or_starters() -> None:
    cards = f.kpi_cards(kpi_row(retention_12w=np.nan, days_median=np.nan))
    assert all(c.delta is None for c in cards)
    assert cards[3].value == "–" and cards[4].value == "–"
    assert "IQR" not in f.kpi_ci_line(kpi_row(days_median=np.nan))
