"""The RPDE page loop: each page's items and its ``next`` are committed in ONE transaction.

A feed's cursor (``rpde_feeds.next_url``) is the ``next`` of the last committed page, stored as
received (a relative one resolved with ``urljoin``). A run starts from the cursor, so a harvest
killed at any instant resumes where it stopped with nothing lost or applied twice, and a feed
that reached its last page is polled there for new items. Items are upserted only when their
``modified`` is at least the stored one (``rpde.compare_modified``); deletions become
tombstones that keep the last data. Faults are counted in ``rpde_faults`` by type.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, TypeVar

import duckdb

from analysis.supply.discovery import DatasetSite, dataset_from_body
from analysis.supply.harvest_report import FeedResult, HarvestReport, Progress
from analysis.supply.page_items import (
    INSERT_NEW,
    UPSERT_KNOWN,
    PageRows,
    page_table,
    prepare_items,
)
from analysis.supply.rpde import (
    BadContent,
    FaultLog,
    FeedStopped,
    LoopDetector,
    Page,
    is_last_page,
    parse_page,
    resolve_next,
)
from analysis.supply.tables import ensure_supply_tables

T = TypeVar("T")
DEFAULT_MAX_PAGES = 50_000
# Checkpointing rewrites the primary-key index; at DuckDB's default (every 16 MB of WAL) that
# dominated a large harvest. During a harvest the WAL may grow to this before a checkpoint
# (a killed harvest replays it on the next open).
HARVEST_CHECKPOINT_THRESHOLD = "256MB"


class Fetcher(Protocol):
    def fetch(
        self, url: str, parse: Callable[[str, bytes], T], faults: FaultLog, accept: str = ...
    ) -> T: ...


@dataclass
class FeedSource:
    """A feed to harvest: its first page URL (the key), how to fetch it, and attribution."""

    feed_url: str
    fetcher: Fetcher
    label: str
    publisher_name: str | None = None
    dataset_url: str | None = None
    may_be_dataset_site: bool = False  # a URL given by a user: could be a dataset site


@dataclass
class HarvestOptions:
    max_pages: int = DEFAULT_MAX_PAGES  # per feed per run
    loop_patience: int = 3


class DatasetFound(Exception):
    def __init__(self, site: DatasetSite) -> None:
        super().__init__(site.url)
        self.site = site


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class FeedRun:
    """One feed's harvest in this run: its cursor, the stored ``modified`` keys, counters."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, source: FeedSource, options: HarvestOptions
    ) -> None:
        self.con, self.source, self.options = con, source, options
        row = con.execute(
            "SELECT next_url FROM rpde_feeds WHERE feed_url = ?", [source.feed_url]
        ).fetchone()
        self.exists = row is not None
        self.attributed = False
        self.cursor: str = row[0] if row else source.feed_url
        # The stored modified of every item of this feed (also after a resync from scratch).
        self.known: dict[str, int | str] = {
            rid: (int(number) if number is not None else raw)
            for rid, number, raw in con.execute(
                "SELECT rpde_id, modified_int, modified_raw FROM rpde_items WHERE feed_url = ?",
                [source.feed_url],
            ).fetchall()
        }
        self.result = FeedResult(feed_url=source.feed_url, label=source.label)

    def _ensure_feed_row(self, now: datetime) -> None:
        """Create the feed's row on first use; refresh attribution once per run."""
        s = self.source
        if not self.exists:
            self.con.execute(
                "INSERT INTO rpde_feeds (feed_url, next_url, status, updated_at, publisher_name, "
                "dataset_url) VALUES (?, ?, 'harvesting', ?, ?, ?)",
                [s.feed_url, self.cursor, now, s.publisher_name, s.dataset_url],
            )
        elif not self.attributed and (s.publisher_name or s.dataset_url):
            self.con.execute(
                "UPDATE rpde_feeds SET publisher_name = COALESCE(?, publisher_name), "
                "dataset_url = COALESCE(?, dataset_url) WHERE feed_url = ?",
                [s.publisher_name, s.dataset_url, s.feed_url],
            )

    def _write_faults(self, faults: FaultLog, now: datetime) -> None:
        rows = faults.rows()
        if rows:
            self.con.executemany(
                "INSERT INTO rpde_faults (feed_url, page_url, fault, detail, seen_at, "
                "occurrences) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    [self.source.feed_url, url, fault, detail[:1000], now, n]
                    for url, fault, detail, n in rows
                ],
            )
        for fault, n in faults.by_type().items():
            self.result.faults[fault] = self.result.faults.get(fault, 0) + n

    def commit_page(
        self, next_url: str, received: int, rows: PageRows, last: bool, faults: FaultLog
    ) -> None:
        """Items, faults and the new cursor in one transaction."""
        now = _now()
        table = page_table(rows) if rows.rows else None
        self.con.begin()
        try:
            self._ensure_feed_row(now)
            if table is not None:
                self.con.register("rpde_page", table)
                params = {"feed": self.source.feed_url, "now": now}
                if any(rows.new):
                    self.con.execute(INSERT_NEW, params)
                if not all(rows.new):
                    self.con.execute(UPSERT_KNOWN, params)
            self._write_faults(faults, now)
            self.con.execute(
                "UPDATE rpde_feeds SET next_url = ?, status = ?, pages = pages + 1, "
                "items = items + ?, last_error = NULL, updated_at = ?, "
                "caught_up_at = CASE WHEN ? THEN ? ELSE caught_up_at END WHERE feed_url = ?",
                [
                    next_url,
                    "caught_up" if last else "harvesting",
                    received,
                    now,
                    last,
                    now,
                    self.source.feed_url,
                ],
            )
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise
        finally:
            if table is not None:
                self.con.unregister("rpde_page")
        self.exists = self.attributed = True
        for inc in rows.rows:
            self.known[inc.rid] = inc.modified.key
        self.cursor = next_url
        r = self.result
        r.pages += 1
        r.items += received
        r.updated += rows.updated
        r.deleted += rows.deleted
        r.unchanged += rows.unchanged

    def stop(self, fault: str, message: str, faults: FaultLog, status: str = "failed") -> None:
        """Record why the feed stopped (the cursor is unchanged) in one transaction."""
        if fault not in faults.by_type():
            faults.add(self.cursor, fault, message)
        now = _now()
        self.con.begin()
        try:
            self._ensure_feed_row(now)
            self._write_faults(faults, now)
            self.con.execute(
                "UPDATE rpde_feeds SET status = ?, last_error = ?, updated_at = ? "
                "WHERE feed_url = ?",
                [status, message, now, self.source.feed_url],
            )
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise
        self.exists = self.attributed = True
        self.result.status = status
        self.result.reason = message

    def parser(self) -> Callable[[str, bytes], Page]:
        if not (self.source.may_be_dataset_site and not self.exists):
            return parse_page

        def parse_or_discover(url: str, body: bytes) -> Page:
            try:
                return parse_page(url, body)
            except BadContent:
                site = dataset_from_body(url, body)
                if site is not None and site.feeds:
                    raise DatasetFound(site) from None
                raise

        return parse_or_discover

    def run(self, progress: Progress) -> FeedResult:
        detector = LoopDetector(self.options.loop_patience)
        started = time.monotonic()
        while True:
            faults = FaultLog()
            if self.result.pages >= self.options.max_pages:
                self.stop(
                    "page_cap",
                    f"stopped after {self.result.pages} pages (the per-run "
                    "page cap); run again to continue",
                    faults,
                    status="harvesting",
                )
                return self.result
            url = self.cursor
            try:
                page = self.source.fetcher.fetch(url, self.parser(), faults)
                next_url, relative = resolve_next(url, page.next_raw)
            except FeedStopped as exc:
                self.stop(exc.fault, exc.message, faults)
                return self.result
            if relative:
                faults.add(url, "relative_next", f"relative next {page.next_raw[:200]!r}")
            if not page.has_license:
                faults.add(url, "missing_license", "page has no 'license'")
            last = is_last_page(url, next_url, page.items)
            if not last:
                looped = detector.visit(url, next_url, page.items)
                if next_url in detector.visited:
                    faults.add(url, "next_revisits_page", f"next leads back to {next_url[:200]}")
                if looped:
                    self.stop(
                        "loop",
                        f"the feed loops: {detector.stalled} pages in a row "
                        f"brought nothing new (last {url}); stopped",
                        faults,
                    )
                    return self.result
            rows = prepare_items(page.items, self.known, faults, url)
            self.commit_page(next_url, len(page.items), rows, last, faults)
            progress.page(self.source.label, self.result.pages, self.result.items, started)
            if last:
                self.result.status = "caught_up"
                return self.result


