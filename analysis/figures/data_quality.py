"""Figures for the Data quality page, one function per chart; the exporter draws the same ones.

Each takes a frame from :mod:`analysis.metrics.data_quality` and returns a plotly Figure.
Colours come from the Okabe-Ito palette (categories) or a single-hue light-to-dark scale (how
much is missing), so the charts read with colour-vision deficiencies and in greyscale; every
bar carries its number as text.
"""

from __future__ import annotations

import copy
import functools

import pandas as pd
import plotly.graph_objects as go

from analysis.figures.overview import white_template
from analysis.metrics.data_quality import FRESHNESS_BANDS, MISSING_LABELS

__all__ = [
    "FEED_TABLE",
    "LINKAGE_TABLE",
    "ORGANISER_TABLE",
    "WARNING_TABLE",
    "faults_figure",
    "freshness_figure",
    "linkage_figure",
    "readiness_figure",
    "rejects_figure",
]

FONT = "Source Sans Pro, Arial, sans-serif"
BLUE, ORANGE, VERMILLION = "#0072B2", "#E69F00", "#D55E00"
BAND_COLOURS = ("#0072B2", "#56B4E9", "#E69F00", "#D55E00")  # fresh → stale
MISSING_SCALE = [[0.0, "#FFFFFF"], [0.5, "#FDB863"], [1.0, "#B35806"]]

# Table views: column → (heading, number format or None for plain text); the page turns these
# into Streamlit column configs and the exporter uses them as headings.
# fmt: off
FEED_TABLE = {
    "feed_label": ("Feed", None), "status": ("Status", None),
    "harvested_at": ("Last harvested", None), "pages": ("Pages", None), "items": ("Items", None),
    "live_series": ("Live series", None), "median_age_days": ("Median days since update", None),
    "series_stale_90d": ("Series not updated in 90 days", None),
    "occurrences": ("Occurrences", None), "cancelled_occurrences": ("Cancelled", None),
    "orphan_share": ("Orphan occurrences", "percent"), "faults": ("Faults", None),
    "last_error": ("Last error", None),
}
ORGANISER_TABLE = {
    "organiser_name": ("Organiser", None), "publisher_name": ("Publisher", None),
    "series": ("Live series", None), "mean_sp_ready_score": ("SP-readiness", "percent"),
    "fields_to_add": ("Fields to add (missing from half or more)", None),
} | {column: (f"Missing: {label}", "percent") for column, label in MISSING_LABELS.items()}
LINKAGE_TABLE = {
    "check": ("Check", None), "numerator": ("Linked", None), "denominator": ("Of", None),
    "rate": ("Rate", "percent"), "scope": ("Counted over", None),
}
WARNING_TABLE = {
    "warning": ("Warning", None), "referrals": ("Referrals", None),
    "share": ("% of referrals", "percent"), "examples": ("Example referral ids", None),
}
# fmt: on


def _layout(title: str, x_title: str = "", y_title: str = "", rows: int = 0) -> go.Figure:
    fig = white_template(go.Figure())
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font={"family": FONT, "size": 14},
        xaxis_title={"text": x_title},
        yaxis_title={"text": y_title},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "title": {"text": ""}},
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
        hoverlabel={"namelength": -1},
        height=max(300, 120 + 34 * rows),
    )
    return fig


