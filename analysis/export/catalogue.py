"""What an export holds: every table and figure by its stable name (listed in docs/exports.md).

Each :class:`Item` has a ``frame`` function ``(con, Filters) -> DataFrame`` that computes it
from the store with the same metrics functions as the dashboard, the :class:`TableSpec` that
protects it (disclosure control), and for a figure the ``draw`` function from
``analysis.figures`` that the page uses, applied to that (protected) frame — so an exported
figure is the chart on screen, drawn from the numbers that may leave the tool. ``protect="km"``
marks a Kaplan–Meier curve, protected by :func:`analysis.disclosure.protect_km`. Every chart and
table a page shows is an item, except the Supply page's session finder (it answers one chosen
place). ``page`` names the page script that shows the item; :func:`on_pages` keeps the items of
a user's pages.

The items live beside the pages they come from: ``catalogue_tables`` (the summary tables),
``catalogue_uptake`` (Overview, Uptake), ``catalogue_outcomes`` (Retention, Outcomes, Pilot
impact) and ``catalogue_place`` (Equity, Supply & gaps, Data quality).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal, Protocol

import pandas as pd

from analysis.disclosure import (
    REDACTED,
    Protected,
    TableSpec,
    apply_to_export,
    protect_km,
    protect_table,
)
from analysis.export import catalogue_outcomes, catalogue_place, catalogue_tables, catalogue_uptake
from analysis.export.catalogue_items import (
    EXPORT_PAGE,
    FUNNEL_SPEC,
    NO_COUNTS,
    STAGE_SPEC,
    Con,
    Item,
)
from analysis.export.catalogue_tables import (
    PCN_MONTH_COUNTS,
    PCN_MONTH_SPEC,
    PCN_SUMMARY_COLUMNS,
    PCN_SUMMARY_SPEC,
    pcn_month,
    pcn_summary,
)
from analysis.filters import Filters

__all__ = [
    "EXPORT_PAGE", "FIGURES", "FUNNEL_SPEC", "NO_COUNTS", "PCN_MONTH_COUNTS", "PCN_MONTH_SPEC",
    "PCN_SUMMARY_COLUMNS", "PCN_SUMMARY_SPEC", "STAGE_SPEC", "TABLES", "Item", "Protectable",
    "by_name", "figure_frame", "on_pages", "pcn_month", "pcn_summary", "protected",
    "protected_for_figure",
]  # fmt: skip

TABLES: tuple[Item, ...] = (
    *catalogue_tables.TABLES,
    *catalogue_uptake.TABLES,
    *catalogue_outcomes.TABLES,
    *catalogue_place.TABLES,
)
FIGURES: tuple[Item, ...] = (
    *catalogue_uptake.FIGURES,
    *catalogue_outcomes.FIGURES,
    *catalogue_place.FIGURES,
)


def by_name() -> dict[str, Item]:
    """Every item (tables, then figures) by its stable name."""
    return {item.name: item for item in (*TABLES, *FIGURES)}


def on_pages(items: tuple[Item, ...], pages: Collection[str] | None) -> tuple[Item, ...]:
    """The ``items`` shown on ``pages`` (page scripts such as "uptake.py"; ``None``: all). The
    summary tables belong to the Export page, so whoever may export may take them."""
    return items if pages is None else tuple(i for i in items if i.page in pages)


class Protectable(Protocol):
    """Anything protected by name and spec: a catalogue :class:`Item` or a page's own table."""

    @property
    def name(self) -> str: ...
    @property
    def spec(self) -> TableSpec: ...
    @property
    def protect(self) -> Literal["table", "km"]: ...


def protected(
    item: Protectable, frame: pd.DataFrame, *, marker: str | None = REDACTED
) -> Protected:
    """``frame`` under disclosure control by the item's rules (``marker=None``: hidden cells
    missing, for a screen or a chart; the default marks them as an export does)."""
    if item.protect == "km":
        return protect_km(frame, table=item.name)
    if not item.spec.counts or marker == REDACTED:
        return apply_to_export(item.name, frame, item.spec)
    spec = item.spec
    return protect_table(frame, count_columns=spec.counts, total_row=spec.total_row,
                         total_column=spec.total_column, derived=spec.derived,
                         method=spec.method, marker=marker, table=item.name)  # fmt: skip


def protected_for_figure(item: Protectable, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` protected for drawing: hidden cells missing (not a text marker), counts float."""
    if item.protect != "km" and not item.spec.counts:
        return frame
    out = protected(item, frame, marker=None).frame
    if item.protect == "km":
        return out
    return out.astype(dict.fromkeys(item.spec.counts, float))


def figure_frame(item: Item, con: Con, filters: Filters, *, disclosure_control: bool = True
                 ) -> pd.DataFrame:  # fmt: skip
    """The frame a figure is drawn from: protected unless disclosure control is off."""
    frame = item.frame(con, filters)
    return protected_for_figure(item, frame) if disclosure_control else frame
