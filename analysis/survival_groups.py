"""Which starters a retention estimate uses, and how their groups are labelled and ordered.

A starter has a retention time: ``first_attended_date``, ``retention_days`` and ``disengaged``
all present. Time is in weeks from first attendance (``retention_days / 7``); the event is
disengagement. Group values become strings as every output shows them (whole floats such as
3.0 become "3") and are ordered naturally (numbers numerically). The estimates themselves are in
:mod:`analysis.survival`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "ALL",
    "DAYS_PER_WEEK",
    "followed_starters",
    "group_labels",
    "group_order",
    "ordered_groups",
    "starters",
]

DAYS_PER_WEEK = 7.0
ALL = "all"
"""The group label when no grouping column is given."""


def starters(journeys: pd.DataFrame, group: str | None = None) -> pd.DataFrame:
    """Starters with a retention time: columns ``group``, ``weeks`` and ``event`` (0/1).

    ``group`` is the string value of the grouping column (``"all"`` without one); rows whose
    group is missing are dropped. Raises :class:`ValueError` when a needed column is absent.
    """
    needed = ["first_attended_date", "retention_days", "disengaged"]
    if group is not None:
        needed.append(group)
    missing = [c for c in needed if c not in journeys.columns]
    if missing:
        raise ValueError(f"journeys frame lacks column(s): {', '.join(missing)}")
    keep = followed_starters(journeys)
    if group is not None:
        keep &= journeys[group].notna()
    rows = journeys.loc[keep, needed]  # only the columns used: no copy of the others
    days = rows["retention_days"].to_numpy(dtype=float)
    if (days < 0).any():
        raise ValueError("retention_days must not be negative")
    labels = group_labels(rows[group]) if group is not None else np.full(len(rows), ALL)
    return pd.DataFrame(
        {
            "group": pd.Series(labels, dtype=object),
            "weeks": days / DAYS_PER_WEEK,
            "event": rows["disengaged"].astype(bool).to_numpy().astype(np.int64),
        }
    )


def followed_starters(journeys: pd.DataFrame) -> pd.Series:
    """True for journeys that started (a first attendance) and have a retention time and an
    end state: the rows retention curves and the Cox model are fitted on."""
    return (
        journeys["first_attended_date"].notna()
        & journeys["retention_days"].notna()
        & journeys["disengaged"].notna()
    )


def group_labels(values: pd.Series) -> np.ndarray:
    """Group values as strings (whole floats such as 3.0 become "3"), as in every output."""

    def label(v: object) -> str:
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    values = pd.Series(values)
    codes, _ = pd.factorize(values, use_na_sentinel=True)
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if (codes < 0).any() or kind not in ("string", "integer", "floating", "boolean", "empty"):
        # Missing values keep their own spelling ("nan", "None", "<NA>"); mixed types such as
        # True and 1, which factorize as one value, keep theirs.
        return np.asarray([label(v) for v in values], dtype=object)
    # Each distinct value is labelled once, taken from the values as iteration yields them.
    _, first = np.unique(codes, return_index=True)
    labels = np.asarray([label(v) for v in values.iloc[first]], dtype=object)
    return labels[codes] if len(codes) else np.asarray([], dtype=object)


def ordered_groups(values: pd.Series) -> list[str]:
    """The distinct non-missing values as labels, in their natural order (numbers numerically)."""
    distinct = values.dropna().unique()
    try:
        distinct = sorted(distinct)
    except TypeError:
        distinct = sorted(distinct, key=str)
    return list(dict.fromkeys(group_labels(pd.Series(distinct, dtype=object))))


def group_order(frame: pd.DataFrame, original: pd.Series | None) -> list[str]:
    """Groups present in ``frame`` in the natural order of the original values."""
    if original is None or frame.empty:
        return sorted(frame["group"].unique())
    present = set(frame["group"])
    return [g for g in ordered_groups(original) if g in present]
