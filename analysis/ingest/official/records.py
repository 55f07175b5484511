"""The rows of a recognised file as text cells, and the accepted/rejected split every reader
keeps: each data row is accepted or rejected with a reason naming the field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.ingest.official.detect import Detected
from analysis.ingest.official.tables import rows

REJECT_COLUMNS = ["field", "reason", "original_row"]


@dataclass
class SourceResult:
    """What one official file contributed: typed accepted rows and the rejected ones."""

    source: str
    title: str
    file: Path
    rows: int
    accepted: pd.DataFrame  # typed values, index = data row number
    rejects: pd.DataFrame  # index = data row number; field, reason, original_row
    notes: dict[str, object] = field(default_factory=dict)
    # Accepted rows that were read but not kept (a streamed lookup keeps only what it needs).
    accepted_not_kept: int = 0

    def summary(self) -> dict[str, object]:
        return {
            "source": self.source,
            "file": str(self.file),
            "rows": self.rows,
            "accepted": len(self.accepted) + self.accepted_not_kept,
            "rejected": len(self.rejects),
            **self.notes,
        }


@dataclass
class Body:
    """Text cells of the wanted columns; rows that could not be split are kept aside."""

    cells: pd.DataFrame  # one column per role, "" = missing; index = data row number
    malformed: dict[int, tuple[str, list[str]]]

    @property
    def rows_read(self) -> int:
        return len(self.cells) + len(self.malformed)


def read_body(detected: Detected, positions: dict[str, int] | None = None) -> Body:
    """Stream the data rows under the header, keeping only the columns of the given roles."""
    positions = positions if positions is not None else detected.positions
    roles = list(positions)
    index = [positions[r] for r in roles]
    width = len(detected.header) if detected.header_row >= 0 else None
    reach = max(index) + 1 if index else 0
    columns: list[list[str]] = [[] for _ in roles]
    numbers: list[int] = []
    malformed: dict[int, tuple[str, list[str]]] = {}
    number = 0
    is_csv = detected.sheet.name is None
    for i, row in enumerate(rows(detected.sheet)):
        if i <= detected.header_row or not any(row):
            continue
        number += 1
        if is_csv and width is not None and len(row) != width:
            malformed[number] = (f"the row has {len(row)} fields but the header has {width}", row)
            continue
        if len(row) < reach:
            if is_csv:
                malformed[number] = (
                    f"the row has {len(row)} fields, expected at least {reach}",
                    row,
                )
                continue
            row = row + [""] * (reach - len(row))
        numbers.append(number)
        for target, at in zip(columns, index, strict=True):
            target.append(row[at])
    cells = pd.DataFrame(dict(zip(roles, columns, strict=True)), index=numbers, dtype=object)
    return Body(cells, malformed)


class Problems:
    """Collects (row, field, reason) for the rows of one file."""

    def __init__(self, cells: pd.DataFrame) -> None:
        self.cells = cells
        self.parts: list[pd.DataFrame] = []

    def add(self, mask: pd.Series, field_name: str, reason: str) -> None:
        """Reject the masked rows; ``{v}`` in the reason becomes the cell's value."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        values = self.cells.loc[mask, field_name] if field_name in self.cells else ""
        reasons = [reason.replace("{v}", str(v)) for v in values] if "{v}" in reason else reason
        self.parts.append(
            pd.DataFrame({"row": self.cells.index[mask], "field": field_name, "reason": reasons})
        )

    def rejected_rows(self) -> pd.Index:
        if not self.parts:
            return pd.Index([], dtype="int64")
        return pd.Index(pd.concat(self.parts)["row"].unique())

    def result(
        self, body: Body, values: pd.DataFrame, source: str, title: str, path: Path
    ) -> SourceResult:
        """Accepted typed rows and one reject per failing or malformed row."""
        parts = []
        if self.parts:
            found = pd.concat(self.parts, ignore_index=True)
            grouped = found.groupby("row", sort=True)
            per_row = pd.DataFrame(
                {
                    "field": grouped["field"].first(),
                    "reason": grouped["reason"].agg(lambda r: "; ".join(dict.fromkeys(r))),
                }
            )
            per_row["original_row"] = [
                json.dumps(rec, ensure_ascii=False)
                for rec in self.cells.loc[per_row.index].to_dict(orient="records")
            ]
            parts.append(per_row)
        if body.malformed:
            numbers = sorted(body.malformed)
            parts.append(
                pd.DataFrame(
                    {
                        "field": "(row)",
                        "reason": [body.malformed[n][0] for n in numbers],
                        "original_row": [
                            json.dumps(body.malformed[n][1], ensure_ascii=False) for n in numbers
                        ],
                    },
                    index=numbers,
                )
            )
        rejects = pd.concat(parts).sort_index() if parts else pd.DataFrame(columns=REJECT_COLUMNS)
        rejects.index.name = "row_number"
        accepted = values.loc[~values.index.isin(rejects.index)]
        result = SourceResult(source, title, path, body.rows_read, accepted, rejects)
        if len(result.accepted) + len(result.rejects) != result.rows:  # the loaders' promise
            raise AssertionError(f"{path}: accepted + rejected != rows read")
        return result


def codes(cells: pd.Series) -> pd.Series:
    """Codes and postcodes upper-cased with inner spaces removed."""
    return cells.str.upper().str.replace(" ", "", regex=False)


def whole_numbers(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse whole numbers ≥ 0 (thousands commas allowed); returns (values, bad)."""
    cleaned = cells.str.replace(",", "", regex=False)
    number = pd.to_numeric(cleaned.where(cleaned != ""), errors="coerce")
    bad = number.isna() | (number < 0) | (number != number.round())
    return number.where(~bad).astype("Int64"), bad