def _empty(fig: go.Figure, text: str) -> go.Figure:
    fig.add_annotation(text=text, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _whole_dtick(largest: int) -> int:
    """A whole-number tick step giving about five ticks up to ``largest``."""
    step = max(1, largest // 5)
    magnitude = 10 ** (len(str(step)) - 1)
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= step)


def faults_figure(faults: pd.DataFrame) -> go.Figure:
    """Publisher faults recorded while harvesting, by type (horizontal bars, most first)."""
    fig = _layout("Publisher faults by type", "Times seen", rows=len(faults))
    if faults.empty:
        return _empty(fig, "No publisher faults recorded")
    rows = faults.sort_values("occurrences")
    fig.add_trace(
        go.Bar(
            orientation="h",
            y=rows["fault"].tolist(),
            x=rows["occurrences"].tolist(),
            text=[f"{v:,}" for v in rows["occurrences"]],
            textposition="outside",
            marker={"color": VERMILLION},
            customdata=rows[["feeds", "pages"]].values.tolist(),
            hovertemplate="%{y}: %{x:,} times on %{customdata[1]} pages of %{customdata[0]} "
            "feeds<extra></extra>",
        )
    )
    fig.update_xaxes(dtick=_whole_dtick(int(rows["occurrences"].max())))
    return fig


def freshness_figure(freshness: pd.DataFrame) -> go.Figure:
    """Live series per feed by days since their last update (stacked bars)."""
    feeds = freshness["feed_label"].unique().tolist() if len(freshness) else []
    fig = _layout("How recently each feed's sessions were updated", "Live series", rows=len(feeds))
    if freshness.empty:
        return _empty(fig, "No live session series held")
    for (_, band), colour in zip(FRESHNESS_BANDS, BAND_COLOURS, strict=True):
        rows = freshness[freshness["band"] == band].set_index("feed_label").reindex(feeds)
        fig.add_trace(
            go.Bar(
                name=f"Updated {band}" if band.startswith("within") else f"{band} old",
                orientation="h",
                y=feeds,
                x=rows["series"].fillna(0).astype(int).tolist(),
                marker={"color": colour},
                hovertemplate="%{y}: %{x:,} series<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(barmode="stack", legend={"traceorder": "normal"})
    fig.update_yaxes(ticksuffix="  ")
    return fig


def readiness_figure(organisers: pd.DataFrame) -> go.Figure:
    """Organiser × SP-readiness criterion: the share of each organiser's series missing it
    (darker = more missing), least SP-ready organisers at the top."""
    fig = _layout("What each organiser's sessions are missing", rows=len(organisers))
    if organisers.empty:
        return _empty(fig, "No live session series held")
    rows = organisers.iloc[::-1]
    labels = [
        f"{o} ({s:.0%} SP-ready)"
        for o, s in zip(rows["organiser_name"], rows["mean_sp_ready_score"], strict=True)
    ]
    z = (rows[list(MISSING_LABELS)] * 100).round(1)
    fig.add_trace(
        go.Heatmap(
            z=z.values.tolist(),
            x=list(MISSING_LABELS.values()),
            y=labels,
            zmin=0,
            zmax=100,
            colorscale=MISSING_SCALE,
            text=[[f"{v:.0f}%" for v in r] for r in z.values],
            texttemplate="%{text}",
            xgap=2,
            ygap=2,
            colorbar={"title": {"text": "% missing", "side": "top"}, "ticksuffix": "%"},
            hovertemplate="%{y}: %{z:.0f}% of series lack %{x}<extra></extra>",
        )
    )
    fig.update_xaxes(side="top", tickangle=-30)
    fig.update_layout(margin={"t": 140})
    return fig


def rejects_figure(summary: pd.DataFrame) -> go.Figure:
    """Rejected input rows by file kind and the field that failed first."""
    fig = _layout("Rejected rows by input and field", "Rows rejected", rows=len(summary))
    if summary.empty:
        return _empty(fig, "No rows were rejected")
    rows = summary.iloc[::-1]
    fig.add_trace(
        go.Bar(
            orientation="h",
            y=(rows["kind"] + " · " + rows["field"]).tolist(),
            x=rows["rows"].tolist(),
            text=[f"{v:,}" for v in rows["rows"]],
            textposition="outside",
            marker={"color": ORANGE},
            customdata=rows[["example"]].values.tolist(),
            hovertemplate="%{y}: %{x:,} rows<br>e.g. %{customdata[0]}<extra></extra>",
        )
    )
    fig.update_xaxes(dtick=_whole_dtick(int(rows["rows"].max())))
    fig.update_yaxes(ticksuffix="  ")
    return fig


def _percent(numerator: int, denominator: int) -> str:
    """A share as a percentage that never rounds an incomplete link up to 100%."""
    text = f"{100 * numerator / denominator:.1f}%"
    if text == "100.0%" and numerator < denominator:
        text = f"{min(100 * numerator / denominator, 99.99):.2f}%"
    return text


@functools.cache
def _layout_dict(title: str, x_title: str, rows: int) -> dict:
    """:func:`_layout`'s layout as plotly stores it, without its template (made once per
    title and height; copied before use)."""
    base = _layout(title, x_title, rows=rows).layout.to_plotly_json()
    base.pop("template", None)
    return base


def linkage_figure(linkage: pd.DataFrame) -> go.Figure:
    """Each linkage rate as a bar from 0 to 100%, labelled "numerator of denominator".

    Built as one dict of plain lists, strings and numbers and not validated again value by value
    (validating the layout and the trace step by step was most of its drawing time); the unit
    tests check it equals the figure validation gives."""
    title = "How well the records join up"
    if linkage.empty:
        return _empty(_layout(title, "Linked (%)", rows=0), "Nothing to link")
    layout = copy.deepcopy(_layout_dict(title, "Linked (%)", len(linkage)))
    layout["xaxis"] |= {"range": [0, 104], "dtick": 20, "ticksuffix": "%"}
    layout["yaxis"] |= {"ticksuffix": "  "}
    rows = linkage.iloc[::-1]
    rate = (rows["rate"] * 100).round(2)
    bar = {
        "type": "bar",
        "orientation": "h",
        "y": rows["check"].tolist(),
        "x": rate.fillna(0).tolist(),
        "text": [
            f"{n:,} of {d:,} ({_percent(n, d)})" if d else "none to link"
            for n, d in zip(rows["numerator"], rows["denominator"], strict=True)
        ],
        "textposition": "inside",
        "insidetextanchor": "start",
        "textfont": {"color": "#FFFFFF"},
        "marker": {"color": BLUE},
        "hovertemplate": "%{y}: %{x:.1f}%<extra></extra>",
    }
    return white_template(go.Figure({"data": [bar], "layout": layout}, _validate=False))
