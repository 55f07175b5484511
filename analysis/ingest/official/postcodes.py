"""Practice coordinates from the ONS Postcode Directory (ONSPD) or the National Statistics
Postcode Lookup (NSPL): about 2.7 million rows, streamed by DuckDB and hash-joined against the
few thousand postcodes needed, so memory stays bounded whatever the file's size.

Accepted headers: the postcode as ``pcds`` (also ``pcd``, ``pcd2``, ``pcd7``, ``pcd8``: spaces
are ignored when matching), coordinates as ``lat``/``long`` or, when those are absent, the
British National Grid ``oseast1m``/``osnrth1m`` converted to WGS84. Postcodes without a grid
reference carry latitude 99.999999 in these files; they are rejected, not used.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.ingest.official.detect import Detected
from analysis.ingest.official.osgb import grid_to_wgs84
from analysis.ingest.official.records import REJECT_COLUMNS, SourceResult

NO_GRID_LATITUDE = 99.0
MEMORY_LIMIT = "400MB"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lookup_postcodes(detected: Detected, wanted: set[str]) -> SourceResult:
    """Stream the directory once; keep the rows whose postcode is wanted."""
    if detected.sheet.name is not None:
        raise InputError(f"{detected.sheet.path}: give the postcode directory as its CSV")
    roles = detected.positions
    if "latitude" in roles and "longitude" in roles:
        first, second = roles["latitude"], roles["longitude"]
        grid = False
    elif "x" in roles and "y" in roles:
        first, second = roles["x"], roles["y"]
        grid = True
    else:
        raise InputError(
            f"{detected.sheet.path}: has a postcode column but no lat/long or "
            "oseast1m/osnrth1m columns"
        )
    header = detected.header
    postcode = _quoted(header[roles["postcode"]])
    a, b = _quoted(header[first]), _quoted(header[second])
    path = str(detected.sheet.path).replace("'", "''")
    con = duckdb.connect()
    try:
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET enable_progress_bar = false")
        con.register("wanted", pd.DataFrame({"postcode": sorted(wanted)}, dtype="string"))
        rows_read, found = con.execute(f"""
            WITH src AS (
                SELECT upper(replace({postcode}, ' ', '')) AS k, {a} AS a, {b} AS b
                FROM read_csv('{path}', header = true, all_varchar = true,
                              skip = {detected.header_row})
            )
            SELECT count(*),
                   list(struct_pack(postcode := s.k, a := s.a, b := s.b))
                       FILTER (WHERE w.postcode IS NOT NULL)
            FROM src AS s LEFT JOIN wanted AS w ON w.postcode = s.k
        """).fetchone()
    except duckdb.Error as exc:
        first_line = str(exc).splitlines()[0]
        raise InputError(f"{detected.sheet.path}: cannot be read as CSV ({first_line})") from None
    finally:
        con.close()
    frame = pd.DataFrame(found or [], columns=["postcode", "a", "b"])
    frame = frame.drop_duplicates("postcode")
    a_num = pd.to_numeric(frame["a"], errors="coerce")
    b_num = pd.to_numeric(frame["b"], errors="coerce")
    if grid:
        usable = a_num.notna() & b_num.notna() & (a_num > 0)
        lat, lon = grid_to_wgs84(a_num.fillna(0).to_numpy(), b_num.fillna(0).to_numpy())
        frame["latitude"], frame["longitude"] = np.where(usable, lat, np.nan), lon
    else:
        usable = a_num.notna() & b_num.notna() & (a_num < NO_GRID_LATITUDE)
        frame["latitude"], frame["longitude"] = a_num, b_num
    bad = frame.loc[~usable]
    rejects = pd.DataFrame(
        {
            "field": "postcode",
            "reason": [
                f"postcode {p} has no grid reference in the postcode directory"
                for p in bad["postcode"]
            ],
            "original_row": [
                f'{{"postcode": "{p}", "a": "{x}", "b": "{y}"}}'
                for p, x, y in zip(bad["postcode"], bad["a"], bad["b"], strict=True)
            ],
        },
        columns=REJECT_COLUMNS,
    )
    accepted = frame.loc[usable, ["postcode", "latitude", "longitude"]].reset_index(drop=True)
    result = SourceResult(
        detected.source,
        detected.layout.title,
        detected.sheet.path,
        int(rows_read),
        accepted,
        rejects,
    )
    result.accepted_not_kept = int(rows_read) - len(accepted) - len(rejects)
    result.notes.update(
        {
            "postcodes_wanted": len(wanted),
            "postcodes_found": len(accepted),
            "coordinates": "british_national_grid" if grid else "wgs84",
        }
    )
    return result
