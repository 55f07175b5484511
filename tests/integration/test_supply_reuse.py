"""A rebuild keeps the flattened supply only when the harvested items, the horizon, the code and
the tables themselves are unchanged; anything else flattens again (and gives the same tables a
full flatten gives)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from analysis.model.build import build
from analysis.store import open_store
from analysis.supply.flatten_reuse import TABLES, flatten_or_reuse
from analysis.supply.flatten_reuse import horizon as flatten_horizon

START = date(2026, 9, 7)


@pytest.fixture
def store(demo_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "pilot.duckdb"
    shutil.copyfile(demo_store, copy)
    con = open_store(copy)
    try:
        build(con, supply_start=START)  # the flatten every later build compares with
    finally:
        con.close()
    return copy


def _rebuild(store: Path, **options: object) -> dict[str, object]:
    con = open_store(store)
    try:
        return build(con, **options).supply  # type: ignore[arg-type]
    finally:
        con.close()


def _tables_of(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in TABLES}


def _tables(store: Path) -> dict[str, list[str]]:
    with duckdb.connect(str(store), read_only=True) as con:
        return _tables_of(con)


def test_unchanged_supply_is_reused_and_equals_a_full_flatten(store: Path) -> None:
    before = _tables(store)
    report = _rebuild(store, supply_start=START)
    assert report["reused"] is True
    assert report["occurrences"] > 1000  # the first flatten's report is returned
    assert _tables(store) == before
    forced = _rebuild(store, supply_start=START, reflatten=True)
    assert forced["reused"] is False
    assert _tables(store) == before
    assert {k: v for k, v in forced.items() if k not in ("seconds", "reused")} == {
        k: v for k, v in report.items() if k not in ("seconds", "reused")
    }


def test_a_changed_item_is_flattened_again(store: Path) -> None:
    with duckdb.connect(str(store)) as con:
        rpde_id, data = con.execute(
            "SELECT rpde_id, data_json FROM rpde_items WHERE kind = 'ScheduledSession' "
            "AND state = 'updated' ORDER BY rpde_id LIMIT 1"
        ).fetchone()
        item = json.loads(data)
        item["remainingAttendeeCapacity"] = 987
        con.execute("UPDATE rpde_items SET data_json = ? WHERE rpde_id = ?",
                    [json.dumps(item), rpde_id])  # fmt: skip
    report = _rebuild(store, supply_start=START)
    assert report["reused"] is False
    with duckdb.connect(str(store), read_only=True) as con:
        found = con.execute(
            "SELECT count(*) FROM supply_occurrences WHERE remaining_capacity = 987"
        ).fetchone()[0]
    assert found == 1


def test_another_horizon_is_flattened_again(store: Path) -> None:
    assert _rebuild(store, supply_start=date(2026, 10, 5))["reused"] is False
    assert _rebuild(store, supply_start=date(2026, 10, 5))["reused"] is True
    assert _rebuild(store, supply_start=START, supply_weeks=6)["reused"] is False


def test_an_emptied_supply_table_is_rebuilt(store: Path) -> None:
    before = _tables(store)
    with duckdb.connect(str(store)) as con:
        con.execute("DELETE FROM supply_occurrences WHERE source = 'feed' AND cancelled")
    assert _rebuild(store, supply_start=START)["reused"] is False
    assert _tables(store) == before


def test_cli_reflatten_and_the_reuse_line(store: Path) -> None:
    command = [sys.executable, "-m", "analysis.cli", "build", "--store", str(store),
               "--supply-start", START.isoformat()]  # fmt: skip
    plain = subprocess.run(command, capture_output=True, text=True, check=True)
    assert "tables kept (--reflatten to redo)" in plain.stdout
    forced = subprocess.run([*command, "--reflatten", "--json"], capture_output=True, text=True,
                            check=True)  # fmt: skip
    assert json.loads(forced.stdout)["supply"]["reused"] is False


def test_harvest_flattens_and_the_build_keeps_its_tables(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Flattening is part of ingesting the feeds: `pilot harvest` flattens what it stored over
    the horizon it is given, a second harvest that changes nothing keeps the tables, and a
    build over the same horizon keeps them too (the same tables as flattening again)."""
    from analysis.cli import main

    store = tmp_path / "harvested.duckdb"
    harvest = ["harvest", str(demo_dir / "feeds"), "--store", str(store)]
    horizon = ["--supply-start", START.isoformat()]
    assert main([*harvest, *horizon, "--json"]) == 0
    first = json.loads(capsys.readouterr().out)["supply"]
    assert first["reused"] is False and first["items"] > 0 and first["series"] > 0
    assert first["horizon_start"] == "2026-09-06T23:00:00+00:00"  # London midnight, in UTC
    assert main([*harvest, *horizon]) == 0
    assert "tables kept" in capsys.readouterr().out
    assert main([*harvest, "--supply-start", "2026-10-05"]) == 0  # another horizon
    assert "schedules expanded 2026-10-05 to 2026-12-28" in capsys.readouterr().out
    assert main([*harvest, *horizon]) == 0
    assert "flattened" in capsys.readouterr().out
    harvested = _tables(store)
    start, end = flatten_horizon(START)
    con = open_store(store)
    try:  # what `pilot build --supply-start` calls first (this store has no areas to build)
        assert flatten_or_reuse(con, horizon_start=start, horizon_end=end)["reused"] is True
        con.execute("CHECKPOINT")
        assert _tables_of(con) == harvested
        again = flatten_or_reuse(con, horizon_start=start, horizon_end=end, force=True)
        assert again["reused"] is False and _tables_of(con) == harvested
    finally:
        con.close()
