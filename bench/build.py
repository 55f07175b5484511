"""Benchmark: build every model and mart (`pilot build`) on a loaded and harvested store.

The store is the cached one of bench/workspace.py (every input loaded, the feeds harvested);
each run rebuilds all models on a copy of it, as one process: flattening the supply, access
distances, staging, the marts and their data tests.

    .venv/bin/python bench/build.py --scale national --runs 3
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from workspace import DEFAULT_SEED, PILOT, Figure, built_store, machine, measure, runs_for


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="london")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--runs", type=int)
    args = parser.parse_args()
    figure = bench_build(args.scale, args.seed, runs_for(args.scale, args.runs))
    print(f"build scale={args.scale} runs={figure.runs} {machine()}")
    print(
        f"  median {figure.wall:.1f} s (min {figure.low:.1f}, max {figure.high:.1f}), "
        f"peak RSS {figure.peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
