"""The pilot-scale demo end to end through the store, checked with plain Python on the raw CSVs."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from analysis.model.build import run_tests
from analysis.model.models import MODELS

WEEKS = (4, 12, 26)


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def bad_rows(demo_dir: Path) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for row in read(demo_dir / "truth" / "bad_rows.csv"):
        found.setdefault(Path(row["file"]).stem, set()).add(int(row["row_number"]))
    return found


def accepted_rows(demo_dir: Path, kind: str, bad: dict[str, set[int]]) -> list[dict[str, str]]:
    rows = read(demo_dir / f"{kind}.csv")
    return [r for n, r in enumerate(rows, start=1) if n not in bad.get(kind, set())]


def test_exactly_the_planted_bad_rows_are_rejected(demo_dir: Path, demo_store: Path) -> None:
    bad = bad_rows(demo_dir)
    con = duckdb.connect(str(demo_store), read_only=True)
    for kind in ("practices", "areas", "referrals", "followups"):
        got = {r[0] for r in con.execute(
            "SELECT row_number FROM load_rejects WHERE kind = ?", [kind]).fetchall()}
        assert got == bad.get(kind, set()), kind
        rows = len(read(demo_dir / f"{kind}.csv"))
        log = con.execute("SELECT rows_read, accepted, rejected FROM load_log WHERE kind = ?",
                          [kind]).fetchone()
        assert log == (rows, rows - len(got), len(got)), kind


def test_pcn_month_mart_equals_counts_from_the_raw_files(demo_dir: Path, demo_store: Path) -> None:
    bad = bad_rows(demo_dir)
    practice_pcn = {p["practice_code"]: p["pcn_code"] for p in accepted_rows(demo_dir, "practices", bad)}
    referrals = {r["referral_id"]: r for r in accepted_rows(demo_dir, "referrals", bad)}
    followups = [f for f in accepted_rows(demo_dir, "followups", bad) if f["referral_id"] in referrals]
    at_week = {(f["referral_id"], int(f["followup_week"])): f["still_attending"].lower()
               for f in followups}

    expected: Counter[tuple[str, str, str]] = Counter()
    for rid, r in referrals.items():
        cell = (practice_pcn[r["practice_code"]], r["referral_date"][:7])
        starter = r["first_attended_date"] != ""
        counted = {
            "referrals": True,
            "contacted": bool(r["contacted_date"] or r["first_attended_date"])
            or r["status"] not in ("referred", "unable_to_contact"),
            "first_attended": starter,
        }
        for week in WEEKS:
            answer = at_week.get((rid, week))
            counted[f"followed_up_{week}w"] = starter and answer is not None
            counted[f"retained_{week}w"] = starter and answer in ("yes", "true", "y", "1")
        for name, flag in counted.items():
            expected[(*cell, name)] += int(flag)

    con = duckdb.connect(str(demo_store), read_only=True)
    mart = con.execute("SELECT * FROM mart_pcn_month").df()
    assert len(mart) == mart["pcn_code"].nunique() * mart["month"].nunique()
    measures = [n for n in mart.columns if n.startswith(("referrals", "contacted", "first_",
                                                          "retained_", "followed_up_"))]
    for row in mart.itertuples(index=False):
        cell = (row.pcn_code, row.month.strftime("%Y-%m"))
        for name in measures:
            assert getattr(row, name) == expected[(*cell, name)], (cell, name)
    assert mart["referrals"].sum() == len(referrals)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_data_tests_pass_on_the_demo(model, demo_store: Path) -> None:
    con = duckdb.connect(str(demo_store), read_only=True)
    assert run_tests(con, model) == []


def test_no_raw_nhs_number_reaches_the_store_or_rejects(demo_dir: Path, demo_store: Path) -> None:
    numbers = {r["nhs_number"].replace(" ", "") for r in read(demo_dir / "referrals.csv")
               if r["nhs_number"]}
    assert len(numbers) > 100
    files = [demo_store, *(demo_store.parent / "rejects").glob("*.csv")]
    assert len(files) >= 2
    # Every window of ten digits (overlapping, so digits next to other bytes are not missed),
    # with or without the usual spaces.
    ten_digits = re.compile(rb"(?=(\d{10}|\d{3} \d{3} \d{4}))")
    def found_in(path: Path) -> set[str]:
        return {m.replace(b" ", b"").decode() for m in ten_digits.findall(path.read_bytes())}

    assert numbers <= found_in(demo_dir / "referrals.csv")  # the search does find them
    for path in files:
        found = found_in(path)
        leaked = found & numbers
        assert not leaked, f"{len(leaked)} raw NHS number(s) found in {path.name}"


def test_loading_the_demo_again_changes_no_table(demo_dir: Path, demo_store: Path, tmp_path) -> None:
    import shutil

    from analysis.pipeline import load_folder

    copy = tmp_path / "again.duckdb"
    shutil.copy(demo_store, copy)
    query = ("SELECT table_name, estimated_size FROM duckdb_tables() ORDER BY table_name")

    def sizes() -> dict[str, int]:
        con = duckdb.connect(str(copy), read_only=True)
        names = [r[0] for r in con.execute(query).fetchall()]
        result = {n: con.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in names}
        con.close()
        return result

    before = sizes()
    load_folder(demo_dir, copy, rejects_dir=demo_store.parent / "rejects")
    assert sizes() == before
