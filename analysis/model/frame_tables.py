"""Helpers for the models computed in Python: write a frame as a store table, and add
confidence-interval columns from the project's indicator functions.

Python builders run inside the build's transaction, so they use the connection they are given
(a cursor could not see the tables created earlier in that transaction).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources

import duckdb
import numpy as np
import pandas as pd

from analysis.indicators import proportion_ci, rate_ci


def model_sql(layer: str, name: str) -> str:
    """The text of ``analysis/model/sql/<layer>/<name>.sql``."""
    return (
        resources.files("analysis.model")
        .joinpath("sql", layer, f"{name}.sql")
        .read_text(encoding="utf-8")
    )


def write_table(
    con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, order_by: str
) -> None:
    """Replace table ``name`` with ``frame`` (NaN and None become NULL), columns in frame order."""
    write_joined(con, name, "SELECT 1 AS _one", frame, (), order_by=order_by)


def write_joined(
    con: duckdb.DuckDBPyConnection,
    name: str,
    base_sql: str,
    frame: pd.DataFrame,
    key: tuple[str, ...],
    *,
    after: tuple[str, ...] = (),
    order_by: str,
) -> None:
    """Replace table ``name`` with the rows of ``base_sql`` (their SQL types kept) and the other
    columns of ``frame`` joined on ``key``; the ``after`` columns of the query go last.

    With no key, ``frame`` is the whole table (``base_sql`` then names no columns to keep).
    """
    view = f"incoming_{name}"
    con.register(view, frame)
    try:
        if key:
            moved = f" EXCLUDE ({', '.join(after)})" if after else ""
            tail = "".join(f", base.{c}" for c in after)
            select = f"base.*{moved}, f.* EXCLUDE ({', '.join(key)}){tail}"
            join = f"JOIN {view} AS f USING ({', '.join(key)})"
        else:
            select, join = "f.*", f"CROSS JOIN {view} AS f"
        con.execute(
            f"CREATE OR REPLACE TABLE {name} AS WITH base AS ({base_sql}) "
            f"SELECT {select} FROM base {join} ORDER BY {order_by}"
        )
    finally:
        con.unregister(view)


def _limits(
    fn: Callable[..., tuple], num: pd.Series, den: pd.Series, **kw: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``fn`` applied where the denominator is positive; NaN (NULL in the table) elsewhere."""
    x, n = num.to_numpy(dtype=float), den.to_numpy(dtype=float)
    out = [np.full(len(x), np.nan) for _ in range(3)]
    ok = n > 0
    if ok.any():
        for i, values in enumerate(fn(x[ok], n[ok], **kw)):
            out[i][ok] = values
    return out[0], out[1], out[2]


def add_proportion(frame: pd.DataFrame, name: str, numerator: str, denominator: str) -> None:
    """Columns ``name``, ``name_lower``, ``name_upper``: numerator ÷ denominator with its Wilson
    95% CI (:func:`analysis.indicators.proportion_ci`); NULL where the denominator is 0."""
    values = _limits(proportion_ci, frame[numerator], frame[denominator])
    frame[name], frame[f"{name}_lower"], frame[f"{name}_upper"] = values


def add_rate(
    frame: pd.DataFrame, name: str, count: str, denominator: str, multiplier: float
) -> None:
    """Columns ``name``, ``name_lower``, ``name_upper``: count ÷ denominator × multiplier with
    exact Poisson (< 10) / Byar's 95% limits (:func:`analysis.indicators.rate_ci`); NULL where
    the denominator is 0 or missing."""
    den = frame[denominator].fillna(0)
    values = _limits(rate_ci, frame[count], den, multiplier=multiplier)
    frame[name], frame[f"{name}_lower"], frame[f"{name}_upper"] = values
