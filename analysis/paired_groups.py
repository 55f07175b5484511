"""The groups a paired-outcomes frame is summarised by: every row as one group (``"all"``), or
the rows of each value of one column, in the order the survival curves use."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.survival import group_labels, ordered_groups

__all__ = ["ALL", "paired_group_rows"]

ALL = "all"
"""The name of the one group when nothing is grouped by."""


def paired_group_rows(paired: pd.DataFrame, by: str | None) -> list[tuple[str, np.ndarray]]:
    """``(name, row positions)`` of each group of ``paired`` by column ``by`` (rows with a
    missing value left out; each group's rows in frame order), or every row as ``"all"`` when
    ``by`` is None. No column is copied: a caller takes the columns it needs once and indexes
    them by these positions."""
    if by is None:
        return [(ALL, np.arange(len(paired)))]
    if by not in paired.columns:
        raise ValueError(f"no column {by!r} to group by")
    column = paired[by]
    present = np.flatnonzero(column.notna().to_numpy())
    values = column.iloc[present]
    labels = np.asarray(group_labels(values))
    return [(name, present[labels == name]) for name in ordered_groups(values)]
