"""The pieces every export catalogue module shares: :class:`Item` and the common specs.

An :class:`Item` is one exportable table or figure: its stable name, a ``frame`` function
``(con, Filters) -> DataFrame`` computing it with the dashboard's metrics functions, the
:class:`~analysis.disclosure.TableSpec` that protects it and, for a figure, the ``draw``
function from ``analysis.figures`` (through a small adapter where the chart takes more than one
frame). ``protect="km"`` marks a Kaplan–Meier curve (midpoint-6, :func:`protect_km`). ``page``
is the page script (``dashboard/views/``) that shows it: an export made for a user holds only
the items of the pages their role sees (:attr:`analysis.roles.Access.pages`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, replace
from typing import Literal

import duckdb
import pandas as pd
import plotly.graph_objects as go

from analysis.disclosure import Derived, TableSpec
from analysis.filters import PERSON_FIELDS, Filters
from analysis.metrics import uptake as up

__all__ = [
    "EXPORT_PAGE", "FUNNEL_SPEC", "NO_COUNTS", "STAGE_SPEC", "Con", "FrameFn", "Item", "ci",
    "kept_means", "no_person", "prop", "with_total",
]  # fmt: skip

Con = duckdb.DuckDBPyConnection
FrameFn = Callable[[Con, Filters], pd.DataFrame]
EXPORT_PAGE = "export.py"
"""The page of the summary tables (pcn_summary, pcn_month): whoever may open the Export page
may take them."""


@dataclass(frozen=True)
class Item:
    """One exportable table or figure."""

    name: str
    title: str
    frame: FrameFn
    spec: TableSpec
    draw: Callable[[pd.DataFrame], go.Figure] | None = None
    protect: Literal["table", "km"] = "table"
    _: KW_ONLY
    page: str

    @property
    def is_figure(self) -> bool:
        return self.draw is not None


def ci(name: str) -> tuple[str, str]:
    """The 95% confidence-limit columns of ``name``."""
    return (f"{name}_lower", f"{name}_upper")


def prop(num: str, den: str, name: str) -> Derived:
    """A proportion ``num ÷ den`` in column ``name`` with its Wilson CI columns."""
    return Derived(num, den, interval=ci(name))


def kept_means(count: str, *columns: str) -> dict[str, Derived]:
    """Means (and other summaries of people's values) kept as they are, but blanked where the
    count of people they summarise is hidden (a mean of one or two people is their value)."""
    return {c: Derived(count, count, kind="mean") for c in columns}


FUNNEL_SPEC = TableSpec(
    counts=list(up.COUNTS),
    derived={rate: prop(num, den, rate) for rate, (num, den) in up.RATES.items()}
    | kept_means("first_attended", "days_median", "days_q1", "days_q3"),
)
"""The uptake funnel tables: every count of people, every proportion recomputed; the days to
start kept but blanked where the number of starters is hidden."""
STAGE_SPEC = TableSpec(
    counts=["count", "total"], derived={"share": prop("count", "total", "share")}
)
"""A funnel in long form: people at each stage, the share of referrals recomputed."""
NO_COUNTS = TableSpec(counts=[])
"""Model estimates and counts that are not of people (sessions, feeds, publisher faults)."""


def with_total(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """A funnel in long form with each group's referrals as ``total`` (the share's denominator)."""
    referred = frame[frame["stage"] == "referrals"][[*keys, "count"]]
    return frame.drop(columns="total", errors="ignore").merge(
        referred.rename(columns={"count": "total"}), on=keys, how="left")  # fmt: skip


def no_person(filters: Filters) -> Filters:
    """The Equity page ignores the person filters (it compares those very groups)."""
    return replace(filters, **dict.fromkeys(("activity_groups", *PERSON_FIELDS), ()))
