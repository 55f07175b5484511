"""Benchmark: parse and flatten OpenActive RPDE items, in items per second.

Builds a page set (the synthetic demo's feed pages at the chosen scale; with ``--synthetic N``,
or when the demo generator is unavailable, N items replicated from reference-shaped series and
sessions), loads every item into a fresh store as ``rpde_items`` (not timed), then times

* ``pages``: reading the page files, ``json.loads`` and flattening in memory (``flatten_feeds``);
* ``store``: ``flatten_store`` end to end — reading ``rpde_items``, parsing each item's JSON,
  flattening and writing the three supply tables in one transaction.

The figure quoted is the median over ``--runs`` runs. The target is ≥ 20,000 items/s.
The demo place is the cached one of bench/workspace.py. ``--paths store`` skips the in-memory
``pages`` path, which at national scale holds a million parsed items at once.

    .venv/bin/python bench/flatten.py --scale london --runs 3
    .venv/bin/python bench/flatten.py --scale national --runs 3 --paths store
    .venv/bin/python bench/flatten.py --synthetic 100000
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from analysis.supply.flatten import flatten_feeds, flatten_store
from analysis.supply.tables import ensure_supply_tables
from workspace import demo_dir

TARGET = 20_000
SERIES_URL = "https://bench.example/openactive/session-series"
SESSIONS_URL = "https://bench.example/openactive/scheduled-sessions"


def demo_pages(scale: str, seed: int) -> dict[str, list[Path]] | None:
    """Feed URL → page files of the synthetic demo, or None when it cannot be generated."""
    try:
        out = demo_dir(scale, seed)
    except (SystemExit, OSError) as exc:  # fall back to synthetic items
        print(f"demo generator unavailable ({exc}); using synthetic items", file=sys.stderr)
        return None
    manifest = json.loads((out / "feeds" / "manifest.json").read_text(encoding="utf-8"))
    return {
        feed["first_url"]: [out / "feeds" / p for p in feed["pages"].values()]
        for feed in manifest["feeds"].values()
    }


def synthetic_pages(n_items: int, out: Path) -> dict[str, list[Path]]:
    """Pages of SessionSeries (1 in 16 items) and their ScheduledSessions, reference-shaped."""
    series_template: dict[str, Any] = {
        "@context": ["https://openactive.io/", "https://openactive.io/ns-beta"],
        "@type": "SessionSeries",
        "name": "Gentle Yoga",
        "url": "https://bench.example/book",
        "description": "A friendly yoga session for adults of all abilities. No experience "
        "needed; mats are provided.",
        "activity": [
            {
                "@type": "Concept",
                "prefLabel": "Yoga",
                "inScheme": "https://openactive.io/activity-list",
                "@id": "https://openactive.io/activity-list#bf1a5e00-cdcf-465d-8c5a-6f57040b7f7e",
            }
        ],
        "organizer": {"@type": "Organization", "name": "Bench Leisure", "email": "a@b.example"},
        "location": {
            "@type": "Place",
            "name": "Bench Hall",
            "address": {
                "@type": "PostalAddress",
                "streetAddress": "1 High Street",
                "postalCode": "EB1 2AB",
            },
            "geo": {"@type": "GeoCoordinates", "latitude": 51.5, "longitude": -0.1},
        },
        "offers": [{"@type": "Offer", "price": 3.5, "priceCurrency": "GBP"}],
        "ageRange": {"@type": "QuantitativeValue", "minValue": 18},
        "level": ["Beginner"],
        "eventSchedule": [
            {
                "@type": "PartialSchedule",
                "repeatFrequency": "P1W",
                "byDay": ["https://schema.org/Monday"],
                "startTime": "10:00",
            }
        ],
        "duration": "PT1H",
    }
    start = datetime(2026, 9, 7, 9, tzinfo=UTC)
    series_items, session_items = [], []
    for i in range(n_items):
        if i % 16 == 0:
            data = copy.deepcopy(series_template)
            data["@id"] = f"{SERIES_URL}/{i // 16}"
            series_items.append(
                {
                    "state": "updated",
                    "kind": "SessionSeries",
                    "id": str(i // 16),
                    "modified": 1_000 + i,
                    "data": data,
                }
            )
            continue
        begin = start + timedelta(days=i % 84)
        session_items.append(
            {
                "state": "updated",
                "kind": "ScheduledSession",
                "id": str(i),
                "modified": 2_000_000 + i,
                "data": {
                    "@context": ["https://openactive.io/"],
                    "@type": "ScheduledSession",
                    "@id": f"{SESSIONS_URL}/{i}",
                    "superEvent": f"{SERIES_URL}/{i // 16}",
                    "startDate": begin.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "endDate": (begin + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "duration": "PT1H",
                    "eventStatus": "https://schema.org/EventScheduled",
                    "maximumAttendeeCapacity": 16,
                    "remainingAttendeeCapacity": 5,
                },
            }
        )
    pages: dict[str, list[Path]] = {}
    for url, items in ((SERIES_URL, series_items), (SESSIONS_URL, session_items)):
        pages[url] = []
        for p in range(0, len(items), 500):
            path = out / f"{url.rsplit('/', 1)[-1]}-{p // 500:05d}.json"
            path.write_text(
                json.dumps(
                    {
                        "next": url,
                        "items": items[p : p + 500],
                        "license": "https://creativecommons.org/licenses/by/4.0/",
                    }
                ),
                encoding="utf-8",
            )
            pages[url].append(path)
    return pages


def load_store(pages: dict[str, list[Path]], store: Path) -> int:
    """Insert every item into ``rpde_items`` (newest ``modified`` per id), as a harvest would."""
    rows: dict[tuple[str, str], tuple[Any, ...]] = {}
    now = datetime(2026, 10, 1)
    for feed_url, files in pages.items():
        for path in files:
            for item in json.loads(path.read_text(encoding="utf-8"))["items"]:
                modified = item["modified"]
                data = item.get("data")
                rows[(feed_url, str(item["id"]))] = (
                    feed_url,
                    str(item["id"]),
                    item.get("kind"),
                    item["state"],
                    str(modified),
                    modified if isinstance(modified, int) else None,
                    data.get("@id") if isinstance(data, dict) else None,
                    json.dumps(data, ensure_ascii=False) if data is not None else None,
                    now,
                    now,
                    now if item["state"] == "deleted" else None,
                )
    con = duckdb.connect(str(store))
    ensure_supply_tables(con)
    con.executemany(
        "INSERT INTO rpde_feeds (feed_url, next_url, status, updated_at) "
        "VALUES (?, ?, 'caught_up', ?)",
        [(u, u, now) for u in pages],
    )
    columns = (
        "feed_url",
        "rpde_id",
        "kind",
        "state",
        "modified_raw",
        "modified_int",
        "data_id",
        "data_json",
        "first_seen_at",
        "last_seen_at",
        "deleted_at",
    )
    table = pa.table({c: [r[i] for r in rows.values()] for i, c in enumerate(columns)})
    con.register("incoming", table)
    con.execute(f"INSERT INTO rpde_items ({', '.join(columns)}) SELECT * FROM incoming")
    con.close()
    return len(rows)


def _timed(run: Any) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds of this process, and items flattened by ``run()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    items = run()
    return time.perf_counter() - wall, time.process_time() - cpu, items


def time_pages(pages: dict[str, list[Path]], horizon: tuple[date, date]) -> tuple[float, ...]:
    def run() -> int:
        feeds = {
            url: [
                item
                for path in files
                for item in json.loads(path.read_text(encoding="utf-8"))["items"]
            ]
            for url, files in pages.items()
        }
        return flatten_feeds(feeds, horizon_start=horizon[0], horizon_end=horizon[1]).report.items

    return _timed(run)


def time_store(store: Path, horizon: tuple[date, date]) -> tuple[float, ...]:
    con = duckdb.connect(str(store))
    try:
        return _timed(
            lambda: flatten_store(con, horizon_start=horizon[0], horizon_end=horizon[1]).items
        )
    finally:
        con.close()


def bench_flatten(
    scale: str,
    seed: int,
    runs: int,
    paths: tuple[str, ...] = ("pages", "store"),
    synthetic: int = 0,
) -> tuple[str, int, dict[str, list[tuple[float, ...]]]]:
    """The page source, the items, and per path each run's (wall s, CPU s, items)."""
    horizon = (date(2026, 9, 7), date(2026, 11, 30))
    with tempfile.TemporaryDirectory(prefix="pilot-bench-flatten-") as tmp:
        work = Path(tmp)
        pages = None if synthetic else demo_pages(scale, seed)
        source = f"demo {scale} seed {seed}"
        if pages is None:
            n = synthetic or 120_000
            pages = synthetic_pages(n, work)
            source = f"synthetic {n} items"
        n_items = load_store(pages, work / "bench.duckdb")
        results: dict[str, list[tuple[float, ...]]] = {p: [] for p in paths}
        for _ in range(runs):
            if "pages" in paths:
                results["pages"].append(time_pages(pages, horizon))
            if "store" in paths:
                results["store"].append(time_store(work / "bench.duckdb", horizon))
    return source, n_items, results


def items_per_second(runs: list[tuple[float, ...]]) -> tuple[float, float]:
    """Median items/s by wall time and by this process's CPU time."""
    wall = statistics.median(items / w for w, _, items in runs)
    cpu = statistics.median(items / c for _, c, items in runs)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="london")
    parser.add_argument("--seed", type=int, default=20250301)
    parser.add_argument("--synthetic", type=int, default=0, help="use N synthetic items")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--paths", default="pages,store", help="pages, store or both")
    args = parser.parse_args()
    paths = tuple(p.strip() for p in args.paths.split(",") if p.strip())
    source, n_items, results = bench_flatten(
        args.scale, args.seed, args.runs, paths, args.synthetic
    )
    print(f"flatten benchmark: {source}, {n_items:,} items, median of {args.runs} runs")
    print(
        f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; CPU time counts "
        "this process only (the fairer figure on a busy machine)"
    )
    for name, runs in results.items():
        wall, cpu = items_per_second(runs)
        verdict = "ok" if max(wall, cpu) >= TARGET else f"below target {TARGET:,}"
        print(f"  {name:<6} {wall:>9,.0f} items/s wall  {cpu:>9,.0f} items/s CPU  ({verdict})")


if __name__ == "__main__":
    main()
