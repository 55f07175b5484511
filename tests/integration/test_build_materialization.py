"""stg_referrals is a view (nothing written, read only by journeys), and its data tests still
guard the build: a bad loaded value fails the build and leaves the previous models as they were."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from analysis.model.build import BuildError, build
from analysis.store import open_store

START = date(2026, 9, 7)


def test_staging_view_is_tested_and_a_failure_rolls_back(demo_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "pilot.duckdb"
    shutil.copyfile(demo_store, store)
    with duckdb.connect(str(store), read_only=True) as con:
        kind = con.execute(
            "SELECT table_type FROM information_schema.tables WHERE table_name = 'stg_referrals'"
        ).fetchone()[0]
        journeys = con.execute("SELECT count(*), count(DISTINCT status) FROM journeys").fetchone()
    assert kind == "VIEW"
    with duckdb.connect(str(store)) as con:
        con.execute("UPDATE src_referrals SET status = 'lost' WHERE referral_id = "
                    "(SELECT min(referral_id) FROM src_referrals)")  # fmt: skip
    con = open_store(store)
    try:
        with pytest.raises(BuildError, match=r"stg_referrals\.status: 1 value\(s\) outside"):
            build(con, supply_start=START)
    finally:
        con.close()
    with duckdb.connect(str(store), read_only=True) as con:
        after = con.execute("SELECT count(*), count(DISTINCT status) FROM journeys").fetchone()
        assert "lost" not in {r[0] for r in con.execute("SELECT status FROM journeys").fetchall()}
    assert after == journeys
