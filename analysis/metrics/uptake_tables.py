"""Every table of the Uptake page, counted with NumPy from one read of the journeys in view.

:func:`uptake_tables` returns what :func:`~analysis.metrics.uptake.uptake_funnel` (per PCN, per
arm and per month), :func:`~analysis.metrics.uptake.breakdown` and
:func:`~analysis.metrics.uptake.days_to_first_attendance` return for the same filters — the
same numbers, frames and order — from one Arrow read of the journeys in view, coded as integers
(:func:`analysis.metrics.uptake_counting.read_codes`) and counted per grouping
(:func:`~analysis.metrics.uptake_counting.grouped`), instead of eleven grouped queries.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from analysis.filters import Filters
from analysis.metrics.uptake import (
    DIMENSIONS,
    breakdown_from_counts,
    days_from_counts,
    funnel_from_counts,
)
from analysis.metrics.uptake_counting import BIN_DAYS, CAP_DAYS, PER_PERSON, grouped, read_codes
from analysis.metrics.view import in_view

__all__ = ["UptakeTables", "uptake_tables"]

_FUNNELS = {"pcn": ("pcn_code",), "arm": (), "month": ("referral_month",)}


@dataclass(frozen=True)
class UptakeTables:
    """The Uptake page's frames, each as its own function in :mod:`analysis.metrics.uptake`
    returns it."""

    per_pcn: pd.DataFrame
    per_arm: pd.DataFrame
    monthly: pd.DataFrame
    breakdown: pd.DataFrame
    days: pd.DataFrame


def uptake_tables(con: duckdb.DuckDBPyConnection, filters: Filters) -> UptakeTables:
    """The per-PCN, per-arm and per-month funnels, the breakdown by every dimension and the
    starters per week of days to first attendance, for ``filters``."""
    view = in_view(con, filters)
    coded = None if view is None else read_codes(con, view)
    if view is None or not coded:  # no PCN in view, or no journey
        empty = pd.DataFrame()
        return UptakeTables(
            *(funnel_from_counts(None, by, empty) for by in _FUNNELS),
            breakdown_from_counts([empty], tuple(DIMENSIONS)),
            days_from_counts(empty, bin_days=BIN_DAYS, cap_days=CAP_DAYS),
        )
    funnels = [funnel_from_counts(view, by, grouped(coded, keys)) for by, keys in _FUNNELS.items()]
    parts = [
        grouped(coded, (d,)).rename(columns={d: "grp"}).assign(dimension=d)
        for d in (*PER_PERSON, "condition")
    ]
    days = grouped(coded, ("bin_start",))[["arm", "bin_start", "referrals"]]
    return UptakeTables(
        *funnels,
        breakdown_from_counts(parts, tuple(DIMENSIONS)),
        days_from_counts(
            days.rename(columns={"referrals": "starters"}), bin_days=BIN_DAYS, cap_days=CAP_DAYS
        ),
    )
