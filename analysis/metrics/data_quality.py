"""Data quality for pilot managers: feeds, SP-readiness gaps, load rejects, linkage, warnings.

Each function reads a built store and returns a pandas DataFrame (empty, with its columns, when
there is nothing to report). Feed and load figures cover the whole store; linkage and warnings
about referrals follow the view's filters (its PCNs, period, sources and conditions); those are
in :mod:`analysis.metrics.data_quality_view`, re-exported here.
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import PurePath

import duckdb
import pandas as pd

from analysis.metrics.data_quality_view import (
    WARNINGS,
    linkage,
    store_links,
    view_checks,
    warnings,
)
from analysis.store import get_meta
from analysis.supply.sp_readiness import CRITERIA

# fmt: off
__all__ = [
    "FRESHNESS_BANDS", "MISSING_LABELS", "WARNINGS", "faults_by_type", "feed_freshness",
    "feed_quality", "linkage", "load_summary", "organiser_readiness", "reject_rows",
    "rejects_summary", "store_links", "view_checks", "warnings",
]
# fmt: on

FRESHNESS_BANDS = (
    (7, "within 7 days"),
    (30, "8 to 30 days"),
    (90, "31 to 90 days"),
    (math.inf, "over 90 days"),
)
MISSING_LABELS = {
    f"missing_{c.name}": c.name.replace("_", " ").capitalize().replace("Url", "URL")
    for c in CRITERIA
}
KIND_ORDER = ("practices", "areas", "pilots", "referrals", "followups")


def _feed_label(publisher: object, feed_url: str) -> str:
    name = PurePath(str(feed_url).rstrip("/")).name or str(feed_url)
    return f"{publisher} · {name}" if isinstance(publisher, str) and publisher else name


def feed_quality(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """mart_feed_quality with a short ``feed_label`` (publisher · last part of the URL)."""
    feeds = con.execute("SELECT * FROM mart_feed_quality ORDER BY publisher_name, feed_url").df()
    feeds.insert(
        0,
        "feed_label",
        [
            _feed_label(p, u)
            for p, u in zip(feeds["publisher_name"], feeds["feed_url"], strict=True)
        ],
    )
    return feeds


def faults_by_type(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Publisher faults recorded while harvesting, by type: how often, on how many feeds and
    pages, when last seen and one example."""
    return con.execute("""
        SELECT fault, CAST(sum(occurrences) AS BIGINT) AS occurrences,
               count(DISTINCT feed_url) AS feeds, count(DISTINCT page_url) AS pages,
               max(seen_at) AS last_seen, arg_max(detail, seen_at) AS example
        FROM rpde_faults GROUP BY fault ORDER BY occurrences DESC, fault
    """).df()


def feed_freshness(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Live series per feed by days since they were last updated (at build time): columns
    feed_label, band, series — every band of every feed with live series, zeros included."""
    built = get_meta(con, "built_at")
    as_of = datetime.fromisoformat(built) if built else datetime.now()
    ages = con.execute(
        "SELECT s.feed_url, f.publisher_name, date_diff('day', s.freshness_at, $as_of) AS days "
        "FROM supply_series AS s LEFT JOIN rpde_feeds AS f USING (feed_url) WHERE NOT s.deleted",
        {"as_of": as_of},
    ).df()
    labels = [label for _, label in FRESHNESS_BANDS]
    if ages.empty:
        return pd.DataFrame(columns=["feed_label", "band", "series"])
    ages["feed_label"] = [
        _feed_label(p, u) for p, u in zip(ages["publisher_name"], ages["feed_url"], strict=True)
    ]
    edges = [-math.inf, *(upper for upper, _ in FRESHNESS_BANDS)]
    ages["band"] = pd.cut(ages["days"].fillna(math.inf), edges, labels=labels).astype(str)
    counts = ages.groupby(["feed_label", "band"]).size()
    grid = pd.MultiIndex.from_product(
        [sorted(ages["feed_label"].unique()), labels], names=["feed_label", "band"]
    )
    return counts.reindex(grid, fill_value=0).rename("series").reset_index()


def organiser_readiness(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """mart_organiser_completeness, least SP-ready first."""
    return con.execute(
        "SELECT * FROM mart_organiser_completeness "
        "ORDER BY mean_sp_ready_score, series DESC, organiser_name"
    ).df()


def _kind_order(frame: pd.DataFrame) -> pd.Series:
    return frame["kind"].map({k: i for i, k in enumerate(KIND_ORDER)}).fillna(len(KIND_ORDER))


def rejects_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Rejected input rows by kind and (first failing) field, with one example reason."""
    out = con.execute("""
        SELECT kind, field, count(*) AS rows, count(DISTINCT source_file) AS files,
               min(reason) AS example
        FROM load_rejects GROUP BY kind, field
    """).df()
    out = out.assign(order=_kind_order(out)).sort_values(
        ["order", "rows", "field"], ascending=[True, False, True]
    )
    return out.drop(columns="order").reset_index(drop=True)


def reject_rows(con: duckdb.DuckDBPyConnection, limit: int = 50) -> pd.DataFrame:
    """The first rejected rows (never their contents): kind, file name, row, field, reason."""
    rows = con.execute(
        "SELECT kind, source_file, row_number, field, reason FROM load_rejects "
        "ORDER BY kind, source_file, row_number"
    ).df()
    rows = rows.assign(order=_kind_order(rows)).sort_values(
        ["order", "source_file", "row_number"], kind="stable"
    )
    rows["file"] = rows["source_file"].map(lambda p: PurePath(str(p)).name)
    return (
        rows[["kind", "file", "row_number", "field", "reason"]].head(limit).reset_index(drop=True)
    )


def load_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Each loaded file: rows read, accepted, rejected and the share rejected."""
    log = con.execute(
        "SELECT kind, source_file, rows_read, accepted, rejected, loaded_at FROM load_log"
    ).df()
    log["file"] = log["source_file"].map(lambda p: PurePath(str(p)).name)
    log["rejected_share"] = log["rejected"] / log["rows_read"].where(log["rows_read"] > 0)
    log = log.assign(order=_kind_order(log)).sort_values(["order", "file"])
    return log[
        ["kind", "file", "rows_read", "accepted", "rejected", "rejected_share", "loaded_at"]
    ].reset_index(drop=True)
