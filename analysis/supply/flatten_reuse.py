"""Flatten the harvested supply, or reuse the tables of the last flatten when nothing they are
made from has changed.

Flattening is part of ingesting the feeds: ``pilot harvest`` flattens what it stored (over the
horizon ``pilot build`` uses by default), and ``pilot build`` calls :func:`flatten_or_reuse`
again, which keeps those tables. Flattening parses every stored RPDE item (a million at
national scale); a build after loading new referrals or follow-ups does not change the supply.
The tables are reused only when all of these equal what they were at the last flatten:

* the items and feed attribution the flatten reads (a hash over every column of every row of
  ``rpde_items`` joined to ``rpde_feeds``, and their number);
* the horizon (``horizon_start``, ``horizon_end``), which also fixes the SP-readiness
  reference date;
* the flattening code (a hash of the source of :mod:`analysis.supply`);
* the three supply tables' row counts (a table emptied or edited by hand is rebuilt).

Anything else (for example ``pilot build --supply-start`` with another day than the harvest's),
or ``force=True`` (``pilot build --reflatten``), flattens again.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

import analysis.supply
from analysis.store import get_meta, set_meta
from analysis.supply.flatten import flatten_store
from analysis.supply.tables import ensure_supply_tables

SUPPLY_WEEKS = 12
"""Weeks of full schedules expanded by default."""
FINGERPRINT_KEY = "supply_fingerprint"
REPORT_KEY = "supply_report"
TABLES = ("supply_series", "supply_occurrences", "supply_places")

_INPUT_HASH = """
SELECT count(*), coalesce(sum(hash(i.feed_url, i.rpde_id, i.kind, i.state, i.modified_raw,
                                   i.modified_int, i.data_json, i.first_seen_at,
                                   i.last_seen_at, i.deleted_at, f.publisher_name,
                                   f.dataset_url)::HUGEINT), 0)
FROM rpde_items AS i LEFT JOIN rpde_feeds AS f ON f.feed_url = i.feed_url
"""


@cache
def code_version() -> str:
    """A hash of the flattening code (every module of :mod:`analysis.supply`)."""
    digest = hashlib.sha256()
    for path in sorted(Path(analysis.supply.__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _table_rows(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in TABLES]


def fingerprint(
    con: duckdb.DuckDBPyConnection, horizon_start: date | datetime, horizon_end: date | datetime
) -> dict[str, Any]:
    """What the supply tables are made from (see the module docstring); stored in ``meta``
    with the tables' row counts (``rows``) after each flatten."""
    items, content = con.execute(_INPUT_HASH).fetchone()
    return {"items": int(items), "content": str(content), "code": code_version(),
            "horizon": [horizon_start.isoformat(), horizon_end.isoformat()]}  # fmt: skip


def flatten_or_reuse(
    con: duckdb.DuckDBPyConnection,
    *,
    horizon_start: date | datetime,
    horizon_end: date | datetime,
    force: bool = False,
) -> dict[str, Any]:
    """The flatten report (``reused`` says whether the stored tables were kept as they were)."""
    ensure_supply_tables(con)
    now = fingerprint(con, horizon_start, horizon_end)
    stored, saved = get_meta(con, FINGERPRINT_KEY), get_meta(con, REPORT_KEY)
    # Stored only after a flatten, so the tables exist to be counted.
    if not force and stored and saved and json.loads(stored) == {**now, "rows": _table_rows(con)}:
        return {**json.loads(saved), "reused": True}
    report = flatten_store(con, horizon_start=horizon_start, horizon_end=horizon_end).as_dict()
    set_meta(con, FINGERPRINT_KEY, json.dumps({**now, "rows": _table_rows(con)}))
    set_meta(con, REPORT_KEY, json.dumps(report, default=str))
    return {**report, "reused": False}


def horizon(
    supply_start: date | None = None, supply_weeks: int = SUPPLY_WEEKS
) -> tuple[date, date]:
    """The horizon full schedules are expanded over: ``supply_weeks`` weeks from
    ``supply_start`` (default: today), as ``pilot harvest`` and ``pilot build`` take it."""
    start = supply_start or date.today()
    return start, start + timedelta(weeks=supply_weeks)


def flatten_line(report: dict[str, Any], start: date, end: date) -> str:
    """One line saying what :func:`flatten_or_reuse` did, for ``pilot harvest``."""
    if report.get("reused"):
        return (f"supply: items, horizon and code unchanged since they were last flattened; "
                f"tables kept ({report.get('series', 0)} series)")  # fmt: skip
    return (
        f"supply: flattened {report.get('items', 0)} items into {report.get('series', 0)} "
        f"series and {report.get('occurrences', 0)} occurrences (schedules expanded "
        f"{start:%Y-%m-%d} to {end:%Y-%m-%d})"
    )
