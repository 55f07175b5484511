"""The groups a paired-outcomes frame is summarised by: every row as one group (``"all"``), or
the rows of each value of one column, in the order the survival curves use."""

from __future__ import annotations

import pandas as pd

from analysis.survival import group_labels, ordered_groups

__all__ = ["ALL", "paired_groups"]

ALL = "all"
"""The name of the one group when nothing is grouped by."""


def paired_groups(paired: pd.DataFrame, by: str | None) -> list[tuple[str, pd.DataFrame]]:
    """``(name, rows)`` of each group of ``paired`` by column ``by`` (rows with a missing value
    left out), or ``[("all", paired)]`` when ``by`` is None."""
    if by is None:
        return [(ALL, paired)]
    if by not in paired.columns:
        raise ValueError(f"no column {by!r} to group by")
    rows = paired[paired[by].notna()]
    labels = group_labels(rows[by])
    return [(name, rows[labels == name]) for name in ordered_groups(rows[by])]
