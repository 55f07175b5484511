"""Figures for the Outcomes page, one function per chart; the exporter draws the same ones.

* :func:`change_figure` — mean change from baseline to week N with 95% CIs per measure and group
  (SWEMWBS, each ONS4 item, SIPAM days);
* :func:`improvement_figure` — the share improving by ≥ 3 SWEMWBS points, with Wilson 95% CIs;
* :func:`ons4_bands_figure` — ONS4 band shares at baseline and at week N (the same people), with
  Wilson 95% CIs.

Groups with fewer than 30 pairs ("indicative only") are drawn hollow (markers) or hatched (bars)
and say so on hover. Figures that show SWEMWBS results carry the licence attribution. House style
as on the Overview: Okabe-Ito colours, values as plain lists so the figure JSON is readable.
"""

from __future__ import annotations

import copy
import functools

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.figures.message import with_message
from analysis.figures.overview import ARM_COLOURS, _base_layout
from analysis.figures.uptake_build import figure, layout
from analysis.metrics.outcomes import ATTRIBUTION
from analysis.metrics.overview import ARM_LABELS
from analysis.outcomes import INDICATIVE_BELOW, MEASURES, ONS4_ITEMS

# fmt: off
__all__ = [
    "BAND_TABLE", "CHANGE_TABLE", "FORMATS", "GROUP_COLOURS", "IMPROVEMENT_TABLE",
    "MEASURE_LABELS", "PERCENT_COLUMNS", "change_figure", "improvement_figure",
    "ons4_bands_figure",
]
# fmt: on

CHECK_FIGURES = False
"""Whether plotly validates this module's chart dicts (skipped: the same figure, a third of
the drawing time; the unit tests draw every chart both ways and compare)."""
GROUP_COLOURS = {"still attending": "#009E73", "stopped": "#D55E00"} | {
    label: ARM_COLOURS[arm] for arm, label in ARM_LABELS.items()
}
"""Group → colour: attendance in green / vermillion, arms in their Overview colours."""
OTHER = ("#CC79A7", "#56B4E9", "#000000", "#F0E442")
MEASURE_LABELS = MEASURES | {"ons4_anxious": "ONS4 anxiety yesterday (lower is better)"}
BASELINE, FOLLOW_UP = "#999999", "#0072B2"
INDICATIVE = f"indicative only: fewer than {INDICATIVE_BELOW} pairs"

# Table views (column → label), shared with the exporter so a table is exported as shown.
CHANGE_TABLE = {
    "measure_label": "Measure", "group": "Group", "n_pairs": "Pairs",
    "baseline_mean": "Baseline mean", "followup_mean": "Follow-up mean",
    "mean_change": "Mean change", "change_lower": "95% CI from", "change_upper": "to",
    "p_ttest": "Paired t-test p", "p_wilcoxon": "Wilcoxon p", "cohens_d": "Cohen's d (paired)",
    "indicative_only": "Indicative only",
}  # fmt: skip
IMPROVEMENT_TABLE = {
    "by_label": "Compared by", "group": "Group", "n_pairs": "Pairs",
    "improved": "Improved ≥ 3 points", "improved_share": "Share improved",
    "improved_lower": "95% CI from", "improved_upper": "to", "indicative_only": "Indicative only",
}  # fmt: skip
BAND_TABLE = {
    "item_label": "ONS4 item", "band_label": "Band", "n_pairs": "Pairs",
    "baseline_count": "Baseline", "baseline_share": "Baseline share",
    "baseline_lower": "95% CI from", "baseline_upper": "to",
    "followup_count": "Follow-up", "followup_share": "Follow-up share",
    "followup_lower": "95% CI from ", "followup_upper": "to ",
}  # fmt: skip
PERCENT_COLUMNS = frozenset(
    ["improved_share", "improved_lower", "improved_upper"]
    + [f"{w}_{s}" for w in ("baseline", "followup") for s in ("share", "lower", "upper")]
)
"""Table columns holding proportions (shown as percentages)."""
FORMATS = dict.fromkeys(PERCENT_COLUMNS, "percent") | dict.fromkeys(
    ["baseline_mean", "followup_mean", "mean_change", "change_lower", "change_upper",
     "cohens_d"], "%.2f",
) | {"p_ttest": "%.2e", "p_wilcoxon": "%.2e"}  # fmt: skip
"""Number format of each table column (as ``st.column_config.NumberColumn`` takes it)."""


