"""Build a chart of the Uptake and Equity pages as one dict, validated once by plotly.

Adding traces one by one and then calling ``update_layout`` / ``update_xaxes`` makes plotly
re-parse and re-validate the figure at every step (about three quarters of a chart's drawing
time); a figure made from one ``{"data": [...], "layout": {...}}`` is validated once and is the
same figure. The house layout is taken from :func:`analysis.figures.overview._base_layout`, so
the charts keep the Overview's style.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from analysis.figures.house import _base_layout, white_template

__all__ = ["figure", "go_live_marks", "layout"]

AXES = ("xaxis", "yaxis")


@functools.cache
def _house_layout() -> dict[str, Any]:
    """The Overview's layout with empty titles, without its template (set apart, unvalidated)."""
    base = _base_layout(go.Figure(), "", "", "").layout.to_plotly_json()
    base.pop("template", None)
    return base


def layout(title: str, x_title: str, y_title: str, **more: Any) -> dict[str, Any]:
    """The house layout with these titles; ``more`` adds layout keys, and ``xaxis`` /
    ``yaxis`` dicts are merged into the axes (as ``update_xaxes`` / ``update_yaxes`` do)."""
    out = copy.deepcopy(_house_layout())
    out["title"]["text"] = title
    out["xaxis"]["title"]["text"] = x_title
    out["yaxis"]["title"]["text"] = y_title
    for key, value in more.items():
        if key in AXES:
            out[key].update(value)
        else:
            out[key] = value
    return out


def figure(
    data: list[dict[str, Any]], layout_: dict[str, Any], *, check: bool = True
) -> go.Figure:
    """The figure of these trace dicts (each with its ``type``) and this layout, with the
    "plotly_white" template.

    ``check=False`` skips plotly's validation (a third of a chart's drawing time), for callers
    whose dicts hold only plain lists, strings and numbers under full property names, where
    validation would only copy them (the figures' unit tests check each is the same figure
    either way). The template then comes with the layout, so plotly neither sets its default
    template first nor copies one twice; it is moved to the layout's last key, where setting it
    afterwards puts it (the same JSON, byte for byte).
    """
    if check:
        return white_template(go.Figure({"data": data, "layout": layout_}))
    fig = go.Figure({"data": data, "layout": {**layout_, "template": _white()}}, _validate=False)
    fig._layout["template"] = fig._layout.pop("template")
    return fig


@functools.cache
def _white() -> dict[str, Any]:
    """The "plotly_white" template as :func:`analysis.figures.house.white_template` sets it."""
    return white_template(go.Figure()).to_dict()["layout"]["template"]


def go_live_marks(go_live: pd.Timestamp) -> dict[str, list[dict]]:
    """The Overview's go-live line and its label, as ``analysis.figures.overview._go_live_line``
    adds them, but as layout keys of a figure's dict."""
    when = go_live.strftime("%Y-%m-%d")
    line = {"color": "#333333", "width": 1.5, "dash": "dot"}
    return {
        "shapes": [{"type": "line", "x0": when, "x1": when, "xref": "x", "y0": 0, "y1": 1,
                    "yref": "paper", "line": line, "name": "go-live"}],
        "annotations": [{"x": when, "y": 1, "xref": "x", "yref": "paper", "yanchor": "bottom",
                         "xanchor": "left", "text": f"Go-live {go_live.strftime('%-d %b %Y')}",
                         "showarrow": False, "font": {"size": 12, "color": "#333333"}}],
    }  # fmt: skip
