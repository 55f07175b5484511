"""Benchmark: generate a demo place, load every input, harvest its feeds, build, step by step.

Each step runs as its own process (the `pilot` command, as a user would run it) and is measured
from outside: wall seconds and the process's peak resident memory (from wait4's rusage).
The figure quoted is the median over --runs runs.

    .venv/bin/python bench/pipeline.py --scale london --runs 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PILOT = [sys.executable, "-m", "analysis.cli"]
LOADS = (("practices", "practices.csv"), ("areas", "areas.csv"), ("pilots", "pilots.toml"),
         ("referrals", "referrals.csv"), ("followups", "followups.csv"))


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of one process."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{proc.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024


def one_run(scale: str, seed: int, work: Path) -> dict[str, tuple[float, float]]:
    demo, store = work / "demo", work / "pilot.duckdb"
    for path in (demo, store, work / "rejects"):
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    demo_cmd = [sys.executable, "-m", "analysis.demo", "--scale", scale, "--seed", str(seed)]
    steps = {"demo": [*demo_cmd, "--out", str(demo)]}
    for kind, name in LOADS:
        steps[f"load {kind}"] = [*PILOT, "load", kind, str(demo / name), "--store", str(store)]
    steps["harvest"] = [*PILOT, "harvest", str(demo / "feeds"), "--store", str(store)]
    steps["build"] = [*PILOT, "build", "--store", str(store)]
    return {name: measure(command) for name, command in steps.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="london")
    parser.add_argument("--seed", type=int, default=20250301)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("PILOT_PSEUDONYM_KEY", "benchmark-key")
    runs = []
    with tempfile.TemporaryDirectory(prefix="pilot-bench-") as tmp:
        for _ in range(args.runs):
            runs.append(one_run(args.scale, args.seed, Path(tmp)))
    print(f"scale={args.scale} runs={args.runs} cpus={os.cpu_count()}")
    print(f"{'step':<18}{'median s':>10}{'min s':>8}{'max s':>8}{'peak RSS MB':>13}")
    totals = []
    for step in runs[0]:
        walls = [r[step][0] for r in runs]
        peak = max(r[step][1] for r in runs)
        print(f"{step:<18}{statistics.median(walls):>10.2f}{min(walls):>8.2f}{max(walls):>8.2f}"
              f"{peak:>13.0f}")
    for r in runs:
        totals.append(sum(v[0] for k, v in r.items() if k != "demo"))
    print(f"{'load..build':<18}{statistics.median(totals):>10.2f}{min(totals):>8.2f}"
          f"{max(totals):>8.2f}")


if __name__ == "__main__":
    main()
