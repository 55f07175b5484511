"""Figures for the Overview page, one function per chart; the exporter draws the same ones.

Each function takes a frame from :mod:`analysis.metrics.overview` and returns a
``plotly.graph_objects.Figure`` built from one dict of plain lists (see
:mod:`analysis.figures.uptake_build`), so the figure JSON is readable without decoding. Arms
keep the house colours and dashes (:mod:`analysis.figures.house`). Confidence intervals are
error bars (funnel) or shaded bands (monthly rate). The house style and the headline cards are
importable from here too, as they were before they had modules of their own.
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go

from analysis.figures.house import (
    ARM_COLOURS,
    ARM_DASHES,
    FONT,
    NO_DATA,
    TEXT_ON,
    _base_layout,
    _empty,
    _go_live_line,
    _rgba,
    white_template,
)
from analysis.figures.overview_kpis import KpiCard, kpi_cards, kpi_ci_line
from analysis.figures.uptake_build import figure, go_live_marks, layout

# fmt: off
__all__ = [
    "ARM_COLOURS", "ARM_DASHES", "FONT", "NO_DATA", "TEXT_ON", "KpiCard", "_base_layout",
    "_empty", "_go_live_line", "_rgba", "funnel_figure", "kpi_cards", "kpi_ci_line",
    "monthly_trend_figure", "white_template",
]
# fmt: on

CHECK_FIGURES = False
"""Whether the charts have plotly validate their dicts (the tests compare both ways)."""


def _arms(frame: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    """(arm, label, rows) in the frame's order of first appearance."""
    return [
        (str(arm), str(rows["arm_label"].iloc[0]), rows)
        for arm, rows in frame.groupby("arm", sort=False)
    ]


def _no_data(layout_: dict[str, Any]) -> go.Figure:
    """The figure saying no referrals match, as :func:`analysis.figures.house._empty` draws it."""
    layout_["annotations"] = [
        {"font": {"size": 16}, "showarrow": False, "text": NO_DATA, "x": 0.5, "xref": "paper",
         "y": 0.5, "yref": "paper"},
    ]  # fmt: skip
    layout_["xaxis"]["visible"] = False
    layout_["yaxis"]["visible"] = False
    return figure([], layout_, check=CHECK_FIGURES)


def _funnel_bar(arm: str, label: str, rows: pd.DataFrame) -> dict[str, Any]:
    share, lower, upper = (rows[c] for c in ("share", "share_lower", "share_upper"))
    return {
        "type": "bar",
        "name": label,
        "orientation": "h",
        "y": rows["stage_label"].tolist(),
        "x": (share * 100).round(2).tolist(),
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": ((upper - share) * 100).round(2).tolist(),
            "arrayminus": ((share - lower) * 100).round(2).tolist(),
            "color": "#333333",
            "thickness": 1.2,
            "width": 3,
        },
        "text": [f"{c:,}" for c in rows["count"]],
        "textposition": "inside",
        "insidetextanchor": "start",
        "textangle": 0,
        "insidetextfont": {"color": TEXT_ON.get(arm, "#000000")},
        "marker": {"color": ARM_COLOURS.get(arm, "#009E73")},
        "customdata": [
            list(c)
            for c in zip(
                rows["count"].tolist(), (lower * 100).tolist(), (upper * 100).tolist(), strict=True
            )
        ],
        "hovertemplate": (
            "%{y}: %{customdata[0]:,} people, %{x:.1f}% of referrals "
            "(95% CI %{customdata[1]:.1f}% to %{customdata[2]:.1f}%)"
            "<extra>%{fullData.name}</extra>"
        ),
    }


def funnel_figure(funnel: pd.DataFrame) -> go.Figure:
    """Share of referrals reaching each stage, per arm: horizontal bars with Wilson 95% CIs.

    Bars are labelled with the count of people; hovering shows the percentage and its CI.
    """
    title, x_title = "How far referred people get", "Share of referrals (%)"
    if funnel.empty:
        return _no_data(layout(title, x_title, ""))
    lay = layout(
        title, x_title, "",
        barmode="group", bargap=0.25, bargroupgap=0.05,
        uniformtext={"minsize": 11, "mode": "show"},
        yaxis={"autorange": "reversed", "categoryorder": "array", "ticksuffix": "  ",
               "categoryarray": list(dict.fromkeys(funnel["stage_label"]))},
        xaxis={"range": [0, 105], "ticksuffix": "%"},
    )  # fmt: skip
    return figure([_funnel_bar(*arm) for arm in _arms(funnel)], lay, check=CHECK_FIGURES)


def _trend_traces(
    arm: str, label: str, rows: pd.DataFrame, value: Literal["rate", "referrals"]
) -> list[dict[str, Any]]:
    """The arm's 95% CI band (for the rate) and its line."""
    colour = ARM_COLOURS.get(arm, "#009E73")
    months = rows["month"].dt.strftime("%Y-%m-%d").tolist()
    traces = []
    if value == "rate":
        traces.append({
            "type": "scatter", "name": f"{label} 95% CI", "x": months + months[::-1],
            "y": rows["rate_upper"].round(4).tolist() + rows["rate_lower"].round(4).tolist()[::-1],
            "fill": "toself", "fillcolor": _rgba(colour, 0.18), "line": {"width": 0},
            "hoverinfo": "skip", "showlegend": False, "legendgroup": arm,
        })  # fmt: skip
    ys = rows["rate"].round(4) if value == "rate" else rows["referrals"]
    custom = zip(
        rows["referrals"].tolist(),
        rows["rate_lower"].round(2).tolist(),
        rows["rate_upper"].round(2).tolist(),
        strict=True,
    )
    traces.append({
        "type": "scatter", "name": label, "x": months, "y": ys.tolist(),
        "mode": "lines+markers", "legendgroup": arm,
        "line": {"color": colour, "width": 2.5, "dash": ARM_DASHES.get(arm, "solid")},
        "marker": {"size": 6}, "customdata": [list(c) for c in custom],
        "hovertemplate": (
            "%{x|%b %Y}: %{customdata[0]:,} referrals, "
            "%{y:.2f} per 1,000 (95% CI %{customdata[1]} to %{customdata[2]})"
            "<extra>%{fullData.name}</extra>"
        ) if value == "rate" else "%{x|%b %Y}: %{y:,} referrals<extra>%{fullData.name}</extra>",
    })  # fmt: skip
    return traces


def monthly_trend_figure(
    monthly: pd.DataFrame, value: Literal["rate", "referrals"] = "rate"
) -> go.Figure:
    """Referrals per month per arm, as a rate per 1,000 registered patients (with a 95% CI
    band) or as counts, with the pilot's go-live date as a dotted vertical line."""
    rate = value == "rate"
    y_title = "Referrals per 1,000 patients" if rate else "Referrals"
    title = (
        "Referrals each month per 1,000 registered patients" if rate else "Referrals each month"
    )
    if monthly.empty:
        return _no_data(layout(title, "Month of referral", y_title))
    go_live = monthly["go_live"].dropna()
    dtick = "M3" if len(monthly["month"].unique()) > 12 else "M1"
    lay = layout(
        title, "Month of referral", y_title,
        xaxis={"tickformat": "%b %Y", "dtick": dtick}, yaxis={"rangemode": "tozero"},
        **(go_live_marks(pd.Timestamp(go_live.iloc[0])) if not go_live.empty else {}),
    )  # fmt: skip
    data = [t for arm in _arms(monthly) for t in _trend_traces(*arm, value)]
    return figure(data, lay, check=CHECK_FIGURES)
