"""What a harvest run did: per-feed results, the ``--json`` summary and the terminal progress line.

Summary fields: ``feeds`` (feeds harvested), ``pages`` (pages committed this run),
``items_updated`` / ``items_deleted`` (items applied this run that were new or newer, by state),
``items_unchanged`` (re-read with the same ``modified``), ``series`` / ``occurrences`` (live,
i.e. not deleted, series-like and ScheduledSession/Slot items now stored for these feeds),
``faults`` (this run's faults by type), ``caught_up`` (feeds that reached their last page),
``failed`` (feed URL and reason for each feed that stopped short), ``seconds`` and
``items_per_second``.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any, TextIO

import duckdb

from analysis.supply.rpde import kind_class


@dataclass
class FeedResult:
    feed_url: str
    label: str
    status: str = "harvesting"  # 'caught_up' | 'failed' | 'harvesting' (stopped by the page cap)
    pages: int = 0
    items: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    reason: str | None = None


@dataclass
class HarvestReport:
    feeds: list[FeedResult]
    series: int
    occurrences: int
    seconds: float

    @classmethod
    def build(
        cls, con: duckdb.DuckDBPyConnection, feeds: list[FeedResult], seconds: float
    ) -> HarvestReport:
        counts = {"series": 0, "occurrence": 0}
        urls = [f.feed_url for f in feeds]
        if urls:
            for kind, n in con.execute(
                "SELECT kind, count(*) FROM rpde_items WHERE state = 'updated' AND "
                "feed_url IN (SELECT unnest(?::VARCHAR[])) GROUP BY kind",
                [urls],
            ).fetchall():
                group = kind_class(kind)
                if group:
                    counts[group] += n
        return cls(feeds, counts["series"], counts["occurrence"], seconds)

    @property
    def failed(self) -> list[FeedResult]:
        return [f for f in self.feeds if f.status != "caught_up"]

    @property
    def faults(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.feeds:
            for fault, n in f.faults.items():
                out[fault] = out.get(fault, 0) + n
        return dict(sorted(out.items()))

    def summary(self) -> dict[str, Any]:
        items = sum(f.items for f in self.feeds)
        return {
            "feeds": len(self.feeds),
            "pages": sum(f.pages for f in self.feeds),
            "items_updated": sum(f.updated for f in self.feeds),
            "items_deleted": sum(f.deleted for f in self.feeds),
            "items_unchanged": sum(f.unchanged for f in self.feeds),
            "series": self.series,
            "occurrences": self.occurrences,
            "faults": self.faults,
            "caught_up": sum(f.status == "caught_up" for f in self.feeds),
            "failed": [{"feed": f.feed_url, "reason": f.reason} for f in self.failed],
            "seconds": round(self.seconds, 3),
            "items_per_second": round(items / self.seconds) if self.seconds > 0 else None,
        }

    def failure_line(self) -> str | None:
        """One line saying which feeds stopped short and why (None when all caught up)."""
        failed = self.failed
        if not failed:
            return None
        reasons = "; ".join(f"{f.label}: {f.reason}" for f in failed)
        head = (
            ""
            if len(self.feeds) == 1
            else f"{len(failed)} of {len(self.feeds)} feeds did not reach their last page: "
        )
        return (
            f"{head}{reasons} (everything read so far is kept; run the same command "
            "again to resume)"
        )

    def text_lines(self) -> list[str]:
        s = self.summary()
        head = (
            f"harvested {s['feeds']} feed(s): {s['pages']} pages, "
            f"{s['items_updated']} items updated, {s['items_deleted']} deleted, "
            f"{s['items_unchanged']} unchanged in {s['seconds']:.1f} s"
        )
        lines = [head]
        for f in self.feeds:
            lines.append(f"  {f.label}: {f.status}, {f.pages} pages, {f.items} items")
        lines.append(f"  live series: {s['series']}, live occurrences: {s['occurrences']}")
        if s["faults"]:
            lines.append("  faults: " + ", ".join(f"{k} {v}" for k, v in s["faults"].items()))
        return lines


class Progress:
    """A one-line progress display (pages, items, items/s) on a terminal only."""

    def __init__(
        self, stream: TextIO | None = None, enabled: bool | None = None, interval: float = 0.2
    ) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.interval = interval
        self._last = 0.0
        self._drawn = False

    def page(self, label: str, pages: int, items: int, started: float) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        rate = items / max(now - started, 1e-9)
        self.stream.write(
            f"\r\x1b[K{label}: {pages:,} pages, {items:,} items, {rate:,.0f} items/s"
        )
        self.stream.flush()
        self._drawn = True

    def done(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
