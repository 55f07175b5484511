"""The store: one embedded DuckDB file holding loaded inputs, rejects, the load log and models.

Location: ``--store PATH``, else the ``PILOT_STORE`` environment variable, else
``data/pilot.duckdb``. The schema carries a version; a store written by another version is
refused with a message saying how to rebuild it rather than being misread.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from analysis.errors import StoreError

SCHEMA_VERSION = 1
DEFAULT_STORE = Path("data/pilot.duckdb")
STORE_ENV = "PILOT_STORE"

SOURCE_DDL = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);

CREATE TABLE IF NOT EXISTS src_practices (
    practice_code VARCHAR PRIMARY KEY,
    practice_name VARCHAR NOT NULL,
    pcn_code VARCHAR NOT NULL,
    pcn_name VARCHAR NOT NULL,
    sub_icb_code VARCHAR,
    latitude DOUBLE NOT NULL,
    longitude DOUBLE NOT NULL,
    registered_patients BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS src_areas (
    lsoa_code VARCHAR PRIMARY KEY,
    lsoa_name VARCHAR,
    latitude DOUBLE NOT NULL,
    longitude DOUBLE NOT NULL,
    population BIGINT NOT NULL,
    imd_decile INTEGER NOT NULL,
    pcn_code VARCHAR
);

CREATE TABLE IF NOT EXISTS src_referrals (
    referral_id VARCHAR PRIMARY KEY,
    patient_key VARCHAR NOT NULL,
    referral_date DATE NOT NULL,
    practice_code VARCHAR NOT NULL,
    referral_source VARCHAR NOT NULL,
    link_worker_id VARCHAR,
    age_band VARCHAR NOT NULL,
    sex VARCHAR NOT NULL,
    ethnicity VARCHAR NOT NULL,
    lsoa_code VARCHAR,
    conditions VARCHAR,
    opportunity_id VARCHAR,
    activity_id VARCHAR,
    contacted_date DATE,
    first_attended_date DATE,
    status VARCHAR NOT NULL,
    closed_date DATE
);

CREATE TABLE IF NOT EXISTS src_followups (
    referral_id VARCHAR NOT NULL,
    followup_week INTEGER NOT NULL,
    followup_date DATE NOT NULL,
    still_attending BOOLEAN,
    sessions_attended INTEGER,
    last_attended_date DATE,
    swemwbs_1 INTEGER, swemwbs_2 INTEGER, swemwbs_3 INTEGER, swemwbs_4 INTEGER,
    swemwbs_5 INTEGER, swemwbs_6 INTEGER, swemwbs_7 INTEGER,
    ons4_satisfied INTEGER, ons4_worthwhile INTEGER, ons4_happy INTEGER, ons4_anxious INTEGER,
    sipam_days INTEGER,
    stop_reason VARCHAR,
    PRIMARY KEY (referral_id, followup_week)
);

CREATE TABLE IF NOT EXISTS src_pilots (
    pilot_name VARCHAR PRIMARY KEY,
    go_live DATE NOT NULL,
    description VARCHAR
);

CREATE TABLE IF NOT EXISTS src_pilot_pcns (
    pilot_name VARCHAR NOT NULL,
    pcn_code VARCHAR NOT NULL,
    arm VARCHAR NOT NULL,  -- 'pilot' or 'comparison'
    PRIMARY KEY (pilot_name, pcn_code)
);

CREATE TABLE IF NOT EXISTS src_supply_feeds (feed_url VARCHAR PRIMARY KEY);

CREATE TABLE IF NOT EXISTS load_log (
    kind VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    source_sha256 VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    accepted BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    unknown_columns VARCHAR,
    loaded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, source_file)
);

CREATE TABLE IF NOT EXISTS load_rejects (
    kind VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    row_number BIGINT NOT NULL,
    field VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    original_row VARCHAR NOT NULL,  -- JSON of the row's cells, NHS numbers masked
    PRIMARY KEY (kind, source_file, row_number)
);
"""


def resolve_store_path(argument: str | os.PathLike[str] | None = None) -> Path:
    """--store, else $PILOT_STORE, else data/pilot.duckdb."""
    if argument:
        return Path(argument)
    env = os.environ.get(STORE_ENV)
    return Path(env) if env else DEFAULT_STORE


def open_store(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating when writable and new) a store at the current schema version."""
    if read_only and not path.exists():
        raise StoreError(
            f"{path}: no store here yet; load data with 'pilot load' (or 'make demo') first"
        )
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        first = str(exc).splitlines()[0]
        raise StoreError(f"{path}: cannot open the store ({first})") from None
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        raise StoreError(f"{path}: is not a usable DuckDB store ({first})") from None
    con.execute("SET enable_progress_bar = false")  # keep command output and logs clean
    try:
        _ensure_schema(con, path, read_only)
    except Exception:
        con.close()
        raise
    return con


def _ensure_schema(con: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "meta" in tables:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        found = int(row[0]) if row else None
        if found != SCHEMA_VERSION:
            raise StoreError(
                f"{path}: store schema version {found}, this version of pilot needs "
                f"{SCHEMA_VERSION}; move the file aside and load the inputs again"
            )
        return
    if tables:
        raise StoreError(f"{path}: is a DuckDB file but not a pilot store (no meta table)")
    if read_only:
        raise StoreError(f"{path}: empty store; load data with 'pilot load' first")
    con.execute("BEGIN")
    con.execute(SOURCE_DDL)
    con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    con.execute("COMMIT")


def get_meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])
