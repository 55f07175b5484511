"""The Retention page's chart of the adjusted (Cox) model: hazard ratios on a log axis, each term
in plain English (re-exported by :mod:`analysis.figures.retention`)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.cox import POOLED, UNKNOWN
from analysis.figures.message import with_message
from analysis.figures.overview import _base_layout

__all__ = ["cox_term_label", "forest_figure", "term_labels"]

PALETTE_BLUE = "#0072B2"
GREY = "#555555"


def cox_term_label(variable: str, level: str, reference: object) -> str:
    """A Cox model term in plain English, with its reference level (e.g. ``"Age 65–74 (vs
    45–54)"``, ``"IMD quintile 1, most deprived (vs 5, least deprived)"``)."""
    ref = "" if reference is None or pd.isna(reference) else str(reference)
    if variable == "age_band":
        if level == "65+":
            return "Age 65 or over (vs under 65)"
        text = {UNKNOWN: "Age not recorded", POOLED: "Other age bands, pooled"}.get(
            level, f"Age {level.replace('-', '–')}"
        )
        return f"{text} (vs {ref.replace('-', '–')})"
    if variable == "sex":
        text = {UNKNOWN: "Sex not recorded", "other": "Sex recorded as other",
                POOLED: "Other sexes, pooled"}.get(level, level.capitalize())  # fmt: skip
        return f"{text} (vs {ref})"
    if variable == "imd_quintile":
        names = {"1": "1, most deprived", "5": "5, least deprived"}
        text = {UNKNOWN: "Home area not known", POOLED: "Other quintiles, pooled"}.get(
            level, f"IMD quintile {names.get(level, level)}"
        )
        prefix = "quintile " if level in (UNKNOWN, POOLED) else ""
        return f"{text} (vs {prefix}{names.get(ref, ref)})"
    if variable == "conditions":
        return f"Referred for {level.replace('_', ' ')} (vs not)"
    if variable == "distance_to_session_km":
        return "Distance from home to the session, per km"
    return f"{variable}: {level}" + (f" (vs {ref})" if ref else "")


def term_labels(cox: pd.DataFrame) -> list[str]:
    """:func:`cox_term_label` for each row of a :func:`analysis.cox.cox_hazard_ratios` frame."""
    return [cox_term_label(r.variable, str(r.level), r.reference) for r in cox.itertuples()]


def forest_figure(cox: pd.DataFrame) -> go.Figure:
    """Hazard ratios of stopping with 95% CIs (standard errors clustered by PCN) on a log axis,
    with a reference line at 1 (no difference); terms top to bottom in model order."""
    title = "What goes with stopping: hazard ratios from the adjusted (Cox) model"
    x_title = "Hazard ratio, log scale (above 1: more likely to stop)"
    fig = _base_layout(go.Figure(), title, x_title, "")
    if cox.empty:
        return with_message(fig, "The adjusted model is not available for this view")
    labels = term_labels(cox)
    hr, lower, upper = (cox[c].astype(float) for c in ("hazard_ratio", "lower", "upper"))
    fig.add_trace(go.Scatter(
        name="Hazard ratio (95% CI)", x=hr.round(4).tolist(), y=labels, mode="markers",
        marker={"symbol": "square", "size": 9, "color": PALETTE_BLUE},
        error_x={"type": "data", "symmetric": False, "array": (upper - hr).round(4).tolist(),
                 "arrayminus": (hr - lower).round(4).tolist(), "color": PALETTE_BLUE,
                 "thickness": 1.5, "width": 4},
        customdata=np.column_stack([lower.round(3), upper.round(3), cox["p_value"]]).tolist(),
        hovertemplate="%{y}: HR %{x:.2f} (95% CI %{customdata[0]:.2f} to %{customdata[1]:.2f}),"
        " p = %{customdata[2]:.3g}<extra></extra>",
    ))  # fmt: skip
    fig.add_shape(type="line", x0=1, x1=1, xref="x", y0=0, y1=1, yref="paper",
                  line={"color": GREY, "width": 1.5, "dash": "dash"}, name="HR 1")  # fmt: skip
    low, high = float(min(lower.min(), 1)) / 1.15, float(max(upper.max(), 1)) * 1.15
    ticks = [t for t in (0.1, 0.2, 0.25, 0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 10)
             if low <= t <= high]  # fmt: skip
    fig.update_xaxes(type="log", range=[math.log10(low), math.log10(high)], tickvals=ticks,
                     ticktext=[f"{t:g}" for t in ticks])  # fmt: skip
    fig.update_yaxes(autorange="reversed", ticksuffix="  ")
    fig.update_layout(height=140 + 30 * len(cox), showlegend=False)
    return fig
