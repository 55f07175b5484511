"""Benchmark: build every model and mart (`pilot build`) on a loaded and harvested store.

The store is the cached one of bench/workspace.py (every input loaded, the feeds harvested —
which flattens them — and built); each run builds all models on a copy of it, as one process.
Two figures:

* ``build`` — ``pilot build`` as it runs after ``pilot harvest`` (which flattened the feeds it
  stored) or after loading new referrals or follow-ups: the flattened supply is kept and access
  distances, staging, the marts and their data tests are built;
* ``reflatten`` — ``pilot build --reflatten``, a build that must flatten every stored RPDE item
  again (another horizon than the harvest's, or new flattening code), then the same.

    .venv/bin/python bench/build.py --scale national --runs 3
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from workspace import PILOT, Figure, built_store, figure_line, machine, measure, stage_arguments


def bench_build(scale: str, seed: int, runs: int) -> dict[str, Figure]:
    """``build`` and ``reflatten`` figures (see the module docstring)."""
    source = built_store(scale, seed)
    reflatten, build = [], []
    with tempfile.TemporaryDirectory(prefix="pilot-bench-build-") as tmp:
        store = Path(tmp) / "pilot.duckdb"
        shutil.copyfile(source, store)
        command = [*PILOT, "build", "--store", store]
        for _ in range(runs):
            reflatten.append(measure([*command, "--reflatten"]))  # also sets today's horizon
            build.append(measure(command))
    return {"build": Figure.of(build), "reflatten": Figure.of(reflatten)}


def main() -> None:
    scale, seed, runs = stage_arguments(__doc__)
    figures = bench_build(scale, seed, runs)
    print(f"build scale={scale} runs={runs} {machine()}")
    for name, figure in figures.items():
        print(f"{name:10s}{figure_line(figure)}")


if __name__ == "__main__":
    main()
