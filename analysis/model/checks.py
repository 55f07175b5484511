"""Data tests on models, in the dbt manner: each returns how many rows break the rule.

They run at build time (a failing test rolls the build back) and again in pytest.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def unique(con: duckdb.DuckDBPyConnection, table: str, key: Sequence[str]) -> int:
    cols = ", ".join(key)
    return _count(con, f"SELECT count(*) FROM (SELECT {cols} FROM {table} GROUP BY {cols} "
                       "HAVING count(*) > 1)")


def not_null(con: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
    return _count(con, f"SELECT count(*) FROM {table} WHERE {column} IS NULL")


def relationship(
    con: duckdb.DuckDBPyConnection, table: str, column: str, to_table: str, to_column: str
) -> int:
    return _count(con, f"SELECT count(*) FROM {table} AS t WHERE t.{column} IS NOT NULL AND NOT "
                       f"EXISTS (SELECT 1 FROM {to_table} AS r WHERE r.{to_column} = t.{column})")


def accepted_values(
    con: duckdb.DuckDBPyConnection, table: str, column: str, values: Sequence[str]
) -> int:
    listed = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return _count(con, f"SELECT count(*) FROM {table} WHERE {column} IS NOT NULL "
                       f"AND {column} NOT IN ({listed})")


def expression(con: duckdb.DuckDBPyConnection, table: str, condition: str) -> int:
    """Rows where the condition (SQL, true for a good row) does not hold."""
    return _count(con, f"SELECT count(*) FROM {table} WHERE NOT coalesce(({condition}), false)")
