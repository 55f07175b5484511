"""Column definitions of the flattened supply tables, and writing them to the store.

Rows are plain dicts; each table is turned into one Arrow table (one typed array per column)
and written with ``CREATE OR REPLACE TABLE … AS SELECT`` — no per-row inserts.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from analysis.supply.sp_readiness import CRITERION_COLUMNS

TEXT, FLOAT, INT, BOOL = pa.string(), pa.float64(), pa.int32(), pa.bool_()
TEXTS, STAMP, DAY = pa.list_(pa.string()), pa.timestamp("us"), pa.date32()

SERIES_COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("series_id", TEXT),
    ("feed_url", TEXT),
    ("rpde_id", TEXT),
    ("kind", TEXT),
    ("series_type", TEXT),
    ("parent_id", TEXT),
    ("publisher_name", TEXT),
    ("dataset_url", TEXT),
    ("name", TEXT),
    ("description_chars", INT),
    ("activity_ids", TEXTS),
    ("activity_labels", TEXTS),
    ("unmatched_activity_labels", TEXTS),
    ("activity_group", TEXT),
    ("organiser_name", TEXT),
    ("organiser_is_person", BOOL),
    ("organiser_has_contact", BOOL),
    ("leader_present", BOOL),
    ("is_coached", BOOL),
    ("place_key", TEXT),
    ("place_id", TEXT),
    ("place_name", TEXT),
    ("postcode", TEXT),
    ("latitude", FLOAT),
    ("longitude", FLOAT),
    ("price_min", FLOAT),
    ("price_max", FLOAT),
    ("is_free", BOOL),
    ("first_session_free", BOOL),
    ("price_given", BOOL),
    ("age_range_given", BOOL),
    ("age_min", INT),
    ("age_max", INT),
    ("gender_restriction", TEXT),
    ("levels", TEXTS),
    ("is_beginner", BOOL),
    ("accessibility_support", TEXTS),
    ("accessibility_information", TEXT),
    ("wheelchair_accessible", BOOL),
    ("url", TEXT),
    ("image_url", TEXT),
    ("modified_raw", TEXT),
    ("modified_at", STAMP),
    ("freshness_at", STAMP),
    ("first_seen_at", STAMP),
    ("deleted", BOOL),
    ("deleted_at", STAMP),
    ("start_date", DAY),
    ("end_date", DAY),
    ("event_status", TEXT),
    *((column, BOOL) for column in CRITERION_COLUMNS),
    ("sp_ready_score", FLOAT),
)

OCCURRENCE_COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("occurrence_id", TEXT),
    ("series_id", TEXT),
    ("start_utc", STAMP),
    ("end_utc", STAMP),
    ("duration_minutes", FLOAT),
    ("maximum_capacity", INT),
    ("remaining_capacity", INT),
    ("event_status", TEXT),
    ("cancelled", BOOL),
    ("source", TEXT),
    ("orphan", BOOL),
)

PLACE_COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("place_key", TEXT),
    ("place_id", TEXT),
    ("name", TEXT),
    ("postcode", TEXT),
    ("latitude", FLOAT),
    ("longitude", FLOAT),
    ("series_count", INT),
)

TABLES = {
    "supply_series": SERIES_COLUMNS,
    "supply_occurrences": OCCURRENCE_COLUMNS,
    "supply_places": PLACE_COLUMNS,
}


def to_arrow(rows: list[dict[str, Any]], columns: tuple[tuple[str, pa.DataType], ...]) -> pa.Table:
    """One Arrow table from row dicts, column by column with the declared types."""
    arrays = [pa.array([row.get(name) for row in rows], type=kind) for name, kind in columns]
    return pa.Table.from_arrays(arrays, names=[name for name, _ in columns])


def write_tables(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> None:
    """Replace the supply tables in one transaction (all or nothing). The connection must not
    be inside a transaction already."""
    con.execute("BEGIN TRANSACTION")
    try:
        for name, table in tables.items():
            view = f"_flat_{name}"
            con.register(view, table)
            try:
                con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {view}")
            finally:
                con.unregister(view)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
