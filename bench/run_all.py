"""Run every benchmark for the chosen scales and print each figure against its budget.

    .venv/bin/python bench/run_all.py                        # london and national (make bench)
    .venv/bin/python bench/run_all.py --scales pilot --runs 2

Stages, each its own script (run one alone to look closer): generate.py (the demo place),
load.py (each input, and DuckDB's read-only floor of each), harvest.py + flatten.py (parse and
flatten OpenActive items), build.py (all models and marts), access.py (distances for every
area), then pages.py (each dashboard page, cold and on a filter change) and export.py (every
figure) when those scripts are present. The demo place and a built store of each scale are
cached under build/bench/ and reused. Budgets are for this 2-core, 24 GB machine; a line says
``ok`` or by how much a figure misses.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from access import bench_access
from build import bench_build
from flatten import TARGET as FLATTEN_TARGET
from flatten import bench_flatten, items_per_second
from generate import bench_generate
from harvest import bench_harvest
from load import bench_load
from workspace import DEFAULT_SEED, ROOT, built_store, machine, runs_for

HERE = Path(__file__).resolve().parent
FOLLOW_ON = ("pages.py", "export.py")


@dataclass
class Line:
    scale: str
    figure: str
    value: str
    budget: str = ""
    verdict: str = ""


def over(value: float, limit: float, unit: str) -> str:
    return "ok" if value <= limit else f"MISSED by {value - limit:.1f} {unit}"


def under(value: float, floor: float, unit: str) -> str:
    return "ok" if value >= floor else f"MISSED by {floor - value:,.0f} {unit}"


def core(scale: str, seed: int, runs: int, skip: set[str]) -> list[Line]:
    lines: list[Line] = []

    def say(line: Line) -> None:
        lines.append(line)
        print(f"  {line.figure:<44}{line.value:>26}  {line.budget:<18}{line.verdict}", flush=True)

    if "generate" not in skip:
        gen = bench_generate(scale, seed, 1 if scale == "national" else runs)
        say(Line(scale, "generate the demo place", f"{gen.wall:.1f} s, {gen.peak_mb:,.0f} MB"))
    loads, floors = bench_load(scale, seed, runs)
    for kind, fig in loads.items():
        floor = floors.get(kind)
        ratio = f" = {fig.wall / floor.wall:.1f}x floor" if floor else ""
        say(Line(scale, f"load {kind}", f"{fig.wall:.2f} s, {fig.peak_mb:,.0f} MB{ratio}"))
    harvest, pages_floor, items = bench_harvest(scale, seed, runs)
    say(Line(scale, "harvest feed pages from disk (store, flatten)",
             f"{harvest.wall:.1f} s, {items / harvest.wall:,.0f} items/s"))  # fmt: skip
    paths = ("store",) if scale == "national" else ("pages", "store")
    _, n_items, flat = bench_flatten(scale, seed, runs, paths)
    for path, path_runs in flat.items():
        wall, _cpu = items_per_second(path_runs)
        say(Line(scale, f"parse + flatten ({path}, {n_items:,} items)",
                 f"{wall:,.0f} items/s", f">= {FLATTEN_TARGET:,}/s",
                 under(wall, FLATTEN_TARGET, "items/s")))  # fmt: skip
    builds = bench_build(scale, seed, runs)
    build, reflatten = builds["build"], builds["reflatten"]
    say(Line(scale, "build all models and marts (feeds flattened at harvest)",
             f"{build.wall:.1f} s, {build.peak_mb:,.0f} MB"))  # fmt: skip
    say(Line(scale, "build that flattens again (--reflatten)",
             f"{reflatten.wall:.1f} s, {reflatten.peak_mb:,.0f} MB"))  # fmt: skip
    load_total = sum(f.wall for f in loads.values())
    pipeline = load_total + harvest.wall + build.wall
    floor_total = sum(f.wall for f in floors.values()) + pages_floor.wall
    peak = max(max(f.peak_mb for f in loads.values()), harvest.peak_mb, reflatten.peak_mb)
    if scale == "national":
        say(Line(scale, "load + build (all inputs)", f"{load_total + build.wall:.1f} s",
                 "<= 60 s", over(load_total + build.wall, 60, "s")))  # fmt: skip
        say(Line(scale, "load + build that flattens again",
                 f"{load_total + reflatten.wall:.1f} s"))  # fmt: skip
        say(Line(scale, "peak RSS of any load, harvest or build", f"{peak:,.0f} MB",
                 "<= 4,096 MB", over(peak, 4096, "MB")))  # fmt: skip
    say(Line(scale, "read-only floor (CSV inputs + feed pages)", f"{floor_total:.1f} s"))
    # The budget is on the build; the whole pipeline's ratio is information (no budget).
    say(Line(scale, "load + harvest + build / floor", f"{pipeline / floor_total:.1f}x"))
    say(Line(scale, "build / floor", f"{build.wall / floor_total:.1f}x", "<= 3x",
             over(build.wall / floor_total, 3, "x")))  # fmt: skip
    access = bench_access(scale, seed, runs)
    seconds, n_areas, points = access["occurrences"]
    say(Line(scale, f"access: {n_areas:,} areas x {points:,} occurrences", f"{seconds:.2f} s",
             "<= 5 s", over(seconds, 5, "s")))  # fmt: skip
    seconds, _, _ = access["area_access"]
    say(Line(scale, "access: area_access (3 profiles, in build)", f"{seconds:.2f} s"))
    return lines


def follow_on(scale: str, seed: int, runs: int, skip: set[str]) -> None:
    """Run the page and export benchmarks (other scripts, their own output) on the built store."""
    wanted = [s for s in FOLLOW_ON if s.removesuffix(".py") not in skip]
    if not wanted:
        return
    store = built_store(scale, seed)
    for script in wanted:
        path = HERE / script
        if not path.exists():
            print(f"  ({script} is not in bench/: that stage is not measured)", flush=True)
            continue
        args = ["--store", str(store), "--runs", str(runs), "--seed", str(seed)]
        if 'add_argument("--scale"' in path.read_text(encoding="utf-8"):
            args = ["--scale", scale, *args]
        print(f"  -- {script} {' '.join(args)}", flush=True)
        done = subprocess.run([sys.executable, str(path), *args], cwd=ROOT, check=False)
        if done.returncode != 0:
            print(f"  ({script} failed with exit status {done.returncode})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="london,national", help="comma-separated scales")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--runs", type=int, help="runs per figure (default: per scale)")
    parser.add_argument("--skip", default="", help="comma-separated: generate, core, pages, export")
    args = parser.parse_args()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    started = time.perf_counter()
    for scale in (s.strip() for s in args.scales.split(",") if s.strip()):
        runs = runs_for(scale, args.runs)
        print(f"== scale {scale}, seed {args.seed}, {runs} runs a figure; {machine()}", flush=True)
        if "core" not in skip:
            core(scale, args.seed, runs, skip)
        follow_on(scale, args.seed, runs, skip)
    print(f"== done in {time.perf_counter() - started:.0f} s; {machine()}")


if __name__ == "__main__":
    main()
