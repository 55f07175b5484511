"""Store tables for harvested OpenActive items: the contract between harvesting and flattening.

``rpde_items`` holds every item ever seen, one row per (feed, RPDE id), at its newest
``modified``. Deleted items are kept as tombstones (``state = 'deleted'``, ``deleted_at`` set,
the last known ``data`` kept) so supply at any past date can be reconstructed; current supply
excludes them. ``rpde_feeds`` holds each feed's cursor: the ``next`` URL exactly as received.
"""

from __future__ import annotations

import duckdb

SUPPLY_DDL = """
CREATE TABLE IF NOT EXISTS rpde_feeds (
    feed_url VARCHAR PRIMARY KEY,      -- the feed's first page URL as configured
    next_url VARCHAR NOT NULL,         -- the cursor: the next page to request, verbatim
    status VARCHAR NOT NULL,           -- 'harvesting' | 'caught_up' | 'failed'
    pages BIGINT NOT NULL DEFAULT 0,   -- pages committed, all runs
    items BIGINT NOT NULL DEFAULT 0,   -- items received, all runs
    last_error VARCHAR,
    caught_up_at TIMESTAMP,            -- when the last page was last reached
    updated_at TIMESTAMP NOT NULL,
    publisher_name VARCHAR,            -- attribution, from discovery when known
    dataset_url VARCHAR
);

CREATE TABLE IF NOT EXISTS rpde_items (
    feed_url VARCHAR NOT NULL,
    rpde_id VARCHAR NOT NULL,          -- the RPDE item id, as text
    kind VARCHAR,                      -- e.g. SessionSeries, ScheduledSession
    state VARCHAR NOT NULL,            -- 'updated' | 'deleted'
    modified_raw VARCHAR NOT NULL,     -- modified exactly as received (int or string)
    modified_int HUGEINT,              -- modified as an integer when it is one (or all digits)
    data_id VARCHAR,                   -- data['@id'] (or data['id']) when present
    data_json VARCHAR,                 -- the item's data as JSON text; kept on deletion
    first_seen_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP,
    PRIMARY KEY (feed_url, rpde_id)
);

CREATE TABLE IF NOT EXISTS rpde_faults (
    feed_url VARCHAR NOT NULL,
    page_url VARCHAR,
    fault VARCHAR NOT NULL,            -- a short type, e.g. 'http_503', 'relative_next', 'non_json'
    detail VARCHAR,
    seen_at TIMESTAMP NOT NULL,
    occurrences BIGINT NOT NULL DEFAULT 1  -- how many times on that page (item-level faults)
);
"""


def ensure_supply_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SUPPLY_DDL)
