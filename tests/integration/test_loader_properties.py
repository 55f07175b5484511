"""Property: whatever the rows hold, every row read is accepted or rejected, and nothing raises."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.ingest.contract import CONTRACTS
from analysis.ingest.loaders import load_file
from analysis.pipeline import load_folder
from analysis.store import open_store
from tests.integration.conftest import write_place

TODAY = date(2026, 11, 21)

# Cells are a mix of plausible values (so some rows pass) and arbitrary text.
PLAUSIBLE = st.sampled_from([
    "", "R1", "R2", "943 476 5919", "9434765918", "P-1", "2025-01-06", "06/01/2025", "2025-02-30",
    "F84001", "F84003", "gp", "self", "45-54", "75+", "female", "male", "white", "asian",
    "E01000001", "mental_health;msk", "attending", "referred", "0", "4", "12", "yes", "no", "3",
    "=HYPERLINK(\"x\")", "-1", "1e308", "nan", " ", "\u00e9", "a,b", 'say "hi"', "line\nbreak",
])
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
               max_size=12)
CELL = st.one_of(PLAUSIBLE, PLAUSIBLE, TEXT)


def rows_for(kind: str) -> st.SearchStrategy[list[list[str]]]:
    width = len(CONTRACTS[kind].names)
    row = st.one_of(
        st.lists(CELL, min_size=width, max_size=width),
        st.lists(CELL, min_size=0, max_size=width + 2),  # ragged rows too
    )
    return st.lists(row, min_size=1, max_size=25)


@pytest.fixture(scope="module")
def base_store(tmp_path_factory) -> Path:
    folder = write_place(tmp_path_factory.mktemp("place"))
    store = folder / "base.duckdb"
    load_folder(folder, store, today=TODAY)
    return store


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["referrals", "followups"]), data=st.data())
def test_every_row_is_accounted_for(kind: str, data, base_store: Path, tmp_path_factory) -> None:
    tmp = tmp_path_factory.mktemp("prop")
    store = tmp / "s.duckdb"
    shutil.copy(base_store, store)
    rows = data.draw(rows_for(kind))
    path = tmp / f"{kind}.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(CONTRACTS[kind].names)
        writer.writerows(r if r else [""] for r in rows)
    before = duckdb.connect(str(store), read_only=True)
    table = CONTRACTS[kind].table
    start = before.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    before.close()
    con = open_store(store)
    try:
        summary = load_file(con, kind, path, rejects_dir=tmp / "rej", today=TODAY)
        stored = con.execute("SELECT count(*) FROM load_rejects WHERE source_file = ?",
                             [str(path.resolve())]).fetchone()[0]
        end = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()
    assert summary.accepted + summary.rejected == summary.rows == len(rows)
    assert stored == summary.rejected
    assert start <= end <= start + summary.accepted
