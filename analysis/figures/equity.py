"""Figures for the Equity page, one function per chart; the exporter draws the same ones.

Each function takes a frame from :mod:`analysis.equity` and returns a
``plotly.graph_objects.Figure`` in the Overview's house style (arms in fixed Okabe-Ito colours
and marker shapes, every estimate with its 95% interval as error bars, plain lists in the JSON).
"""

from __future__ import annotations

import copy
import functools

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.figures.overview import ARM_COLOURS, FONT, _base_layout, _empty
from analysis.figures.uptake import display_label, in_sentence
from analysis.figures.uptake_build import figure, layout

# fmt: off
__all__ = [
    "DIMENSION_LABELS", "PERCENT_COLUMNS", "RATE_TABLE", "SII_TABLE", "UPTAKE_TABLE",
    "in_sentence", "rate_by_imd_figure", "sii_figure", "sii_rows", "uptake_by_figure",
]
# fmt: on

DIMENSION_LABELS = {
    "imd_quintile": "IMD quintile (1 = most deprived)",
    "imd_decile": "IMD decile (1 = most deprived)",
    "age_band": "Age band",
    "sex": "Sex",
    "ethnicity": "Ethnicity",
}
SII_MEASURES = {
    "referral_rate": ("Referral rate", "per 1,000 a year", 1.0),
    "uptake": ("Uptake", "percentage points", 100.0),
}
RATE_TABLE = {
    "arm_label": "Arm",
    "group": "IMD quintile",
    "referrals": "Referrals",
    "population": "Population",
    "rate": "Rate per 1,000 a year",
    "rate_lower": "95% CI from",
    "rate_upper": "to",
}
UPTAKE_TABLE = {
    "arm_label": "Arm",
    "group": "Group",
    "referrals": "Referrals",
    "first_attended": "Started",
    "uptake": "Uptake",
    "uptake_lower": "95% CI from",
    "uptake_upper": "to",
}
SII_TABLE = {
    "arm_label": "Arm",
    "measure_label": "Measure",
    "unit": "Unit",
    "sii": "Slope index of inequality",
    "sii_lower": "95% CI from",
    "sii_upper": "to",
    "most_deprived_fitted": "Modelled value, most deprived",
    "least_deprived_fitted": "Modelled value, least deprived",
    "ci_method": "CI method",
}
PERCENT_COLUMNS = frozenset(["uptake", "uptake_lower", "uptake_upper"])
CHECK_FIGURES = False
"""Whether plotly validates this module's chart dicts (skipped: the same figure, a third of
the drawing time; the unit tests draw every chart both ways and compare)."""


def sii_rows(sii: pd.DataFrame) -> pd.DataFrame:
    """:func:`analysis.equity.imd_sii` rows with a plain ``measure_label`` and ``unit``, and
    the uptake SII in percentage points (rate SIIs stay per 1,000 a year), as charted."""
    scale = sii["measure"].map({m: v[2] for m, v in SII_MEASURES.items()}).astype(float)
    cols = ["sii", "sii_lower", "sii_upper", "most_deprived_fitted", "least_deprived_fitted"]
    out = sii.assign(**{c: sii[c] * scale for c in cols})
    out["measure_label"] = sii["measure"].map({m: v[0] for m, v in SII_MEASURES.items()})
    out["unit"] = sii["measure"].map({m: v[1] for m, v in SII_MEASURES.items()})
    return out


def _marker(arm: str) -> dict:
    return {
        "color": ARM_COLOURS.get(arm, "#009E73"),
        "size": 10,
        "symbol": "diamond" if arm == "comparison" else "circle",
    }


def _errors(value: pd.Series, lower: pd.Series, upper: pd.Series, arm: str, scale: float) -> dict:
    return {
        "type": "data",
        "symmetric": False,
        "array": ((upper - value) * scale).round(4).tolist(),
        "arrayminus": ((value - lower) * scale).round(4).tolist(),
        "color": ARM_COLOURS.get(arm, "#009E73"),
        "thickness": 1.2,
        "width": 4,
    }


def _imd_label(group: str) -> str:
    return {"1": "1 most deprived", "5": "5 least deprived"}.get(str(group), display_label(group))


def rate_by_imd_figure(rates: pd.DataFrame) -> go.Figure:
    """Referrals per 1,000 population a year by IMD quintile of residence, per arm, with exact
    Poisson / Byar's 95% CIs (from :func:`analysis.equity.referral_rates_by_imd`)."""
    titles = ("Referral rate by deprivation of home area", "IMD quintile of home area",
              "Referrals per 1,000 a year")  # fmt: skip
    if rates.empty or rates["referrals"].sum() == 0:
        return _empty(_base_layout(go.Figure(), *titles))
    data = [
        {
            "type": "scatter",
            "name": str(part["arm_label"].iloc[0]),
            "x": [_imd_label(g) for g in part["group"]],
            "y": part["rate"].round(4).tolist(),
            "offsetgroup": str(arm),
            "mode": "markers+lines",
            "line": {"color": ARM_COLOURS.get(str(arm), "#009E73"), "width": 1, "dash": "dot"},
            "marker": _marker(str(arm)),
            "error_y": _errors(part["rate"], part["rate_lower"], part["rate_upper"], str(arm), 1),
            "customdata": list(zip(part["referrals"], part["population"], strict=True)),
            "hovertemplate": "Quintile %{x}: %{customdata[0]:,} referrals from "
            "%{customdata[1]:,} residents, %{y:.2f} per 1,000 a year"
            "<extra>%{fullData.name}</extra>",
        }
        for arm, part in rates.groupby("arm", sort=False)
    ]
    return figure(
        data, layout(*titles, yaxis={"rangemode": "tozero"}, scattermode="group", scattergap=0.6),
        check=CHECK_FIGURES,
    )


