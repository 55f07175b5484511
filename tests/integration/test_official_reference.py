"""``pilot reference`` end to end: the official files in their published layouts, loaded with
the accepted/rejected discipline, then referrals on top and ``pilot build``."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.unit.official import samples

REPO = Path(__file__).resolve().parents[2]


def _pilot(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analysis.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )


def _referrals(folder: Path) -> Path:
    path = folder / "referrals.csv"
    header = [
        "referral_id",
        "patient_id",
        "referral_date",
        "practice_code",
        "referral_source",
        "age_band",
        "sex",
        "ethnicity",
        "lsoa_code",
        "first_attended_date",
        "status",
    ]
    rows = [
        [
            f"R{i:04d}",
            f"P{i:04d}",
            f"2025-0{1 + i % 5}-1{i % 9}",
            ("A00001", "A00002")[i % 2],
            "gp",
            "45-54",
            "female",
            "white",
            ("E01000001", "E01000002", "E01000003")[i % 3],
            f"2025-0{1 + i % 5}-2{i % 9}" if i % 3 else "",
            "attending" if i % 3 else "referred",
        ]
        for i in range(1, 31)
    ]
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("official")
    files = samples.all_files(folder)
    store = folder / "store" / "pilot.duckdb"
    out = folder / "contract"
    done = _pilot(
        "reference", *map(str, files), "--store", str(store), "--out", str(out), "--json"
    )
    assert done.returncode == 0, done.stderr
    return store, json.loads(done.stdout)


def test_every_file_is_accounted_for(loaded: tuple[Path, dict]) -> None:
    _store, report = loaded
    sources = {f["source"] for f in report["files"]}
    assert sources == {
        "practice-map",
        "practice-totals",
        "practice-lsoa",
        "epraccur",
        "postcodes",
        "centroids",
        "population",
        "imd",
    }
    for summary in [*report["files"], report["practices"], report["areas"]]:
        assert summary["accepted"] + summary["rejected"] == summary["rows"], summary
    assert report["practices"]["accepted"] == 3
    assert report["areas"]["accepted"] == 4
    assert report["catchment_shares"] == 5


def test_contract_csvs_and_store_tables(loaded: tuple[Path, dict]) -> None:
    store, report = loaded
    out = Path(report["out_dir"])
    assert {p.name for p in out.iterdir()} == {
        "practices.csv",
        "areas.csv",
        "catchment_shares.csv",
    }
    con = duckdb.connect(str(store), read_only=True)
    try:
        pcn = dict(con.execute("SELECT lsoa_code, pcn_code FROM src_areas").fetchall())
        patients = dict(
            con.execute("SELECT practice_code, registered_patients FROM src_practices").fetchall()
        )
        shares = con.execute("SELECT count(*) FROM src_catchment_shares").fetchone()[0]
        rejects = con.execute(
            "SELECT count(*) FROM load_rejects WHERE kind LIKE 'reference:%'"
        ).fetchone()[0]
    finally:
        con.close()
    assert pcn["E01000002"] == "U00002"  # majority of patients, not the nearest practice
    assert patients["A00003"] == 0  # closed: kept, but not in current denominators
    assert shares == 5
    assert rejects == sum(f["rejected"] for f in report["files"]) + report["areas"]["incomplete"]


def test_loading_twice_changes_nothing(loaded: tuple[Path, dict], tmp_path: Path) -> None:
    store, report = loaded
    files = samples.all_files(tmp_path)
    again = _pilot(
        "reference", *map(str, files), "--store", str(store), "--out", report["out_dir"], "--json"
    )
    assert again.returncode == 0, again.stderr
    con = duckdb.connect(str(store), read_only=True)
    try:
        counts = con.execute(
            "SELECT (SELECT count(*) FROM src_practices), "
            "(SELECT count(*) FROM src_areas), "
            "(SELECT count(*) FROM src_catchment_shares)"
        ).fetchone()
    finally:
        con.close()
    assert counts == (3, 4, 5)


def test_build_runs_on_the_reference_tables(loaded: tuple[Path, dict], tmp_path: Path) -> None:
    store, _report = loaded
    load = _pilot("load", "referrals", str(_referrals(tmp_path)), "--store", str(store), "--json")
    assert load.returncode == 0, load.stderr
    assert json.loads(load.stdout)["accepted"] == 30
    build = _pilot("build", "--store", str(store), "--json")
    assert build.returncode == 0, build.stderr
    con = duckdb.connect(str(store), read_only=True)
    try:
        areas = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT lsoa_code, pcn_code, pcn_assignment FROM stg_areas"
            ).fetchall()
        }
        shares = con.execute(
            "SELECT pcn_code, sum(patients) FROM stg_catchment_shares GROUP BY 1 ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    assert areas["E01000002"] == ("U00002", "registered_patients")
    assert shares == [("U00001", 1200), ("U00002", 1750)]


def test_a_wrong_file_is_refused_in_one_line_and_changes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "pilot.duckdb"
    lsoa = samples.practice_lsoa(tmp_path)
    done = _pilot("reference", f"practice-map={lsoa}", "--store", str(store), "--json")
    assert done.returncode == 1
    assert done.stdout == ""
    line = done.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert "given as practice-map" in line and "gp-reg-pat-prac-map.csv" in line
    assert not (tmp_path / "reference").exists()
    assert not store.exists()


def test_areas_need_all_three_ons_files(tmp_path: Path) -> None:
    done = _pilot(
        "reference", str(samples.centroids(tmp_path)), "--store", str(tmp_path / "s.duckdb")
    )
    assert done.returncode == 1
    assert "missing:" in done.stderr and "population estimates" in done.stderr


def test_an_unknown_kind_is_a_usage_error(tmp_path: Path) -> None:
    done = _pilot("reference", "practices=x.csv", "--store", str(tmp_path / "s.duckdb"))
    assert done.returncode == 2
    assert "unknown kind 'practices'" in done.stderr
