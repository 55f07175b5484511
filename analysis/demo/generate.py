"""``generate_demo``: build a synthetic place and write every demo file under ``out``.

Input files (what a pilot supplies): practices.csv, areas.csv, referrals.csv, followups.csv,
pilots.toml and the OpenActive feed pages under feeds/. Ground truth for tests goes under
truth/. The same scale and seed always give byte-identical files.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from analysis.demo import dates
from analysis.demo.effects import planted_effects
from analysis.demo.faults import area_faults, followup_faults, practice_faults, referral_faults
from analysis.demo.followups import FOLLOWUP_COLUMNS, ChangeTally, followup_columns, iter_followups
from analysis.demo.geography import Geography, build_geography
from analysis.demo.opportunities import SessionRenderer, series_data
from analysis.demo.reference_files import AREA_COLUMNS, PRACTICE_COLUMNS, area_rows, practice_rows
from analysis.demo.referrals import REFERRAL_COLUMNS, Referrals, build_referrals, referral_columns
from analysis.demo.rpde import FeedPages, dataset_site, dump_json, manifest, write_feed
from analysis.demo.scales import SCALES, Scale
from analysis.demo.streams import stream
from analysis.demo.supply import Occurrences, Series, build_occurrences, build_series
from analysis.demo.truth import (
    write_bad_rows,
    write_deleted,
    write_journeys,
    write_occurrences,
    write_pcn_access,
    write_series,
)
from analysis.demo.venues import Venues, build_venues
from analysis.demo.writer import CsvTable, FaultRow, toml_list, toml_string, write_planted

DEFAULT_SEED = 20250301
GENERATED_DIRS = ("feeds", "truth")
PILOT_DESCRIPTION = (
    "Live OpenActive feed of local sessions embedded in the link workers' referral system "
    "(synthetic)"
)


@dataclass(frozen=True)
class DemoSummary:
    """What ``generate_demo`` wrote: data rows (or feed items) per file, and feed pages."""

    scale: str
    seed: int
    out: Path
    files: dict[str, int] = field(default_factory=dict)
    feed_pages: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["out"] = str(self.out)
        return data


def _resolve(scale: str | Scale) -> Scale:
    if isinstance(scale, Scale):
        return scale
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    return SCALES[scale]


def _rows_as_columns(rows: list[list[str]]) -> list[np.ndarray]:
    return [np.asarray(col, dtype=object) for col in zip(*rows, strict=True)]


def _write_reference(
    out: Path,
    geo: Geography,
    rng: np.random.Generator,
    files: dict[str, int],
    faults: list[FaultRow],
) -> None:
    for name, header, rows_of, faults_of in (
        ("practices.csv", PRACTICE_COLUMNS, practice_rows, practice_faults),
        ("areas.csv", AREA_COLUMNS, area_rows, area_faults),
    ):
        rows = rows_of(geo)
        bad = faults_of(geo, rows, rng)
        with CsvTable(out / name, header) as table:
            write_planted(table, len(rows), lambda a, b, r=rows: _rows_as_columns(r[a:b]), bad)
            files[name] = table.rows
        faults.extend(f for group in bad.values() for f in group)


def _write_referrals(
    out: Path,
    geo: Geography,
    series: Series,
    ref: Referrals,
    seed: int,
    files: dict[str, int],
    faults: list[FaultRow],
) -> ChangeTally:
    rng = stream(seed, "faults-people")
    bad = referral_faults(ref, geo, series, rng)
    with CsvTable(out / "referrals.csv", REFERRAL_COLUMNS) as table:
        write_planted(table, len(ref), lambda a, b: referral_columns(ref, geo, series, a, b), bad)
        files["referrals.csv"] = table.rows
    faults.extend(f for group in bad.values() for f in group)

    bad_fu = followup_faults(ref, stream(seed, "faults-followups"))
    tally = ChangeTally()
    with CsvTable(out / "followups.csv", FOLLOWUP_COLUMNS) as table:
        for chunk in iter_followups(ref, seed):
            tally.add(chunk)
            cols = followup_columns(ref, chunk)
            here: dict[int, list[FaultRow]] = {}
            for i in sorted(bad_fu):
                if chunk.first <= i < chunk.stop:
                    pos = int(np.searchsorted(chunk.referral, i, side="right"))
                    here.setdefault(pos, []).extend(bad_fu[i])
            write_planted(table, len(chunk), lambda a, b, c=cols: [x[a:b] for x in c], here)
        files["followups.csv"] = table.rows
    faults.extend(f for group in bad_fu.values() for f in group)
    if any(f.row_number == 0 for f in faults):
        raise RuntimeError("a deliberately faulty row was not written")
    return tally


def _write_pilots(out: Path, scale: Scale, seed: int, geo: Geography, feeds: list[str]) -> None:
    name = f"{scale.place_name} (synthetic)"
    text = "\n".join(
        [
            "# Synthetic demonstration place written by `pilot demo`. Not real data.",
            "[dataset]",
            f"name = {toml_string(name)}",
            "synthetic = true",
            f"seed = {seed}",
            f"scale = {toml_string(scale.name)}",
            f"extracted = {dates.EXTRACTION_DATE.isoformat()}",
            "",
            "[[pilot]]",
            f"name = {toml_string(scale.place_name + ' live-feed pilot')}",
            f"pcn_codes = {toml_list([str(geo.pcn_code[p]) for p in geo.pilot_pcns])}",
            f"go_live = {dates.GO_LIVE.isoformat()}",
            f"comparison_pcn_codes = {toml_list([str(geo.pcn_code[p]) for p in geo.comparison_pcns])}",
            f"description = {toml_string(PILOT_DESCRIPTION)}",
            "",
            "[supply]",
            f"feeds = {toml_list(feeds)}",
            "",
        ]
    )
    (out / "pilots.toml").write_text(text, encoding="utf-8")


def _write_feeds(
    out: Path, scale: Scale, series: Series, venues: Venues, occ: Occurrences
) -> list[FeedPages]:
    feeds_dir = out / "feeds"
    last_day = dates.day(dates.SUPPLY_START) + 7 * dates.SUPPLY_WEEKS - 1
    window_end = f"{last_day}T22:00:00Z"
    written = [
        write_feed(
            feeds_dir,
            "session-series",
            "SessionSeries",
            [str(x) for x in series.identifier],
            series.modified,
            series.deleted,
            lambda rows: [series_data(series, venues, int(i), window_end) for i in rows],
        ),
        write_feed(
            feeds_dir,
            "scheduled-sessions",
            "ScheduledSession",
            [f"{x:020d}" for x in occ.rpde_id],
            occ.modified,
            occ.deleted,
            SessionRenderer(series, occ),
        ),
    ]
    dump_json(manifest(written), feeds_dir / "manifest.json", indent=2)
    dump_json(
        dataset_site(
            scale.place_name, written, f"{dates.EXTRACTION_DATE.isoformat()}T06:00:00+00:00"
        ),
        feeds_dir / "dataset.jsonld",
        indent=2,
    )
    return written


def generate_demo(
    scale: str | Scale = "pilot", seed: int = DEFAULT_SEED, out: Path | str = Path("data/demo")
) -> DemoSummary:
    """Build the synthetic place for ``scale`` and ``seed`` and write it under ``out``."""
    sc = _resolve(scale)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for sub in GENERATED_DIRS:
        shutil.rmtree(out / sub, ignore_errors=True)
    (out / "truth").mkdir()
    geo = build_geography(sc, seed)
    venues = build_venues(geo, sc.n_series, seed)
    series, buffer_km = build_series(geo, venues, sc.n_series, seed)
    occ = build_occurrences(series, seed)
    ref = build_referrals(geo, series, sc.n_referrals, seed)

    files: dict[str, int] = {}
    faults: list[FaultRow] = []
    _write_reference(out, geo, stream(seed, "faults-reference"), files, faults)
    tally = _write_referrals(out, geo, series, ref, seed, files, faults)
    feeds = _write_feeds(out, sc, series, venues, occ)
    _write_pilots(out, sc, seed, geo, [f.first_url for f in feeds])
    files["pilots.toml"] = 1
    for f in feeds:
        files[f"feeds/{f.name}"] = f.items

    truth = out / "truth"
    files["truth/series.csv"] = write_series(truth / "series.csv", geo, series, venues)
    files["truth/occurrences.csv"] = write_occurrences(truth / "occurrences.csv", series, occ)
    files["truth/deleted.csv"] = write_deleted(truth / "deleted.csv", series, occ)
    files["truth/bad_rows.csv"] = write_bad_rows(truth / "bad_rows.csv", faults)
    files["truth/pcn_access.csv"] = write_pcn_access(truth / "pcn_access.csv", geo, series)
    files["truth/journeys.csv"] = write_journeys(truth / "journeys.csv", geo, series, ref)
    dump_json(
        planted_effects(sc, seed, geo, series, ref, tally, buffer_km),
        truth / "planted_effects.json",
        indent=2,
    )
    files["truth/planted_effects.json"] = 1
    return DemoSummary(
        scale=sc.name,
        seed=seed,
        out=out,
        files=files,
        feed_pages={f.name: len(f.pages) for f in feeds},
    )
