"""Export items of the Overview and Uptake pages."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.disclosure import Derived, TableSpec
from analysis.export.catalogue_items import (
    FUNNEL_SPEC,
    STAGE_SPEC,
    Con,
    Item,
    kept_means,
    with_total,
)
from analysis.figures import overview as ov_fig
from analysis.figures import uptake as up_fig
from analysis.filters import Filters
from analysis.metrics import overview as ov
from analysis.metrics import uptake as up

__all__ = [
    "DAYS_SPEC", "FIGURES", "MONTHLY_SPEC", "TABLES", "days_to_start", "draw_days_to_start",
    "draw_funnel_plot", "funnel_plot_counts",
]  # fmt: skip
OVERVIEW, UPTAKE = "overview.py", "uptake.py"
ARM_DAYS = ["days_median", "days_q1", "days_q3"]


def _monthly(con: Con, filters: Filters) -> pd.DataFrame:
    monthly = ov.monthly_series(con, filters)
    return monthly.assign(
        patient_months=monthly["registered_patients"] * monthly["month_fraction"]
    )


MONTHLY_SPEC = TableSpec(
    ["referrals"],
    {"rate": Derived("referrals", "patient_months", 1000, "rate", ("rate_lower", "rate_upper"))},
)


def _breakdown(dim: str) -> Item:
    label = up.DIMENSIONS[dim][0]
    return Item(
        f"uptake_by_{dim}", f"Uptake by {up_fig.in_sentence(label)}",
        lambda con, f: _one_dimension(up.breakdown(con, f), dim),
        FUNNEL_SPEC, lambda fr: up_fig.breakdown_figure(fr, dim), page=UPTAKE,
    )  # fmt: skip


def _one_dimension(frame: pd.DataFrame, dim: str) -> pd.DataFrame:
    return frame[frame["dimension"] == dim].reset_index(drop=True)


def funnel_plot_counts(per_pcn: pd.DataFrame) -> up.UptakeFunnelPlot | None:
    """The funnel plot of :func:`analysis.metrics.uptake.uptake_funnel_plot` from per-PCN
    counts; PCNs whose referrals or starters are hidden (missing) are left out, so under
    disclosure control the limits and the pooled uptake come from the rounded counts."""
    known = per_pcn[up.FUNNEL_PLOT_COLUMNS].dropna(subset=["referrals", "first_attended"])
    known = known.astype({"referrals": "int64", "first_attended": "int64"})  # only what it reads
    return up.uptake_funnel_plot(known.reset_index(drop=True))


def draw_funnel_plot(per_pcn: pd.DataFrame) -> go.Figure:
    """Uptake per PCN against its referrals, with 95% and 99.8% limits around the pooled value."""
    return up_fig.uptake_funnel_plot_figure(funnel_plot_counts(per_pcn))


def days_to_start(days: pd.DataFrame, per_arm: pd.DataFrame) -> pd.DataFrame:
    """The days-to-start chart's frame: starters per bin of
    :func:`analysis.metrics.uptake.days_to_first_attendance` with each arm's starters
    (``arm_starters``, the share's denominator) and, for the legend, the arm's median and
    quartiles of days to start from the per-arm funnel (``per_arm``)."""
    frame = days.assign(arm_starters=days.groupby("arm")["starters"].transform("sum"))
    arms = per_arm.set_index(per_arm["arm"].astype(str))
    arm = frame["arm"].astype(str)
    return frame.assign(**{c: arm.map(arms[c]).astype(float) for c in ARM_DAYS})


def draw_days_to_start(frame: pd.DataFrame) -> go.Figure:
    """:func:`analysis.figures.uptake.days_to_start_figure` from :func:`days_to_start`'s frame
    (the legend's medians and quartiles are read from its columns)."""
    per_arm = frame[["arm", *ARM_DAYS]].drop_duplicates("arm")
    return up_fig.days_to_start_figure(frame.drop(columns=ARM_DAYS), per_arm)


DAYS_SPEC = TableSpec(
    ["starters", "arm_starters"],
    {"share": Derived("starters", "arm_starters")} | kept_means("arm_starters", *ARM_DAYS),
)
"""Starters per bin and per arm protected, shares recomputed; the arm's median and quartiles
blanked where its starters are hidden (as the per-arm funnel blanks them)."""

FIGURES: tuple[Item, ...] = (
    Item("overview_funnel", "How far referred people get",
         lambda con, f: with_total(ov.funnel(con, f), ["arm"]), STAGE_SPEC, ov_fig.funnel_figure,
         page=OVERVIEW),
    Item("overview_monthly_referrals", "Referrals each month per 1,000 registered patients",
         _monthly, MONTHLY_SPEC, ov_fig.monthly_trend_figure, page=OVERVIEW),
    Item("uptake_pcn_funnel", "The funnel in each PCN",
         lambda con, f: with_total(up.funnel_stages(up.uptake_funnel(con, f, "pcn")),
                                   ["arm", "pcn_code"]),
         STAGE_SPEC, up_fig.pcn_funnel_figure, page=UPTAKE),
    Item("uptake_funnel_plot", "Uptake across PCNs, with 95% and 99.8% limits",
         lambda con, f: up.uptake_funnel(con, f, "pcn"), FUNNEL_SPEC, draw_funnel_plot,
         page=UPTAKE),
    Item("uptake_by_month", "Uptake by month of referral",
         lambda con, f: up.uptake_funnel(con, f, "month"), FUNNEL_SPEC, up_fig.uptake_trend_figure,
         page=UPTAKE),
    *(_breakdown(dim) for dim in up.DIMENSIONS),
    Item("uptake_days_to_start", "Days from referral to first attendance",
         lambda con, f: days_to_start(up.days_to_first_attendance(con, f),
                                      up.uptake_funnel(con, f, "arm")),
         DAYS_SPEC, draw_days_to_start, page=UPTAKE),
)  # fmt: skip
TABLES: tuple[Item, ...] = (
    Item("uptake_by_arm", "Uptake in each arm (the headline figures)",
         lambda con, f: up.uptake_funnel(con, f, "arm"), FUNNEL_SPEC, page=UPTAKE),
)  # fmt: skip
