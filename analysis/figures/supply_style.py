"""The Supply & gaps page's colours, distance bands and the supply map's legend.

Areas are shaded by distance to the nearest suitable session on a light-to-dark sequential
scale (safe for colour-vision deficiencies); suitable sessions are coloured by activity group
(Okabe-Ito); deserts are outlined in vermillion.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from analysis.access import ACCESS_KM
from analysis.metrics.supply_coverage import DESERT_SHARE
from analysis.metrics.supply_disclosure import REDACTED

# fmt: off
__all__ = [
    "DESERT_OUTLINE", "DISTANCE_BANDS", "FONT", "OKABE_ITO", "OTHER_COLOUR", "OUTLINE",
    "UNSUITABLE", "activity_colours", "distance_band", "map_legend_html", "rgb",
]
# fmt: on

OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
OTHER_COLOUR = "#000000"  # the eighth Okabe-Ito colour
DISTANCE_BANDS = (  # upper bound (km), label, colour: light = near, dark = far
    (0.5, "under 0.5 km", "#BFD3E6"),
    (1.0, "0.5 to 1 km", "#9EBCDA"),
    (2.0, "1 to 2 km", "#8C96C6"),
    (3.0, "2 to 3 km", "#8856A7"),
    (math.inf, "over 3 km or none", "#810F7C"),
)
UNSUITABLE = "#A0A0A0"  # live sessions that do not suit the profile
OUTLINE, DESERT_OUTLINE = "#444444", "#D55E00"
FONT = "Source Sans Pro, Arial, sans-serif"
PRACTICE_KEY = (
    '<div style="display:flex;align-items:center;gap:6px;margin:2px 0"><span style="width:14px;'
    'text-align:center;font-weight:900;font-size:1.2rem;line-height:14px">+</span>'
    "<span>GP practice</span></div>"
)


def rgb(hex_colour: str, alpha: int = 255) -> list[int]:
    """A "#RRGGBB" colour as deck.gl's [r, g, b, alpha]."""
    return [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)] + [alpha]


def activity_colours(groups: Sequence[str]) -> dict[str, str]:
    """Okabe-Ito colours for the seven most common groups (``groups`` in any order, repeats
    counted); every other group is black ("Other activities")."""
    counts = pd.Series(list(groups), dtype=object).fillna("Other activities").value_counts()
    ranked = sorted(counts.index, key=lambda g: (-counts[g], g))
    return {g: OKABE_ITO[i] if i < len(OKABE_ITO) else OTHER_COLOUR for i, g in enumerate(ranked)}


def distance_band(km: float) -> tuple[str, str]:
    """The band label and colour for an access distance (NaN = no suitable session)."""
    for upper, label, colour in DISTANCE_BANDS:
        if not pd.isna(km) and km <= upper:
            return label, colour
    return DISTANCE_BANDS[-1][1], DISTANCE_BANDS[-1][2]


def map_legend_html(colours: dict[str, str]) -> str:
    """The map's legend as HTML: distance bands, activity colours, rings, practices, outlines."""

    def swatch(colour: str, label: str, shape: str = "square", border: str = "none") -> str:
        radius = "50%" if shape == "dot" else "2px"
        return (
            f'<div style="display:flex;align-items:center;gap:6px;margin:2px 0">'
            f'<span style="display:inline-block;width:14px;height:14px;flex:none;'
            f'background:{colour};border:{border};border-radius:{radius}"></span>'
            f"<span>{label}</span></div>"
        )

    parts = [
        '<div style="font-size:0.85rem;line-height:1.3">',
        "<b>Areas: distance to the nearest suitable session</b>",
    ]
    parts += [swatch(c, label) for _, label, c in DISTANCE_BANDS]
    parts.append('<b style="display:block;margin-top:6px">Suitable sessions</b>')
    parts += [
        swatch(c, g, "dot", "1px solid #111") for g, c in colours.items() if c != OTHER_COLOUR
    ]
    if OTHER_COLOUR in colours.values():
        parts.append(swatch(OTHER_COLOUR, "Other activities", "dot", "1px solid #111"))
    ring, desert = "1.5px solid #000", f"3px solid {DESERT_OUTLINE}"
    parts += [
        '<b style="display:block;margin-top:6px">Also shown</b>',
        swatch(UNSUITABLE, "Other live sessions (not suitable)", "dot"),
        swatch(
            "none", f"Where referred people live (ring size; over {REDACTED[1:]})", "dot", ring
        ),
        PRACTICE_KEY,
        swatch("none", "PCN outline", "square", f"1.5px solid {OUTLINE}"),
        swatch("none", f"PCN under {DESERT_SHARE:.0%} within {ACCESS_KM:g} km", "square", desert),
        "</div>",
    ]
    return "".join(parts)
