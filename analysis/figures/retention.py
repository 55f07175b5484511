"""Figures for the Retention page, one function per chart; the exporter draws the same ones.

* :func:`km_figure` — Kaplan–Meier curves with their 95% CI bands drawn as steps, and the
  numbers at risk in a strip under the curves (so an exported figure carries them too);
* :func:`cohort_heatmap_figure` — share still attending at 4, 12 and 26 weeks among starters
  followed up, by month of referral, one panel per arm;
* :func:`forest_figure` — the Cox model's hazard ratios with 95% CIs on a log axis, with a
  reference line at 1 and each term in plain English (:func:`cox_term_label`).

House style as on the Overview: arms in fixed Okabe-Ito colours (pilot blue, comparison orange),
other groups in the rest of the Okabe-Ito palette with distinct dashes, values passed to plotly as
plain lists so the figure JSON is readable.
"""

from __future__ import annotations

import copy
import functools
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.figures.message import with_message
from analysis.figures.overview import ARM_COLOURS, _base_layout, _rgba, white_template
from analysis.figures.retention_cox import cox_term_label, forest_figure, term_labels
from analysis.figures.uptake_build import layout
from analysis.metrics.overview import ARM_LABELS
from analysis.survival import AT_RISK_WEEKS, SURVIVAL_WEEKS

# fmt: off
__all__ = [
    "AT_RISK_TABLE", "COHORT_TABLE", "COX_FORMATS", "COX_TABLE", "KM_TABLE", "MIN_CELL",
    "PERCENT_COLUMNS", "SURVIVAL_TABLE", "cohort_heatmap_figure", "cox_term_label",
    "forest_figure", "group_styles", "km_figure", "term_labels",
]
# fmt: on

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash")
MIN_CELL = 10
"""Cohort cells with fewer starters followed up than this are left blank (too imprecise)."""

# Table views (column → label), shared with the exporter so a table is exported as shown.
KM_TABLE = {"group": "Group", "time_weeks": "Weeks", "n_at_risk": "At risk",
            "n_events": "Stopped", "survival": "Still attending", "lower": "95% CI from",
            "upper": "to"}  # fmt: skip
SURVIVAL_TABLE = {"group": "Group", "starters": "Starters"} | {
    k: v for w in SURVIVAL_WEEKS for k, v in (
        (f"s_{w:g}w", f"At {w:g} weeks"), (f"s_{w:g}w_lower", "95% CI from"),
        (f"s_{w:g}w_upper", "to"))
}  # fmt: skip
AT_RISK_TABLE = {"group": "Group"} | {f"{t:g} weeks": f"{t:g} weeks" for t in AT_RISK_WEEKS}
COHORT_TABLE = {"arm_label": "Arm", "referral_month": "Referred in", "week": "Week",
                "starters": "Starters", "followed_up": "Followed up", "retained": "Attending",
                "share": "Share attending", "lower": "95% CI from", "upper": "to"}  # fmt: skip
COX_TABLE = {"label": "Term", "hazard_ratio": "Hazard ratio", "lower": "95% CI from",
             "upper": "to", "p_value": "p", "n": "Starters", "events": "Stopped",
             "clusters": "PCNs"}  # fmt: skip
COX_FORMATS = {"hazard_ratio": "%.3f", "lower": "%.3f", "upper": "%.3f", "p_value": "%.2e"}
"""Number formats of the Cox table (ratios to three decimals, p-values in e-notation)."""
PERCENT_COLUMNS = frozenset(
    ["survival", "share", *(c for c in SURVIVAL_TABLE if c.startswith("s_"))] + ["lower", "upper"]
)
"""Table columns holding proportions (shown as percentages); ``lower``/``upper`` of the Cox
table are ratios, so the page applies this set to the retention tables only."""


def group_styles(groups: list[str]) -> dict[str, tuple[str, str]]:
    """Group → (colour, dash): arms keep their fixed colours, other groups take the Okabe-Ito
    palette in order."""
    arm_of = {label: arm for arm, label in ARM_LABELS.items()}
    if groups and all(g in arm_of for g in groups):
        return {g: (ARM_COLOURS[arm_of[g]], "solid" if arm_of[g] != "comparison" else "dash")
                for g in groups}  # fmt: skip
    n = len(PALETTE)
    return {g: (PALETTE[i % n], DASHES[i % n]) for i, g in enumerate(groups)}


def _steps(x: list[float], y: list[float]) -> tuple[list[float], list[float]]:
    """The corners of a right-continuous step function through the points (x, y)."""
    xs, ys = [x[0]], [y[0]]
    for i in range(1, len(x)):
        xs += [x[i], x[i]]
        ys += [y[i - 1], y[i]]
    return xs, ys


@functools.cache
def _grid(rows: int, cols: int, **options) -> dict:
    """A subplot grid's layout (axes' domains, panel titles) from plotly's make_subplots, made once
    per shape; options are make_subplots' (tuples for lists)."""
    options = {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()}
    grid = make_subplots(rows=rows, cols=cols, **options).layout.to_plotly_json()
    grid.pop("template", None)
    return grid


