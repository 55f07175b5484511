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
    frame = pd.DataFrame({
        **{name: np.tile(np.asarray(v), len(WEEKS)) for name, v in keys.items()},
        "starters": np.tile(np.bincount(group, minlength=cells).astype("int64"), len(WEEKS)),
        "followed_up": np.concatenate([count["followed_up", w] for w in WEEKS]),
        "retained": np.concatenate([count["retained", w] for w in WEEKS]),
        "week": np.repeat(np.asarray(WEEKS, dtype="int64"), cells),
    })  # fmt: skip
    frame["share"] = frame["lower"] = frame["upper"] = np.nan
    ok = frame["followed_up"] > 0
    if ok.any():
        values = proportion_ci(frame.loc[ok, "retained"], frame.loc[ok, "followed_up"], confidence)
        frame.loc[ok, "share"], frame.loc[ok, "lower"], frame.loc[ok, "upper"] = values
    frame["referral_month"] = pd.to_datetime(frame["referral_month"])
    rank = frame["arm"].map({a: i for i, a in enumerate(ARM_ORDER)})
    frame = frame.assign(_o=rank).sort_values(["_o", "referral_month", "week"], kind="stable")
    return frame[COHORT_COLUMNS].reset_index(drop=True)
