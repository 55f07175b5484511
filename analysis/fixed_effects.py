"""Starting values for a Poisson model with two sets of fixed effects and one more term.

For ``log μ = a[row] + b[col] + δ·treated + offset`` (the difference-in-differences of
:mod:`analysis.impact`: PCN and month fixed effects and ``pilot × post``) the maximum-likelihood
estimate can be reached without any matrix algebra: given the rest, each PCN's effect solves its
own score equation in closed form (observed referrals = expected referrals), each month's too,
and δ takes a Newton step. Repeating these updates converges to the same estimate as the full
GLM. The GLM still makes the fit (and its standard errors); starting from here it needs one or
two IRLS iterations instead of five, each a least-squares solve over every PCN-month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["two_way_poisson_start"]

SWEEPS = 500
TOLERANCE = 1e-12


def _solve(y, offset, row, col, treated, sweeps: int, tol: float):
    """(a, b, δ) by alternating closed-form updates; None if it does not settle."""
    n_rows, n_cols = row.max() + 1, col.max() + 1
    y_row = np.bincount(row, y, n_rows)
    y_col = np.bincount(col, y, n_cols)
    if (y_row <= 0).any() or (y_col <= 0).any():
        return None  # a unit without counts has no finite effect
    a, b, delta = np.zeros(n_rows), np.zeros(n_cols), 0.0
    for _ in range(sweeps):
        rest = np.exp(b[col] + delta * treated + offset)
        new_a = np.log(y_row) - np.log(np.bincount(row, rest, n_rows))
        rest = np.exp(new_a[row] + delta * treated + offset)
        new_b = np.log(y_col) - np.log(np.bincount(col, rest, n_cols))
        mu = np.exp(new_a[row] + new_b[col] + delta * treated + offset)
        info = float(treated**2 @ mu)
        step = float(treated @ (y - mu)) / info if info > 0 else 0.0
        change = max(np.abs(new_a - a).max(), np.abs(new_b - b).max(), abs(step))
        a, b, delta = new_a, new_b, delta + step
        if not np.isfinite(change):
            return None
        if change < tol:
            return a, b, delta
    return None


def two_way_poisson_start(
    x: pd.DataFrame,
    y: np.ndarray,
    offset: np.ndarray,
    rows: pd.Series,
    cols: pd.Series,
    term: str,
    prefixes: tuple[str, str],
) -> np.ndarray | None:
    """Starting values in the order of ``x``'s columns: ``const``, the dummies of ``rows``
    (``{prefixes[0]}_{value}``, first value left out), of ``cols`` (likewise) and ``term``.

    None when ``x`` has other columns, a row or column value has no counts, or the updates do
    not settle (the GLM then starts from its own default)."""
    rows_cat, cols_cat = pd.Categorical(rows), pd.Categorical(cols)
    solved = _solve(
        np.asarray(y, dtype=float), np.asarray(offset, dtype=float), rows_cat.codes.astype(int),
        cols_cat.codes.astype(int), x[term].to_numpy(dtype=float), SWEEPS, TOLERANCE,
    )  # fmt: skip
    if solved is None:
        return None
    a, b, delta = solved
    values = {"const": a[0] + b[0], term: delta}
    values |= {f"{prefixes[0]}_{v}": a[i] - a[0] for i, v in enumerate(rows_cat.categories)}
    values |= {f"{prefixes[1]}_{v}": b[i] - b[0] for i, v in enumerate(cols_cat.categories)}
    start = pd.Series(values).reindex(x.columns)
    return None if start.isna().any() else start.to_numpy()
