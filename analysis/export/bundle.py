"""One export bundle: every table and figure of the catalogue (or those of a user's pages), a
methods note and a data dictionary, in a folder and a zip beside it (``DIR`` → ``DIR.zip``).

Layout of ``out_dir``::

    tables/<table>.csv | .xlsx        pcn_summary, pcn_month, the pages' tables (docs/exports.md)
    figures/<figure>.png | .svg | .pdf
    figure-data/<figure>.csv | .xlsx  the (protected) numbers each figure is drawn from
    methods.md                        period, definitions, methods, disclosure control, versions
    data-dictionary.csv               table, column, definition (analysis.export.catalogue_columns)

Disclosure control is on unless ``disclosure_control=False`` is passed explicitly; the methods
note says which. Figures need a Chromium (:mod:`analysis.export.figures`); its absence is
reported before anything is written.
"""

from __future__ import annotations

import json
import platform
import re
import shutil
import time
import zipfile
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import Future
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import duckdb
import pandas as pd

from analysis.disclosure import DisclosureReport, apply_to_export, methods_note, protect_km
from analysis.errors import InputError
from analysis.export.catalogue import FIGURES, TABLES, Item, on_pages, protected_for_figure
from analysis.export.catalogue_columns import FALLBACK, define
from analysis.export.figures import FIGURE_FORMATS, FigureWriter, find_browser
from analysis.export.tables import write_csv, write_xlsx
from analysis.filters import Filters
from analysis.metrics.overview import kpis, pilot_names

__all__ = ["ALL_FORMATS", "TABLE_FORMATS", "ExportReport", "export_bundle", "parse_formats"]

TABLE_FORMATS = ("csv", "xlsx")
ALL_FORMATS = (*FIGURE_FORMATS, *TABLE_FORMATS)
METRICS_DOC = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"
PACKAGES = ("pilot-evaluation", "pandas", "numpy", "duckdb", "scipy", "statsmodels", "plotly",
            "kaleido", "streamlit", "openpyxl")  # fmt: skip


@dataclass
class ExportReport:
    """What :func:`export_bundle` wrote."""

    out_dir: Path
    zip_path: Path
    files: list[Path] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    pages: tuple[str, ...] | None = None  # the pages whose items it holds (None: every page)
    disclosure_control: bool = True
    disclosure: list[DisclosureReport] = field(default_factory=list)
    seconds: float = 0.0
    figure_seconds: float = 0.0  # browser start to last image (computing tables meanwhile)

    def to_dict(self) -> dict[str, object]:
        return {
            "out_dir": str(self.out_dir), "zip": str(self.zip_path),
            "files": [str(p.relative_to(self.out_dir)) for p in self.files],
            "tables": self.tables, "figures": self.figures,
            "pages": None if self.pages is None else list(self.pages),
            "disclosure_control": self.disclosure_control,
            "seconds": round(self.seconds, 2), "figure_seconds": round(self.figure_seconds, 2),
        }  # fmt: skip


def parse_formats(text: str | Iterable[str]) -> tuple[str, ...]:
    """``"png,csv"`` → ``("png", "csv")``; an unknown format is an :class:`InputError`."""
    items = text.split(",") if isinstance(text, str) else list(text)
    formats = tuple(dict.fromkeys(f.strip().lower().lstrip(".") for f in items if f.strip()))
    unknown = [f for f in formats if f not in ALL_FORMATS]
    if unknown or not formats:
        raise InputError(f"unknown export format(s) {', '.join(unknown) or '(none)'}; "
                         f"choose from {','.join(ALL_FORMATS)}")  # fmt: skip
    return formats


def _check_pilot(con: duckdb.DuckDBPyConnection, pilot: str | None) -> None:
    if pilot is None:
        return
    names = pilot_names(con)
    if pilot not in names:
        known = ", ".join(f"'{n}'" for n in names) or "none loaded"
        raise InputError(f"no pilot named '{pilot}' in the store (pilots: {known})")


