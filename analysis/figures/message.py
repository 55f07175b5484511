"""A chart that says, in its middle, why it has nothing to draw (no axes)."""

from __future__ import annotations

import plotly.graph_objects as go


def with_message(fig: go.Figure, text: str) -> go.Figure:
    """``fig`` with ``text`` in the middle of the plotting area and its axes hidden."""
    fig.add_annotation(text=text, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font={"size": 16})  # fmt: skip
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig
