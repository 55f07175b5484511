"""Write DataFrames to CSV and XLSX so that no cell can run as a formula.

* Every text cell and every header goes through :func:`analysis.spreadsheet.neutralise_cell`:
  text starting with ``= + - @``, a tab or a carriage return gets a leading ``'``.
* Numbers stay numbers (numeric XLSX cells; plain digits in CSV). Missing values are empty.
  Infinities are written as the text ``inf`` / ``'-inf`` (spreadsheets have no infinity).
  Redaction markers (:data:`analysis.disclosure.REDACTED`) are text like any other string.
* Columns are written in the frame's order with a header row and no index (reset the index
  first to keep it). Dates are ISO text in CSV and date cells in XLSX.
* CSV is UTF-8 with ``\\r\\n`` line ends (the csv module's default, as RFC 4180); XLSX has a
  frozen header row and column widths fitted to the content.
* Files are written to a temporary file in the target folder and renamed over the target, so a
  reader never sees half a file; the temporary file has owner-only permissions, kept on rename.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import numbers
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from analysis.spreadsheet import neutralise_cell

__all__ = ["MAX_COLUMN_WIDTH", "MIN_COLUMN_WIDTH", "cell_value", "write_csv", "write_xlsx"]

MIN_COLUMN_WIDTH = 8
MAX_COLUMN_WIDTH = 60
WIDTH_SAMPLE_ROWS = 1000
"""Column widths are fitted to the header and the first this-many rows."""
_SHEET_NAME = re.compile(r"(?!')[^\[\]:*?/\\]{1,31}(?<!')")


def cell_value(value: Any) -> Any:
    """A cell as written: None (empty), bool, int, float, date/datetime, or neutralised text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return None
        return number if math.isfinite(number) else neutralise_cell(str(number))
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return neutralise_cell(value.isoformat())
    if isinstance(value, dt.date | dt.time):
        return value
    return neutralise_cell(str(value))


def _header(frame: pd.DataFrame) -> list[str]:
    def name(column: Any) -> str:
        return " ".join(map(str, column)) if isinstance(column, tuple) else str(column)

    return [neutralise_cell(name(c)) for c in frame.columns]


def _rows(frame: pd.DataFrame) -> Iterator[list[Any]]:
    for row in frame.itertuples(index=False, name=None):
        yield [cell_value(v) for v in row]


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


@contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed onto it when the block succeeds."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _write(path: str | os.PathLike[str], writer: Callable[[Path], None]) -> Path:
    target = Path(path)
    with _atomic(target) as temporary:
        writer(temporary)
    return target


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``frame`` as a UTF-8 CSV with a header and no index; return the path."""

    def write(temporary: Path) -> None:
        with temporary.open("w", encoding="utf-8", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(_header(frame))
            out.writerows([_csv_text(v) for v in row] for row in _rows(frame))
            handle.flush()
            os.fsync(handle.fileno())

    return _write(path, write)


def write_xlsx(sheets: Mapping[str, pd.DataFrame], path: str | os.PathLike[str]) -> Path:
    """Write each frame to its own sheet (in the mapping's order); return the path.

    Sheet names must be 1–31 characters without ``[ ] : * ? / \\``, not start or end with
    ``'``, and be unique ignoring case, as Excel requires; anything else raises
    :class:`ValueError`.
    """
    if not sheets:
        raise ValueError("an XLSX file needs at least one sheet")
    seen: set[str] = set()
    for name in sheets:
        if not _SHEET_NAME.fullmatch(name) or name.lower() in seen:
            raise ValueError(f"not a usable (or a repeated) Excel sheet name: {name!r}")
        seen.add(name.lower())

    def write(temporary: Path) -> None:
        book = Workbook()
        book.remove(book.active)
        for name, frame in sheets.items():
            _fill_sheet(book.create_sheet(title=name), frame)
        book.save(temporary)

    return _write(path, write)


def _fill_sheet(sheet: Any, frame: pd.DataFrame) -> None:
    header = _header(frame)
    sheet.append([_xlsx(v) for v in header])
    widths = [len(h) for h in header]
    for i, row in enumerate(_rows(frame)):
        sheet.append([_xlsx(v) for v in row])
        if i < WIDTH_SAMPLE_ROWS:
            widths = [max(w, len(_csv_text(v))) for w, v in zip(widths, row, strict=True)]
    for j, width in enumerate(widths, start=1):
        fitted = min(max(width + 2, MIN_COLUMN_WIDTH), MAX_COLUMN_WIDTH)
        sheet.column_dimensions[get_column_letter(j)].width = fitted
    sheet.freeze_panes = "A2"


def _xlsx(value: Any) -> Any:
    """Text without the control characters XML cannot hold (neutralised again, as removing
    them can expose a leading ``=``); other values as they are."""
    if isinstance(value, str):
        return neutralise_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value
