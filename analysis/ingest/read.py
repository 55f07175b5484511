"""Read an input file into text cells, refusing files that cannot be read at all.

A readable file becomes a frame of strings (missing = empty string) with one row per data row,
plus the rows that could not be split into the header's columns. Column names are matched
case-insensitively with surrounding spaces ignored. Unknown columns are reported by name only:
their values are never kept (free text may carry names).

Cells are pandas strings backed by Arrow (``string[pyarrow]``), so the checks that follow run
as vectorised Arrow kernels rather than per Python object. A CSV file without blank lines or
rows of the wrong width (the usual case, and every large file) is split by Arrow's CSV reader;
any other file goes through Python's ``csv`` module, which numbers and reports every odd row.
Both give the same cells.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from analysis.errors import InputError
from analysis.ingest.contract import Contract

PARQUET_MAGIC = b"PAR1"
TEXT = "string[pyarrow]"
UTF8_CHECK_BYTES = 1 << 24  # the UTF-8 check decodes this much at a time
UTF8_BOM = b"\xef\xbb\xbf"
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
        data = _csv_text_bytes(path)
        fast = _read_csv_arrow(path, data, contract)
        if fast is not None:
            return fast
        header, rows, malformed, blank = _read_csv(path, data)
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
    cells = cells[list(contract.names)].fillna("").astype(str).astype(TEXT)
    for name in contract.names:
        cells[name] = cells[name].str.strip()
    unknown = [h.strip() for h in header if normalise_header(h) not in mapping]
    return RawTable(cells, malformed, unknown, blank)


Rows = list[tuple[int, list[str]]]
Malformed = dict[int, tuple[str, list[str]]]


def _csv_text_bytes(path: Path) -> bytes:
    """The file's bytes without a BOM, refused unless they are UTF-8 text."""
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise InputError(f"{path}: is a binary file, not CSV text; export it as 'CSV UTF-8'")
    start = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    at = start
    try:
        for at in range(start, len(data), UTF8_CHECK_BYTES):
            decoder.decode(view[at : at + UTF8_CHECK_BYTES])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        at = min(at + exc.start, len(data) - 1)
        raise InputError(
            f"{path}: is not UTF-8 text (byte 0x{data[at]:02x} at offset {at}); "
            "save it as 'CSV UTF-8'"
        ) from None
    return data[start:]


class _Widths:
    """Arrow's handler for rows whose width differs from the header's: note them, skip them."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, _row: object) -> str:
        self.count += 1
        return "skip"


def _read_csv_arrow(path: Path, data: bytes, contract: Contract) -> RawTable | None:
    """Split a regular CSV file with Arrow; None when it needs the row-by-row reader.

    Empty lines are kept as rows of empty cells, so a file with a blank line (or a row of
    only empty cells), like one with a row of the wrong width, goes to the row-by-row reader,
    which counts and numbers them.
    """
    first_end = data.find(b"\n")
    first_line = data[: first_end if first_end >= 0 else len(data)]
    if not first_line.strip(b" \t\r,") or b'"' in first_line or first_end < 0:
        return None
    header = next(csv.reader([first_line.decode("utf-8").rstrip("\r")]))
    mapping = _map_header(path, header, contract)
    generic = [f"f{i}" for i in range(len(header))]
    widths = _Widths()
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(column_names=generic, skip_rows=1),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=widths
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(generic, pa.string()),
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    if widths.count or table.num_rows == 0 or _has_empty_row(table):
        return None
    index = pd.RangeIndex(1, table.num_rows + 1)
    cells = pd.DataFrame(index=index)
    for name in contract.names:
        found = [i for i, h in enumerate(header) if normalise_header(h) == name]
        if found:
            column = pd.arrays.ArrowStringArray(table.column(found[0]))
            cells[name] = pd.Series(column, index=index, copy=False).str.strip()
        else:
            cells[name] = pd.Series("", dtype=TEXT, index=index)
    unknown = [h.strip() for h in header if normalise_header(h) not in mapping]
    return RawTable(cells, {}, unknown, 0)


def _has_empty_row(table: pa.Table) -> bool:
    empty = pc.equal(table.column(0), "")
    for column in table.columns[1:]:
        if not pc.any(empty).as_py():
            return False
        empty = pc.and_(empty, pc.equal(column, ""))
    return bool(pc.any(empty).as_py())


def _read_csv(path: Path, data: bytes) -> tuple[list[str], Rows, Malformed, int]:
    text = data.decode("utf-8")
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
        raise InputError(
            f"{path}: is not a readable Parquet file ({type(exc).__name__})"
        ) from None
    header = [str(c) for c in frame.columns]
    text = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        series = frame[col]
        if pd.api.types.is_datetime64_any_dtype(series):
            formatted = series.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(series):
            formatted = series.map({True: "yes", False: "no"})
        elif pd.api.types.is_float_dtype(series):
            formatted = series.map(
                lambda v: "" if pd.isna(v) else repr(float(v)).removesuffix(".0")
            )
        else:
            formatted = series.map(
                lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)
            )
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
