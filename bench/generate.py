"""Benchmark: generate the synthetic demo place of a scale (`python -m analysis.demo`).

Each run is a fresh process writing a fresh folder; the last run's place is kept as the cached
demo under build/bench/ for the other benchmark scripts.

    .venv/bin/python bench/generate.py --scale national --runs 3
"""

from __future__ import annotations

import shutil

from workspace import (
    DEMO,
    Figure,
    figure_line,
    keep_demo,
    machine,
    measure,
    scale_dir,
    stage_arguments,
)


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
    scale, seed, runs = stage_arguments(__doc__)
    figure = bench_generate(scale, seed, runs)
    print(f"generate scale={scale} runs={figure.runs} {machine()}")
    print(figure_line(figure))


if __name__ == "__main__":
    main()
