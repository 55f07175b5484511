"""ONS4 personal well-being bands: each item's 0–10 score placed in the ONS threshold band, and
the share of the same people in each band at baseline and at week N."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.indicators import normalise_confidence, proportion_ci
from analysis.paired_groups import paired_group_rows

__all__ = ["BAND_COLUMNS", "ONS4_BANDS", "ONS4_ITEMS", "band_shares", "ons4_band"]

ONS4_ITEMS: dict[str, str] = {
    "ons4_satisfied": "positive", "ons4_worthwhile": "positive",
    "ons4_happy": "positive", "ons4_anxious": "anxiety",
}  # fmt: skip
ONS4_BANDS: dict[str, tuple[tuple[int, int, str], ...]] = {
    "positive": ((0, 4, "low"), (5, 6, "medium"), (7, 8, "high"), (9, 10, "very_high")),
    "anxiety": ((0, 1, "very_low"), (2, 3, "low"), (4, 5, "medium"), (6, 10, "high")),
}
"""ONS personal well-being thresholds: (lowest score, highest score, band), inclusive."""
BAND_COLUMNS = [
    "item", "week", "group", "band", "band_order", "n_pairs",
    "baseline_count", "baseline_share", "baseline_lower", "baseline_upper",
    "followup_count", "followup_share", "followup_lower", "followup_upper",
]  # fmt: skip
_WHEN = ("baseline", "followup")


def _check_scores(item: str, given: np.ndarray) -> None:
    if ((given < 0) | (given > 10) | (given != np.round(given))).any():
        raise ValueError(f"{item} scores must be whole numbers from 0 to 10")


def ons4_band(item: str, scores: pd.Series | Sequence[float] | np.ndarray) -> pd.Series:
    """The ONS threshold band of each 0–10 score of ``item`` (missing stays missing)."""
    if item not in ONS4_ITEMS:
        raise ValueError(f"unknown ONS4 item {item!r}; choose one of {', '.join(ONS4_ITEMS)}")
    if isinstance(scores, pd.Series) and pd.api.types.is_float_dtype(scores.dtype):
        values = scores.astype(float)  # already numbers, missing as NaN
    else:
        values = pd.Series(scores, dtype=object).map(lambda v: np.nan if v is None else v)
        values = pd.to_numeric(values).astype(float)
    _check_scores(item, values.dropna().to_numpy())
    score = values.to_numpy()
    out = np.full(len(score), np.nan, dtype=object)
    for low, high, band in ONS4_BANDS[ONS4_ITEMS[item]]:
        out[(score >= low) & (score <= high)] = band
    return pd.Series(out, index=values.index, dtype=object)


def _band_counts(item: str, scores: np.ndarray) -> np.ndarray:
    """People in each band of ``item`` (in band order) among ``scores`` (0–10, none missing)."""
    _check_scores(item, scores)
    lows = np.asarray([low for low, _, _ in ONS4_BANDS[ONS4_ITEMS[item]]], dtype=float)
    return np.bincount(np.searchsorted(lows, scores, side="right") - 1, minlength=len(lows))


def band_shares(
    paired: pd.DataFrame, by: str | None = None, confidence: float = 0.95
) -> pd.DataFrame:
    """ONS4 band shares at baseline and week N among the item's pairs (:data:`BAND_COLUMNS`).

    One row per item, group and band (every band listed, zero counts included), with Wilson
    CIs; the same people at both times, so the shift between columns is a change, not a change
    of sample.
    """
    level = normalise_confidence(confidence)
    week = int(paired["week"].iloc[0]) if "week" in paired.columns and len(paired) else None
    needed = [f"{item}_{when}" for item in ONS4_ITEMS for when in _WHEN]
    scores = paired[needed].to_numpy(dtype=float)  # one copy of the scores, not one a group
    groups = paired_group_rows(paired, by)
    keys: dict[str, list] = {c: [] for c in ("item", "group", "band", "band_order", "n_pairs")}
    counts: dict[str, list[np.ndarray]] = {when: [] for when in _WHEN}
    for i, (item, scale) in enumerate(ONS4_ITEMS.items()):
        for name, rows in groups:
            values = scores[rows, 2 * i : 2 * i + 2]
            values = values[~np.isnan(values).any(axis=1)]
            n = len(values)
            if n == 0:
                continue
            bands = ONS4_BANDS[scale]
            keys["item"] += [item] * len(bands)
            keys["group"] += [name] * len(bands)
            keys["band"] += [band for _, _, band in bands]
            keys["band_order"] += list(range(1, len(bands) + 1))
            keys["n_pairs"] += [n] * len(bands)
            for column, when in enumerate(_WHEN):
                counts[when].append(_band_counts(item, values[:, column]))
    if not keys["item"]:
        return pd.DataFrame([], columns=BAND_COLUMNS)
    n_pairs = np.asarray(keys["n_pairs"], dtype=np.int64)
    out = pd.DataFrame({k: keys[k] for k in ("item", "group", "band")})
    out.insert(1, "week", week)
    out["band_order"] = np.asarray(keys["band_order"], dtype=np.int64)
    out["n_pairs"] = n_pairs
    for when in _WHEN:
        count = np.concatenate(counts[when]).astype(np.int64)
        share, lower, upper = proportion_ci(count, n_pairs, level)
        out[f"{when}_count"] = count
        out[f"{when}_share"], out[f"{when}_lower"], out[f"{when}_upper"] = share, lower, upper
    return out[BAND_COLUMNS]
