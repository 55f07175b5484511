"""A store with its reference tables but no referrals yet (the first step of a new place) builds,
and holds empty journeys and marts rather than failing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from analysis.ingest.loaders import load_file
from analysis.model.build import build
from analysis.store import open_store
from tests.integration.conftest import write_place

TODAY = date(2026, 11, 21)


def test_build_with_practices_and_areas_only(tmp_path: Path) -> None:
    place = write_place(tmp_path / "place")
    store = tmp_path / "store.duckdb"
    con = open_store(store)
    try:
        for kind in ("practices", "areas"):
            load_file(con, kind, place / f"{kind}.csv", rejects_dir=tmp_path / "rejects",
                      today=TODAY)  # fmt: skip
        build(con, supply_start=TODAY)
    finally:
        con.close()
    with duckdb.connect(str(store), read_only=True) as check:
        assert check.execute("SELECT count(*) FROM stg_practices").fetchone()[0] == 3
        assert check.execute("SELECT count(*) FROM journeys").fetchone()[0] == 0
        assert check.execute("SELECT count(*) FROM mart_pcn_month").fetchone()[0] == 0
