"""Benchmark: each dashboard page's server-side render, cold and on a filter change.

    .venv/bin/python bench/pages.py --scale london --runs 5
    .venv/bin/python bench/pages.py --store build/bench/london.duckdb --runs 5 --pages supply

The store is the demo place at --scale, generated with `pilot demo` and loaded, harvested and
built with ``analysis.pipeline.load_folder`` (as ``bench/pipeline.py`` does). With ``--store
PATH`` an existing store is reused, or built there once and kept; without it, a temporary one is
built and removed.

Each measurement is a fresh Python process, so every cache (``st.cache_data``,
``st.cache_resource``) starts empty, as after a fresh start of ``pilot serve``. Before the clock
starts, that process imports Streamlit and calls :func:`dashboard.preload.preload` — the same
function ``pilot serve`` calls before the first visitor arrives — so the heavy modules (pandas,
DuckDB, SciPy, statsmodels, plotly, pydeck, the analysis and figure modules) are already
imported, as in a running server. In that process the page is rendered with
``streamlit.testing.v1.AppTest`` as the page tests open it —
``AppTest.from_file("dashboard/app.py").switch_page("views/<page>").run()`` — and timed:

- **cold**: that first run: the entry point (opening the store, the sidebar filters) and the page,
  with every cache empty but the modules imported (``--no-preload`` times the imports too);
- **period**: the "Referred from" date is moved 6 months later and the script reruns;
- **PCN**: one PCN is then chosen in the PCN filter and the script reruns.

A server compiles each script once and keeps the bytecode; ``AppTest`` recompiles on every
run, so the bench keeps one script cache per process as the server does (the cold run still
compiles). Rendering in the browser (sending the page, drawing plotly charts and the deck.gl
map) is not included, nor is the browser's round trip. AppTest's own cost is measured and reported apart:
``(AppTest)`` renders a one-line script; ``(entry)`` runs dashboard/app.py with the page left out
(``st.navigation`` replaced by a no-op), so a page's own share is its figure minus the entry's.
CPU seconds of the process (all its threads) are reported too: on a shared machine they vary
less than wall time. The figures quoted are medians over --runs processes, with min and max; peak RSS is the largest
resident set of any of the page's processes (from wait4's rusage).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from analysis.cli import SERVER_ENV

REPO = Path(__file__).resolve().parents[1]
ENTRY = REPO / "dashboard" / "app.py"
BUDGETS = {"national": (3.0, None)}
"""Scale → (cold, filter change) budgets in seconds; any other scale: 1.5 s and 0.3 s."""
DEFAULT_BUDGETS = (1.5, 0.3)
TRIVIAL = "import streamlit as st\nst.title('Benchmark')\nst.write('one line')\n"
OVERHEAD = ("(AppTest)", "(entry)")
Timer = Callable[[], float]


def build_store(scale: str, seed: int, store: Path) -> None:
    """Generate the demo place next to ``store`` and load, harvest and build it."""
    demo = store.parent / f"demo-{scale}"
    if demo.exists():
        shutil.rmtree(demo)
    store.parent.mkdir(parents=True, exist_ok=True)
    pilot = [sys.executable, "-m", "analysis.cli"]
    subprocess.run(
        [*pilot, "demo", "--scale", scale, "--seed", str(seed), "--out", str(demo)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    from analysis.pipeline import load_folder

    load_folder(demo, store, rejects_dir=store.parent / "rejects")


def keep_compiled_scripts() -> None:
    """Compile each script once per process, as the server does: a running server keeps one
    ``ScriptCache`` for its lifetime, while ``AppTest`` makes a new one on every run and so
    re-reads and recompiles the entry point and the page each time."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    for module in (app_test, local_script_runner):
        module.ScriptCache = lambda: shared  # type: ignore[attr-defined]


def child(page: str, store: Path, preload: bool) -> dict[str, float]:
    """In a fresh process: render one page cold, then after two filter changes; seconds."""
    os.environ["PILOT_STORE"] = str(store)
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    keep_compiled_scripts()

    if preload:
        from dashboard.preload import preload as import_page_modules

        import_page_modules()

    timed: dict[str, float] = {}

    def clock(name: str, step: Callable[[], AppTest]) -> AppTest:
        started, cpu = time.perf_counter(), time.process_time()
        at = step()
        timed[name] = time.perf_counter() - started
        timed[f"{name} cpu"] = time.process_time() - cpu
        if at.exception:
            raise SystemExit(f"{page}: {at.exception[0].message}")
        return at

    if page == "(AppTest)":
        at = clock("cold", lambda: AppTest.from_string(TRIVIAL, default_timeout=300).run())
        clock("period", at.run)
        clock("pcn", at.run)
        return timed
    if page == "(entry)":

        class _NoPage:
            def run(self) -> None:
                return None

        st.navigation = lambda *args, **kwargs: _NoPage()  # type: ignore[assignment]
        at = AppTest.from_file(str(ENTRY), default_timeout=300)
    else:
        at = AppTest.from_file(str(ENTRY), default_timeout=300).switch_page(f"views/{page}.py")
    at = clock("cold", at.run)
    start = at.date_input(key="start")
    at = clock("period", start.set_value(start.value + timedelta(days=183)).run)
    pcns = at.multiselect(key="pcn")
    clock("pcn", pcns.select(pcns.options[0]).run)
    return timed


