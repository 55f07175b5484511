"""Read an official file's rows as text, whatever its wrapping: CSV (UTF-8 with or without BOM,
or Windows-1252 as some NHS extracts are) or an Excel workbook (each sheet a candidate table).

Nothing here knows what the file holds; detect.py looks at the first rows to decide that.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import InputError

PREVIEW_ROWS = 20
XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Sheet:
    """One table of a file: the whole CSV, or one worksheet of a workbook."""

    path: Path
    name: str | None  # worksheet name; None for CSV
    encoding: str = "utf-8-sig"


def sheets(path: Path) -> list[Sheet]:
    """The candidate tables of a file; refuses what cannot be read at all."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, expected a CSV or Excel file")
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
    if head.startswith(XLSX_MAGIC):
        if path.suffix.lower() not in {".xlsx", ".xlsm"}:
            raise InputError(f"{path}: is a zip archive; unzip it and give the CSV inside")
        return [Sheet(path, name) for name in _sheet_names(path)]
    if b"\x00" in head[:4096]:
        raise InputError(f"{path}: is a binary file, not CSV text or an .xlsx workbook")
    return [Sheet(path, None, _encoding(head))]


def _encoding(head: bytes) -> str:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _sheet_names(path: Path) -> list[str]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise InputError(
            f"{path}: is not a readable Excel workbook ({type(exc).__name__})"
        ) from None
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def rows(sheet: Sheet) -> Iterator[list[str]]:
    """Every row of the table as stripped text cells (blank rows included, as empty lists)."""
    if sheet.name is None:
        yield from _csv_rows(sheet)
    else:
        yield from _xlsx_rows(sheet)


def preview(sheet: Sheet, count: int = PREVIEW_ROWS) -> list[list[str]]:
    out: list[list[str]] = []
    for row in rows(sheet):
        out.append(row)
        if len(out) >= count:
            break
    return out


def _csv_rows(sheet: Sheet) -> Iterator[list[str]]:
    with sheet.path.open(encoding=sheet.encoding, newline="") as fh:
        reader = csv.reader(fh)
        try:
            for row in reader:
                yield [c.strip() for c in row]
        except csv.Error as exc:
            raise InputError(f"{sheet.path}: is not valid CSV ({exc})") from None
        except UnicodeDecodeError as exc:
            raise InputError(f"{sheet.path}: mixes text encodings ({exc.reason})") from None


def _xlsx_rows(sheet: Sheet) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    book = load_workbook(sheet.path, read_only=True, data_only=True)
    try:
        for row in book[sheet.name].iter_rows(values_only=True):
            cells = ["" if v is None else _cell_text(v) for v in row]
            while cells and cells[-1] == "":
                cells.pop()
            yield cells
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def normalise(name: str) -> str:
    """A header cell as matched: lower case, single spaces, no BOM or surrounding space."""
    return " ".join(name.replace("\ufeff", "").strip().lower().split())
