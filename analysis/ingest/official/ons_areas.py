"""ONS LSOA 2021 population-weighted centroids, ONS LSOA mid-year population estimates and the
English Indices of Deprivation LSOA file (IoD2019 or IoD2025), read row by row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.ingest.contract import LSOA_CODE
from analysis.ingest.official.detect import Detected
from analysis.ingest.official.osgb import grid_to_wgs84
from analysis.ingest.official.records import (
    Problems,
    SourceResult,
    codes,
    read_body,
    whole_numbers,
)

# Easting/northing in metres are far outside the ranges of degrees.
DEGREE_LIMIT = 180.0


def _lsoa(cells: pd.DataFrame, problems: Problems, label: str) -> pd.Series:
    values = codes(cells["lsoa_code"])
    problems.add(
        ~values.str.fullmatch(LSOA_CODE),
        "lsoa_code",
        f"{label} '{{v}}' is not an LSOA code (E01 or W01 and 6 digits)",
    )
    return values


def _duplicate(values: pd.DataFrame, problems: Problems) -> None:
    good = values.loc[~values.index.isin(problems.rejected_rows())]
    repeated = good.duplicated(subset=["lsoa_code"], keep="first")
    mask = pd.Series(False, index=values.index)
    mask[good.index[repeated]] = True
    problems.add(mask, "lsoa_code", "duplicate LSOA '{v}': already on an earlier row")


def read_centroids(detected: Detected) -> SourceResult:
    """LSOA21CD with lat/long, or x/y as British National Grid metres (converted) or degrees."""
    roles = detected.positions
    if "latitude" in roles and "longitude" in roles:
        wanted = {
            "lsoa_code": roles["lsoa_code"],
            "latitude": roles["latitude"],
            "longitude": roles["longitude"],
        }
    elif "x" in roles and "y" in roles:
        wanted = {"lsoa_code": roles["lsoa_code"], "x": roles["x"], "y": roles["y"]}
    else:
        raise InputError(
            f"{detected.sheet.path}: has LSOA21CD but no coordinate columns; "
            "expected x and y (British National Grid) or lat and long"
        )
    body = read_body(detected, wanted)
    cells = body.cells
    problems = Problems(cells)
    values = pd.DataFrame(index=cells.index)
    values["lsoa_code"] = _lsoa(cells, problems, "LSOA21CD")
    first, second = ("latitude", "longitude") if "latitude" in wanted else ("x", "y")
    a = pd.to_numeric(cells[first].str.replace(",", ""), errors="coerce")
    b = pd.to_numeric(cells[second].str.replace(",", ""), errors="coerce")
    problems.add(a.isna(), first, f"{first} '{{v}}' is not a number")
    problems.add(b.isna(), second, f"{second} '{{v}}' is not a number")
    grid = first == "x" and bool((a.abs() > DEGREE_LIMIT).any())
    if first == "latitude":
        values["latitude"], values["longitude"] = a, b
    elif grid:
        lat, lon = grid_to_wgs84(a.fillna(0).to_numpy(), b.fillna(0).to_numpy())
        values["latitude"], values["longitude"] = np.where(a.notna(), lat, np.nan), lon
    else:  # x/y exported in degrees: x is longitude
        values["latitude"], values["longitude"] = b, a
    _duplicate(values, problems)
    result = problems.result(
        body, values, detected.source, detected.layout.title, detected.sheet.path
    )
    result.notes["coordinates"] = "british_national_grid" if grid else "wgs84"
    return result


def read_population(detected: Detected) -> SourceResult:
    body = read_body(detected)
    cells = body.cells
    problems = Problems(cells)
    values = pd.DataFrame(index=cells.index)
    values["lsoa_code"] = _lsoa(cells, problems, "LSOA 2021 Code")
    values["lsoa_name"] = cells.get("lsoa_name", pd.Series("", index=cells.index))
    values["population"], bad = whole_numbers(cells["population"])
    problems.add(bad, "population", "Total '{v}' is not a whole number ≥ 0")
    _duplicate(values, problems)
    result = problems.result(
        body, values, detected.source, detected.layout.title, detected.sheet.path
    )
    if detected.sheet.name:
        result.notes["sheet"] = detected.sheet.name
    return result


def read_imd(detected: Detected) -> SourceResult:
    """IMD decile per LSOA; IoD2019 is on LSOA 2011 codes, IoD2025 on LSOA 2021 codes."""
    body = read_body(detected)
    cells = body.cells
    problems = Problems(cells)
    header = detected.header[detected.positions["lsoa_code"]].lower()
    release = "IoD2019" if "2011" in header else "IoD2025"
    values = pd.DataFrame(index=cells.index)
    values["lsoa_code"] = _lsoa(cells, problems, "LSOA code")
    values["lsoa_name"] = cells.get("lsoa_name", pd.Series("", index=cells.index))
    values["imd_decile"], bad = whole_numbers(cells["imd_decile"])
    out = bad | (values["imd_decile"] < 1) | (values["imd_decile"] > 10)
    problems.add(out.fillna(True), "imd_decile", "IMD decile '{v}' is not a whole number 1 to 10")
    _duplicate(values, problems)
    result = problems.result(
        body, values, detected.source, detected.layout.title, detected.sheet.path
    )
    result.notes["release"] = release
    result.notes["lsoa_codes"] = "2011" if release == "IoD2019" else "2021"
    return result
