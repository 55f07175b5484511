"""The journeys in view as integer codes, and the funnel counted per group of them with NumPy.

:func:`read_codes` reads what the Uptake page counts of each journey in view — its arm, the
value of every grouping (PCN, month of referral, referral source, age band, sex, ethnicity,
IMD quintile, bin of days to first attendance, conditions) as the SQL of
:mod:`analysis.metrics.uptake` defines it, the funnel stages reached and the days to first
attendance — as one Arrow table, and codes each grouping's values as integers
(:class:`JourneyCodes`) without making a Python object per value. :func:`grouped` then counts
the journeys per arm and grouping as :func:`analysis.metrics.uptake.select_counts` does:
``count(*)``, ``count_if`` of each stage, and the quartiles of days to first attendance by
``quantile_cont`` (linear interpolation between the two nearest ranks).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.metrics.uptake import (
    CONDITION_LIST,
    COUNTS,
    DAYS,
    DIMENSIONS,
    bin_start,
)
from analysis.metrics.view import ARM_ORDER, View

__all__ = ["BIN_DAYS", "CAP_DAYS", "PER_PERSON", "JourneyCodes", "grouped", "read_codes"]

BIN_DAYS, CAP_DAYS = 7, 84
"""Days to first attendance are counted in weeks, the last bin collecting 84 days and more."""
PER_PERSON = tuple(d for d in DIMENSIONS if d != "condition")
"""The breakdowns with one group per referral (a referral may have several conditions)."""
_GROUPS = {
    "pcn_code": "pcn_code",
    "referral_month": "referral_month",
    **{d: DIMENSIONS[d][1] for d in PER_PERSON},
}
_SELECT = ", ".join([
    "arm",
    *(f"{value} AS {name}" for name, value in _GROUPS.items()),
    f"{bin_start(BIN_DAYS, CAP_DAYS)} AS bin_start",
    f"{CONDITION_LIST} AS conditions",
    "days_to_first_attendance AS days",
    # the stages reached as the bits of one number (a missing stage is not reached)
    " + ".join(f"(coalesce({s}, false)::INTEGER << {i})" for i, s in enumerate(COUNTS[1:]))
    + " AS stages",
])  # fmt: skip
_QUARTILES = (0.5, 0.25, 0.75)  # the order of analysis.metrics.uptake.DAYS
_PATTERNS = 1 << (len(COUNTS) - 1)  # the sets of stages a journey can reach, as bits
_BITS = (np.arange(_PATTERNS)[:, None] >> np.arange(len(COUNTS) - 1) & 1).astype(np.int64)
"""Pattern × stage: 1 where the pattern includes the stage."""


@dataclass(frozen=True)
class JourneyCodes:
    """Journeys coded for counting: ``codes[key][i]`` is journey i's group of ``key`` (-1
    where it has none: only ``bin_start``, for people who have not started), whose value is
    ``values[key][code]``; ``stages`` holds the stages reached (bit i: ``COUNTS[1 + i]``);
    ``days`` the days to first attendance (NaN without); ``condition_rows`` /
    ``condition_codes`` one entry per (journey, condition)."""

    arm: np.ndarray
    codes: dict[str, np.ndarray]
    values: dict[str, np.ndarray]
    stages: np.ndarray
    days: np.ndarray
    condition_rows: np.ndarray
    condition_codes: np.ndarray

    def __len__(self) -> int:
        return len(self.arm)


def read_codes(con: duckdb.DuckDBPyConnection, view: View) -> JourneyCodes:
    """The journeys in ``view``, coded."""
    table = view.table(con, _SELECT)
    column = {name: table[name].combine_chunks() for name in table.column_names}
    codes, values = {}, {}
    for name in _GROUPS:
        codes[name], values[name] = _coded(column[name])
    weeks = column["bin_start"].to_numpy(zero_copy_only=False)  # NaN for people not started
    codes["bin_start"] = np.where(np.isnan(weeks), -1, weeks // BIN_DAYS).astype(np.int64)
    values["bin_start"] = np.arange(0, CAP_DAYS + 1, BIN_DAYS, dtype=np.int64)
    conditions = column["conditions"]
    condition_codes, values["condition"] = _coded(pc.list_flatten(conditions))
    return JourneyCodes(
        arm=_index_of(pc.index_in(column["arm"], value_set=pa.array(ARM_ORDER))),
        codes=codes,
        values=values,
        stages=_index_of(column["stages"]),
        days=column["days"].to_numpy(zero_copy_only=False).astype(float),
        condition_rows=_index_of(pc.list_parent_indices(conditions)),
        condition_codes=condition_codes,
    )


def _coded(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Each value's position among the column's distinct values (a missing value is one of
    them, as SQL groups it), and those values."""
    encoded = pc.dictionary_encode(column, null_encoding="encode")
    return _index_of(encoded.indices), encoded.dictionary.to_numpy(zero_copy_only=False)


