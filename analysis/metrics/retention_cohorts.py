"""The Retention page's cohort table: per arm, month of referral and follow-up week N (4, 12,
26), the starters, those with a week-N follow-up, those still attending at it, and the share
still attending among those followed up (Wilson 95% CI), the complete-case retention of
``docs/metrics.md``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.indicators import proportion_ci
from analysis.metrics.overview import ARM_ORDER

__all__ = ["COHORT_COLUMNS", "WEEKS", "cohort_retention"]

WEEKS = (4, 12, 26)
COHORT_COLUMNS = [
    "arm", "arm_label", "referral_month", "week", "starters", "followed_up", "retained",
    "share", "lower", "upper",
]  # fmt: skip


def cohort_retention(journeys: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Share still attending at 4, 12 and 26 weeks among starters followed up, per arm and month
    of referral (columns :data:`COHORT_COLUMNS`; ``share`` NaN where nobody was followed up)."""
    counted = [f"{what}_{week}w" for week in WEEKS for what in ("followed_up", "retained")]
    starts = journeys["first_attended"].fillna(False).astype(bool).to_numpy()
    rows = journeys.loc[starts, ["arm", "arm_label", "referral_month", *counted]]
    if rows.empty:
        return pd.DataFrame(columns=COHORT_COLUMNS)
    # One code per (arm, arm label, month) in order of first appearance, as a groupby would
    # give, then counts per code with bincount (rows with a key missing are left out).
    names = ("arm", "arm_label", "referral_month")
    codes, values = zip(*(pd.factorize(rows[c]) for c in names), strict=True)
    keep = (codes[0] >= 0) & (codes[1] >= 0) & (codes[2] >= 0)
    key = (codes[0] * len(values[1]) + codes[1]) * len(values[2]) + codes[2]
    group, _ = pd.factorize(key[keep])
    _, first = np.unique(group, return_index=True)
    cells = len(first)
    keys = {name: v.take(c[keep][first]) for name, c, v in
            zip(names, codes, values, strict=True)}  # fmt: skip
    count = {  # per week: followed up, still attending
        (what, week): np.bincount(
            group, rows[f"{what}_{week}w"].fillna(False).astype(bool).to_numpy()[keep], cells
        ).astype("int64")
        for week in WEEKS for what in ("followed_up", "retained")
    }  # fmt: skip
    followed = np.concatenate([count["followed_up", w] for w in WEEKS])
    retained = np.concatenate([count["retained", w] for w in WEEKS])
    share, lower, upper = (np.full(len(followed), np.nan) for _ in range(3))
    ok = followed > 0
    if ok.any():
        share[ok], lower[ok], upper[ok] = proportion_ci(retained[ok], followed[ok], confidence)
    # Pilot arm first (arms not in ARM_ORDER last), then month and week, ties in place.
    rank = {a: i for i, a in enumerate(ARM_ORDER)}
    arm = np.tile(np.asarray(keys["arm"]), len(WEEKS))
    month = np.tile(np.asarray(keys["referral_month"]), len(WEEKS))
    week = np.repeat(np.asarray(WEEKS, dtype="int64"), cells)
    order = np.lexsort((week, month, np.array([rank.get(x, np.nan) for x in arm], dtype=float)))
    return pd.DataFrame({  # the columns of COHORT_COLUMNS, in its order
        "arm": arm[order],
        "arm_label": np.tile(np.asarray(keys["arm_label"]), len(WEEKS))[order],
        "referral_month": pd.to_datetime(month[order]),
        "week": week[order],
        "starters": np.tile(np.bincount(group, minlength=cells).astype("int64"), len(WEEKS))[order],
        "followed_up": followed[order],
        "retained": retained[order],
        "share": share[order],
        "lower": lower[order],
        "upper": upper[order],
    })  # fmt: skip
