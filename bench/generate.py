"""Benchmark: generate the synthetic demo place of a scale (`python -m analysis.demo`).

Each run is a fresh process writing a fresh folder; the last run's place is kept as the cached
demo under build/bench/ for the other benchmark scripts.

    .venv/bin/python bench/generate.py --scale national --runs 3
"""

from __future__ import annotations

import argparse
import shutil

from workspace import DEFAULT_SEED, DEMO, Figure, keep_demo, machine, measure, runs_for, scale_dir


def bench_generate(scale: str, seed: int, runs: int) -> Figure:
    fresh = scale_dir(scale, seed).with_name(f"{scale}-{seed}.new")
    results = []
    for _ in range(runs):
        shutil.rmtree(fresh, ignore_errors=True)
        results.append(measure([*DEMO, "--scale", scale, "--seed", str(seed), "--out", fresh]))
    keep_demo(scale, seed, fresh)
    shutil.rmtree(fresh, ignore_errors=True)
    return Figure.of(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="london")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--runs", type=int)
    args = parser.parse_args()
    figure = bench_generate(args.scale, args.seed, runs_for(args.scale, args.runs))
    print(f"generate scale={args.scale} runs={figure.runs} {machine()}")
    print(
        f"  median {figure.wall:.1f} s (min {figure.low:.1f}, max {figure.high:.1f}), "
        f"peak RSS {figure.peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