def harvest(
    con: duckdb.DuckDBPyConnection,
    sources: list[FeedSource],
    options: HarvestOptions | None = None,
    progress: Progress | None = None,
    expand: Callable[[FeedSource, DatasetSite], list[FeedSource]] | None = None,
) -> HarvestReport:
    """Harvest every source in turn; a dataset site found where a feed was expected is
    replaced by its feeds (``expand``). Returns what happened, for the summary."""
    ensure_supply_tables(con)
    options = options or HarvestOptions()
    progress = progress or Progress(enabled=False)
    started = time.monotonic()
    queue, seen, results = list(sources), set(), []
    threshold = con.execute("SELECT current_setting('checkpoint_threshold')").fetchone()
    con.execute(f"SET checkpoint_threshold = '{HARVEST_CHECKPOINT_THRESHOLD}'")
    try:
        while queue:
            source = queue.pop(0)
            if source.feed_url in seen:
                continue
            seen.add(source.feed_url)
            run = FeedRun(con, source, options)
            try:
                results.append(run.run(progress))
            except DatasetFound as found:
                extra = expand(source, found.site) if expand else []
                queue[:0] = [s for s in extra if s.feed_url not in seen]
            finally:
                progress.done()
    finally:
        if threshold:
            con.execute("SET checkpoint_threshold = ?", [threshold[0]])
    return HarvestReport.build(con, results, time.monotonic() - started)
