"""Outcome metrics: baseline against week-N follow-up for the referrals in view, as the frames the
Outcomes page (and the export) shows.

Thin on purpose: the statistics live in :mod:`analysis.outcomes` (paired change with a 95% t
interval, paired t and Wilcoxon tests, Cohen's d, the share improving by ≥ 3 SWEMWBS points with a
Wilson CI, ONS4 band shares). This module lines up the questionnaires of the referrals a
:class:`~analysis.filters.Filters` selects (:func:`analysis.metrics.retention.journeys_in_view`)
and summarises them by attendance at the follow-up (still attending or stopped) and by arm.
Groups with fewer than 30 pairs carry ``indicative_only``. A view without pairs gives empty
frames, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from analysis.filters import Filters
from analysis.metrics.overview import ARM_LABELS, ARM_ORDER
from analysis.metrics.retention import journeys_in_view
from analysis.outcomes import (
    ATTENDANCE,
    CHANGE_COLUMNS,
    MEASURES,
    attach_followups,
    band_shares,
    change_summary,
    followup_table,
    read_followups,
)

# fmt: off
__all__ = [
    "ATTRIBUTION", "BY", "IMPROVEMENT_COLUMNS", "JOURNEY_COLUMNS", "WEEKS", "Outcomes",
    "indicative_groups", "outcomes", "paired_in_view",
]
# fmt: on

WEEKS = (4, 12, 26)
"""The follow-up weeks an outcome can be compared at (against week 0, the baseline)."""
BY: dict[str, str] = {ATTENDANCE: "Attendance at the follow-up", "arm_label": "Arm"}
"""Column of the paired frame → plain-English name of the comparison."""
JOURNEY_COLUMNS = ("referral_id", "arm_label")
"""The columns of the journeys in view that :func:`outcomes` reads (a page may pair only these)."""
PEOPLE = {"still attending": "people still attending", "stopped": "people who had stopped"}
ATTRIBUTION = "© NHS Health Scotland, University of Warwick and University of Edinburgh, 2008"
"""The attribution the SWEMWBS licence requires wherever SWEMWBS results are reported."""
IMPROVEMENT_COLUMNS = [
    "by", "by_label", "group", "week", "n_pairs", "improved", "improved_share",
    "improved_lower", "improved_upper", "indicative_only",
]  # fmt: skip


def paired_in_view(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    week: int,
    *,
    journeys: pd.DataFrame | None = None,
    followups: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The referrals in view with each measure at baseline and at week ``week`` beside it
    (:func:`analysis.outcomes.paired_outcomes`; one row per referral, pairs or not).

    A page that keeps them passes the journeys in view (:func:`journeys_in_view` of
    ``filters``) and the store's follow-ups placed for ``week``
    (:func:`analysis.outcomes.followup_table`); otherwise both are read from the store.
    """
    if week not in WEEKS:
        raise ValueError(f"week must be one of {', '.join(map(str, WEEKS))}, got {week!r}")
    if journeys is None:
        journeys = journeys_in_view(con, filters)
    if followups is None:
        followups = followup_table(read_followups(con), week)
    return attach_followups(journeys, followups, week)


@dataclass(frozen=True)
class Outcomes:
    """The change summaries at one follow-up week.

    ``by_attendance`` and ``by_arm`` are :func:`analysis.outcomes.change_summary` frames grouped
    by attendance at the follow-up and by arm (pilot first); ``bands`` the ONS4 band shares of
    everyone in view with pairs; ``improvement`` the SWEMWBS rows of both summaries (share
    improving by ≥ 3 points, columns :data:`IMPROVEMENT_COLUMNS`); ``pairs`` the number of people
    with a baseline and a follow-up SWEMWBS score (0: nothing to show).
    """

    week: int
    by_attendance: pd.DataFrame
    by_arm: pd.DataFrame
    bands: pd.DataFrame
    improvement: pd.DataFrame
    pairs: int


def _arms_first(summary: pd.DataFrame) -> pd.DataFrame:
    measure = summary["measure"].map({m: i for i, m in enumerate(MEASURES)})
    arm = summary["group"].map({ARM_LABELS[a]: i for i, a in enumerate(ARM_ORDER)})
    ordered = summary.assign(_m=measure, _a=arm).sort_values(["_m", "_a"], kind="stable")
    return ordered[CHANGE_COLUMNS].reset_index(drop=True)


def _labelled(bands: pd.DataFrame) -> pd.DataFrame:
    """Band shares with plain-English ``item_label`` and ``band_label`` columns."""
    labels = {k: v.removeprefix("ONS4 ").capitalize() for k, v in MEASURES.items()}
    bands.insert(1, "item_label", bands["item"].map(labels))
    bands.insert(5, "band_label", bands["band"].str.replace("_", " ").str.capitalize())
    return bands


def outcomes(paired: pd.DataFrame, week: int) -> Outcomes:
    """Summaries of a :func:`paired_in_view` frame (see :class:`Outcomes`)."""
    by_attendance = change_summary(paired, ATTENDANCE)
    by_arm = _arms_first(change_summary(paired, "arm_label"))
    parts = []
    for by, summary in ((ATTENDANCE, by_attendance), ("arm_label", by_arm)):
        rows = summary[summary["measure"] == "swemwbs"]
        parts.append(rows.assign(by=by, by_label=BY[by]))
    improvement = pd.concat(parts, ignore_index=True)[IMPROVEMENT_COLUMNS]
    improvement[["improved", "n_pairs"]] = improvement[["improved", "n_pairs"]].astype("int64")
    both = paired[["swemwbs_baseline", "swemwbs_followup"]].notna().all(axis=1)
    return Outcomes(
        week=week,
        by_attendance=by_attendance,
        by_arm=by_arm,
        bands=_labelled(band_shares(paired)),
        improvement=improvement,
        pairs=int(both.sum()),
    )


def indicative_groups(result: Outcomes) -> list[str]:
    """The groups with fewer than 30 pairs for some measure, in words (e.g. ``"Comparison PCNs
    (12 pairs at fewest)"``, ``"people who had stopped (20 pairs at fewest)"``), for the page's
    warning."""
    out = []
    for summary in (result.by_attendance, result.by_arm):
        rows = summary[summary["indicative_only"].astype(bool)]
        for group, part in rows.groupby("group", sort=False):
            name = PEOPLE.get(str(group), str(group))
            out.append(f"{name} ({int(part['n_pairs'].min())} pairs at fewest)")
    return out
