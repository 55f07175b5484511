"""``pilot reference``: recognise the official files, read them, build practices, areas and the
catchment shares, write them as contract CSVs and load them through the ordinary loaders.

Every file is recognised before anything is read in full, and everything is read and checked
before the store is touched: a refused file changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from analysis.errors import InputError
from analysis.ingest.loaders import LoadSummary, load_file
from analysis.ingest.official import assemble, catchments
from analysis.ingest.official.detect import BY_SOURCE, Detected, detect_as
from analysis.ingest.official.gp_registrations import (
    read_practice_lsoa,
    read_practice_map,
    read_practice_totals,
)
from analysis.ingest.official.ods import read_epraccur
from analysis.ingest.official.ons_areas import read_centroids, read_imd, read_population
from analysis.ingest.official.postcodes import lookup_postcodes
from analysis.ingest.official.records import SourceResult
from analysis.ingest.official.shares_table import replace_shares
from analysis.spreadsheet import neutralise_cell

SOURCES = tuple(BY_SOURCE)
AREA_SOURCES = ("centroids", "population", "imd")
NEEDS_MAP = ("practice-totals", "epraccur", "postcodes")


@dataclass
class ReferenceReport:
    """What ``pilot reference --json`` prints."""

    files: list[dict[str, object]] = field(default_factory=list)
    practices: dict[str, object] | None = None
    areas: dict[str, object] | None = None
    catchment_shares: int | None = None
    out_dir: str = ""

    def to_json(self) -> str:
        return json.dumps(self.__dict__, default=str)


def recognise(files: list[tuple[str | None, Path]]) -> dict[str, Detected]:
    """Recognise every file and check the set makes sense; refuse before reading anything."""
    found: dict[str, Detected] = {}
    for source, path in files:
        detected = detect_as(path, source)
        if detected.source in found:
            raise InputError(
                f"two files are the {detected.layout.title}: "
                f"{found[detected.source].sheet.path} and {path}"
            )
        found[detected.source] = detected
    given = [s for s in AREA_SOURCES if s in found]
    if given and len(given) < len(AREA_SOURCES):
        missing = [BY_SOURCE[s].title for s in AREA_SOURCES if s not in found]
        raise InputError(
            "areas need the centroids, population and IoD files together; "
            f"missing: {'; '.join(missing)}"
        )
    if "practice-map" not in found:
        lonely = [s for s in NEEDS_MAP if s in found]
        if lonely:
            raise InputError(
                f"{found[lonely[0]].sheet.path}: the {lonely[0]} file adds to "
                f"practices, so the {BY_SOURCE['practice-map'].title} is needed too"
            )
    return found


def run_reference(
    con: duckdb.DuckDBPyConnection,
    files: list[tuple[str | None, Path]],
    *,
    out_dir: Path,
    rejects_dir: Path,
    today: date | None = None,
) -> ReferenceReport:
    today = today or date.today()
    found = recognise(files)
    stored = con.execute("SELECT * FROM src_practices").df()
    if "practice-lsoa" in found and "practice-map" not in found and stored.empty:
        raise InputError(
            "catchments need practices: give the practice mapping file too, "
            "or load practices first"
        )
    results = _read_all(found, today)
    mapping = results.get("practice-map")
    read_pc = _postcodes(found, results)
    practices = None
    if mapping is not None:
        practices = assemble.practices(
            mapping.accepted,
            _ok(results, "practice-totals"),
            _ok(results, "practice-lsoa"),
            _ok(results, "epraccur"),
            read_pc,
            _ok(results, "centroids"),
            stored,
        )
    shares = None
    if "practice-lsoa" in results:
        shares = catchments.shares(results["practice-lsoa"].accepted)
    areas = None
    if "centroids" in results:
        voters = practices.frame if practices is not None else stored.assign(current=True)
        assigned = None
        if shares is not None:
            assigned = catchments.assign_pcns(results["centroids"].accepted, voters, shares)
        areas = assemble.areas(
            results["centroids"].accepted,
            results["population"].accepted,
            results["imd"].accepted,
            str(results["imd"].notes["release"]),
            assigned,
        )
    if practices is None and areas is None and shares is None:
        raise InputError(
            "nothing to build: give the practice mapping file and/or the "
            "centroids, population and IoD files"
        )
    return _write_and_load(
        con,
        results,
        practices,
        areas,
        shares,
        out_dir=out_dir,
        rejects_dir=rejects_dir,
        today=today,
    )


def _ok(results: dict[str, SourceResult], source: str) -> pd.DataFrame | None:
    return results[source].accepted if source in results else None


def _read_all(found: dict[str, Detected], today: date) -> dict[str, SourceResult]:
    readers = {
        "practice-map": read_practice_map,
        "practice-totals": read_practice_totals,
        "practice-lsoa": read_practice_lsoa,
        "centroids": read_centroids,
        "population": read_population,
        "imd": read_imd,
    }
    results = {s: readers[s](d) for s, d in found.items() if s in readers}
    if "epraccur" in found:
        results["epraccur"] = read_epraccur(found["epraccur"], today)
    return results


def _postcodes(
    found: dict[str, Detected], results: dict[str, SourceResult]
) -> pd.DataFrame | None:
    if "postcodes" not in found or "practice-map" not in results:
        return None
    wanted = set(results["practice-map"].accepted["postcode"])
    if "epraccur" in results:
        wanted |= set(results["epraccur"].accepted["postcode"])
    results["postcodes"] = lookup_postcodes(found["postcodes"], {p for p in wanted if p})
    return results["postcodes"].accepted


def _write_and_load(
    con: duckdb.DuckDBPyConnection,
    results: dict[str, SourceResult],
    practices: assemble.Assembled | None,
    areas: assemble.Assembled | None,
    shares: pd.DataFrame | None,
    *,
    out_dir: Path,
    rejects_dir: Path,
    today: date,
) -> ReferenceReport:
    out_dir.mkdir(parents=True, exist_ok=True)
    report = ReferenceReport(out_dir=str(out_dir))
    for result in results.values():
        _record_source(con, result, rejects_dir)
        report.files.append(result.summary())
    if practices is not None:
        path = out_dir / "practices.csv"
        practices.frame.drop(columns="current").to_csv(path, index=False)
        summary = load_file(con, "practices", path, rejects_dir=rejects_dir, today=today)
        report.practices = _summary(summary, practices.notes)
    if areas is not None:
        path = out_dir / "areas.csv"
        areas.frame.to_csv(path, index=False)
        incomplete = SourceResult(
            "areas-assembly",
            "areas assembled from the ONS and IoD files",
            path,
            len(areas.frame) + len(areas.rejects),
            areas.frame,
            areas.rejects,
        )
        _record_source(con, incomplete, rejects_dir)
        summary = load_file(con, "areas", path, rejects_dir=rejects_dir, today=today)
        report.areas = _summary(
            summary,
            {**areas.notes, "incomplete_rejects_file": _rejects_name(incomplete, rejects_dir)},
        )
    if shares is not None:
        shares.to_csv(out_dir / "catchment_shares.csv", index=False)
        replace_shares(con, shares)
        report.catchment_shares = len(shares)
    return report


def _summary(summary: LoadSummary, notes: dict[str, object]) -> dict[str, object]:
    return {**json.loads(summary.to_json()), **notes}


def _rejects_name(result: SourceResult, rejects_dir: Path) -> str | None:
    return (
        str(rejects_dir / f"reference-{result.source}.rejects.csv")
        if len(result.rejects)
        else None
    )


def _record_source(
    con: duckdb.DuckDBPyConnection, result: SourceResult, rejects_dir: Path
) -> None:
    """Rejects CSV, load_rejects rows and a load_log line for one official file."""
    kind = f"reference:{result.source}"
    target = rejects_dir / f"reference-{result.source}.rejects.csv"
    rejects = result.rejects
    if len(rejects):
        rejects_dir.mkdir(parents=True, exist_ok=True)
        frame = rejects.reset_index().map(
            lambda v: neutralise_cell(v) if isinstance(v, str) else v
        )
        frame.to_csv(target, index=False)
        result.notes["rejects_file"] = str(target)
    else:
        target.unlink(missing_ok=True)
    rows = pd.DataFrame(
        {
            "kind": kind,
            "source_file": str(result.file),
            "row_number": [int(i) for i in rejects.index] if len(rejects) else [],
            "field": rejects["field"].astype(str).tolist(),
            "reason": rejects["reason"].astype(str).tolist(),
            "original_row": rejects["original_row"].astype(str).tolist(),
        }
    )
    summary = result.summary()
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "DELETE FROM load_rejects WHERE kind = ? AND source_file = ?", [kind, str(result.file)]
        )
        if len(rows):
            con.register("incoming_reference_rejects", rows)
            con.execute("INSERT INTO load_rejects SELECT * FROM incoming_reference_rejects")
            con.unregister("incoming_reference_rejects")
        con.execute(
            "INSERT OR REPLACE INTO load_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                kind,
                str(result.file),
                _sha256(result.file),
                summary["rows"],
                summary["accepted"],
                summary["rejected"],
                None,
                datetime.now(),
            ],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()
