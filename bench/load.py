"""Benchmark: load each input file (`pilot load KIND FILE`), and the read-only floor of each.

Every run starts from an empty store and loads practices, areas, pilots, referrals and
follow-ups in that order, each as its own process. The floor of a CSV file is DuckDB reading it
into a table (bench/floor.py), timed the same way; the ratio load / floor is what checking the
contract, pseudonymising and upserting cost over merely reading.

    .venv/bin/python bench/load.py --scale national --runs 3
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from workspace import (
    CSV_INPUTS,
    Figure,
    demo_dir,
    load_commands,
    machine,
    measure,
    remove_store,
    stage_arguments,
)

FLOOR = (sys.executable, str(Path(__file__).with_name("floor.py")))


def bench_load(scale: str, seed: int, runs: int) -> tuple[dict[str, Figure], dict[str, Figure]]:
    """Per input: the load's figure and (for CSV files) the floor's."""
    demo = demo_dir(scale, seed)
    loads: dict[str, list] = {}
    floors: dict[str, list] = {}
    with tempfile.TemporaryDirectory(prefix="pilot-bench-load-") as tmp:
        store, floor_db = Path(tmp) / "pilot.duckdb", Path(tmp) / "floor.duckdb"
        for _ in range(runs):
            remove_store(store)
            for kind, command in load_commands(demo, store).items():
                loads.setdefault(kind, []).append(measure(command))
            for name in CSV_INPUTS:
                remove_store(floor_db)
                run = measure([*FLOOR, "csv", demo / name, floor_db])
                floors.setdefault(name.removesuffix(".csv"), []).append(run)
    return (
        {k: Figure.of(v) for k, v in loads.items()},
        {k: Figure.of(v) for k, v in floors.items()},
    )


def main() -> None:
    scale, seed, runs = stage_arguments(__doc__)
    loads, floors = bench_load(scale, seed, runs)
    print(f"load scale={scale} runs={next(iter(loads.values())).runs} {machine()}")
    print(f"  {'input':<11}{'load s':>8}{'peak MB':>9}{'floor s':>9}{'load/floor':>12}")
    for kind, fig in loads.items():
        floor = floors.get(kind)
        extra = f"{floor.wall:>9.2f}{fig.wall / floor.wall:>11.1f}x" if floor else ""
        print(f"  {kind:<11}{fig.wall:>8.2f}{fig.peak_mb:>9.0f}{extra}")
    total = sum(f.wall for f in loads.values())
    print(
        f"  {'all inputs':<11}{total:>8.2f}{max(f.peak_mb for f in loads.values()):>9.0f}"
        f"{sum(f.wall for f in floors.values()):>9.2f}"
    )


if __name__ == "__main__":
    main()
