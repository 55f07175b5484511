"""mart_outcome_change: change from baseline to weeks 4, 12 and 26 for every outcome measure.

One row per measure and follow-up week over every referral in the store, from
:func:`analysis.outcomes.change_summary` on pairs joined in the store as
:func:`analysis.outcomes.paired_outcomes` places them (people
with both a baseline and a week-N score): means, mean change with its 95% t interval, paired t
and Wilcoxon p-values, Cohen's d_z, the share improving by ≥ 3 SWEMWBS points (Wilson CI) and
the indicative-only flag below 30 pairs.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analysis.model.frame_tables import write_table
from analysis.outcomes import CHANGE_COLUMNS, MEASURES, change_summary

TABLE = "mart_outcome_change"
WEEKS = (4, 12, 26)
COLUMNS = [c for c in CHANGE_COLUMNS if c != "group"]
"""The change-summary columns; the group is always every referral, so it is not kept."""

_SCORES = {"swemwbs": "swemwbs_metric", **{m: m for m in MEASURES if m != "swemwbs"}}
_PAIRS = """
SELECT {columns}, $week AS week
FROM journeys AS j
JOIN stg_followups AS b ON b.referral_id = j.referral_id AND b.followup_week = 0
JOIN stg_followups AS f ON f.referral_id = j.referral_id AND f.followup_week = $week
ORDER BY j.referral_id
""".format(
    columns=", ".join(
        f"CAST({side}.{score} AS DOUBLE) AS {measure}_{when}"
        for measure, score in _SCORES.items()
        for side, when in (("b", "baseline"), ("f", "followup"))
    )
)


def paired_scores(con: duckdb.DuckDBPyConnection, week: int) -> pd.DataFrame:
    """Every journey with both a baseline and a week-``week`` follow-up: each measure's two
    scores (``{measure}_baseline``, ``{measure}_followup``; NaN when not recorded) and ``week``,
    as :func:`analysis.outcomes.paired_outcomes` places them, joined in the store."""
    return con.execute(_PAIRS, {"week": week}).df()


def outcome_change(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per measure and week (:data:`COLUMNS`), measures in :data:`MEASURES` order."""
    parts = [change_summary(paired_scores(con, week)) for week in WEEKS]
    parts = [part for part in parts if not part.empty]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=CHANGE_COLUMNS)
    frame = frame.astype({"n_pairs": "int64", "week": "int64", "indicative_only": bool})
    frame["improved"] = frame["improved"].astype("Int64")
    for column in ("improved_share", "improved_lower", "improved_upper"):
        frame[column] = frame[column].astype(float)
    return frame[COLUMNS]


def build_outcome_change(con: duckdb.DuckDBPyConnection) -> None:
    """Table mart_outcome_change (see the module docstring and ``docs/metrics.md``)."""
    rank = " ".join(f"WHEN '{m}' THEN {i}" for i, m in enumerate(MEASURES))
    write_table(con, TABLE, outcome_change(con), order_by=f"CASE measure {rank} END, week")
