"""mart_outcome_change: change from baseline to weeks 4, 12 and 26 for every outcome measure.

One row per measure and follow-up week over every referral in the store, from
:func:`analysis.outcomes.change_summary` on :func:`analysis.outcomes.paired_outcomes` (people
with both a baseline and a week-N score): means, mean change with its 95% t interval, paired t
and Wilcoxon p-values, Cohen's d_z, the share improving by ≥ 3 SWEMWBS points (Wilson CI) and
the indicative-only flag below 30 pairs.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analysis.model.frame_tables import write_table
from analysis.outcomes import (
    CHANGE_COLUMNS,
    MEASURES,
    change_summary,
    paired_outcomes,
    read_followups,
)

TABLE = "mart_outcome_change"
WEEKS = (4, 12, 26)
COLUMNS = [c for c in CHANGE_COLUMNS if c != "group"]
"""The change-summary columns; the group is always every referral, so it is not kept."""


def outcome_change(journeys: pd.DataFrame, followups: pd.DataFrame) -> pd.DataFrame:
    """One row per measure and week (:data:`COLUMNS`), measures in :data:`MEASURES` order."""
    # Referral ids as integer codes: the pairing looks each id up a dozen times per week, and
    # integer lookups are several times faster than string ones at 100,000 follow-ups.
    codes, _ = pd.factorize(pd.concat([journeys["referral_id"], followups["referral_id"]]))
    journeys = journeys.assign(referral_id=codes[: len(journeys)])
    followups = followups.assign(referral_id=codes[len(journeys) :])
    parts = [change_summary(paired_outcomes(journeys, followups, week)) for week in WEEKS]
    parts = [part for part in parts if not part.empty]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=CHANGE_COLUMNS)
    frame = frame.astype({"n_pairs": "int64", "week": "int64", "indicative_only": bool})
    frame["improved"] = frame["improved"].astype("Int64")
    for column in ("improved_share", "improved_lower", "improved_upper"):
        frame[column] = frame[column].astype(float)
    return frame[COLUMNS]


def build_outcome_change(con: duckdb.DuckDBPyConnection) -> None:
    """Table mart_outcome_change (see the module docstring and ``docs/metrics.md``)."""
    journeys = con.execute("SELECT referral_id FROM journeys").df()
    frame = outcome_change(journeys, read_followups(con))
    rank = " ".join(f"WHEN '{m}' THEN {i}" for i, m in enumerate(MEASURES))
    write_table(con, TABLE, frame, order_by=f"CASE measure {rank} END, week")
