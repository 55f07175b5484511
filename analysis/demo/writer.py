"""Writing the demo's CSV and TOML files.

CSV files are UTF-8 with a header row, comma-separated, ``\\n`` line endings, minimal quoting;
an empty cell is a missing value. Planted rows are written in chunks from numpy columns, and
deliberately faulty rows are slotted in before given planted-row positions; each faulty row
records the 1-based data row number it was written at.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

import numpy as np

CHUNK_ROWS = 50_000


@dataclass
class FaultRow:
    """A deliberately faulty input row and what is wrong with it."""

    file: str
    key: str
    field: str
    fault: str
    value: str
    values: list[str]
    row_number: int = 0


class CsvTable:
    """One CSV file being written row by row."""

    def __init__(self, path: Path, header: Sequence[str]) -> None:
        self.path = path
        self._fh = path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._fh, lineterminator="\n")
        self._writer.writerow(header)
        self.rows = 0

    def write_columns(self, columns: Sequence[np.ndarray]) -> None:
        """Write rows given as equal-length columns of strings."""
        if not len(columns) or not len(columns[0]):
            return
        self._writer.writerows(zip(*columns, strict=True))
        self.rows += len(columns[0])

    def write_fault(self, fault: FaultRow) -> None:
        self._writer.writerow(fault.values)
        self.rows += 1
        fault.row_number = self.rows

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def write_planted(
    table: CsvTable,
    n: int,
    columns_for: Callable[[int, int], Sequence[np.ndarray]],
    faults_before: dict[int, list[FaultRow]],
) -> None:
    """Write planted rows 0..n-1 in chunks, each fault row before its planted position
    (position n = after the last planted row)."""
    cuts = sorted({0, n, *range(0, n, CHUNK_ROWS), *(k for k in faults_before if k <= n)})
    for a, b in zip(cuts, [*cuts[1:], n], strict=True):
        for fault in faults_before.get(a, []):
            table.write_fault(fault)
        if b > a:
            table.write_columns(columns_for(a, b))


def toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(toml_string(i) for i in items) + "]"


def fmt_coord(values: np.ndarray) -> np.ndarray:
    """Coordinates with six decimals, as written everywhere in the demo."""
    return np.char.mod("%.6f", np.asarray(values, dtype=float)).astype(object)
