"""The house style of the dashboard's charts: the arms' colours and dashes, the layout every
chart starts from, the "no data" figure and the go-live mark.

Arms keep fixed Okabe-Ito colours (pilot blue, comparison orange) and line dashes, so the charts
stay readable with colour-vision deficiencies and in greyscale.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

__all__ = [
    "ARM_COLOURS",
    "ARM_DASHES",
    "FONT",
    "NO_DATA",
    "TEXT_ON",
    "white_template",
]

ARM_COLOURS = {"pilot": "#0072B2", "comparison": "#E69F00", "all": "#0072B2"}
TEXT_ON = {"pilot": "#FFFFFF", "comparison": "#000000", "all": "#FFFFFF"}  # legible on the bar
ARM_DASHES = {"pilot": "solid", "comparison": "dash", "all": "solid"}
FONT = "Source Sans Pro, Arial, sans-serif"
NO_DATA = "No referrals match these filters"


def white_template(fig: go.Figure) -> go.Figure:
    """Give ``fig`` plotly's registered "plotly_white" template.

    The same as ``fig.update_layout(template="plotly_white")`` without validating the registered
    template again (as plotly does for its default template): validation rebuilds every trace
    type's defaults and took a quarter of a page's drawing time.
    """
    layout = fig.layout
    layout._validate = False
    try:
        layout.template = pio.templates["plotly_white"]
    finally:
        layout._validate = True
    return fig


def _base_layout(fig: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    white_template(fig)
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font={"family": FONT, "size": 14},
        xaxis_title={"text": x_title},
        yaxis_title={"text": y_title},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "xanchor": "left",
            "x": 0,
            "title": {"text": ""},
        },
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
        hoverlabel={"namelength": -1},
    )
    return fig


def _empty(fig: go.Figure) -> go.Figure:
    fig.add_annotation(
        text=NO_DATA, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": 16}
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def _go_live_line(fig: go.Figure, go_live: pd.Timestamp) -> None:
    when = go_live.strftime("%Y-%m-%d")
    fig.add_shape(
        type="line",
        x0=when,
        x1=when,
        xref="x",
        y0=0,
        y1=1,
        yref="paper",
        line={"color": "#333333", "width": 1.5, "dash": "dot"},
        name="go-live",
    )
    fig.add_annotation(
        x=when,
        y=1,
        xref="x",
        yref="paper",
        yanchor="bottom",
        xanchor="left",
        text=f"Go-live {go_live.strftime('%-d %b %Y')}",
        showarrow=False,
        font={"size": 12, "color": "#333333"},
    )
