"""The read-only floor: DuckDB reading the same input files into tables, and nothing else.

    .venv/bin/python bench/floor.py csv data/demo/referrals.csv /tmp/floor.duckdb
    .venv/bin/python bench/floor.py pages data/demo/feeds /tmp/floor.duckdb

``csv``: ``CREATE TABLE t AS SELECT * FROM read_csv(FILE, all_varchar = true)``: every cell
as text, as the loaders first read it (typed detection would stop at the first deliberately
impossible date of the demo files). ``pages``: every RPDE page file's items, one row per item as JSON. The benchmark
scripts time this command as a whole process, exactly as they time the `pilot` command that
loads the same file, so the ratio of the two is the cost of checking, pseudonymising and
modelling over merely reading.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb


def floor_csv(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    con.execute(
        "CREATE OR REPLACE TABLE floor_csv AS SELECT * FROM read_csv(?, all_varchar = true)",
        [str(path)],
    )
    return con.execute("SELECT count(*) FROM floor_csv").fetchone()[0]


def floor_pages(con: duckdb.DuckDBPyConnection, feeds: Path) -> int:
    files = sorted(str(p) for p in feeds.glob("*/page-*.json"))
    con.execute(
        "CREATE OR REPLACE TABLE floor_items AS "
        "SELECT unnest(json_extract(content, '$.items[*]')) AS item FROM read_text(?)",
        [files],
    )
    return con.execute("SELECT count(*) FROM floor_items").fetchone()[0]


def main() -> None:
    kind, source, database = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    con = duckdb.connect(str(database))
    try:
        rows = floor_csv(con, source) if kind == "csv" else floor_pages(con, source)
    finally:
        con.close()
    print(rows)


if __name__ == "__main__":
    main()