def measure(page: str, store: Path, preload: bool = True) -> tuple[dict[str, float], float]:
    """One fresh process for ``page``: its timings and its peak RSS in MB."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        page,
        "--store",
        str(store),
        *(() if preload else ("--no-preload",)),
    ]
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            command,
            stdout=out,
            stderr=err,
            cwd=REPO,
            env={**SERVER_ENV, **os.environ, "PYTHONPATH": path},  # as `pilot serve` starts it
        )
        _, status, usage = os.wait4(proc.pid, 0)
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{page} failed:\n{err.read().decode()[-3000:]}")
        timed = json.loads(out.read().decode().strip().splitlines()[-1])
    return timed, usage.ru_maxrss / 1024


def pages() -> list[str]:
    from dashboard.page_order import PAGE_ORDER

    views = REPO / "dashboard" / "views"
    return [s.removesuffix(".py") for s, _, _ in PAGE_ORDER if (views / s).exists()]


def report(
    results: dict[str, list[tuple[dict[str, float], float]]],
    runs: int,
    store: Path,
    preload: bool,
    scale: str,
) -> None:
    cold_budget, change_budget = BUDGETS.get(scale, DEFAULT_BUDGETS)
    load = os.getloadavg()
    print(
        f"store={store} scale={scale} runs={runs} cpus={os.cpu_count()} "
        f"load average={load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print(
        "cold = fresh process, empty caches, "
        + ("page modules imported beforehand" if preload else "page modules imported in the run")
    )
    change = f"filter change <= {change_budget} s" if change_budget else "no filter-change budget"
    print(
        f"budgets at {scale} scale: cold <= {cold_budget} s, {change} (medians; min-max in brackets)"
    )
    head = f"{'page':<14}{'cold s':>20}{'period s':>20}{'PCN s':>20}{'peak MB':>9}  verdict"
    print(head)
    for page, rows in results.items():
        cells, verdict = [], []
        for name in ("cold", "period", "pcn"):
            values = [r[0][name] for r in rows]
            mid = statistics.median(values)
            cells.append(f"{mid:>7.2f} ({min(values):.2f}-{max(values):.2f})")
            budget = cold_budget if name == "cold" else change_budget
            if page not in OVERHEAD and budget is not None and mid > budget:
                verdict.append(f"{name} over")
        peak = max(r[1] for r in rows)
        ok = "" if page in OVERHEAD else ("pass" if not verdict else "FAIL: " + ", ".join(verdict))
        print(f"{page:<14}" + "".join(f"{c:>20}" for c in cells) + f"{peak:>9.0f}  {ok}")
    print("CPU seconds of the process (all threads; less sensitive to other load), medians:")
    print(f"{'page':<14}{'cold':>8}{'period':>8}{'PCN':>8}")
    for page, rows in results.items():
        cpu = [
            statistics.median(r[0][f"{n} cpu"] for r in rows) for n in ("cold", "period", "pcn")
        ]
        print(f"{page:<14}" + "".join(f"{c:>8.2f}" for c in cpu))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="london", help="demo scale (or that of --store)")
    parser.add_argument("--seed", type=int, default=20250301)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--store", type=Path, help="reuse this store, or build it here and keep it"
    )
    parser.add_argument("--pages", help="comma-separated page scripts without .py (default: all)")
    parser.add_argument(
        "--no-preload",
        action="store_true",
        help="time the first import of the page modules as part of the cold load",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("PILOT_PSEUDONYM_KEY", "benchmark-key")
    if args.child:
        print(json.dumps(child(args.child, args.store, not args.no_preload)))
        return
    chosen = args.pages.split(",") if args.pages else pages()
    with tempfile.TemporaryDirectory(prefix="pilot-bench-pages-") as tmp:
        store = args.store or Path(tmp) / f"{args.scale}.duckdb"
        if not store.exists():
            print(f"building the {args.scale} demo store at {store}", file=sys.stderr)
            build_store(args.scale, args.seed, store)
        results = {}
        for page in [*OVERHEAD, *chosen]:
            results[page] = [measure(page, store, not args.no_preload) for _ in range(args.runs)]
            print(f"measured {page}", file=sys.stderr)
        report(results, args.runs, store, not args.no_preload, args.scale)


if __name__ == "__main__":
    main()