def _index_of(positions: pa.Array) -> np.ndarray:
    return positions.to_numpy(zero_copy_only=False).astype(np.int64)


def grouped(coded: JourneyCodes, keys: tuple[str, ...]) -> pd.DataFrame:
    """The journeys counted per arm and group of ``keys`` (keys of ``coded.codes``, or
    ``("condition",)`` for one row per condition): ``arm``, each key's value,
    :data:`~analysis.metrics.uptake.COUNTS` and :data:`~analysis.metrics.uptake.DAYS`, one row
    per group present (in order of arm, then codes). Journeys without a group are left out."""
    if keys == ("condition",):
        rows, group_codes = coded.condition_rows, [coded.condition_codes]
    else:
        rows, group_codes = np.arange(len(coded)), [coded.codes[k] for k in keys]
        if group_codes:
            kept = np.logical_and.reduce([c >= 0 for c in group_codes])
            if not kept.all():
                rows, group_codes = rows[kept], [c[kept] for c in group_codes]
    sizes = [len(ARM_ORDER), *(len(coded.values[k]) for k in keys)]
    key = coded.arm[rows]
    for codes, size in zip(group_codes, sizes[1:], strict=True):
        key = key * size + codes
    cells = int(np.prod(sizes))  # every combination of codes: a few thousand at most
    referrals = np.bincount(key, minlength=cells)
    found = np.flatnonzero(referrals)
    counts = np.empty((len(found), len(COUNTS)), dtype=np.int64)
    counts[:, 0] = referrals[found]
    # the journeys per key and set of stages reached, then per key and stage
    patterns = np.bincount(key * _PATTERNS + coded.stages[rows], minlength=cells * _PATTERNS)
    counts[:, 1:] = patterns.reshape(cells, _PATTERNS)[found] @ _BITS
    quartiles = _quartiles(coded.days[rows], key, cells)[found]
    parts = []  # each group's codes back from its combined key, last key first
    for size in reversed(sizes):
        parts.append(found % size)
        found = found // size
    arm_codes, *key_codes = reversed(parts)
    return pd.DataFrame({
        "arm": np.asarray(ARM_ORDER, dtype=object)[arm_codes],
        **{k: coded.values[k][c] for k, c in zip(keys, key_codes, strict=True)},
        **dict(zip(COUNTS, counts.T, strict=True)),
        **dict(zip(DAYS, quartiles.T, strict=True)),
    })  # fmt: skip


def _quartiles(days: np.ndarray, key: np.ndarray, cells: int) -> np.ndarray:
    """Per combined key (0..cells-1): the median, first and third quartile of its known
    ``days`` (whole days), as DuckDB's ``quantile_cont`` gives them (NaN for a key with
    none), from each key's count of journeys per day."""
    known = ~np.isnan(days)
    whole = days[known].astype(np.int64)
    out = np.full((cells, len(_QUARTILES)), np.nan)
    if not len(whole):
        return out
    low, span = whole.min(), int(whole.max() - whole.min()) + 1
    per_day = np.bincount(key[known] * span + (whole - low), minlength=cells * span)
    size = np.bincount(key[known], minlength=cells)
    # running counts made to rise from key to key, so one search finds any key's k-th day
    running = (
        per_day.reshape(cells, span).cumsum(axis=1) + (np.arange(cells) * len(whole))[:, None]
    )
    has = np.flatnonzero(size)
    base = has * len(whole)

    def nth(k: np.ndarray) -> np.ndarray:  # each key's k-th smallest day (k from 0)
        return np.searchsorted(running.ravel(), base + k, side="right") % span + low

    for j, q in enumerate(_QUARTILES):
        rank = q * (size[has] - 1)
        below = np.floor(rank).astype(np.int64)
        lo, hi = nth(below), nth(np.ceil(rank).astype(np.int64))
        out[has, j] = lo + (hi - lo) * (rank - below)
    return out
