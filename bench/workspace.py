"""What the benchmark scripts share: whole-process measurement, and the demo place and store of
each scale, built once under ``build/bench/`` and reused by every script.

A process is measured from outside: wall seconds from start to exit, and its peak resident set
(``ru_maxrss`` from ``wait4``), so Python start-up and imports count, as they do for a user.
A cached demo place is rebuilt when the generator's source changes (its hash is stamped).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "bench"
PILOT = (sys.executable, "-m", "analysis.cli")
DEMO = (sys.executable, "-m", "analysis.demo")
LOADS = (
    ("practices", "practices.csv"),
    ("areas", "areas.csv"),
    ("pilots", "pilots.toml"),
    ("referrals", "referrals.csv"),
    ("followups", "followups.csv"),
)
CSV_INPUTS = ("practices.csv", "areas.csv", "referrals.csv", "followups.csv")
DEFAULT_SEED = 20250301
# Enough runs for a median, fewer where one run takes minutes.
DEFAULT_RUNS = {"pilot": 5, "london": 3, "national": 3}

os.environ.setdefault("PILOT_PSEUDONYM_KEY", "benchmark-key")


@dataclass(frozen=True)
class Run:
    """One process: wall seconds, CPU seconds (user + system) and peak resident memory in MB."""

    wall: float
    cpu: float
    peak_mb: float


@dataclass(frozen=True)
class Figure:
    """The median wall and CPU seconds over several runs, and the largest peak memory."""

    wall: float
    cpu: float
    peak_mb: float
    runs: int
    low: float
    high: float

    @classmethod
    def of(cls, runs: Sequence[Run]) -> Figure:
        walls = [r.wall for r in runs]
        return cls(
            wall=statistics.median(walls),
            cpu=statistics.median(r.cpu for r in runs),
            peak_mb=max(r.peak_mb for r in runs),
            runs=len(runs),
            low=min(walls),
            high=max(walls),
        )


def measure(command: Sequence[str | os.PathLike[str]], quiet: bool = True) -> Run:
    """Run a command to its end and measure it; stop the benchmark with its error if it fails."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(c) for c in command],
        cwd=ROOT,
        stdout=subprocess.DEVNULL if quiet else None,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    error = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(str(c) for c in command)}\n{error}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def runs_for(scale: str, asked: int | None) -> int:
    return asked if asked else DEFAULT_RUNS.get(scale, 3)


def generator_version() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "analysis" / "demo").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def scale_dir(scale: str, seed: int) -> Path:
    return WORK / f"{scale}-{seed}"


def _stamped(folder: Path, version: str) -> bool:
    stamp = folder / ".complete"
    return stamp.exists() and stamp.read_text(encoding="utf-8").strip() == version


def keep_demo(scale: str, seed: int, written: Path) -> Path:
    """Adopt a freshly generated place as the cached one for (scale, seed)."""
    target = scale_dir(scale, seed) / "demo"
    if not _stamped(target, generator_version()):
        shutil.rmtree(scale_dir(scale, seed), ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(written), target)
        (target / ".complete").write_text(generator_version() + "\n", encoding="utf-8")
    return target


def demo_dir(scale: str, seed: int) -> Path:
    """The cached demo place of a scale, generated first if absent or stale."""
    target = scale_dir(scale, seed) / "demo"
    if _stamped(target, generator_version()):
        return target
    print(f"  (generating the {scale} demo place under {target.parent})", flush=True)
    fresh = scale_dir(scale, seed).with_name(f"{scale}-{seed}.new")
    shutil.rmtree(fresh, ignore_errors=True)
    measure([*DEMO, "--scale", scale, "--seed", str(seed), "--out", fresh])
    return keep_demo(scale, seed, fresh)


def load_commands(demo: Path, store: Path) -> dict[str, list[str | Path]]:
    """The `pilot load` command of every input, in load order."""
    return {
        kind: [*PILOT, "load", kind, demo / name, "--store", store, "--rejects-dir", store.parent]
        for kind, name in LOADS
    }


def remove_store(store: Path) -> None:
    for path in (store, store.with_name(store.name + ".wal")):
        path.unlink(missing_ok=True)


def built_store(scale: str, seed: int) -> Path:
    """A store with every input loaded, the feeds harvested and the marts built (cached)."""
    demo = demo_dir(scale, seed)
    store = scale_dir(scale, seed) / "store" / "pilot.duckdb"
    version = generator_version()
    if _stamped(store.parent, version):
        return store
    print(f"  (loading, harvesting and building the {scale} store)", flush=True)
    shutil.rmtree(store.parent, ignore_errors=True)
    store.parent.mkdir(parents=True)
    for command in load_commands(demo, store).values():
        measure(command)
    measure([*PILOT, "harvest", demo / "feeds", "--store", store])
    measure([*PILOT, "build", "--store", store])
    (store.parent / ".complete").write_text(version + "\n", encoding="utf-8")
    return store


def machine() -> str:
    load = os.getloadavg()
    return f"cpus={os.cpu_count()} load average={load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"


def stage_arguments(doc: str) -> tuple[str, int, int]:
    """A stage script's command line (--scale, --seed, --runs): scale, seed and runs to do."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--scale", default="london")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--runs", type=int)
    args = parser.parse_args()
    return args.scale, args.seed, runs_for(args.scale, args.runs)


def figure_line(figure: Figure) -> str:
    """One figure as the stage scripts print it: median, min, max and peak memory."""
    return (
        f"  median {figure.wall:.1f} s (min {figure.low:.1f}, max {figure.high:.1f}), "
        f"peak RSS {figure.peak_mb:.0f} MB"
    )
