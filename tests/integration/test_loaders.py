"""Loading into the store: nothing lost, nothing half-written, nothing duplicated."""

from __future__ import annotations

import json
import os
import stat
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis.errors import InputError, StoreError
from analysis.ingest import nhs_number
from analysis.ingest.loaders import load_file
from analysis.ingest.pilots import load_pilots
from analysis.pipeline import load_folder
from analysis.store import open_store
from tests.integration.conftest import FOLLOWUPS, NHS_NUMBERS, PRACTICES, REFERRALS, write_csv

TODAY = date(2026, 11, 21)
TABLES = ("src_practices", "src_areas", "src_referrals", "src_followups", "src_pilots",
          "src_pilot_pcns", "load_log", "load_rejects", "meta")


def counts(store: Path) -> dict[str, int]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


def load(store: Path, kind: str, path: Path, rejects: Path):
    con = open_store(store)
    try:
        if kind == "pilots":
            return load_pilots(con, path)
        return load_file(con, kind, path, rejects_dir=rejects, today=TODAY)
    finally:
        con.close()


@pytest.fixture
def loaded(place: Path, tmp_path: Path) -> Path:
    store = tmp_path / "store.duckdb"
    load_folder(place, store, today=TODAY)
    return store


def test_small_place_loads_with_expected_rejects(place: Path, tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    summaries, report = load_folder(place, store, rejects_dir=tmp_path / "rej", today=TODAY)
    ref = summaries["referrals"]
    assert (ref.rows, ref.accepted, ref.rejected) == (5, 4, 1)
    assert ref.rejects_by_field == {"nhs_number": 1}
    fol = summaries["followups"]
    assert (fol.rows, fol.accepted, fol.rejected) == (5, 4, 1)
    rejects = pd.read_csv(ref.rejects_file, dtype=str)
    assert rejects["row_number"].tolist() == ["5"]
    assert rejects["nhs_number"].tolist() == ["[NHS number removed]"]
    assert report.rows["journeys"] == 4
    con = duckdb.connect(str(store), read_only=True)
    stored = con.execute("SELECT row_number, field FROM load_rejects WHERE kind='referrals'").fetchall()
    assert stored == [(5, "nhs_number")]
    # Same person (NHS number with and without spaces) → same pseudonym.
    keys = dict(con.execute("SELECT referral_id, patient_key FROM src_referrals").fetchall())
    assert keys["R1"] == keys["R4"] and keys["R1"].startswith("nhs:")
    assert keys["R2"] == "pid:P-77"


def test_loading_the_same_files_twice_changes_no_table(loaded: Path, place: Path) -> None:
    before = counts(loaded)
    load_folder(place, loaded, today=TODAY)
    assert counts(loaded) == before


@pytest.mark.parametrize("problem", [
    "missing", "xlsx", "binary", "latin1", "empty", "no_required_column", "duplicate_header",
    "header_only_blank",
])
def test_unreadable_file_is_refused_and_changes_nothing(problem, loaded, tmp_path) -> None:
    path = tmp_path / "referrals.csv"
    if problem == "xlsx":
        path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    elif problem == "binary":
        path.write_bytes(b"referral_id\x00\x01\x02")
    elif problem == "latin1":
        path.write_bytes(",".join(REFERRALS[0]).encode() + b"\nR9,caf\xe9\n")
    elif problem == "empty":
        path.write_bytes(b"")
    elif problem == "no_required_column":
        write_csv(path, [[c for c in REFERRALS[0] if c != "status"], REFERRALS[1][:-2]])
    elif problem == "duplicate_header":
        write_csv(path, [REFERRALS[0] + ["Status "], REFERRALS[1] + ["attending"]])
    elif problem == "header_only_blank":
        path.write_text("\n\n", encoding="utf-8")
    before = counts(loaded)
    with pytest.raises(InputError) as caught:
        load(loaded, "referrals", path, tmp_path / "rej")
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    assert counts(loaded) == before
    assert not (tmp_path / "rej").exists() or not any((tmp_path / "rej").iterdir())


def test_missing_column_message_names_it(loaded, tmp_path) -> None:
    path = write_csv(tmp_path / "f.csv", [["referral_id", "followup_date"], ["R1", "2025-01-13"]])
    with pytest.raises(InputError, match="missing required column.*followup_week"):
        load(loaded, "followups", path, tmp_path)


def test_bom_crlf_header_variants_and_unknown_columns(loaded, tmp_path) -> None:
    header = [f"  {c.upper()} " for c in PRACTICES[0]] + ["Notes about the GP"]
    rows = [header] + [r + ["private text"] for r in PRACTICES[1:]]
    path = write_csv(tmp_path / "practices.csv", rows, encoding="utf-8-sig", lineterminator="\r\n")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    summary = load(loaded, "practices", path, tmp_path / "rej")
    assert (summary.rows, summary.accepted, summary.rejected) == (3, 3, 0)
    assert summary.unknown_columns == ["Notes about the GP"]
    assert b"private text" not in loaded.read_bytes()


def test_row_with_wrong_field_count_is_rejected_not_fatal(loaded, tmp_path) -> None:
    rows = [REFERRALS[0], REFERRALS[1], REFERRALS[2] + ["stray"], REFERRALS[3][:-3]]
    summary = load(loaded, "referrals", write_csv(tmp_path / "r.csv", rows), tmp_path / "rej")
    assert (summary.rows, summary.accepted, summary.rejected) == (3, 1, 2)
    rejects = pd.read_csv(summary.rejects_file, dtype=str)
    assert rejects["row_number"].tolist() == ["2", "3"]
    assert all("fields but the header has" in r for r in rejects["reason"])


def test_parquet_loads_like_csv(place, tmp_path) -> None:
    frame = pd.read_csv(place / "referrals.csv", dtype=str, keep_default_na=False)
    frame.to_parquet(tmp_path / "referrals.parquet")
    csv_store, pq_store = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    load_folder(place, csv_store, today=TODAY)
    load_folder(place, pq_store, today=TODAY)
    load(pq_store, "referrals", tmp_path / "referrals.parquet", tmp_path / "rej")
    query = "SELECT * FROM src_referrals ORDER BY referral_id"
    a = duckdb.connect(str(csv_store), read_only=True).execute(query).df()
    b = duckdb.connect(str(pq_store), read_only=True).execute(query).df()
    pd.testing.assert_frame_equal(a, b)


def test_failure_during_write_leaves_store_and_rejects_unchanged(loaded, place, tmp_path, monkeypatch):
    from analysis.ingest import loaders

    before = counts(loaded)
    rejects = tmp_path / "rej"

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(loaders, "set_meta", broken)
    monkeypatch.setattr(loaders, "get_meta", lambda *a: None)
    with pytest.raises(OSError):
        load(loaded, "referrals", place / "referrals.csv", rejects)
    assert counts(loaded) == before
    assert not list(rejects.glob("*"))


def test_key_file_is_created_private_and_reused(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(nhs_number.KEY_ENV, raising=False)
    key_file = tmp_path / "keys" / "pseudonym.key"
    monkeypatch.setenv(nhs_number.KEY_FILE_ENV, str(key_file))
    first = nhs_number.load_key()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert nhs_number.load_key() == first


def test_changed_key_is_refused(loaded, place, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(nhs_number.KEY_ENV, "a-different-key")
    with pytest.raises(StoreError, match="pseudonymisation key differs"):
        load(loaded, "referrals", place / "referrals.csv", tmp_path)


def test_raw_nhs_numbers_reach_no_file(loaded, tmp_path) -> None:
    written = [loaded, *(loaded.parent / "rejects").glob("*.csv")]
    assert len(written) == 3  # the store, and the referrals and follow-ups rejects files
    for path in written:
        data = path.read_bytes()
        for number in NHS_NUMBERS:
            spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
            assert number.encode() not in data and spaced.encode() not in data, path


def test_pilot_with_unknown_pcn_is_rejected(loaded, tmp_path) -> None:
    path = tmp_path / "pilots.toml"
    path.write_text('[[pilot]]\nname = "x"\npcn_codes = ["U99999"]\ngo_live = 2025-01-01\n'
                    '[[pilot]]\nname = "y"\npcn_codes = ["U12345"]\ngo_live = "2025-13-01"\n'
                    '[[pilot]]\nname = "z"\npcn_codes = ["U12345"]\ngo_live = 2025-01-01\n')
    summary = load(loaded, "pilots", path, tmp_path)
    assert (summary.rows, summary.accepted, summary.rejected) == (3, 1, 2)
    con = duckdb.connect(str(loaded), read_only=True)
    reasons = [r[0] for r in con.execute(
        "SELECT reason FROM load_rejects WHERE kind='pilots' ORDER BY row_number").fetchall()]
    assert "not in the loaded practices: U99999" in reasons[0]
    assert "go_live '2025-13-01' is not valid" in reasons[1]


def test_invalid_toml_is_refused(loaded, tmp_path) -> None:
    path = tmp_path / "pilots.toml"
    path.write_text("[[pilot]\nname = 'x'")
    with pytest.raises(InputError, match="is not valid TOML"):
        load(loaded, "pilots", path, tmp_path)


def test_followups_week_pivot_and_survival(loaded) -> None:
    con = duckdb.connect(str(loaded), read_only=True)
    row = con.execute("SELECT retained_4w, retained_12w, followed_up_26w, disengaged, "
                      "retention_days, swemwbs_0w, swemwbs_12w FROM journeys "
                      "WHERE referral_id = 'R1'").fetchone()
    # R1: week 4 yes, week 12 yes → censored at the week-12 follow-up (2025-01-13 → 2025-04-07).
    assert row[:5] == (True, True, False, False, 84)
    assert row[5] == 17.98 and row[6] == 20.73  # SWEMWBS raw sums 19 and 23 → metric scores
    r4 = con.execute("SELECT disengaged, retention_days FROM journeys WHERE referral_id='R4'").fetchone()
    assert r4 == (True, 19)  # stopped: timed at last_attended_date 2025-04-10 from 2025-03-22


def test_json_summary_is_one_object(loaded, place, tmp_path) -> None:
    summary = load(loaded, "followups", place / "followups.csv", tmp_path)
    data = json.loads(summary.to_json())
    assert data["rows"] == data["accepted"] + data["rejected"] == len(FOLLOWUPS) - 1
