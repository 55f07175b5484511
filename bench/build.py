"""Benchmark: build every model and mart (`pilot build`) on a loaded and harvested store.

The store is the cached one of bench/workspace.py (every input loaded, the feeds harvested);
each run rebuilds all models on a copy of it, as one process: flattening the supply, access
distances, staging, the marts and their data tests.

    .venv/bin/python bench/build.py --scale national --runs 3
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from workspace import PILOT, Figure, built_store, figure_line, machine, measure, stage_arguments


def bench_build(scale: str, seed: int, runs: int) -> Figure:
    source = built_store(scale, seed)
    results = []
    with tempfile.TemporaryDirectory(prefix="pilot-bench-build-") as tmp:
        store = Path(tmp) / "pilot.duckdb"
        shutil.copyfile(source, store)
        for _ in range(runs):
            results.append(measure([*PILOT, "build", "--store", store]))
    return Figure.of(results)


def main() -> None:
    scale, seed, runs = stage_arguments(__doc__)
    figure = bench_build(scale, seed, runs)
    print(f"build scale={scale} runs={figure.runs} {machine()}")
    print(figure_line(figure))


if __name__ == "__main__":
    main()
