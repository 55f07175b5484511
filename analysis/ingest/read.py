"""Read an input file into text cells, refusing files that cannot be read at all.

A readable file becomes a frame of strings (missing = empty string) with one row per data row,
plus the rows that could not be split into the header's columns. Column names are matched
case-insensitively with surrounding spaces ignored. Unknown columns are reported by name only:
their values are never kept (free text may carry names).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.errors import InputError
from analysis.ingest.contract import Contract

PARQUET_MAGIC = b"PAR1"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class RawTable:
    """The text cells of a readable input file."""

    cells: pd.DataFrame  # contract columns only, strings, "" = missing; index = data row number
    # row number → (why it could not be split, its raw fields)
    malformed: dict[int, tuple[str, list[str]]] = field(default_factory=dict)
    unknown_columns: list[str] = field(default_factory=list)
    blank_lines: int = 0

    @property
    def rows_read(self) -> int:
        return len(self.cells) + len(self.malformed)


def normalise_header(name: str) -> str:
    return name.strip().lower().replace(" ", "_")


def read_table(path: Path, contract: Contract) -> RawTable:
    """Read CSV or Parquet; raise InputError with a one-line reason when it is unusable."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, expected a CSV or Parquet file")
    with path.open("rb") as fh:
        head = fh.read(4)
    if head == PARQUET_MAGIC or path.suffix.lower() in {".parquet", ".pq"}:
        header, rows, malformed, blank = _read_parquet(path)
    elif head == ZIP_MAGIC:
        raise InputError(
            f"{path}: is a zip or Excel workbook, not CSV; save it as 'CSV UTF-8' and load that"
        )
    else:
        header, rows, malformed, blank = _read_csv(path)
    mapping = _map_header(path, header, contract)
    wanted = [i for i, name in enumerate(header) if normalise_header(name) in mapping]
    names = [normalise_header(header[i]) for i in wanted]
    numbers = [n for n, _ in rows]
    cells = pd.DataFrame(
        [[row[i] for i in wanted] for _, row in rows], columns=names, index=numbers, dtype=object
    )
    for name in contract.names:
        if name not in cells.columns:
            cells[name] = ""
    cells = cells[list(contract.names)].fillna("").astype(str)
    for name in contract.names:
        cells[name] = cells[name].str.strip()
    unknown = [h.strip() for h in header if normalise_header(h) not in mapping]
    return RawTable(cells, malformed, unknown, blank)


Rows = list[tuple[int, list[str]]]
Malformed = dict[int, tuple[str, list[str]]]


def _read_csv(path: Path) -> tuple[list[str], Rows, Malformed, int]:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise InputError(f"{path}: is a binary file, not CSV text; export it as 'CSV UTF-8'")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as 'CSV UTF-8'"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        while header is not None and not any(c.strip() for c in header):
            header = next(reader, None)
        if header is None:
            raise InputError(f"{path}: is empty; expected a header row and data rows")
        rows: Rows = []
        malformed: dict[int, tuple[str, list[str]]] = {}
        blank = 0
        number = 0
        for row in reader:
            if not row:
                blank += 1
                continue
            number += 1
            if len(row) != len(header):
                reason = (
                    f"the row has {len(row)} fields but the header has {len(header)} "
                    "(a stray comma or an unquoted value?)"
                )
                malformed[number] = (reason, row)
                continue
            rows.append((number, row))
    except csv.Error as exc:
        raise InputError(f"{path}: is not valid CSV ({exc})") from None
    return header, rows, malformed, blank


def _read_parquet(path: Path) -> tuple[list[str], Rows, Malformed, int]:
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:  # pyarrow errors subclass these
        raise InputError(f"{path}: is not a readable Parquet file ({type(exc).__name__})") from None
    header = [str(c) for c in frame.columns]
    text = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        series = frame[col]
        if pd.api.types.is_datetime64_any_dtype(series):
            formatted = series.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(series):
            formatted = series.map({True: "yes", False: "no"})
        elif pd.api.types.is_float_dtype(series):
            formatted = series.map(lambda v: "" if pd.isna(v) else repr(float(v)).removesuffix(".0"))
        else:
            formatted = series.map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
        text[str(col)] = formatted.fillna("").astype(str)
    rows = [(i + 1, list(r)) for i, r in enumerate(text.itertuples(index=False, name=None))]
    return header, rows, {}, 0


def _map_header(path: Path, header: list[str], contract: Contract) -> set[str]:
    seen: dict[str, str] = {}
    for name in header:
        norm = normalise_header(name)
        if norm in seen and norm in contract.names:
            raise InputError(f"{path}: column '{name.strip()}' appears twice in the header")
        seen[norm] = name
    known = set(seen) & set(contract.names)
    missing = [c for c in contract.required_headers if c not in known]
    if missing:
        raise InputError(
            f"{path}: missing required column(s) {', '.join(missing)} for a {contract.kind} file "
            f"(header has: {', '.join(h.strip() for h in header) or 'nothing'})"
        )
    for group in contract.one_of:
        if not known & set(group):
            raise InputError(
                f"{path}: needs at least one of the columns {' or '.join(group)} "
                f"for a {contract.kind} file"
            )
    return known
