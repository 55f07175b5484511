"""Export items of the Overview and Uptake pages."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.disclosure import Derived, TableSpec
from analysis.export.catalogue_items import FUNNEL_SPEC, STAGE_SPEC, Con, Item, with_total
from analysis.figures import overview as ov_fig
from analysis.figures import uptake as up_fig
from analysis.filters import Filters
from analysis.metrics import overview as ov
from analysis.metrics import uptake as up

__all__ = ["FIGURES", "MONTHLY_SPEC", "draw_funnel_plot", "funnel_plot_counts"]


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
        FUNNEL_SPEC, lambda fr: up_fig.breakdown_figure(fr, dim),
    )  # fmt: skip


def _one_dimension(frame: pd.DataFrame, dim: str) -> pd.DataFrame:
    return frame[frame["dimension"] == dim].reset_index(drop=True)


def funnel_plot_counts(per_pcn: pd.DataFrame) -> up.UptakeFunnelPlot | None:
    """The funnel plot of :func:`analysis.metrics.uptake.uptake_funnel_plot` from per-PCN
    counts; PCNs whose referrals or starters are hidden (missing) are left out, so under
    disclosure control the limits and the pooled uptake come from the rounded counts."""
    known = per_pcn.dropna(subset=["referrals", "first_attended"])
    known = known.astype({"referrals": "int64", "first_attended": "int64"})
    return up.uptake_funnel_plot(known.reset_index(drop=True))


def draw_funnel_plot(per_pcn: pd.DataFrame) -> go.Figure:
    """Uptake per PCN against its referrals, with 95% and 99.8% limits around the pooled value."""
    return up_fig.uptake_funnel_plot_figure(funnel_plot_counts(per_pcn))


FIGURES: tuple[Item, ...] = (
    Item("overview_funnel", "How far referred people get",
         lambda con, f: with_total(ov.funnel(con, f), ["arm"]), STAGE_SPEC, ov_fig.funnel_figure),
    Item("overview_monthly_referrals", "Referrals each month per 1,000 registered patients",
         _monthly, MONTHLY_SPEC, ov_fig.monthly_trend_figure),
    Item("uptake_pcn_funnel", "The funnel in each PCN",
         lambda con, f: with_total(up.funnel_stages(up.uptake_funnel(con, f, "pcn")),
                                   ["arm", "pcn_code"]),
         STAGE_SPEC, up_fig.pcn_funnel_figure),
    Item("uptake_funnel_plot", "Uptake across PCNs, with 95% and 99.8% limits",
         lambda con, f: up.uptake_funnel(con, f, "pcn"), FUNNEL_SPEC, draw_funnel_plot),
    Item("uptake_by_month", "Uptake by month of referral",
         lambda con, f: up.uptake_funnel(con, f, "month"), FUNNEL_SPEC, up_fig.uptake_trend_figure),
    *(_breakdown(dim) for dim in up.DIMENSIONS),
)  # fmt: skip
