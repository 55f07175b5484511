"""Benchmark: harvest the demo's RPDE feed pages from disk (`pilot harvest DIR/feeds`).

Each run harvests every page into a fresh store (practices and areas are not needed), as one
process — reading the pages, storing the items and flattening them into the supply tables, as
``pilot harvest`` does; items/s is the feed items over the process's wall time, start-up
included. The floor
is DuckDB reading the same page files' items into a table (bench/floor.py).

    .venv/bin/python bench/harvest.py --scale london --runs 3
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from workspace import (
    PILOT,
    Figure,
    demo_dir,
    machine,
    measure,
    remove_store,
    stage_arguments,
)

FLOOR = (sys.executable, str(Path(__file__).with_name("floor.py")))


def feed_items(demo: Path) -> int:
    manifest = json.loads((demo / "feeds" / "manifest.json").read_text(encoding="utf-8"))
    return sum(feed["items"] for feed in manifest["feeds"].values())


def bench_harvest(scale: str, seed: int, runs: int) -> tuple[Figure, Figure, int]:
    """The harvest's figure, the floor's figure, and the number of feed items."""
    demo = demo_dir(scale, seed)
    harvests, floors = [], []
    with tempfile.TemporaryDirectory(prefix="pilot-bench-harvest-") as tmp:
        store, floor_db = Path(tmp) / "pilot.duckdb", Path(tmp) / "floor.duckdb"
        for _ in range(runs):
            remove_store(store)
            harvests.append(measure([*PILOT, "harvest", demo / "feeds", "--store", store]))
            remove_store(floor_db)
            floors.append(measure([*FLOOR, "pages", demo / "feeds", floor_db]))
    return Figure.of(harvests), Figure.of(floors), feed_items(demo)


def main() -> None:
    scale, seed, runs = stage_arguments(__doc__)
    harvest, floor, items = bench_harvest(scale, seed, runs)
    print(f"harvest scale={scale} runs={harvest.runs} items={items:,} {machine()}")
    print(
        f"  harvest {harvest.wall:.1f} s ({items / harvest.wall:,.0f} items/s), "
        f"peak RSS {harvest.peak_mb:.0f} MB; floor {floor.wall:.1f} s "
        f"(harvest/floor {harvest.wall / floor.wall:.1f}x)"
    )


if __name__ == "__main__":
    main()
