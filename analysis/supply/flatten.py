"""Flattening harvested OpenActive items into the analysis tables of the supply side.

    from analysis.supply.flatten import flatten_store
    report = flatten_store(con, horizon_start=date(2026, 9, 7), horizon_end=date(2026, 11, 30))

reads ``rpde_items`` (joined to ``rpde_feeds`` for attribution) and replaces three tables in
one transaction: ``supply_series`` (one row per series, with SP-readiness), ``supply_occurrences``
(one row per occurrence: feed items, embedded ``subEvent``s and expanded full Schedules) and
``supply_places``. ``flatten_feeds``/``flatten_items`` do the same over item dicts without a
store. Every rule and column is described in ``docs/supply.md``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from analysis.supply.activity_vocab import ActivityVocabulary, load_activity_list
from analysis.supply.collect import Collector, ItemMeta
from analysis.supply.flat_tables import TABLES, to_arrow, write_tables
from analysis.supply.items import LONDON
from analysis.supply.places import place_rows
from analysis.supply.sp_readiness import add_sp_readiness
from analysis.supply.tables import ensure_supply_tables

ActivityListSource = ActivityVocabulary | str | Path | None
BATCH = 20_000
_STORE_QUERY = """
SELECT i.feed_url, i.rpde_id, i.kind, i.state, i.modified_raw,
       TRY_CAST(i.modified_int AS BIGINT), i.data_json,
       i.first_seen_at, i.last_seen_at, i.deleted_at, f.publisher_name, f.dataset_url
FROM rpde_items AS i LEFT JOIN rpde_feeds AS f ON f.feed_url = i.feed_url
"""


@dataclass
class FlattenReport:
    """What one flatten run found (``as_dict`` gives the ``--json`` summary)."""

    horizon_start: str
    horizon_end: str
    reference_date: str
    activity_list: str
    items: int = 0
    items_updated: int = 0
    items_deleted: int = 0
    tombstones_without_data: int = 0
    unreadable_items: int = 0
    series: int = 0
    series_deleted: int = 0
    occurrences: int = 0
    occurrences_by_source: dict[str, int] = field(default_factory=dict)
    occurrences_cancelled: int = 0
    orphan_occurrences: int = 0
    orphan_rate: float | None = None
    places: int = 0
    schedules_expanded: int = 0
    partial_schedules_ignored: int = 0
    schedules_invalid: int = 0
    generated_overridden: int = 0
    unmatched_activity_labels: list[str] = field(default_factory=list)
    series_without_location: int = 0
    mean_sp_ready_score: float | None = None
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class FlatSupply:
    """The three tables as row dicts, and the report."""

    series: list[dict[str, Any]]
    occurrences: list[dict[str, Any]]
    places: list[dict[str, Any]]
    report: FlattenReport


def as_utc(moment: date | datetime) -> datetime:
    """A horizon bound as aware UTC: dates and naive datetimes are Europe/London local."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LONDON)
    return moment.astimezone(UTC)


def vocabulary(activity_list: ActivityListSource) -> ActivityVocabulary:
    if isinstance(activity_list, ActivityVocabulary):
        return activity_list
    return load_activity_list(activity_list)


def _modified_int(modified: Any) -> int | None:
    if isinstance(modified, int) and not isinstance(modified, bool):
        return modified
    if isinstance(modified, str) and modified.strip().isdigit():
        return int(modified.strip())
    return None


def _report(collector: Collector, supply: FlatSupply, started: float) -> None:
    report, counts = supply.report, collector.counts
    live = [row for row in supply.series if not row["deleted"]]
    by_source: dict[str, int] = {}
    for row in supply.occurrences:
        by_source[row["source"]] = by_source.get(row["source"], 0) + 1
    feed = [row for row in supply.occurrences if row["source"] == "feed"]
    unmatched = sorted({label for row in live for label in row["unmatched_activity_labels"]})
    report.items = counts["items"]
    report.items_updated = counts["items_updated"]
    report.items_deleted = counts["items_deleted"]
    report.tombstones_without_data = counts["tombstones_without_data"]
    report.unreadable_items = counts["unreadable_items"]
    report.series = len(supply.series)
    report.series_deleted = len(supply.series) - len(live)
    report.occurrences = len(supply.occurrences)
    report.occurrences_by_source = dict(sorted(by_source.items()))
    report.occurrences_cancelled = sum(row["cancelled"] for row in supply.occurrences)
    report.orphan_occurrences = sum(row["orphan"] for row in supply.occurrences)
    report.orphan_rate = sum(row["orphan"] for row in feed) / len(feed) if feed else None
    report.places = len(supply.places)
    report.schedules_expanded = counts["schedules_expanded"]
    report.partial_schedules_ignored = counts["schedules_partial"]
    report.schedules_invalid = counts["schedules_invalid"]
    report.generated_overridden = counts["generated_overridden"]
    report.unmatched_activity_labels = unmatched
    report.series_without_location = sum(not row["sp_has_location"] for row in live)
    report.mean_sp_ready_score = (
        sum(row["sp_ready_score"] for row in live) / len(live) if live else None
    )
    report.counts = dict(sorted(counts.items()))
    report.seconds = round(time.perf_counter() - started, 3)


