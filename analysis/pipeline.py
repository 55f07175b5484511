"""Load a whole input folder (the demo's layout) into a store, harvest its feeds, build.

The order matters: referrals point at practices and areas, follow-ups at referrals, pilots at
PCNs. The test fixtures use this, so they exercise the same loaders, harvester and build as
``pilot load``, ``pilot harvest`` and ``pilot build``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from analysis.ingest.loaders import LoadSummary, load_file
from analysis.ingest.pilots import load_pilots
from analysis.model.build import BuildReport, build
from analysis.store import open_store
from analysis.supply.flatten_reuse import flatten_or_reuse, horizon
from analysis.supply.harvest import harvest
from analysis.supply.sources import directory_sources

LOAD_ORDER = ("practices", "areas", "pilots", "referrals", "followups")


def input_path(folder: Path, kind: str) -> Path:
    return folder / ("pilots.toml" if kind == "pilots" else f"{kind}.csv")


def load_folder(
    folder: Path,
    store: Path,
    *,
    rejects_dir: Path | None = None,
    today: date | None = None,
    supply_start: date | None = None,
) -> tuple[dict[str, LoadSummary], BuildReport]:
    con = open_store(store)
    try:
        summaries: dict[str, LoadSummary] = {}
        for kind in LOAD_ORDER:
            path = input_path(folder, kind)
            if kind == "pilots":
                summaries[kind] = load_pilots(con, path)
            else:
                summaries[kind] = load_file(
                    con,
                    kind,
                    path,
                    rejects_dir=rejects_dir or store.parent / "rejects",
                    today=today,
                )
        feeds = folder / "feeds"
        if (feeds / "manifest.json").exists():
            harvest(con, directory_sources(feeds))
            start, end = horizon(supply_start)  # as `pilot harvest` does; build keeps it
            flatten_or_reuse(con, horizon_start=start, horizon_end=end)
        report = build(con, supply_start=supply_start)
    finally:
        con.close()
    return summaries, report
