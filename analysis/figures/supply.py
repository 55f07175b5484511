"""Figures for the Supply & gaps page, gathered under one name for the page, the export
catalogue and the tests; each part lives in the module that says what it holds:

- :mod:`analysis.figures.supply_map`: the supply map (a pydeck Deck), built in two steps so the
  parts that the referral period does not change are built once;
- :mod:`analysis.figures.supply_places`: where things go on the map (outlines, spacing, view);
- :mod:`analysis.figures.supply_map_rows`: the map's rows (fill colours, tooltip lines);
- :mod:`analysis.figures.supply_style`: colours, distance bands and the map's legend;
- :mod:`analysis.figures.supply_coverage`: the PCN coverage chart and the table's shading;
- :mod:`analysis.figures.supply_tables`: the table views and the session data's attribution.
"""

from __future__ import annotations

from analysis.figures.supply_coverage import coverage_figure, highlight_deserts
from analysis.figures.supply_map import (
    MAX_PCN_NAMES,
    CompactDeck,
    MapBase,
    deck_for,
    map_base,
    supply_deck,
)
from analysis.figures.supply_style import (
    DESERT_OUTLINE,
    DISTANCE_BANDS,
    OKABE_ITO,
    activity_colours,
    distance_band,
    map_legend_html,
    rgb,
)
from analysis.figures.supply_tables import (
    AREA_TABLE,
    FINDER_TABLE,
    PCN_TABLE,
    attribution_markdown,
)

# fmt: off
__all__ = [
    "AREA_TABLE", "DESERT_OUTLINE", "DISTANCE_BANDS", "FINDER_TABLE", "MAX_PCN_NAMES",
    "OKABE_ITO", "PCN_TABLE", "CompactDeck", "MapBase", "activity_colours",
    "attribution_markdown", "coverage_figure", "deck_for", "distance_band", "highlight_deserts",
    "map_base", "map_legend_html", "rgb", "supply_deck",
]
# fmt: on
