"""Benchmark: build every model and mart (`pilot build`) on a loaded and harvested store.

The store is the cached one of bench/workspace.py (every input loaded, the feeds harvested);
each run rebuilds all models on a copy of it, as one process. Two figures:

* ``full`` — ``pilot build --reflatten``, as after a harvest that changed the feeds: flattening
  every stored RPDE item, access distances, staging, the marts and their data tests;
* ``rebuild`` — ``pilot build`` when the harvested items, horizon and code are unchanged since
  the last build (e.g. after loading new referrals or follow-ups): the flattened supply is kept
  and everything after it is rebuilt.

    .venv/bin/python bench/build.py --scale national --runs 3
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from workspace import PILOT, Figure, built_store, figure_line, machine, measure, stage_arguments


def bench_build(scale: str, seed: int, runs: int) -> dict[str, Figure]:
    """``full`` and ``rebuild`` figures (see the module docstring)."""
    source = built_store(scale, seed)
    full, rebuild = [], []
    with tempfile.TemporaryDirectory(prefix="pilot-bench-build-") as tmp:
        store = Path(tmp) / "pilot.duckdb"
        shutil.copyfile(source, store)
        command = [*PILOT, "build", "--store", store]
        for _ in range(runs):
            full.append(measure([*command, "--reflatten"]))
            rebuild.append(measure(command))
    return {"full": Figure.of(full), "rebuild": Figure.of(rebuild)}


def main() -> None:
    scale, seed, runs = stage_arguments(__doc__)
    figures = bench_build(scale, seed, runs)
    print(f"build scale={scale} runs={runs} {machine()}")
    for name, figure in figures.items():
        print(f"{name:8s}{figure_line(figure)}")


if __name__ == "__main__":
    main()
