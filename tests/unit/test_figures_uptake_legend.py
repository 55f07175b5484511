"""The Uptake per-PCN funnel chart's legend, where Chromium draws it: clear of the title and of
the x axis at a narrow and a wide page (its five stages beside the title ran into it)."""

from __future__ import annotations

import re
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from analysis.export.figures import BrowserMissingError, find_browser
from analysis.figures import uptake as ufig
from analysis.filters import Filters
from analysis.metrics import overview, uptake
from analysis.store import open_store

Box = tuple[float, float, float, float]  # left, top, right, bottom (SVG pixels)
NUMBER = r"(-?[\d.]+)"


def _browser() -> None:
    try:
        find_browser()
    except BrowserMissingError as exc:
        pytest.skip(f"no Chromium to draw the chart: {exc}")


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def drawn_boxes(fig: go.Figure, width: int) -> dict[str, Box]:
    """The title's, the x-axis title's and the legend's boxes in the SVG Chromium draws (a text's
    box from its baseline and font size, its width at most 0.6 em a character)."""
    svg = pio.to_image(fig, format="svg", width=width).decode()
    boxes: dict[str, Box] = {}
    for name in ("gtitle", "xtitle"):
        found = re.search(
            rf'<text class="{name}" x="{NUMBER}" y="{NUMBER}" text-anchor="(\w+)"[^>]*?'
            rf"font-size: {NUMBER}px[^>]*>([^<]*)</text>",
            svg,
        )
        assert found, f"no {name} in the drawn chart"
        x, y, anchor, size, text = found.groups()
        wide = 0.6 * float(size) * len(text)
        left = float(x) - {"start": 0, "middle": wide / 2, "end": wide}[anchor]
        boxes[name] = (left, float(y) - float(size), left + wide, float(y) + 0.3 * float(size))
    legend = re.search(
        rf'<g class="legend"[^>]*translate\({NUMBER},{NUMBER}\)"><rect class="bg"[^>]*'
        rf'width="{NUMBER}" height="{NUMBER}"',
        svg,
    )
    assert legend, "no legend in the drawn chart"
    x, y, w, h = map(float, legend.groups())
    boxes["legend"] = (x, y, x + w, y + h)
    return boxes


@pytest.fixture(scope="module")
def funnel(demo_store: Path) -> go.Figure:
    con = open_store(demo_store, read_only=True)
    try:
        flt = Filters(pilot=overview.pilot_names(con)[0])
        return ufig.pcn_funnel_figure(uptake.funnel_stages(uptake.uptake_funnel(con, flt, "pcn")))
    finally:
        con.close()


@pytest.mark.parametrize("width", [700, 1400])
def test_pcn_funnel_legend_is_clear_of_the_title_and_axis(funnel: go.Figure, width: int) -> None:
    _browser()
    boxes = drawn_boxes(funnel, width)
    legend, title, axis = boxes["legend"], boxes["gtitle"], boxes["xtitle"]
    assert not _overlap(legend, title), f"legend {legend} runs into the title {title}"
    assert legend[1] >= axis[3], f"legend {legend} is not under the x-axis title {axis}"
    assert legend[3] <= funnel.layout.height, "the legend is cut off at the bottom"


def test_the_overlap_check_sees_a_legend_beside_the_title(funnel: go.Figure) -> None:
    """The check above fails for the legend where it was (beside the title, over the plot)."""
    _browser()
    beside = go.Figure(funnel).update_layout(
        legend={"yref": "paper", "y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left"},
        margin={"t": 80, "b": 10},
    )
    boxes = drawn_boxes(beside, 700)
    assert _overlap(boxes["legend"], boxes["gtitle"])
