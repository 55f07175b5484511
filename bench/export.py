"""Benchmark: `pilot export` of every figure (PNG, SVG, PDF) for the pilot demo, from outside.

Each run is the `pilot export` command a user runs, as its own process. Reported per setting:
whole-process wall seconds, the seconds spent drawing images (the command's own
``figure_seconds``), images per second of drawing, and peak memory: of the largest single
process (wait4's ``ru_maxrss``: the Python process or one Chromium process) and of the whole
process tree, Python plus every Chromium process, sampled every 0.1 s from /proc. Figures are medians over --runs runs.

    .venv/bin/python bench/export.py --runs 3
    .venv/bin/python bench/export.py --runs 3 --tabs 1,2,4 --store data/pilot.duckdb

Without --store, the pilot-scale demo is generated and loaded into a temporary store first
(not timed). The audit lines these exports write go to a temporary log.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PILOT = [sys.executable, "-m", "analysis.cli"]
SAMPLE_EVERY = 0.1


def tree_rss_mb(root: int) -> float:
    """Resident memory of ``root`` and all its descendants, in MB (Linux /proc)."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def measure(
    command: list[str], env: dict[str, str], work: Path
) -> tuple[float, float, float, str]:
    """Wall seconds, peak RSS of the process and of its tree (MB), and its stdout."""
    out_path, err_path = work / "stdout.txt", work / "stderr.txt"
    peak = [0.0]
    done = threading.Event()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, env=env)

        def sample() -> None:
            while not done.wait(SAMPLE_EVERY):
                peak[0] = max(peak[0], tree_rss_mb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{err_path.read_text()}")
    return wall, usage.ru_maxrss / 1024, peak[0], out_path.read_text()


def demo_store(work: Path, seed: int) -> Path:
    """Generate the pilot-scale demo and load it into a store under ``work``."""
    from analysis.pipeline import load_folder

    demo, store = work / "demo", work / "pilot.duckdb"
    subprocess.run([*PILOT, "demo", "--scale", "pilot", "--seed", str(seed), "--out", str(demo)],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    load_folder(demo, store)
    return store


def one_run(store: Path, work: Path, formats: str, tabs: int | None, run: int) -> dict[str, float]:
    env = {**os.environ, "PILOT_AUDIT_LOG": str(work / "audit.jsonl")}
    if tabs:
        env["PILOT_FIGURE_TABS"] = str(tabs)
    out = work / f"export-{tabs or 'default'}-{run}"
    command = [*PILOT, "export", "--store", str(store), "--out", str(out), "--format", formats,
               "--json"]  # fmt: skip
    wall, rss, tree, stdout = measure(command, env, work)
    report = json.loads(stdout.strip().splitlines()[-1])
    images = sum(1 for f in report["files"] if f.startswith("figures/"))
    return {"wall": wall, "figure_s": report["figure_seconds"], "images": images,
            "rss": rss, "tree": tree}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--store", type=Path, help="an existing store (default: a fresh demo)")
    parser.add_argument("--seed", type=int, default=20250301)
    parser.add_argument("--format", default="png,svg,pdf")
    parser.add_argument("--tabs", default="", help="comma-separated tab counts to compare "
                        "(default: the exporter's own choice)")  # fmt: skip
    args = parser.parse_args()
    os.environ.setdefault("PILOT_PSEUDONYM_KEY", "benchmark-key")
    settings = [int(t) for t in args.tabs.split(",") if t.strip()] or [None]
    with tempfile.TemporaryDirectory(prefix="pilot-bench-export-") as tmp:
        work = Path(tmp)
        store = args.store or demo_store(work, args.seed)
        results = {t: [one_run(store, work, args.format, t, i) for i in range(args.runs)]
                   for t in settings}  # fmt: skip
    print(f"store={store} formats={args.format} runs={args.runs} cpus={os.cpu_count()} "
          f"load average={os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"{'tabs':<9}{'images':>7}{'wall s':>8}{'figures s':>10}{'images/s':>9}"
          f"{'peak RSS MB (largest process)':>31}{'(whole tree)':>14}")  # fmt: skip
    for tabs, runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(
            f"{tabs or 'default':<9}{med['images']:>7.0f}{med['wall']:>8.1f}"
            f"{med['figure_s']:>10.1f}{med['images'] / med['figure_s']:>9.2f}"
            f"{max(r['rss'] for r in runs):>31.0f}{max(r['tree'] for r in runs):>14.0f}"
        )


if __name__ == "__main__":
    main()