def uptake_by_figure(uptake: pd.DataFrame, dimension: str) -> go.Figure:
    """Uptake by the groups of one dimension of :func:`analysis.equity.uptake_by`, per arm,
    with Wilson 95% CIs."""
    label = DIMENSION_LABELS.get(dimension, dimension)
    titles = (f"Uptake by {in_sentence(label)}", label, "Uptake")
    rows = uptake[uptake["dimension"] == dimension] if not uptake.empty else uptake
    if rows.empty:
        return _empty(_base_layout(go.Figure(), *titles))
    imd = dimension.startswith("imd")
    data = [
        {
            "type": "scatter",
            "name": str(part["arm_label"].iloc[0]),
            "x": [_imd_label(g) if imd else display_label(g) for g in part["group"]],
            "y": (part["uptake"] * 100).round(2).tolist(),
            "offsetgroup": str(arm),
            "mode": "markers",
            "marker": _marker(str(arm)),
            "error_y": _errors(
                part["uptake"], part["uptake_lower"], part["uptake_upper"], str(arm), 100
            ),
            "customdata": list(zip(part["first_attended"], part["referrals"], strict=True)),
            "hovertemplate": "%{x}: %{customdata[0]:,} of %{customdata[1]:,} started, "
            "%{y:.1f}%<extra>%{fullData.name}</extra>",
        }
        for arm, part in rows.groupby("arm", sort=False)
    ]
    return figure(data, layout(
        *titles, yaxis={"ticksuffix": "%", "range": [0, 100]}, xaxis={"type": "category"},
        scattermode="group", scattergap=0.5,
    ), check=CHECK_FIGURES)  # fmt: skip


@functools.lru_cache(maxsize=4)
def _panels(titles: tuple[str, ...]) -> dict:
    """The layout of side-by-side panels sharing the y axis (domains, titles), without the
    template: made once per set of panels."""
    grid = make_subplots(rows=1, cols=len(titles), subplot_titles=titles, shared_yaxes=True)
    out = grid.layout.to_plotly_json()
    out.pop("template", None)
    return out


def sii_figure(sii: pd.DataFrame) -> go.Figure:
    """The slope index of inequality per arm with its 95% CI, one panel per measure (referral
    rate per 1,000 a year; uptake in percentage points). Below zero: higher in more deprived
    areas."""
    measures = [m for m in SII_MEASURES if not sii.empty and (sii["measure"] == m).any()]
    if not measures:
        return _empty(_base_layout(go.Figure(), "Slope index of inequality", "", ""))
    titles = [f"{SII_MEASURES[m][0]} ({SII_MEASURES[m][1]})" for m in measures]
    lay = copy.deepcopy(_panels(tuple(titles)))
    data, shapes = [], []
    for col, measure in enumerate(measures, start=1):
        scale = SII_MEASURES[measure][2]
        x, y = ("x", "y") if col == 1 else (f"x{col}", f"y{col}")
        for arm, part in sii[sii["measure"] == measure].groupby("arm", sort=False):
            data.append({
                "type": "scatter",
                "name": str(part["arm_label"].iloc[0]),
                "x": (part["sii"] * scale).round(4).tolist(),
                "y": part["arm_label"].tolist(),
                "mode": "markers",
                "marker": _marker(str(arm)),
                "error_x": _errors(part["sii"], part["sii_lower"], part["sii_upper"], str(arm),
                                   scale),
                "showlegend": col == 1,
                "legendgroup": str(arm),
                "hovertemplate": f"{titles[col - 1]}: SII %{{x:.2f}}<extra>%{{y}}</extra>",
                "xaxis": x,
                "yaxis": y,
            })  # fmt: skip
        shapes.append({"type": "line", "x0": 0, "x1": 0, "xref": x, "y0": 0, "y1": 1,
                       "yref": f"{y} domain",
                       "line": {"color": "#333333", "width": 1, "dash": "dot"}})  # fmt: skip
        lay[f"yaxis{col if col > 1 else ''}"] |= {"ticksuffix": "  ", "autorange": "reversed"}
    lay |= {
        "shapes": shapes,
        "title": {"text": "Slope index of inequality across IMD deciles", "x": 0,
                  "xanchor": "left"},
        "font": {"family": FONT, "size": 14},
        "margin": {"l": 10, "r": 10, "t": 90, "b": 40},
        "height": 300,
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.25, "x": 0},
    }  # fmt: skip
    return figure(data, lay, check=CHECK_FIGURES)
