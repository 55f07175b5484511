"""Benchmark: practice coordinates from a national-size postcode directory, streamed.

Generates once (into --work, reused on later runs) a 2.7-million-row CSV in the NSPL layout
(its 41 columns in order, with typical widths: about 1 GB) and a national practice mapping file
and practice totals (6,300 practices in 1,250 PCNs, postcodes drawn from the directory), then
runs ``pilot reference`` on the three as its own process and measures wall seconds and the
process's peak resident memory (wait4's rusage). The figure quoted is the median over --runs.

    .venv/bin/python bench/nspl.py --runs 3
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROWS = 2_700_000
PRACTICES = 6_300
PCNS = 1_250
TOTALS = "gp-reg-pat-prac-all.csv"
PILOT = [sys.executable, "-m", "analysis.cli"]
NSPL_COLUMNS = (
    "pcd",
    "pcd2",
    "pcds",
    "dointr",
    "doterm",
    "usertype",
    "oseast1m",
    "osnrth1m",
    "osgrdind",
    "oa21",
    "cty",
    "ced",
    "laua",
    "ward",
    "nhser",
    "ctry",
    "rgn",
    "pcon",
    "eer",
    "teclec",
    "ttwa",
    "pct",
    "itl",
    "park",
    "lsoa21",
    "msoa21",
    "wz11",
    "sicbl",
    "bua24",
    "ruc21ind",
    "oac11",
    "lat",
    "long",
    "lep1",
    "lep2",
    "pfa",
    "imd",
    "icb",
    "oa11",
    "lsoa11",
    "msoa11",
)


def _postcode_sql() -> str:
    # Outward code: two letters + 1-2 digits; inward: digit + two letters. Mixed radix in i
    # (26, 26, 10, 99, then letters), so every row's postcode is different.
    return """
        chr(CAST(65 + (i // 669240) % 26 AS INTEGER))
        || chr(CAST(65 + (i // 17400240) % 26 AS INTEGER))
        || CAST((i // 6760) % 99 + 1 AS VARCHAR) || ' ' || CAST((i // 676) % 10 AS VARCHAR)
        || chr(CAST(65 + (i // 26) % 26 AS INTEGER)) || chr(CAST(65 + i % 26 AS INTEGER))"""


def generate(work: Path) -> tuple[Path, Path]:
    """The directory CSV and a practice mapping file whose postcodes are in it."""
    nspl, practice_map = work / "NSPL_FEB_2025_UK.csv", work / "gp-reg-pat-prac-map.csv"
    if nspl.exists() and (work / "gp-reg-pat-prac-all.csv").exists():
        return nspl, practice_map
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    pc = _postcode_sql()
    values = {
        "pcd": f"rpad(replace({pc}, ' ', ''), 7, ' ')",
        "pcd2": pc,
        "pcds": pc,
        "dointr": "'1980' || lpad(CAST(1 + i % 12 AS VARCHAR), 2, '0')",
        "doterm": "CASE WHEN i % 9 = 0 THEN '202001' ELSE '' END",
        "usertype": "CAST(i % 2 AS VARCHAR)",
        "oseast1m": "CAST(100000 + i % 500000 AS VARCHAR)",
        "osnrth1m": "CAST(50000 + (i * 7) % 900000 AS VARCHAR)",
        "osgrdind": "'1'",
        "lat": "CAST(round(50.0 + (i % 90000) / 10000.0, 6) AS VARCHAR)",
        "long": "CAST(round(-5.5 + (i % 70000) / 10000.0, 6) AS VARCHAR)",
        "imd": "CAST(1 + i % 32844 AS VARCHAR)",
    }
    code9 = "'E0' || CAST(1000000 + i % 9000000 AS VARCHAR)"
    select = ", ".join(f"{values.get(c, code9)} AS {c}" for c in NSPL_COLUMNS)
    con.execute(f"COPY (SELECT {select} FROM range({ROWS}) AS t(i)) TO '{nspl}' (HEADER)")
    picks = con.execute(f"""SELECT {pc} FROM range({ROWS}) AS t(i)
                           WHERE i % {ROWS // PRACTICES} = 0 LIMIT {PRACTICES}""").fetchall()
    con.close()
    header = [
        "PUBLICATION",
        "EXTRACT_DATE",
        "PRACTICE_CODE",
        "PRACTICE_NAME",
        "PRACTICE_POSTCODE",
        "SUB_ICB_LOCATION_CODE",
        "PCN_CODE",
        "PCN_NAME",
    ]
    with practice_map.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for n, (postcode,) in enumerate(picks):
            writer.writerow(
                [
                    "GP_PRAC_PAT_LIST",
                    "01APR2025",
                    f"A{n:05d}",
                    f"PRACTICE {n}",
                    postcode,
                    "00A",
                    f"U{n % PCNS:05d}",
                    f"PCN {n % PCNS}",
                ]
            )
    with (work / "gp-reg-pat-prac-all.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "PUBLICATION",
                "EXTRACT_DATE",
                "TYPE",
                "CODE",
                "POSTCODE",
                "SEX",
                "AGE",
                "NUMBER_OF_PATIENTS",
            ]
        )
        for n, (postcode,) in enumerate(picks):
            writer.writerow(
                [
                    "GP_PRAC_PAT_LIST",
                    "01APR2025",
                    "GP",
                    f"A{n:05d}",
                    postcode,
                    "ALL",
                    "ALL",
                    4000 + n % 9000,
                ]
            )
    return nspl, practice_map


def measure(command: list[str]) -> tuple[float, float, dict]:
    """Wall seconds, peak RSS in MB and the JSON summary of one process."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{proc.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024, json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "nspl-bench")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    nspl, practice_map = generate(args.work)
    print(
        f"inputs: {nspl} ({nspl.stat().st_size / 1e9:.2f} GB, {ROWS:,} rows) and "
        f"{PRACTICES:,} practices (ready in {time.perf_counter() - started:.0f} s)"
    )
    walls, peaks = [], []
    for run in range(args.runs):
        store = args.work / f"run{run}" / "pilot.duckdb"
        store.unlink(missing_ok=True)
        wall, peak, report = measure(
            [
                *PILOT,
                "reference",
                str(practice_map),
                str(practice_map.with_name(TOTALS)),
                str(nspl),
                "--store",
                str(store),
                "--json",
            ]
        )
        lookup = next(f for f in report["files"] if f["source"] == "postcodes")
        assert lookup["rows"] == ROWS and lookup["postcodes_found"] == PRACTICES, lookup
        assert report["practices"]["accepted"] == PRACTICES, report["practices"]
        walls.append(wall)
        peaks.append(peak)
        print(f"run {run + 1}: {wall:.1f} s, peak RSS {peak:.0f} MB")
    print(
        f"median: {statistics.median(walls):.1f} s wall, "
        f"{statistics.median(peaks):.0f} MB peak RSS (whole process)"
    )


if __name__ == "__main__":
    main()