def export_bundle(
    con: duckdb.DuckDBPyConnection,
    out_dir: str | Path,
    formats: Iterable[str] = ALL_FORMATS,
    pilot: str | None = None,
    disclosure_control: bool = True,
    filters: Filters | None = None,
    before_writing: Callable[[], object] | None = None,
    pages: Collection[str] | None = None,
) -> ExportReport:
    """Write the bundle to ``out_dir`` (created; files of the same name are replaced) and zip
    it to ``out_dir.zip``. ``filters`` (default: the whole period, ``pilot``) picks the view;
    ``pages`` (page scripts, e.g. a user's :attr:`analysis.roles.Access.pages`) keeps only the
    items shown on those pages (``None``: every item, as ``pilot export`` writes).
    ``before_writing`` runs once the inputs are checked and before any file is written (the
    audit log's line); if it raises, nothing is written."""
    started = time.perf_counter()
    fmts = parse_formats(formats)
    figure_fmts = [f for f in fmts if f in FIGURE_FORMATS]
    table_fmts = [f for f in fmts if f in TABLE_FORMATS] or ["csv"]  # figure data always
    browser = find_browser() if figure_fmts else None  # fail before writing anything
    _check_pilot(con, pilot)
    flt = filters or Filters(pilot=pilot)
    if before_writing is not None:
        before_writing()
    out = Path(out_dir)
    report = ExportReport(out, out.with_name(f"{out.name}.zip"),
                          disclosure_control=disclosure_control,
                          pages=None if pages is None else tuple(pages))  # fmt: skip
    dictionary: list[dict[str, str]] = []
    for folder in ("tables", "figures", "figure-data"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    writer = FigureWriter(browser) if figure_fmts and browser is not None else None
    with writer or nullcontext():  # the browser starts while the tables are computed
        figure_start = time.perf_counter()
        for item in on_pages(TABLES, pages):
            frame = item.frame(con, flt)
            shown, disclosure = _shown(item, frame, disclosure_control)
            report.disclosure.append(disclosure)
            report.files += _write_table(shown, out / "tables" / item.name, table_fmts)
            report.tables.append(item.name)
            dictionary += _dictionary(item.name, shown)
        drawing: list[Future[list[Path]]] = []
        for item in on_pages(FIGURES, pages):
            frame = item.frame(con, flt)
            shown, disclosure = _shown(item, frame, disclosure_control)
            report.disclosure.append(disclosure)
            report.files += _write_table(shown, out / "figure-data" / item.name, table_fmts)
            dictionary += _dictionary(f"figure-data/{item.name}", shown)
            if writer is not None and item.draw is not None:  # drawn while the next is computed
                fig = item.draw(protected_for_figure(item, frame) if disclosure_control else frame)
                paths = [out / "figures" / f"{item.name}.{fmt}" for fmt in figure_fmts]
                drawing.append(writer.submit([(fig, path) for path in paths]))
                report.figures.append(item.name)
        for batch in drawing:
            report.files += batch.result()
        report.figure_seconds = time.perf_counter() - figure_start if writer else 0.0
    report.files.append(_write_methods(out / "methods.md", con, flt, report))
    dict_path = write_csv(pd.DataFrame(dictionary, columns=["table", "column", "definition"]),
                          out / "data-dictionary.csv")  # fmt: skip
    report.files.append(dict_path)
    _zip(out, report.files, report.zip_path)
    report.seconds = time.perf_counter() - started
    return report


NOTHING_TO_PROTECT = "none needed: model estimates, counts not of people, or numbers read off the protected retention curve"  # fmt: skip


def _shown(item: Item, frame: pd.DataFrame, on: bool) -> tuple[pd.DataFrame, DisclosureReport]:
    """An item's frame as the bundle writes it, with what disclosure control did to it."""
    if on and item.protect == "km":
        return protect_km(frame, table=item.name)
    if on and not item.spec.counts:  # no counts of people to protect
        return frame, DisclosureReport(table=item.name, method=NOTHING_TO_PROTECT)
    return apply_to_export(item.name, frame, item.spec, disclosure_control=on)


def _write_table(frame: pd.DataFrame, stem: Path, formats: Iterable[str]) -> list[Path]:
    written = []
    for fmt in formats:
        path = stem.with_suffix(f".{fmt}")
        if fmt == "csv":
            written.append(write_csv(frame, path))
        else:
            written.append(write_xlsx({stem.name[:31]: frame}, path))
    return written


def _dictionary(table: str, frame: pd.DataFrame) -> list[dict[str, str]]:
    return [{"table": table, "column": str(c), "definition": define(table, str(c)) or FALLBACK}
            for c in frame]  # fmt: skip


def _definitions() -> str:
    """The Definitions table of docs/metrics.md (the single source of metric definitions)."""
    if METRICS_DOC.exists():
        text = METRICS_DOC.read_text(encoding="utf-8")
        found = re.search(r"## Definitions\n(.*?)(?=\n## )", text, flags=re.DOTALL)
        if found:
            return found.group(1).strip()
    return "See docs/metrics.md in the project for every metric's definition."


def _versions() -> str:
    lines = [f"- Python {platform.python_version()}"]
    for name in PACKAGES:
        try:
            lines.append(f"- {name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return "\n".join(lines)


def _write_methods(path: Path, con: duckdb.DuckDBPyConnection, flt: Filters,
                   report: ExportReport) -> Path:  # fmt: skip
    headline = kpis(con, flt)
    if headline.empty:
        period = "no referrals in view"
    else:
        start, end = headline["period_start"].iloc[0], headline["period_end"].iloc[0]
        period = f"referrals dated {start:%d %B %Y} to {end:%d %B %Y}"
    if report.disclosure_control:
        disclosure = methods_note(report.disclosure)
        state = "Disclosure control: **ON**."
    else:
        disclosure = "\n".join(f"- {r.summary()}" for r in report.disclosure)
        state = ("Disclosure control: **OFF** (`--no-disclosure-control`). These files hold raw "
                 "counts, including counts of 1 to 7 people: they must not be shared outside the "
                 "team that holds the referral log.")  # fmt: skip
    text = f"""# Methods note

Exported {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.

{state}

## Data
- Pilot: {flt.pilot or "none (all PCNs as one group)"}
- Period: {period}
- Filters: {json.dumps(flt.to_query_params()) if flt.narrowed_by() else "none beyond pilot and period"}
- Pages: {"every page" if report.pages is None else "the tables and figures of " + ", ".join(report.pages)}

## Definitions
{_definitions()}

## Statistical methods
- Proportions (uptake, retention, shares) carry Wilson score 95% confidence intervals.
- Rates per 1,000 carry exact Poisson 95% CIs below 10 events and Byar's approximation from 10.
- Retention curves are Kaplan–Meier estimates with log(−log) Greenwood 95% CIs; cohort cells
  are shares of starters followed up, blank below 10 followed up.
- The slope index of inequality follows the PHE method (population-weighted regression on the
  relative rank of each IMD decile), with simulated 95% CIs (analytic where a decile has 0).
- 12-week retention in pcn_summary is retained at week 12 ÷ starters (all starters).

## Disclosure control
{disclosure}

## Software
{_versions()}
"""
    path.write_text(text, encoding="utf-8")
    return path


def _zip(out: Path, files: Iterable[Path], target: Path) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(set(files)):
            archive.write(path, arcname=f"{out.name}/{path.relative_to(out).as_posix()}")
    shutil.move(tmp, target)
