"""Recognise each official file by its header row (or, for the headerless ODS extract, its
shape) and refuse anything else with one line naming what was expected.

A layout lists the columns that identify it, each as alternative header spellings (matched
after lower-casing and collapsing spaces, so case and a BOM do not matter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import InputError
from analysis.ingest.official.tables import Sheet, normalise, preview, sheets

EPRACCUR_MIN_FIELDS = 15


@dataclass(frozen=True)
class Layout:
    """One published file layout."""

    source: str  # the key used on the command line, e.g. practice-map
    title: str  # publisher and file, for messages
    columns: dict[str, tuple[str, ...]]  # role → accepted header spellings (regex, full match)
    optional: dict[str, tuple[str, ...]] = field(default_factory=dict)
    forbidden: tuple[str, ...] = ()  # a header here means it is another layout
    file_names: tuple[str, ...] = ()  # regexes for the published file name

    def expected(self) -> str:
        names = ", ".join(
            alts[0].replace("\\", "").removesuffix(".*") for alts in self.columns.values()
        )
        return f"{self.title} (columns {names})"


def _alts(*names: str) -> tuple[str, ...]:
    return names


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "practice-map",
        "NHS Digital 'Patients Registered at a GP Practice' practice mapping file "
        "gp-reg-pat-prac-map.csv",
        {
            "practice_code": _alts("practice_code"),
            "practice_name": _alts("practice_name"),
            "postcode": _alts("practice_postcode"),
            "pcn_code": _alts("pcn_code"),
            "pcn_name": _alts("pcn_name"),
        },
        {"sub_icb_code": _alts("sub_icb_location_code", "ccg_code")},
        forbidden=("number_of_patients", "lsoa_code"),
        file_names=(r"gp-reg-pat-prac-map.*",),
    ),
    Layout(
        "practice-lsoa",
        "NHS Digital 'Patients Registered at a GP Practice' practice-by-LSOA file "
        "gp-reg-pat-prac-lsoa-all.csv",
        {
            "practice_code": _alts("practice_code"),
            "lsoa_code": _alts("lsoa_code"),
            "patients": _alts("number_of_patients"),
        },
        {"sex": _alts("sex")},
        file_names=(r"gp-reg-pat-prac-lsoa.*",),
    ),
    Layout(
        "practice-totals",
        "NHS Digital 'Patients Registered at a GP Practice' practice totals file "
        "gp-reg-pat-prac-all.csv",
        {
            "code": _alts("code"),
            "patients": _alts("number_of_patients"),
            "sex": _alts("sex"),
            "age": _alts("age"),
        },
        {"type": _alts("type", "org_type"), "postcode": _alts("postcode")},
        forbidden=("lsoa_code", "practice_code"),
        file_names=(r"gp-reg-pat-prac-all.*",),
    ),
    Layout(
        "centroids",
        "ONS 'LSOA (Dec 2021) Population Weighted Centroids' CSV",
        {"lsoa_code": _alts("lsoa21cd")},
        {
            "x": _alts("x", "bng_e", "easting"),
            "y": _alts("y", "bng_n", "northing"),
            "latitude": _alts("lat", "latitude"),
            "longitude": _alts("long", "lon", "longitude"),
        },
        forbidden=("total",),
    ),
    Layout(
        "population",
        "ONS 'Lower layer Super Output Area population estimates' (sapelsoa…), the "
        "'Mid-YYYY LSOA 2021' sheet or that sheet saved as CSV",
        {"lsoa_code": _alts("lsoa 2021 code"), "population": _alts("total")},
        {"lsoa_name": _alts("lsoa 2021 name")},
        file_names=(r"sapelsoa.*",),
    ),
    Layout(
        "imd",
        "English Indices of Deprivation LSOA file (IoD2025 or IoD2019: File 1 or File 7)",
        {
            "lsoa_code": _alts(r"lsoa code \(2021\)", r"lsoa code \(2011\)"),
            "imd_decile": _alts(r"index of multiple deprivation \(imd\) decile.*"),
        },
        {"lsoa_name": _alts(r"lsoa name \(2021\)", r"lsoa name \(2011\)")},
    ),
    Layout(
        "postcodes",
        "ONS Postcode Directory (ONSPD) or National Statistics Postcode Lookup (NSPL) CSV",
        {"postcode": _alts("pcds", "pcd", "pcd2", "pcd7", "pcd8")},
        {
            "latitude": _alts("lat"),
            "longitude": _alts("long"),
            "x": _alts("oseast1m", "east1m"),
            "y": _alts("osnrth1m", "north1m"),
        },
        file_names=(r"(nspl|onspd).*",),
    ),
)
EPRACCUR = Layout(
    "epraccur",
    "NHS ODS epraccur.csv (GP practices; no header row, 27 fields in the published order)",
    {},
    file_names=(r"epraccur.*",),
)
BY_SOURCE: dict[str, Layout] = {lay.source: lay for lay in (*LAYOUTS, EPRACCUR)}


@dataclass(frozen=True)
class Detected:
    """Where a recognised table starts and which column holds each role."""

    layout: Layout
    sheet: Sheet
    header_row: int  # 0-based index of the header row; -1 when the layout has no header
    positions: dict[str, int]  # role → column index
    header: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        return self.layout.source


def _match(header: list[str], layout: Layout) -> dict[str, int] | None:
    names = [normalise(h) for h in header]
    if any(n in layout.forbidden for n in names):
        return None
    found: dict[str, int] = {}
    for role, alts in layout.columns.items():
        index = _find(names, alts)
        if index is None:
            return None
        found[role] = index
    for role, alts in layout.optional.items():
        index = _find(names, alts)
        if index is not None:
            found[role] = index
    return found


def _find(names: list[str], alts: tuple[str, ...]) -> int | None:
    for alt in alts:
        for i, name in enumerate(names):
            if re.fullmatch(alt, name):
                return i
    return None


def _is_epraccur(first: list[str]) -> bool:
    return (
        len(first) >= EPRACCUR_MIN_FIELDS
        and re.fullmatch(r"[A-Z0-9]{3,8}", first[0] or "") is not None
        and re.fullmatch(r"\d{8}", first[10] or "") is not None
        and (first[12] or "") in {"A", "C", "D", "P"}
    )


def detect(path: Path) -> Detected:
    """Recognise a file; refuse with one line listing what each layout needs.

    In a workbook with several matching sheets (ONS puts one year per sheet), the sheet whose
    name carries the latest year is taken.
    """
    matches: list[Detected] = []
    for sheet in sheets(path):
        found = _detect_sheet(sheet)
        if found is not None:
            matches.append(found)
    if matches:
        return max(matches, key=lambda d: (d.source == matches[0].source, _year(d.sheet.name)))
    first_row = next((r for s in sheets(path)[:1] for r in preview(s) if any(r)), [])
    shown = ", ".join(first_row[:8]) + (", …" if len(first_row) > 8 else "")
    raise InputError(
        f"{path}: not a recognised reference file (first row: {shown or 'empty'}); expected "
        + "; or ".join(lay.expected() for lay in LAYOUTS)
        + f"; or {EPRACCUR.title}"
    )


def _detect_sheet(sheet: Sheet) -> Detected | None:
    head = preview(sheet)
    first = next((r for r in head if any(r)), [])
    if first and _is_epraccur(first):
        return Detected(EPRACCUR, sheet, -1, {})
    for index, row in enumerate(head):
        for layout in LAYOUTS:
            positions = _match(row, layout)
            if positions is not None:
                return Detected(layout, sheet, index, positions, tuple(row))
    return None


def _year(name: str | None) -> int:
    years = [int(y) for y in re.findall(r"(?:19|20)\d\d", name or "")]
    return max(years, default=0)


def named_like(path: Path) -> Layout | None:
    """The layout whose published file name this file carries, if any."""
    name = path.name.lower()
    for layout in (*LAYOUTS, EPRACCUR):
        if any(re.fullmatch(p, name) for p in layout.file_names):
            return layout
    return None


def detect_as(path: Path, source: str | None) -> Detected:
    """Recognise a file, refusing it when it is not the kind it was given as (or named as)."""
    detected = detect(path)
    wanted = BY_SOURCE[source] if source else named_like(path)
    if wanted is not None and wanted.source != detected.source:
        how = f"was given as {wanted.source}" if source else f"is named like {wanted.source}"
        raise InputError(
            f"{path}: {how}, which should be the {wanted.expected()}, but it is the "
            f"{detected.layout.title}"
        )
    return detected
