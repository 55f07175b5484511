"""mart_retention_km: Kaplan–Meier retention among starters, per arm and for all PCNs together.

The curve is :func:`analysis.survival.kaplan_meier` (log(−log) Greenwood 95% limits), the one
the Retention page draws: one row per arm and curve time (the origin, every disengagement time
and the last follow-up time), with the numbers at risk, disengagements and censorings. Arms come
from ``pcn_arms``: 'pilot', 'comparison' and 'none'; 'all' is every starter together.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from analysis.model.frame_tables import write_table
from analysis.survival import kaplan_meier, starters

TABLE = "mart_retention_km"
ARMS = ("pilot", "comparison", "none", "all")
COLUMNS = [
    "arm", "time_weeks", "n_at_risk", "n_events", "n_censored",
    "survival", "survival_lower", "survival_upper",
]  # fmt: skip
_STARTERS_SQL = """
    SELECT j.referral_id, a.arm, j.first_attended_date, j.retention_days, j.disengaged
    FROM journeys AS j
    JOIN pcn_arms AS a USING (pcn_code)
"""


def censored_counts(times: np.ndarray, weeks: np.ndarray, event: np.ndarray) -> np.ndarray:
    """Per curve time tᵢ (sorted): people censored at or after tᵢ and before the next curve time
    (for the last, at or after it), so that n_at_risk(tᵢ₊₁) = n_at_risk(tᵢ) − n_events(tᵢ) −
    n_censored(tᵢ)."""
    censored = np.sort(weeks[event == 0])
    edges = np.searchsorted(censored, times, side="left")
    return np.diff(np.append(edges, len(censored)))


def retention_curves(journeys: pd.DataFrame) -> pd.DataFrame:
    """The Kaplan–Meier rows (:data:`COLUMNS`) of ``journeys`` (with an ``arm`` column)."""
    parts = []
    for arm, curve in (
        *kaplan_meier(journeys, "arm").groupby("group"),
        ("all", kaplan_meier(journeys)),
    ):
        data = starters(journeys[journeys["arm"] == arm] if arm != "all" else journeys)
        curve = curve.sort_values("time_weeks").assign(arm=arm)
        curve["n_censored"] = censored_counts(
            curve["time_weeks"].to_numpy(), data["weeks"].to_numpy(), data["event"].to_numpy()
        )
        parts.append(curve.rename(columns={"lower": "survival_lower", "upper": "survival_upper"}))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object if c == "arm" else float) for c in COLUMNS})
    frame = pd.concat(parts, ignore_index=True)[COLUMNS]
    counts = ["n_at_risk", "n_events", "n_censored"]
    frame[counts] = frame[counts].astype("int64")
    return frame


def build_retention_km(con: duckdb.DuckDBPyConnection) -> None:
    """Table mart_retention_km (see the module docstring and ``docs/metrics.md``)."""
    curves = retention_curves(con.execute(_STARTERS_SQL).df())
    rank = " ".join(f"WHEN '{a}' THEN {i}" for i, a in enumerate(ARMS))
    write_table(con, TABLE, curves, order_by=f"CASE arm {rank} END, time_weeks")
