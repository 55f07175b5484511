"""The linkage chart built as one dict is the figure plotly's validated, step-by-step build
gives (the same JSON), for linkage frames with and without gaps."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis.figures import data_quality as figures


def linkage_step_by_step(linkage: pd.DataFrame) -> go.Figure:
    """The chart as it was drawn: the house layout, then a validated bar and axis updates."""
    fig = figures._layout("How well the records join up", "Linked (%)", rows=len(linkage))
    rows = linkage.iloc[::-1]
    rate = (rows["rate"] * 100).round(2)
    fig.add_trace(
        go.Bar(
            orientation="h",
            y=rows["check"].tolist(),
            x=rate.fillna(0).tolist(),
            text=[
                f"{n:,} of {d:,} ({figures._percent(n, d)})" if d else "none to link"
                for n, d in zip(rows["numerator"], rows["denominator"], strict=True)
            ],
            textposition="inside",
            insidetextanchor="start",
            textfont={"color": "#FFFFFF"},
            marker={"color": figures.BLUE},
            hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
        )
    )
    fig.update_xaxes(range=[0, 104], dtick=20, ticksuffix="%")
    fig.update_yaxes(ticksuffix="  ")
    return fig


def linkage_frame(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 7))
    denominator = rng.integers(0, 50_000, size=n)
    numerator = (denominator * rng.random(n)).astype(np.int64)
    whole = rng.random(n) < 0.3  # some links complete, some almost (99.99…%)
    numerator[whole] = denominator[whole]
    rate = numerator / np.where(denominator > 0, denominator, np.nan)
    return pd.DataFrame(
        {
            "check": [f"Check {i}" for i in range(n)],
            "numerator": numerator,
            "denominator": denominator,
            "rate": rate,
            "scope": "referrals in view",
        }
    )


@pytest.mark.parametrize("seed", range(12))
def test_linkage_figure_is_the_validated_figure(seed: int) -> None:
    frame = linkage_frame(seed)
    built = figures.linkage_figure(frame)
    assert json.loads(built.to_json()) == json.loads(linkage_step_by_step(frame).to_json())
    again = go.Figure(built.to_dict())  # validating the dict again changes nothing
    assert json.loads(again.to_json()) == json.loads(built.to_json())


def test_empty_linkage_says_so() -> None:
    empty = pd.DataFrame(columns=["check", "numerator", "denominator", "rate", "scope"])
    shown = figures.linkage_figure(empty)
    assert shown.layout.annotations[0].text == "Nothing to link"
