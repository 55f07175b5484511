"""flatten_store: reads rpde_items, writes the three tables in one transaction."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from analysis.supply.flat_tables import TABLES, to_arrow, write_tables
from analysis.supply.flatten import flatten_store
from analysis.supply.tables import ensure_supply_tables
from tests.unit.supply_flatten.helpers import FEED, SESSIONS, item, series, session

DOC = Path(__file__).resolve().parents[3] / "docs" / "supply.md"
SEEN = datetime(2025, 9, 20, 12)


def insert_items(
    con: duckdb.DuckDBPyConnection,
    feed_url: str,
    items: list[dict[str, Any]],
    publisher: str | None = None,
) -> None:
    """Rows as the harvester writes them (data kept on deletion)."""
    ensure_supply_tables(con)
    con.execute(
        "INSERT OR REPLACE INTO rpde_feeds (feed_url, next_url, status, updated_at, "
        "publisher_name, dataset_url) VALUES (?, ?, 'caught_up', ?, ?, ?)",
        [feed_url, feed_url, SEEN, publisher, "https://example.org/dataset"],
    )
    for it in items:
        modified = it["modified"]
        data = it.get("data")
        con.execute(
            "INSERT INTO rpde_items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                feed_url,
                str(it["id"]),
                it["kind"],
                it["state"],
                str(modified),
                modified if isinstance(modified, int) else None,
                (data or {}).get("@id"),
                json.dumps(data) if data is not None else None,
                SEEN,
                SEEN,
                SEEN if it["state"] == "deleted" else None,
            ],
        )


def test_flatten_store_writes_typed_tables() -> None:
    con = duckdb.connect(":memory:")
    insert_items(
        con,
        FEED,
        [
            item(
                series(
                    eventSchedule=[
                        {
                            "@type": "Schedule",
                            "repeatFrequency": "P1W",
                            "startDate": "2025-09-03",
                            "startTime": "10:00",
                            "duration": "PT1H",
                            "byDay": ["WE"],
                        }
                    ],
                    location={"name": "Hall", "address": {"postalCode": "e13 8sd"}},
                    activity=["Yoga", "Circuits"],
                ),
                "EB1",
                modified=42,
            )
        ],
        publisher="Active Somewhere",
    )
    insert_items(
        con,
        SESSIONS,
        [
            item(
                session(
                    "https://example.org/s/x",
                    "https://example.org/series/1",
                    "2025-09-10T09:00:00Z",
                ),
                "s1",
                "ScheduledSession",
            )
        ],
    )
    report = flatten_store(con, horizon_start=date(2025, 9, 1), horizon_end=date(2025, 9, 22))
    assert (report.items, report.series, report.occurrences, report.places) == (2, 1, 3, 1)
    assert report.occurrences_by_source == {"feed": 1, "schedule": 2}
    assert report.generated_overridden == 1  # 10 Sept is explicit
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'supply_series'"
        ).fetchall()
    )
    assert types["activity_ids"] == "VARCHAR[]" and types["start_date"] == "DATE"
    assert types["modified_at"] == "TIMESTAMP" and types["sp_ready_score"] == "DOUBLE"
    row = con.execute(
        "SELECT publisher_name, postcode, activity_labels, "
        "unmatched_activity_labels, freshness_at FROM supply_series"
    ).fetchone()
    assert row == ("Active Somewhere", "E13 8SD", ["Yoga"], ["Circuits"], SEEN)
    starts = con.execute("SELECT start_utc, source FROM supply_occurrences ORDER BY 1").fetchall()
    assert starts == [
        (datetime(2025, 9, 3, 9), "schedule"),
        (datetime(2025, 9, 10, 9), "feed"),
        (datetime(2025, 9, 17, 9), "schedule"),
    ]
    # Running again replaces, never appends.
    flatten_store(con, horizon_start=date(2025, 9, 1), horizon_end=date(2025, 9, 22))
    assert con.execute("SELECT count(*) FROM supply_occurrences").fetchone() == (3,)


def test_empty_store_gives_empty_tables_and_bad_horizon_is_refused() -> None:
    con = duckdb.connect(":memory:")
    report = flatten_store(con, horizon_start=date(2025, 9, 1), horizon_end=date(2025, 9, 2))
    assert report.items == 0 and report.mean_sp_ready_score is None
    for table in TABLES:
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
    with pytest.raises(ValueError, match="must be after"):
        flatten_store(con, horizon_start=date(2025, 9, 2), horizon_end=date(2025, 9, 1))


def test_unreadable_json_is_counted_not_fatal() -> None:
    con = duckdb.connect(":memory:")
    ensure_supply_tables(con)
    con.execute(
        "INSERT INTO rpde_items VALUES ('f', '1', 'SessionSeries', 'updated', '1', 1, "
        "NULL, '{not json', ?, ?, NULL)",
        [SEEN, SEEN],
    )
    report = flatten_store(con, horizon_start=date(2025, 9, 1), horizon_end=date(2025, 9, 2))
    assert report.unreadable_items == 1 and report.series == 0


def documented(table: str) -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"^### `{table}`.*?(?=^### |^## |\Z)", text, re.DOTALL | re.MULTILINE)
    assert match, f"docs/supply.md has no section ### `{table}`"
    return set(re.findall(r"^\| `([a-z0-9_]+)` \|", match.group(0), re.MULTILINE))


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_column_is_documented(table: str) -> None:
    columns = {name for name, _ in TABLES[table]}
    assert columns - documented(table) == set()
    assert documented(table) - columns == set()


def test_tables_are_replaced_all_or_nothing() -> None:
    con = duckdb.connect(":memory:")
    flatten_store(con, horizon_start=date(2025, 9, 1), horizon_end=date(2025, 9, 2))
    con.execute("INSERT INTO supply_places VALUES ('k', NULL, 'Old', NULL, NULL, NULL, 1)")
    good = to_arrow([], TABLES["supply_series"])
    with pytest.raises(duckdb.Error):
        write_tables(con, {"supply_series": good, "supply_places": "not a table"})
    assert con.execute("SELECT name FROM supply_places").fetchall() == [("Old",)]
