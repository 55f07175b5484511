"""The funnel plot of uptake across PCNs (each PCN's uptake against its referrals, with limits
around the pooled uptake), from the per-PCN funnel of :mod:`analysis.metrics.uptake`, which
re-exports both names."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.funnel import (
    NOT_SIGNIFICANT,
    proportion_funnel_plot_data,
    proportion_funnel_significance,
)

__all__ = ["FUNNEL_PLOT_COLUMNS", "UptakeFunnelPlot", "uptake_funnel_plot"]

FUNNEL_PLOT_COLUMNS = ["arm", "arm_label", "pcn_code", "pcn_name", "referrals", "first_attended",
                       "uptake", "uptake_lower", "uptake_upper"]  # fmt: skip
"""The per-PCN columns the funnel plot reads and keeps in its points."""


@dataclass(frozen=True)
class UptakeFunnelPlot:
    """Uptake per PCN against its referrals with funnel limits around the pooled uptake.

    ``points``: the per-PCN rows with referrals (arm, pcn_code, pcn_name, referrals,
    first_attended, uptake with its CI), ``significance`` (an :mod:`analysis.funnel` label)
    and ``outside`` (beyond the 95% limits). ``limits``: ``population`` and the 95% (``2s``)
    and 99.8% (``3s``) limits as proportions, with ``baseline``.
    """

    points: pd.DataFrame
    limits: pd.DataFrame
    pooled: float


def uptake_funnel_plot(per_pcn: pd.DataFrame) -> UptakeFunnelPlot | None:
    """Funnel-plot data from :func:`analysis.metrics.uptake.uptake_funnel` per PCN; None
    without referrals."""
    points = per_pcn[per_pcn["referrals"] > 0].reset_index(drop=True)
    if points.empty:
        return None
    x, n = points["first_attended"].to_numpy(float), points["referrals"].to_numpy(float)
    labels = proportion_funnel_significance(x, n)
    points = points[FUNNEL_PLOT_COLUMNS].assign(
        significance=labels, outside=labels != NOT_SIGNIFICANT
    )
    return UptakeFunnelPlot(points, proportion_funnel_plot_data(x, n), float(x.sum() / n.sum()))