def _colours(groups: list[str]) -> dict[str, str]:
    others = iter(OTHER * (len(groups) // len(OTHER) + 1))
    return {g: GROUP_COLOURS.get(g) or next(others) for g in groups}


def _label(group: object) -> str:
    """A group as a legend or axis label: "still attending" → "Still attending"."""
    text = str(group)
    return text[:1].upper() + text[1:]


def _notes(indicative: str | None, attribution: bool) -> tuple[list[dict], int]:
    """Lines under the plot (what marks an indicative-only group, the SWEMWBS licence) as layout
    annotations, and the bottom margin they need."""
    lines = ([f"<b>{indicative}: {INDICATIVE}</b>"] if indicative else []) + (
        [f"SWEMWBS {ATTRIBUTION}"] if attribution else []
    )
    notes = [
        {"text": text, "x": 0, "y": 0, "xref": "paper", "yref": "paper", "xanchor": "left",
         "yanchor": "top", "yshift": -52 - 18 * i, "showarrow": False,
         "font": {"size": 11, "color": "#555555"}}
        for i, text in enumerate(lines)
    ]  # fmt: skip
    return notes, 62 + 18 * len(lines)


def _layout(title: str, x_title: str, notes: tuple[list[dict], int], **more) -> dict:
    """The house layout with the notes under the plot and room for them."""
    annotations, bottom = notes
    out = layout(title, x_title, "", annotations=annotations, **more)
    out["margin"] = {**out["margin"], "b": bottom}
    return out


def change_figure(summary: pd.DataFrame, grouping: str = "") -> go.Figure:
    """Mean change (week N − baseline) per measure and group with its 95% CI: one row per
    measure, groups side by side; hollow markers for indicative-only groups."""
    week = "" if summary.empty else f" to week {int(summary['week'].iloc[0])}"
    title = f"Mean change from baseline{week}, with 95% CIs"
    if summary.empty:
        fig = _base_layout(go.Figure(), title, "Mean change (points on each measure's scale)", "")
        return with_message(fig, "No one in view has both questionnaires")
    groups = list(dict.fromkeys(summary["group"]))
    colours = _colours(groups)
    data = []
    cols = {c: summary[c].to_numpy() for c in summary.columns}  # numpy once, not per group
    flags = summary["indicative_only"].astype(bool).to_numpy()
    for g in groups:
        at = cols["group"] == g
        flag, n_pairs = flags[at], cols["n_pairs"][at]
        mean, lower, upper = (cols[c][at] for c in ("mean_change", "change_lower", "change_upper"))
        data.append({
            "type": "scatter", "name": _label(g), "x": np.round(mean, 4).tolist(),
            "y": [MEASURE_LABELS.get(m, np.nan) for m in cols["measure"][at]], "mode": "markers",
            "orientation": "h",
            "marker": {"size": 10, "color": colours[g],
                       "symbol": ["circle-open" if f else "circle" for f in flag]},
            "error_x": {"type": "data", "symmetric": False, "color": colours[g],
                        "thickness": 1.5, "array": np.round(upper - mean, 4).tolist(),
                        "arrayminus": np.round(mean - lower, 4).tolist()},
            "customdata": [[lo, hi, n, INDICATIVE if f else ""] for lo, hi, n, f in zip(
                np.round(lower, 3).tolist(), np.round(upper, 3).tolist(), n_pairs.tolist(),
                flag, strict=True)],
            "hovertemplate": "%{y}: %{x:+.2f} (95% CI %{customdata[0]:+.2f} to "
            "%{customdata[1]:+.2f}), %{customdata[2]:,} pairs %{customdata[3]}"
            "<extra>%{fullData.name}</extra>",
        })  # fmt: skip
    order = [MEASURE_LABELS[m] for m in MEASURES if m in set(summary["measure"])]
    indicative = summary["indicative_only"].astype(bool).any()
    notes = _notes("Hollow markers" if indicative else None, "swemwbs" in set(summary["measure"]))
    out = _layout(
        title, "Mean change (points on each measure's scale)", notes,
        shapes=[{"type": "line", "x0": 0, "x1": 0, "xref": "x", "y0": 0, "y1": 1,
                 "yref": "paper", "line": {"color": "#555555", "width": 1.5, "dash": "dash"}}],
        yaxis={"categoryorder": "array", "categoryarray": order, "autorange": "reversed",
               "ticksuffix": "  "},
        scattermode="group", scattergap=0.5, height=170 + 42 * len(order) + 10 * len(groups),
    )  # fmt: skip
    out["legend"]["title"] = {"text": grouping}
    return figure(data, out, check=CHECK_FIGURES)


def improvement_figure(improvement: pd.DataFrame) -> go.Figure:
    """Share of people whose SWEMWBS score rose by 3 or more points, with Wilson 95% CIs, by
    attendance at the follow-up and by arm; hatched bars for indicative-only groups."""
    title = "Improved by 3 or more SWEMWBS points"
    if improvement.empty:
        fig = _base_layout(go.Figure(), title, "Share of pairs", "")
        return with_message(fig, "No one in view has both SWEMWBS questionnaires")
    colours = _colours(list(dict.fromkeys(improvement["group"])))
    flag = improvement["indicative_only"].astype(bool)
    share = improvement["improved_share"]
    pairs = zip(improvement["group"], improvement["n_pairs"], strict=True)
    labels = [f"{_label(g)} ({n:,} pairs)" for g, n in pairs]
    bar = {
        "type": "bar", "name": "Share improved", "orientation": "h",
        "y": [improvement["by_label"].tolist(), labels],
        "x": share.round(4).tolist(),
        "marker": {"color": [colours[g] for g in improvement["group"]],
                   "pattern": {"shape": ["/" if f else "" for f in flag]}},
        "error_x": {"type": "data", "symmetric": False, "color": "#333333", "thickness": 1.2,
                    "array": (improvement["improved_upper"] - share).round(4).tolist(),
                    "arrayminus": (share - improvement["improved_lower"]).round(4).tolist()},
        "customdata": [[lo, hi, INDICATIVE if f else ""] for lo, hi, f in zip(
            improvement["improved_lower"], improvement["improved_upper"], flag, strict=True)],
        "hovertemplate": "%{y}: %{x:.1%} (95% CI %{customdata[0]:.1%} to "
        "%{customdata[1]:.1%}) %{customdata[2]}<extra></extra>",
    }  # fmt: skip
    top = float(improvement["improved_upper"].max())
    out = _layout(
        title, "Share of pairs", _notes("Hatched bars" if flag.any() else None, attribution=True),
        xaxis={"tickformat": ".0%", "range": [0, min(1.0, top * 1.15 + 0.02)]},
        yaxis={"autorange": "reversed", "ticksuffix": "  "},
        height=160 + 44 * len(improvement), showlegend=False,
    )  # fmt: skip
    return figure([bar], out, check=CHECK_FIGURES)


@functools.cache
def _bands_grid() -> dict:
    """The 2 × 2 grid's layout (axes' domains, the panel titles), from plotly's make_subplots."""
    titles = [MEASURE_LABELS[i].removeprefix("ONS4 ").capitalize() for i in ONS4_ITEMS]
    fig = make_subplots(rows=2, cols=2, subplot_titles=titles, vertical_spacing=0.16,
                        horizontal_spacing=0.08)  # fmt: skip
    grid = fig.layout.to_plotly_json()
    grid.pop("template", None)
    return grid


def ons4_bands_figure(bands: pd.DataFrame) -> go.Figure:
    """For each ONS4 item, the share of people in each band at baseline and at week N (the same
    people at both times), with Wilson 95% CIs."""
    items = [i for i in ONS4_ITEMS if not bands.empty and i in set(bands["item"])]
    week = "follow-up" if bands.empty else f"week {int(bands['week'].iloc[0])}"
    grid = copy.deepcopy(_bands_grid())
    title = f"ONS4 bands at baseline and at {week}, same people"
    if not items:
        fig = make_subplots(rows=2, cols=2, subplot_titles=[a["text"] for a in grid["annotations"]],
                            vertical_spacing=0.16, horizontal_spacing=0.08)  # fmt: skip
        _base_layout(fig, title, "", "")
        fig.update_layout(height=620, barmode="group", margin={"t": 110})
        fig.update_layout(legend={"x": 1, "xanchor": "right", "y": 1.1, "yanchor": "bottom"})
        return with_message(fig, "No one in view has both ONS4 questionnaires")
    data = []
    cols = {c: bands[c].to_numpy() for c in bands.columns}  # numpy once, not pandas per trace
    for k, item in enumerate(ONS4_ITEMS):
        at = np.flatnonzero(cols["item"] == item)
        if not len(at):
            continue
        at = at[np.argsort(cols["band_order"][at], kind="quicksort")]  # as sort_values does
        axes = {"xaxis": f"x{k + 1 if k else ''}", "yaxis": f"y{k + 1 if k else ''}"}
        x = cols["band_label"][at].tolist()
        for when, label, colour in (("baseline", "Baseline", BASELINE),
                                    ("followup", week.capitalize(), FOLLOW_UP)):  # fmt: skip
            share, lower, upper = (cols[f"{when}_{s}"][at] for s in ("share", "lower", "upper"))
            custom = [cols[f"{when}_count"][at], cols["n_pairs"][at], lower, upper]
            data.append({
                "type": "bar", "name": label, "x": x, "y": np.round(share, 4).tolist(),
                "marker": {"color": colour}, "legendgroup": when, "showlegend": k == 0,
                "error_y": {"type": "data", "symmetric": False, "color": "#333333",
                            "array": np.round(upper - share, 4).tolist(),
                            "arrayminus": np.round(share - lower, 4).tolist()},
                "customdata": np.column_stack(custom).tolist(),
                "hovertemplate": f"{label}, %{{x}}: %{{y:.1%}} (%{{customdata[0]}} of "
                "%{customdata[1]}; 95% CI %{customdata[2]:.1%} to %{customdata[3]:.1%})"
                "<extra></extra>",
            } | axes)  # fmt: skip
    for note in grid["annotations"]:
        note["yshift"] = 6
    axes = {k: v for k, v in grid.items() if k.startswith(("xaxis", "yaxis"))}
    for name, axis in axes.items():
        if name.startswith("yaxis"):
            axis |= {"tickformat": ".0%", "rangemode": "tozero"}
    out = layout(title, "", "", **axes, annotations=grid["annotations"], height=620,
                 barmode="group")  # fmt: skip
    out["margin"] = {**out["margin"], "t": 110}
    out["legend"] |= {"x": 1, "xanchor": "right", "y": 1.1, "yanchor": "bottom"}
    return figure(data, out, check=CHECK_FIGURES)
