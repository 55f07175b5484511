"""Figures for the Uptake page, one function per chart; the exporter draws the same ones.

Each function takes frames from :mod:`analysis.metrics.uptake` and returns a
``plotly.graph_objects.Figure`` in the Overview's house style: arms in fixed Okabe-Ito colours
(pilot blue, comparison orange), funnel stages told apart by marker shape as well as colour,
every estimate drawn with its 95% interval (error bars, or the funnel limits), values passed as
plain lists so the figure JSON stays readable.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.figures.overview import (
    ARM_COLOURS,
    ARM_DASHES,
    _base_layout,
    _empty,
    _rgba,
)
from analysis.figures.uptake_build import figure as build_figure
from analysis.figures.uptake_build import go_live_marks, layout
from analysis.figures.uptake_labels import (
    DAYS_TABLE,
    FUNNEL_PLOT_TABLE,
    FUNNEL_TABLE,
    GROUP_TABLE,
    MONTH_TABLE,
    PERCENT_COLUMNS,
    display_label,
    in_sentence,
)
from analysis.metrics.uptake import STAGES, UptakeFunnelPlot

# fmt: off
__all__ = [
    "DAYS_TABLE", "FUNNEL_PLOT_TABLE", "FUNNEL_TABLE", "GROUP_TABLE", "MONTH_TABLE",
    "PERCENT_COLUMNS", "STAGE_STYLE", "breakdown_figure", "days_to_start_figure", "display_label",
    "in_sentence", "pcn_funnel_figure", "uptake_funnel_plot_figure", "uptake_trend_figure",
]
# fmt: on


#: Stage → (colour, marker symbol): Okabe-Ito hues, shapes so it reads in greyscale too.
STAGE_STYLE = {
    "contacted": ("#56B4E9", "circle"),
    "first_attended": ("#0072B2", "diamond"),
    "retained_4w": ("#009E73", "square"),
    "retained_12w": ("#CC79A7", "triangle-up"),
    "retained_26w": ("#D55E00", "x"),
}
LEGEND_BELOW = {
    "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0,
               "xanchor": "left", "title": {"text": ""}},
    "margin": {"l": 10, "r": 10, "t": 50, "b": 150},
}  # fmt: skip
"""The per-PCN funnel's legend under the chart (up to three rows at 700 px), clear of its title
and of the x axis at any width: its five stages beside the title ran into it."""
LIMIT_STYLE = {"2s": ("95% limits", "dash"), "3s": ("99.8% limits", "dot")}
GREY = "#555555"
CHECK_FIGURES = False
"""Whether :func:`figure` has plotly validate the dicts (the tests compare both ways)."""


def figure(data: list[dict], layout_: dict) -> go.Figure:
    """A chart of this module: plain trace and layout dicts, so plotly's validation is skipped
    (the same figure; ``tests/unit/test_figures_uptake_impact_equity.py`` checks it)."""
    return build_figure(data, layout_, check=CHECK_FIGURES)


def _pct(values: pd.Series) -> list[float]:
    return np.round(values.to_numpy(float) * 100, 2).tolist()


def _error(rows: pd.DataFrame, value: str, lower: str, upper: str) -> dict:
    return {
        "type": "data",
        "symmetric": False,
        "array": _pct(rows[upper] - rows[value]),
        "arrayminus": _pct(rows[value] - rows[lower]),
        "thickness": 1.2,
        "width": 3,
    }


def _dots(name: str, part: pd.DataFrame, value: str, y: list[str], style: tuple[str, str],
          counts: list[str], hover: str) -> dict:  # fmt: skip
    """Horizontal dots of ``value`` with its Wilson 95% CI as error bars, offset beside the
    other series on the same row; ``customdata`` is ``counts`` then the CI (percent)."""
    colour, symbol = style
    lo, hi = _pct(part[f"{value}_lower"]), _pct(part[f"{value}_upper"])
    return {
        "type": "scatter",
        "name": name,
        "x": _pct(part[value]),
        "y": y,
        "orientation": "h",
        "offsetgroup": name,
        "mode": "markers",
        "marker": {"color": colour, "symbol": symbol, "size": 10},
        "error_x": {**_error(part, value, f"{value}_lower", f"{value}_upper"), "color": colour},
        "customdata": [
            list(r) for r in zip(*(part[c].tolist() for c in counts), lo, hi, strict=True)
        ],
        "hovertemplate": hover,
    }


def _arm_style(arm: object) -> tuple[str, str]:
    return ARM_COLOURS.get(str(arm), "#009E73"), "diamond" if arm == "comparison" else "circle"


def _pcn_label(rows: pd.DataFrame) -> list[str]:
    return [
        f"{n} ({a.split()[0].lower()})"
        for n, a in zip(rows["pcn_name"], rows["arm_label"], strict=True)
    ]


def pcn_funnel_figure(stages: pd.DataFrame) -> go.Figure:
    """Per PCN, the share of its referrals reaching each stage (dots with Wilson 95% CIs), from
    :func:`analysis.metrics.uptake.funnel_stages` of the per-PCN funnel; PCNs listed by arm."""
    titles = ("How far each PCN's referrals get", "Share of referrals", "")
    rows = stages[stages["stage"] != "referrals"] if not stages.empty else stages
    if rows.empty:
        return _empty(_base_layout(go.Figure(), *titles))
    rows = rows.assign(label=_pcn_label(rows))
    order = list(dict.fromkeys(rows["label"]))
    hover = ("%{y}: %{customdata[0]:,} people, %{x:.1f}% of referrals (95% CI "
             "%{customdata[1]:.1f}% to %{customdata[2]:.1f}%)<extra>%{fullData.name}</extra>")  # fmt: skip
    data = [
        _dots(STAGES.get(str(stage), str(stage)), part, "share", part["label"].tolist(),
              STAGE_STYLE.get(str(stage), (GREY, "circle")), ["count"], hover)
        for stage, part in rows.groupby("stage", sort=False)
    ]  # fmt: skip
    return figure(data, layout(
        *titles,
        yaxis={"categoryorder": "array", "categoryarray": order[::-1], "ticksuffix": "  "},
        xaxis={"range": [0, 102], "ticksuffix": "%"},
        height=max(320, 140 + 48 * len(order)) + LEGEND_BELOW["margin"]["b"] - 40,
        scattermode="group", scattergap=0.3, **LEGEND_BELOW,
    ))  # fmt: skip


def uptake_funnel_plot_figure(plot: UptakeFunnelPlot | None) -> go.Figure:
    """Uptake per PCN against its number of referrals, with the pooled uptake and the 95% and
    99.8% funnel limits (Wilson-based); PCNs outside the 95% limits are labelled by name."""
    titles = ("Uptake by PCN against its number of referrals", "Referrals",
              "Uptake (first attendance ÷ referrals)")  # fmt: skip
    if plot is None or plot.points.empty:
        return _empty(_base_layout(go.Figure(), *titles))
    lim = plot.limits
    xs = lim["population"].tolist()
    data = [
        {"type": "scatter", "name": name, "x": xs, "y": _pct(lim[f"{side}_{level}_limit"]),
         "mode": "lines", "line": {"color": GREY, "width": 1.3, "dash": dash},
         "legendgroup": level, "showlegend": side == "lower",
         "hovertemplate": f"{name} at %{{x:,}} referrals: %{{y:.1f}}%<extra></extra>"}
        for level, (name, dash) in LIMIT_STYLE.items()
        for side in ("lower", "upper")
    ]  # fmt: skip
    data.append(
        {"type": "scatter", "name": f"Pooled uptake {plot.pooled:.1%}", "x": [xs[0], xs[-1]],
         "y": [round(plot.pooled * 100, 2)] * 2, "mode": "lines",
         "line": {"color": GREY, "width": 2}, "hoverinfo": "skip"}
    )  # fmt: skip
    for arm, part in plot.points.groupby("arm", sort=False):
        lo, hi = _pct(part["uptake_lower"]), _pct(part["uptake_upper"])
        columns = (part["pcn_name"], part["first_attended"], lo, hi, part["significance"])
        colour, symbol = _arm_style(arm)
        data.append({
            "type": "scatter",
            "name": str(part["arm_label"].iloc[0]),
            "x": part["referrals"].tolist(),
            "y": _pct(part["uptake"]),
            "mode": "markers+text",
            "text": [n if o else "" for n, o in zip(part["pcn_name"], part["outside"], strict=True)],
            "textposition": "top center",
            "marker": {"color": colour, "symbol": symbol, "size": 11,
                       "line": {"color": "#FFFFFF", "width": 1}},
            "customdata": [list(r) for r in zip(*columns, strict=True)],
            "hovertemplate": "%{customdata[0]}: %{customdata[1]:,} of %{x:,} started, "
            "%{y:.1f}% (95% CI %{customdata[2]:.1f}% to %{customdata[3]:.1f}%); "
            "%{customdata[4]}<extra>%{fullData.name}</extra>",
        })  # fmt: skip
    return figure(data, layout(
        *titles, yaxis={"ticksuffix": "%", "range": _y_range(plot)},
        xaxis={"rangemode": "tozero"},
    ))  # fmt: skip


def _y_range(plot: UptakeFunnelPlot) -> list[float]:
    """Show every point and the limits where the points are, not the wide limits at n = 1."""
    n_min = plot.points["referrals"].min() * 0.8
    near = plot.limits[plot.limits["population"] >= n_min]
    low = min(plot.points["uptake"].min(), near["lower_3s_limit"].min())
    high = max(plot.points["uptake"].max(), near["upper_3s_limit"].max())
    pad = (high - low) * 0.08 + 0.01
    return [round(max(0.0, low - pad) * 100, 1), round(min(1.0, high + pad) * 100, 1)]


def breakdown_figure(breakdown: pd.DataFrame, dimension: str) -> go.Figure:
    """Uptake by the groups of one dimension of :func:`analysis.metrics.uptake.breakdown`, per
    arm, as dots with Wilson 95% CIs; hovering shows the counts."""
    rows = breakdown[breakdown["dimension"] == dimension]
    label = str(rows["dimension_label"].iloc[0]) if not rows.empty else dimension
    titles = (f"Uptake by {in_sentence(label)}", "Uptake", "")
    if rows.empty:
        return _empty(_base_layout(go.Figure(), *titles))
    hover = ("%{y}: %{customdata[0]:,} of %{customdata[1]:,} started, %{x:.1f}% (95% CI "
             "%{customdata[2]:.1f}% to %{customdata[3]:.1f}%)<extra>%{fullData.name}</extra>")  # fmt: skip
    data = [
        _dots(str(part["arm_label"].iloc[0]), part, "uptake",
              [display_label(g) for g in part["group"]], _arm_style(arm),
              ["first_attended", "referrals"], hover)
        for arm, part in rows.groupby("arm", sort=False)
    ]  # fmt: skip
    groups = list(dict.fromkeys(display_label(g) for g in rows["group"]))
    return figure(data, layout(
        *titles,
        yaxis={"categoryorder": "array", "categoryarray": groups[::-1], "ticksuffix": "  "},
        xaxis={"range": [0, 102], "ticksuffix": "%"},
        height=max(300, 140 + 40 * len(groups)), scattermode="group", scattergap=0.4,
    ))  # fmt: skip


def days_to_start_figure(days: pd.DataFrame, per_arm: pd.DataFrame) -> go.Figure:
    """Share of starters by days from referral to first attendance (bins of
    :func:`analysis.metrics.uptake.days_to_first_attendance`), per arm; each arm's median and
    interquartile range (from the per-arm funnel) are in its legend entry."""
    titles = ("Days from referral to first attendance", "Days from referral", "Share of starters")
    if days.empty:
        return _empty(_base_layout(go.Figure(), *titles))
    summary = per_arm.set_index("arm") if not per_arm.empty else pd.DataFrame()
    data = []
    for arm, part in days.groupby("arm", sort=False):
        name = str(part["arm_label"].iloc[0])
        if arm in summary.index and pd.notna(summary.loc[arm, "days_median"]):
            s = summary.loc[arm]
            name += f": median {s.days_median:.0f} days (IQR {s.days_q1:.0f}–{s.days_q3:.0f})"
        data.append({
            "type": "bar",
            "name": name,
            "x": part["bin_label"].tolist(),
            "y": _pct(part["share"]),
            "marker": {"color": ARM_COLOURS.get(str(arm), "#009E73")},
            "customdata": part["starters"].tolist(),
            "hovertemplate": "%{x} days: %{customdata:,} starters (%{y:.1f}%)"
            "<extra>%{fullData.name}</extra>",
        })  # fmt: skip
    return figure(data, layout(
        *titles, barmode="group", bargap=0.2, xaxis={"type": "category"},
        yaxis={"ticksuffix": "%", "rangemode": "tozero"},
    ))  # fmt: skip


def uptake_trend_figure(monthly: pd.DataFrame) -> go.Figure:
    """Uptake by month of referral per arm with a Wilson 95% CI band (from the per-month
    funnel of :func:`analysis.metrics.uptake.uptake_funnel`), and the pilot's go-live date as
    a dotted line."""
    titles = ("Uptake by month of referral", "Month of referral", "Uptake")
    rows = monthly[monthly["referrals"] > 0] if not monthly.empty else monthly
    if rows.empty:
        return _empty(_base_layout(go.Figure(), *titles))
    data = []
    for arm, part in rows.groupby("arm", sort=False):
        colour = ARM_COLOURS.get(str(arm), "#009E73")
        months = pd.to_datetime(part["month"]).dt.strftime("%Y-%m-%d").tolist()
        label = str(part["arm_label"].iloc[0])
        data.append({
            "type": "scatter", "x": months + months[::-1],
            "y": _pct(part["uptake_upper"]) + _pct(part["uptake_lower"])[::-1],
            "fill": "toself", "fillcolor": _rgba(colour, 0.18), "line": {"width": 0},
            "hoverinfo": "skip", "showlegend": False, "legendgroup": str(arm),
            "name": f"{part['arm_label'].iloc[0]} 95% CI",
        })  # fmt: skip
        data.append({
            "type": "scatter",
            "name": label,
            "x": months,
            "y": _pct(part["uptake"]),
            "mode": "lines+markers",
            "legendgroup": str(arm),
            "line": {"color": colour, "width": 2.5, "dash": ARM_DASHES.get(str(arm), "solid")},
            "customdata": list(zip(part["first_attended"], part["referrals"], strict=True)),
            "hovertemplate": "%{x|%b %Y}: %{customdata[0]:,} of %{customdata[1]:,} started "
            "(%{y:.1f}%)<extra>%{fullData.name}</extra>",
        })  # fmt: skip
    go_live = rows["go_live"].dropna() if "go_live" in rows else pd.Series(dtype=object)
    marks = go_live_marks(pd.Timestamp(go_live.iloc[0])) if not go_live.empty else {}
    return figure(data, layout(
        *titles, yaxis={"ticksuffix": "%", "range": [0, 100]}, xaxis={"tickformat": "%b %Y"},
        **marks,
    ))  # fmt: skip
