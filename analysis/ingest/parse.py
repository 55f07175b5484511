"""Vectorised parsers: a column of text cells → typed values, plus which cells are invalid.

Each parser takes a Series of stripped strings ("" = missing) and returns ``(values, bad)``:
``values`` holds the typed value (missing where the cell is empty or invalid), ``bad`` is True
where a non-empty cell could not be read. Range and cross-field rules live in validate.py.

A column of a million rows holds few distinct values (about 1,100 dates, a few thousand
practice codes, a few hundred condition lists), so ``parse_column`` parses each distinct cell
once and spreads the results back over the rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.ingest.contract import Column

TRUE_WORDS = {"yes", "true", "y", "1"}
FALSE_WORDS = {"no", "false", "n", "0"}

_ISO = r"\d{4}-\d{2}-\d{2}"
_UK = r"\d{1,2}/\d{1,2}/\d{4}"


def parse_date(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO YYYY-MM-DD or UK DD/MM/YYYY; impossible dates (30 February) and other forms are bad."""
    present = cells != ""
    iso = cells.str.fullmatch(_ISO)
    uk = cells.str.fullmatch(_UK)
    out = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[ns]")
    if iso.any():
        out[iso] = pd.to_datetime(cells[iso], format="%Y-%m-%d", errors="coerce")
    if uk.any():
        out[uk] = pd.to_datetime(cells[uk], format="%d/%m/%Y", errors="coerce")
    bad = present & out.isna()
    return out, bad


def parse_number(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    present = cells != ""
    out = pd.to_numeric(cells.where(present), errors="coerce").astype("float64")
    bad = present & (out.isna() | ~np.isfinite(out.fillna(0.0)))
    return out.where(~bad), bad


def parse_integer(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    number, bad = parse_number(cells)
    fractional = number.notna() & (number != np.floor(number.fillna(0.0)))
    too_big = number.abs() > 2**53
    bad = bad | fractional | too_big
    return number.where(~bad).astype("Int64"), bad


def parse_bool(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    lowered = cells.str.lower()
    out = pd.Series(pd.NA, index=cells.index, dtype="boolean")
    out[lowered.isin(TRUE_WORDS)] = True
    out[lowered.isin(FALSE_WORDS)] = False
    bad = (cells != "") & out.isna()
    return out, bad


def parse_enum(cells: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    lowered = cells.str.lower().str.replace(" ", "_", regex=False)
    ok = lowered.isin(column.choices)
    bad = (cells != "") & ~ok
    return lowered.where(ok, None), bad


def parse_list(cells: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    """';'-separated values from the column's choices, normalised and de-duplicated in order."""
    allowed = set(column.choices)

    def one(cell: str) -> str | None:
        items = [i.strip().lower().replace(" ", "_") for i in cell.split(";") if i.strip()]
        if not items or any(i not in allowed for i in items):
            return None
        return ";".join(dict.fromkeys(items))

    present = cells != ""
    out = pd.Series(None, index=cells.index, dtype=object)
    if present.any():
        out[present] = cells[present].map(one)
    bad = present & out.isna()
    return out, bad


def parse_code(cells: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    upper = cells.str.upper().str.replace(" ", "", regex=False)
    ok = upper.str.fullmatch(column.pattern or ".*")
    bad = (cells != "") & ~ok
    return upper.where(ok & (cells != ""), None), bad


def parse_text(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    return cells.where(cells != "", None), pd.Series(False, index=cells.index)


def parse_column(cells: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    """Parse a column: free text as it is, any other kind once per distinct cell."""
    if column.kind == "text":
        return parse_text(cells)
    codes, distinct = pd.factorize(cells)
    values, bad = _parse_kind(pd.Series(distinct, dtype=cells.dtype), column)
    spread = pd.Index(codes)
    values = values.take(spread).set_axis(cells.index)
    bad = bad.astype(bool).to_numpy()[codes]
    return values, pd.Series(bad, index=cells.index)


def _parse_kind(cells: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    """Dispatch on the column's kind."""
    match column.kind:
        case "date":
            return parse_date(cells)
        case "number":
            return parse_number(cells)
        case "integer":
            return parse_integer(cells)
        case "bool":
            return parse_bool(cells)
        case "enum":
            return parse_enum(cells, column)
        case "list":
            return parse_list(cells, column)
        case "code":
            return parse_code(cells, column)
        case _:
            return parse_text(cells)
