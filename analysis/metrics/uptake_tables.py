"""Every table of the Uptake page from two queries instead of ten.

:func:`uptake_tables` returns what :func:`~analysis.metrics.uptake.uptake_funnel` (per PCN, per
arm and per month), :func:`~analysis.metrics.uptake.breakdown` and
:func:`~analysis.metrics.uptake.days_to_first_attendance` return for the same filters — the
same numbers, frames and order — but counts them with one ``GROUPING SETS`` query over the
journeys in view (the funnels, five of the six breakdowns and the days-to-start bins) and one
query for the breakdown by condition, whose rows repeat a referral once per condition.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from analysis.filters import Filters
from analysis.metrics.overview import in_view
from analysis.metrics.uptake import (
    CONDITIONS,
    DIMENSIONS,
    GROUP_COLUMNS,
    bin_start,
    breakdown_from_counts,
    days_from_counts,
    funnel_from_counts,
    select_counts,
)

__all__ = ["UptakeTables", "uptake_tables"]

BIN_DAYS, CAP_DAYS = 7, 84
_PER_PERSON = [d for d in DIMENSIONS if d != "condition"]  # one row per referral
_SETS: dict[str, list[str]] = {
    **{f"funnel_{by}": columns for by, columns in GROUP_COLUMNS.items()},
    **{f"dim_{d}": ["arm", f"g_{d}"] for d in _PER_PERSON},
    "days": ["arm", "bin_start"],
}
_GROUPED = list(dict.fromkeys(c for cols in _SETS.values() for c in cols if c != "arm"))


@dataclass(frozen=True)
class UptakeTables:
    """The Uptake page's frames, each as its own function in :mod:`analysis.metrics.uptake`
    returns it."""

    per_pcn: pd.DataFrame
    per_arm: pd.DataFrame
    monthly: pd.DataFrame
    breakdown: pd.DataFrame
    days: pd.DataFrame


def _set_id(columns: list[str]) -> int:
    """The value of ``GROUPING(*_GROUPED)`` on the rows of the grouping set ``columns``."""
    return sum(1 << (len(_GROUPED) - 1 - i) for i, c in enumerate(_GROUPED) if c not in columns)


def uptake_tables(con: duckdb.DuckDBPyConnection, filters: Filters) -> UptakeTables:
    """The per-PCN, per-arm and per-month funnels, the breakdown by every dimension and the
    starters per week of days to first attendance, for ``filters``."""
    view = in_view(con, filters)
    if view is None:
        empty = pd.DataFrame()
        return UptakeTables(
            *(funnel_from_counts(None, by, empty) for by in ("pcn", "arm", "month")),
            breakdown_from_counts([empty], tuple(DIMENSIONS)),
            days_from_counts(empty, bin_days=BIN_DAYS, cap_days=CAP_DAYS),
        )
    values = [f"{DIMENSIONS[d][1]} AS g_{d}" for d in _PER_PERSON]
    extra = ", ".join([*values, f"{bin_start(BIN_DAYS, CAP_DAYS)} AS bin_start"])
    sets = ", ".join(f"({', '.join(cols)})" for cols in _SETS.values())
    select = select_counts(f"arm, {', '.join(_GROUPED)}, GROUPING({', '.join(_GROUPED)}) AS _set")
    counts = view.counts(con, select, f"GROUPING SETS ({sets})", extra=extra)
    measures = list(counts.columns[len(_GROUPED) + 2 :])
    set_ids = counts["_set"].to_numpy()

    def part(name: str) -> pd.DataFrame:
        return counts.loc[set_ids == _set_id(_SETS[name]), _SETS[name] + measures]

    funnels = [
        funnel_from_counts(view, by, part(f"funnel_{by}").reset_index(drop=True))
        for by in ("pcn", "arm", "month")
    ]
    dims = {_set_id(_SETS[f"dim_{d}"]): d for d in _PER_PERSON}
    rows = counts.loc[np.isin(set_ids, list(dims))]
    dimension = rows["_set"].map(dims)
    group = np.empty(len(rows), dtype=object)
    for d in _PER_PERSON:  # each row's group is the value of its own dimension
        mine = (dimension == d).to_numpy()
        group[mine] = rows.loc[mine, f"g_{d}"].to_numpy()
    by_person = pd.concat(
        [rows[["arm"]], pd.DataFrame({"grp": group}, rows.index), rows[measures]], axis=1
    ).assign(dimension=dimension)
    condition = view.counts(
        con, select_counts("arm, condition AS grp"), "arm, grp", extra=CONDITIONS
    ).assign(dimension="condition")
    days = part("days")[["arm", "bin_start", "referrals"]].dropna(subset=["bin_start"])
    return UptakeTables(
        *funnels,
        breakdown_from_counts([by_person, condition], tuple(DIMENSIONS)),
        days_from_counts(
            days.rename(columns={"referrals": "starters"}).reset_index(drop=True),
            bin_days=BIN_DAYS,
            cap_days=CAP_DAYS,
        ),
    )