@functools.cache
def _viridis_stops() -> tuple[tuple, ...]:
    return tuple(go.layout.Coloraxis(colorscale="Viridis").colorscale)


def _viridis() -> list[list]:
    """The "Viridis" colour scale as plotly stores it once validated (pairs of stop, colour)."""
    return [list(stop) for stop in _viridis_stops()]


def _figure(data: list[dict], layout_: dict) -> go.Figure:
    """The figure of these trace dicts and this layout with the "plotly_white" template, not
    validated value by value: validating a few thousand listed values was a third of drawing a
    chart. The traces here hold only lists, strings and numbers, in the form plotly stores them
    (the colour scale already expanded), so the figure is the one validation would give; the
    figure tests check that validating it again changes nothing."""
    return white_template(go.Figure({"data": data, "layout": layout_}, _validate=False))


def _axes(grid: dict) -> dict:
    return {k: v for k, v in grid.items() if k.startswith(("xaxis", "yaxis"))}


def km_figure(km: pd.DataFrame, at_risk: pd.DataFrame, grouping: str = "") -> go.Figure:
    """Kaplan–Meier curves per group (steps) with shaded 95% CI bands (steps too), dotted lines
    at the 4, 12 and 26-week checkpoints, and the numbers at risk under the curves."""
    groups = list(dict.fromkeys(km["group"])) if not km.empty else []
    # Pixel sizes: the curves, the gap for the x-axis title, one line of the strip per group.
    main, gap, strip = 360, 75, 24 * max(len(groups), 1) + 12
    shape = {"shared_xaxes": True, "row_heights": (main, strip),
             "vertical_spacing": gap / (main + gap + strip)}  # fmt: skip
    title = "Still attending, by weeks since first attendance"
    if km.empty:
        fig = make_subplots(rows=2, cols=1, **{**shape, "row_heights": [main, strip]})
        _base_layout(fig, title, "", "")
        fig.update_layout(height=main + gap + strip + 90, legend_title_text=grouping)
        return with_message(fig, "No starters with a follow-up in this view")
    styles = group_styles(groups)
    end = float(km["time_weeks"].max())
    data: list[dict] = []
    upper_row, lower_row = {"xaxis": "x", "yaxis": "y"}, {"xaxis": "x2", "yaxis": "y2"}
    for g in groups:
        rows = km[km["group"] == g].sort_values("time_weeks", kind="stable")
        colour, dash = styles[g]
        t = rows["time_weeks"].round(4).tolist()
        (xs, upper), (_, lower) = (
            _steps(t, rows["upper"].round(5).tolist()),
            _steps(t, rows["lower"].round(5).tolist()),
        )
        risk = at_risk[at_risk["group"] == g]
        data += [{
            "type": "scatter", "name": f"{g} 95% CI", "x": xs + xs[::-1],
            "y": upper + lower[::-1], "fill": "toself", "fillcolor": _rgba(colour, 0.15),
            "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False, "legendgroup": g,
        } | upper_row, {
            "type": "scatter", "name": g, "x": t, "y": rows["survival"].round(5).tolist(),
            "mode": "lines",
            "line": {"shape": "hv", "color": colour, "dash": dash, "width": 2.5},
            "legendgroup": g, "customdata": rows[["lower", "upper", "n_at_risk"]].to_numpy().tolist(),
            "hovertemplate": "Week %{x:.1f}: %{y:.1%} still attending (95% CI "
            "%{customdata[0]:.1%} to %{customdata[1]:.1%}); %{customdata[2]:,} at risk"
            "<extra>%{fullData.name}</extra>",
        } | upper_row, {
            "type": "scatter", "name": f"{g} at risk", "x": risk["time_weeks"].tolist(),
            "y": [g] * len(risk), "mode": "text", "text": [f"{n:,}" for n in risk["n_at_risk"]],
            "showlegend": False, "textfont": {"color": colour, "size": 12}, "legendgroup": g,
            "cliponaxis": False,
            "hovertemplate": "%{text} at risk at week %{x}<extra>%{y}</extra>",
        } | lower_row]  # fmt: skip
    axes = _axes(copy.deepcopy(_grid(2, 1, **shape)))
    ticks = [t for t in AT_RISK_WEEKS if t <= end + 1]
    axes["xaxis"] |= {"range": [-0.5, end + 1], "tickvals": ticks, "showticklabels": True,
                      "title": {"text": "Weeks since first attendance"}}  # fmt: skip
    axes["xaxis2"] |= {"showgrid": False, "zeroline": False, "showticklabels": False}
    axes["yaxis"] |= {"range": [0, 1.02], "tickformat": ".0%",
                      "title": {"text": "Still attending"}}  # fmt: skip
    axes["yaxis2"] |= {"title": {"text": "At risk"}, "type": "category", "showgrid": False,
                       "categoryorder": "array", "categoryarray": groups,
                       "range": [len(groups) - 0.4, -0.6]}  # fmt: skip
    checkpoints = [
        {"type": "line", "x0": week, "x1": week, "xref": "x", "y0": 0, "y1": 1,
         "yref": "y domain", "line": {"color": "#999999", "width": 1, "dash": "dot"}}
        for week in SURVIVAL_WEEKS
    ]  # fmt: skip
    out = layout(title, "", "", **axes, shapes=checkpoints, height=main + gap + strip + 90)
    out["legend"]["title"] = {"text": grouping}
    return _figure(data, out)