def _finish(
    collector: Collector, reference: date, report: FlattenReport, started: float
) -> FlatSupply:
    series, occurrences = collector.finish()
    for row in series:
        add_sp_readiness(row, reference)
    supply = FlatSupply(series, occurrences, place_rows(series, collector.places), report)
    _report(collector, supply, started)
    return supply


def _start(
    horizon_start: date | datetime,
    horizon_end: date | datetime,
    activity_list: ActivityListSource,
    reference_date: date | None,
) -> tuple[Collector, FlattenReport, date]:
    start, end = as_utc(horizon_start), as_utc(horizon_end)
    if end <= start:
        raise ValueError(f"horizon_end ({end:%Y-%m-%d %H:%M}Z) must be after horizon_start")
    vocab = vocabulary(activity_list)
    reference = reference_date or start.astimezone(LONDON).date()
    report = FlattenReport(
        horizon_start=start.isoformat(),
        horizon_end=end.isoformat(),
        reference_date=reference.isoformat(),
        activity_list=vocab.source,
    )
    return Collector(vocab, start, end), report, reference


def flatten_feeds(
    feeds: Mapping[str, Iterable[dict[str, Any]]],
    *,
    horizon_start: date | datetime,
    horizon_end: date | datetime,
    activity_list: ActivityListSource = None,
    reference_date: date | None = None,
    publishers: Mapping[str, tuple[str | None, str | None]] | None = None,
) -> FlatSupply:
    """Flatten RPDE item dicts, keyed by feed URL (pure: no store). ``publishers`` maps a
    feed URL to (publisher name, dataset URL) for attribution."""
    started = time.perf_counter()
    collector, report, reference = _start(
        horizon_start, horizon_end, activity_list, reference_date
    )
    for feed_url, items in feeds.items():
        publisher, dataset = (publishers or {}).get(feed_url, (None, None))
        for item in items:
            if not isinstance(item, dict) or item.get("id") is None:
                collector.counts["items"] += 1
                collector.counts["unreadable_items"] += 1
                continue
            modified = item.get("modified")
            meta = ItemMeta(
                feed_url,
                str(item["id"]),
                item.get("kind"),
                "deleted" if item.get("state") == "deleted" else "updated",
                None if modified is None else str(modified),
                _modified_int(modified),
                publisher_name=publisher,
                dataset_url=dataset,
            )
            collector.add(meta, item.get("data"))
    return _finish(collector, reference, report, started)


def flatten_items(
    items: Iterable[dict[str, Any]], *, feed_url: str = "urn:feed", **options: Any
) -> FlatSupply:
    """Flatten the items of one feed (see ``flatten_feeds`` for the options)."""
    return flatten_feeds({feed_url: items}, **options)


def flatten_store(
    con: duckdb.DuckDBPyConnection,
    *,
    horizon_start: date | datetime,
    horizon_end: date | datetime,
    activity_list: ActivityListSource = None,
    reference_date: date | None = None,
) -> FlattenReport:
    """Read ``rpde_items`` and replace ``supply_series``, ``supply_occurrences`` and
    ``supply_places`` in one transaction. Schedules are expanded in
    [horizon_start, horizon_end) (dates are Europe/London midnights); SP freshness is judged
    at ``reference_date`` (default: the horizon's first day)."""
    started = time.perf_counter()
    collector, report, reference = _start(
        horizon_start, horizon_end, activity_list, reference_date
    )
    ensure_supply_tables(con)
    cursor = con.execute(_STORE_QUERY)
    loads = json.loads
    while batch := cursor.fetchmany(BATCH):
        for (
            feed_url,
            rpde_id,
            kind,
            state,
            modified_raw,
            modified_int,
            data_json,
            first_seen,
            last_seen,
            deleted_at,
            publisher,
            dataset,
        ) in batch:
            data = None
            if data_json:
                try:
                    data = loads(data_json)
                except ValueError:
                    collector.counts["unreadable_items"] += 1
            meta = ItemMeta(
                feed_url,
                rpde_id,
                kind,
                state,
                modified_raw,
                modified_int,
                first_seen,
                last_seen,
                deleted_at,
                publisher,
                dataset,
            )
            collector.add(meta, data)
    supply = _finish(collector, reference, report, started)
    write_tables(
        con,
        {
            "supply_series": to_arrow(supply.series, TABLES["supply_series"]),
            "supply_occurrences": to_arrow(supply.occurrences, TABLES["supply_occurrences"]),
            "supply_places": to_arrow(supply.places, TABLES["supply_places"]),
        },
    )
    report.seconds = round(time.perf_counter() - started, 3)
    return report
