"""Benchmark: access distances for every area, in process (the data already in the store).

Two figures, each the median of --runs timings in one process (start-up excluded):

* ``occurrences``: great-circle km from every area to its nearest live session occurrence,
  over every occurrence in the store (about 1M at national scale): reading the coordinates,
  the k-d tree over the occurrences and one query per area (``analysis.access.nearest``);
* ``area_access``: the build step itself (``build_area_access``: nearest any, free and suitable
  series for every area, written to ``area_access``).

    .venv/bin/python bench/access.py --scale national --runs 5
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from analysis.access import build_area_access, nearest
from workspace import built_store, machine, stage_arguments

OCCURRENCE_POINTS = """
SELECT s.latitude, s.longitude
FROM supply_occurrences AS o JOIN supply_series AS s USING (series_id)
WHERE NOT s.deleted AND s.latitude IS NOT NULL AND s.longitude IS NOT NULL
"""


def _areas_to_occurrences(con: duckdb.DuckDBPyConnection) -> int:
    areas = con.execute("SELECT latitude, longitude FROM stg_areas").fetchnumpy()
    points = con.execute(OCCURRENCE_POINTS).fetchnumpy()
    km, _ = nearest(areas["latitude"], areas["longitude"], points["latitude"], points["longitude"])
    if len(km) != len(areas["latitude"]):
        raise SystemExit("access benchmark: a distance is missing")
    return len(points["latitude"])


def bench_access(scale: str, seed: int, runs: int) -> dict[str, tuple[float, int, int]]:
    """Per figure: (median seconds, areas, points searched)."""
    source = built_store(scale, seed)
    out: dict[str, tuple[float, int, int]] = {}
    with tempfile.TemporaryDirectory(prefix="pilot-bench-access-") as tmp:
        store = Path(tmp) / "pilot.duckdb"
        shutil.copyfile(source, store)
        con = duckdb.connect(str(store))
        try:
            n_areas = con.execute("SELECT count(*) FROM stg_areas").fetchone()[0]
            n_series = con.execute("SELECT count(*) FROM supply_series").fetchone()[0]
            for name, step in (
                ("occurrences", lambda: _areas_to_occurrences(con)),
                ("area_access", lambda: build_area_access(con) or n_series),
            ):
                times, points = [], 0
                for _ in range(runs):
                    started = time.perf_counter()
                    points = step()
                    times.append(time.perf_counter() - started)
                out[name] = (statistics.median(times), n_areas, points)
        finally:
            con.close()
    return out


def main() -> None:
    scale, seed, runs = stage_arguments(__doc__)
    figures = bench_access(scale, seed, runs)
    print(f"access scale={scale} runs={runs} {machine()}")
    for name, (seconds, areas, points) in figures.items():
        print(f"  {name:<12} {seconds:.2f} s  ({areas:,} areas against {points:,} points)")


if __name__ == "__main__":
    main()
