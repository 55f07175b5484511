"""The Supply & gaps page's PCN coverage chart and its table's desert shading."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from pandas.io.formats.style import Styler

from analysis.access import ACCESS_KM
from analysis.figures.overview import white_template
from analysis.figures.supply_style import DESERT_OUTLINE, FONT
from analysis.metrics.supply_coverage import DESERT_SHARE

__all__ = ["coverage_figure", "highlight_deserts"]

BAR, DIAMOND = "#0072B2", "#000000"


def highlight_deserts(table: pd.DataFrame, columns: Sequence[str] | None = None) -> Styler:
    """The PCN table (only ``columns`` of it, when given) with desert rows shaded (the "Supply
    gap" column says so in words too)."""
    desert = table["desert"].fillna(False).astype(bool).to_numpy()
    shown = table if columns is None else table[list(columns)]
    styles = pd.DataFrame("", index=shown.index, columns=shown.columns)
    styles.loc[desert, :] = "background-color: #FBE3D6"
    return shown.style.apply(lambda _: styles, axis=None)


def _layout(rows: int) -> dict:
    """The chart's layout: title, axis, and the legend under the chart, clear of the desert
    line's label above it at any width."""
    return {
        "title": {"text": f"People within {ACCESS_KM:g} km of a suitable session", "x": 0},
        "font": {"family": FONT, "size": 14},
        "margin": {"l": 10, "r": 10, "t": 80, "b": 40},
        "hoverlabel": {"namelength": -1},
        "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
        "xaxis": {
            "title": {"text": "Share within 1 km (%)"},
            "range": [0, 105],
            "ticksuffix": "%",
        },
        "height": max(320, 60 + 40 * rows),
        "bargap": 0.3,
    }


def coverage_figure(table: pd.DataFrame) -> go.Figure:
    """Per PCN: the share of its population (bars) and of its referred people (diamonds) within
    1 km of a suitable session, with the 40% desert line; deserts are drawn in vermillion."""
    if table.empty:
        layout = _layout(0) | {"height": None, "bargap": None}
        layout["annotations"] = [
            {"text": "No PCNs in view", "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper",
             "showarrow": False}
        ]  # fmt: skip
        return white_template(go.Figure(layout={k: v for k, v in layout.items() if v is not None}))
    rows = table.sort_values(["share_within_1km", "pcn_name"], ascending=[False, True])
    names = rows["pcn_name"].tolist()
    share = (rows["share_within_1km"] * 100).round(2).fillna(0)
    referred = (rows["referred_share_within_1km"] * 100).round(2)
    bars = {
        "type": "bar",
        "name": "Population",
        "orientation": "h",
        "y": names,
        "x": share.tolist(),
        "text": [f"{v:.0f}%" for v in share],
        "textposition": "auto",
        "insidetextanchor": "start",
        "insidetextfont": {"color": "#FFFFFF"},
        "outsidetextfont": {"color": "#111111"},
        "marker": {"color": [DESERT_OUTLINE if d else BAR for d in rows["desert"]]},
        "hovertemplate": "%{y}: %{x:.1f}% of the population<extra></extra>",
    }
    diamonds = {
        "type": "scatter",
        "name": "Referred people",
        "mode": "markers",
        "y": names,
        "x": [None if pd.isna(v) else v for v in referred],
        "marker": {"symbol": "diamond", "size": 11, "color": DIAMOND},
        "hovertemplate": "%{y}: %{x:.1f}% of referred people<extra></extra>",
    }
    layout = _layout(len(rows))
    x = DESERT_SHARE * 100
    layout["shapes"] = [
        {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
         "line": {"color": "#333333", "dash": "dash", "width": 1.5}}
    ]  # fmt: skip
    layout["annotations"] = [
        {"text": f"{DESERT_SHARE:.0%}: desert below", "x": x, "xref": "x", "xanchor": "right",
         "y": 1, "yref": "y domain", "yanchor": "bottom", "showarrow": False}
    ]  # fmt: skip
    layout["yaxis"] = {"range": [-0.6, len(rows) - 0.4]}  # no padding for the diamonds
    return white_template(go.Figure(data=[bars, diamonds], layout=layout))
