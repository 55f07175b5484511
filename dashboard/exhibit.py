"""One exhibit as every page shows it: a chart (or table), its one-line caption, its table view
and download buttons beside it.

* **On screen.** When the signed-in user's :class:`~analysis.roles.Access` has
  ``disclosure_on_screen`` (commissioners), the frame is protected with the same functions the
  export uses (:func:`analysis.export.catalogue.protected`), so what is shown is what may be
  exported: hidden counts are blank, other counts rounded to 5 (midpoint-6 for a retention
  curve), rates recomputed from the rounded counts.
* **Downloads.** The figure as PNG and SVG (kaleido, :mod:`analysis.export.figures`) and its
  numbers as CSV and XLSX (:mod:`analysis.export.tables`, formula-safe), built only when clicked.
  Downloads beside a chart are always under disclosure control, whoever clicks; raw working
  copies come from the Export page. Each download appends a line to the export audit log
  (:mod:`analysis.export.audit`) before its bytes are handed over.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analysis.disclosure import REDACT_AT_OR_BELOW, ROUND_TO, TableSpec
from analysis.export.audit import ExportEvent, record_export
from analysis.export.catalogue import Item, protected, protected_for_figure
from analysis.export.figures import BrowserMissingError, FigureWriter, find_browser
from analysis.export.tables import write_csv, write_xlsx
from analysis.filters import Filters
from analysis.roles import LOCAL, Access

__all__ = ["Exhibit", "access", "download_bytes", "exhibit", "notice", "on_screen", "screened"]

Draw = Callable[[pd.DataFrame], go.Figure]
MIME = {"png": "image/png", "svg": "image/svg+xml", "csv": "text/csv",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}  # fmt: skip
_ONE_BROWSER = threading.Lock()  # one kaleido server per process at a time


@dataclass(frozen=True)
class Exhibit:
    """What an exhibit needs of a catalogue item: its name (files, audit log), the spec that
    protects its numbers and, for a chart, how to draw it."""

    name: str
    spec: TableSpec
    draw: Draw | None = None
    protect: Literal["table", "km"] = "table"

    @classmethod
    def of(cls, item: Item, draw: Draw | None = None) -> Exhibit:
        """The exhibit of a catalogue item, optionally drawn another way (same numbers)."""
        return cls(item.name, item.spec, draw or item.draw, item.protect)


def access() -> Access:
    """The current user's access (the local user's when the entrypoint has not set one)."""
    found = st.session_state.get("access")
    return found if isinstance(found, Access) else LOCAL


def on_screen() -> bool:
    """Whether this user sees everything under disclosure control."""
    return access().disclosure_on_screen


def notice() -> None:
    """One line under a page's title saying the numbers are disclosure-controlled, when so."""
    if on_screen():
        st.caption(
            f":material/shield: Disclosure control is on: counts of 1 to {REDACT_AT_OR_BELOW} "
            f"people are hidden (blank), other counts are rounded to the nearest {ROUND_TO} and "
            "rates and percentages are recomputed from the rounded counts."
        )


def screened(ex: Exhibit | Item, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as this user may see it: protected (hidden cells missing) when disclosure
    control is on screen, else as it is."""
    if not on_screen() or not ex.spec.counts and ex.protect != "km":
        return frame
    return protected(ex, frame, marker=None).frame


def download_bytes(
    ex: Exhibit, frame: pd.DataFrame, fmt: str, flt: Filters, who: Access
) -> bytes:
    """The file of one download (always disclosure-controlled), after its audit-log line.

    ``who`` is the user the button was drawn for: the file is built later, on the click, outside
    the page's run, where the session's state cannot be read.
    """
    record_export(ExportEvent(user=who.user, role=who.role, channel="download button",
                              what=ex.name, formats=(fmt,), disclosure_control=True,
                              pilot=flt.pilot, filters=dict(flt.to_query_params())))  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{ex.name}.{fmt}"
        if fmt in ("png", "svg"):
            if ex.draw is None:
                raise ValueError(f"{ex.name} is a table, not a figure")
            figure = ex.draw(protected_for_figure(ex, frame))
            with _ONE_BROWSER, FigureWriter(find_browser(), tabs=1) as writer:
                writer.write(figure, path)
        elif fmt == "csv":
            write_csv(protected(ex, frame).frame, path)
        else:
            write_xlsx({ex.name[:31]: protected(ex, frame).frame}, path)
        return path.read_bytes()


def _browser_missing() -> str | None:
    try:
        find_browser()
    except BrowserMissingError as exc:
        return str(exc)
    return None


def _downloads(ex: Exhibit, frame: pd.DataFrame, key: str, figure: bool) -> None:
    """A row of download buttons; figure files only where a Chromium can draw them."""
    flt: Filters = st.session_state.get("filters") or Filters()
    who = access()
    missing = _browser_missing() if figure else None
    formats = [*(("png", "svg") if figure and missing is None else ()), "csv", "xlsx"]
    with st.container(horizontal=True, gap="small"):
        for fmt in formats:
            st.download_button(
                fmt.upper(), data=_builder(ex, frame, fmt, flt, who), file_name=f"{ex.name}.{fmt}",
                mime=MIME[fmt], on_click="ignore", icon=":material/download:",
                key=f"download_{key}_{fmt}", type="tertiary",
                help=f"Download {'the figure' if fmt in ('png', 'svg') else 'its numbers'} as "
                f"{fmt.upper()}, under disclosure control (recorded in the export log)",
            )  # fmt: skip
    if missing:
        st.caption(f"Only the numbers can be downloaded here: {missing.split(';')[0]} on the "
                   "server, so figures cannot be drawn as images.")  # fmt: skip


def _builder(
    ex: Exhibit, frame: pd.DataFrame, fmt: str, flt: Filters, who: Access
) -> Callable[[], bytes]:
    return lambda: download_bytes(ex, frame, fmt, flt, who)


def exhibit(
    item: Exhibit | Item,
    frame: pd.DataFrame,
    *,
    key: str,
    caption: str | None = None,
    table: Callable[[pd.DataFrame], Any] | None = None,
    expander: str | None = "Table",
    expanded: bool = False,
) -> pd.DataFrame:
    """Show one chart (if the item draws one) with its caption, its table view (in an expander
    labelled ``expander``, or open when None) and download buttons; return the frame shown.

    ``frame`` is the true frame; ``table`` draws the table view (default: ``st.dataframe``).
    """
    ex = item if isinstance(item, Exhibit) else Exhibit.of(item)
    shown = screened(ex, frame)
    if ex.draw is not None:
        drawn = protected_for_figure(ex, frame) if on_screen() else frame
        st.plotly_chart(ex.draw(drawn), theme=None, key=key)
    if caption:
        st.caption(caption)
    view = table or (lambda f: st.dataframe(f, hide_index=True))
    if expander is None:
        view(shown)
    else:
        with st.expander(expander, expanded=expanded):
            view(shown)
    _downloads(ex, frame, key, figure=ex.draw is not None)
    return shown
