"""Small-number control on the Supply & gaps page: referred-people counts at or below
:data:`SUPPRESSION_THRESHOLD` are never shown to commissioners (:func:`suppressed` is the one
rule), and shares built from such a count are hidden."""

from __future__ import annotations

import pandas as pd

__all__ = ["REDACTED", "SUPPRESSION_THRESHOLD", "redact_counts", "redact_share", "suppressed"]

SUPPRESSION_THRESHOLD = 7  # counts of referred people at or below this are not shown
REDACTED = f"≤{SUPPRESSION_THRESHOLD}"


def suppressed(counts: pd.Series) -> pd.Series:
    """True where a count of people is too small to show (≤ :data:`SUPPRESSION_THRESHOLD`)."""
    return pd.to_numeric(counts, errors="coerce").fillna(0).le(SUPPRESSION_THRESHOLD)


def redact_counts(counts: pd.Series) -> pd.Series:
    """Counts as display text: the number with a thousands separator, or "≤7"."""
    text = pd.to_numeric(counts, errors="coerce").fillna(0).astype("int64").map("{:,}".format)
    return text.where(~suppressed(counts), REDACTED).astype(object)


def redact_share(share: pd.Series, *counts: pd.Series) -> pd.Series:
    """A share, missing wherever a count it is made from is suppressed."""
    hidden = pd.Series(False, index=share.index)
    for count in counts:
        hidden |= suppressed(count)
    return share.where(~hidden)