def _month_week_grid(rows: pd.DataFrame, months: list, weeks: list) -> dict[str, np.ndarray]:
    """Each cohort value as a month × week array (NaN where the arm has no such cell)."""
    i = pd.Index(months).get_indexer(rows["referral_month"])
    j = pd.Index(weeks).get_indexer(rows["week"])
    out = {}
    for key in ("share", "lower", "upper", "followed_up", "retained", "starters"):
        grid = np.full((len(months), len(weeks)), np.nan)
        grid[i, j] = rows[key].to_numpy(dtype=float)
        out[key] = grid
    return out


def cohort_heatmap_figure(cohort: pd.DataFrame) -> go.Figure:
    """Share still attending at 4, 12 and 26 weeks among starters followed up, by month of
    referral (rows, earliest first) and arm (panels). Cells with fewer than :data:`MIN_CELL`
    followed up are blank (marked "< 10"); each cell is labelled with its share and the number
    followed up."""
    arms = list(dict.fromkeys(cohort["arm_label"])) if not cohort.empty else []
    months = sorted(cohort["referral_month"].unique()) if not cohort.empty else []
    title = "Still attending among starters followed up, by month of referral"
    if cohort.empty:
        fig = make_subplots(rows=1, cols=1, shared_yaxes=True, horizontal_spacing=0.03)
        _base_layout(fig, title, "", "")
        fig.update_layout(height=170 + 21 * max(len(months), 4))
        return with_message(fig, "No starters in this view")
    grid = copy.deepcopy(_grid(1, len(arms), shared_yaxes=True, horizontal_spacing=0.03,
                               subplot_titles=tuple(arms)))  # fmt: skip
    notes = grid["annotations"]
    for note in notes:
        note["yshift"] = 24  # the panel titles, above the week labels
    labels = [pd.Timestamp(m).strftime("%b %Y") for m in months]
    weeks = sorted(cohort["week"].unique())
    columns = [f"{w} weeks" for w in weeks]
    data = []
    for i, arm in enumerate(arms, start=1):
        rows = cohort[cohort["arm_label"] == arm]
        grid_of = _month_week_grid(rows, months, weeks)
        followed = np.nan_to_num(grid_of["followed_up"], nan=0.0)
        share = grid_of["share"]
        shown = np.where(followed >= MIN_CELL, share, np.nan)
        if np.isnan(shown).all():  # plotly draws nothing, not even the text, for an all-blank z
            notes.append({"text": f"Fewer than {MIN_CELL} followed up<br>in every month",
                          "x": 0.5, "y": 0.5, "xref": f"x{i if i > 1 else ''} domain",
                          "yref": "y domain", "showarrow": False})  # fmt: skip
        text = [[f"{s:.0%} of {int(n)}" if n >= MIN_CELL else ("" if n == 0 else f"< {MIN_CELL}")
                 for s, n in zip(srow, nrow, strict=True)]
                for srow, nrow in zip(share, followed, strict=True)]  # fmt: skip
        keys = ("lower", "upper", "retained", "followed_up", "starters")
        custom = np.dstack([grid_of[k] for k in keys])
        data.append({
            "type": "heatmap", "name": arm, "x": columns, "y": labels,
            "coloraxis": "coloraxis", "text": text,
            "z": [[None if math.isnan(v) else round(v, 4) for v in r] for r in shown],
            "texttemplate": "%{text}", "textfont": {"size": 11}, "xgap": 2, "ygap": 2,
            "customdata": np.round(custom, 4).tolist(),
            "hovertemplate": "Referred %{y}, at %{x}: %{customdata[2]:.0f} of "
            "%{customdata[3]:.0f} followed up still attending (%{z:.1%}, 95% CI "
            "%{customdata[0]:.1%} to %{customdata[1]:.1%}); %{customdata[4]:.0f} starters"
            "<extra>%{fullData.name}</extra>",
            "xaxis": f"x{i if i > 1 else ''}", "yaxis": f"y{i if i > 1 else ''}",
        })  # fmt: skip
    axes = _axes(grid)
    for name, axis in axes.items():
        axis |= ({"autorange": "reversed", "type": "category", "showgrid": False}
                 if name.startswith("yaxis") else
                 {"side": "top", "showgrid": False, "type": "category"})  # fmt: skip
    out = layout(title, "", "", **axes, annotations=notes,
                 height=170 + 21 * max(len(months), 4), coloraxis={
        "colorscale": _viridis(), "cmin": 0, "cmax": 1,
        "colorbar": {"title": {"text": "Still<br>attending"}, "tickformat": ".0%", "len": 0.6},
    })  # fmt: skip
    out["margin"] = {**out["margin"], "t": 120}
    return _figure(data, out)
