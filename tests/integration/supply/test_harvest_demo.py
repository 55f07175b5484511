"""Harvesting the pilot-scale demo feeds reproduces the generator's ground truth exactly."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb

from analysis.cli import main
from analysis.store import open_store
from analysis.supply.harvest import harvest
from analysis.supply.sources import directory_sources
from tests.integration.supply.conftest import item_rows, run_http
from tests.integration.supply.rpde_server import FeedServer, ManifestSite


def truth(demo_dir: Path, name: str) -> list[dict[str, str]]:
    with (demo_dir / "truth" / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def live_ids(con: duckdb.DuckDBPyConnection, kind: str) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            "SELECT data_id FROM rpde_items WHERE state = 'updated' AND kind = ?", [kind]
        ).fetchall()
    }


def test_http_harvest_of_the_demo_equals_ground_truth_and_directory_mode(
    demo_dir: Path, tmp_path: Path
) -> None:
    series = {r["series_id"] for r in truth(demo_dir, "series.csv")}
    occurrences = {r["occurrence_id"] for r in truth(demo_dir, "occurrences.csv")}
    deleted = truth(demo_dir, "deleted.csv")
    assert series and occurrences and deleted

    with FeedServer() as server:
        site = ManifestSite(server, demo_dir / "feeds")
        con = open_store(tmp_path / "http.duckdb")
        report = run_http(con, *site.first_urls.values())
        assert not server.over_limit

    assert [f.status for f in report.feeds] == ["caught_up", "caught_up"]
    assert report.series == len(series) and report.occurrences == len(occurrences)
    assert live_ids(con, "SessionSeries") == series
    assert live_ids(con, "ScheduledSession") == occurrences  # cancelled ones included
    tombstones = {
        (r[0], r[1])
        for r in con.execute(
            "SELECT kind, rpde_id FROM rpde_items WHERE state = 'deleted'"
        ).fetchall()
    }
    assert tombstones == {(r["kind"], r["rpde_id"]) for r in deleted}
    assert not ({r["data_id"] for r in deleted} & (series | occurrences))
    assert con.execute("SELECT count(*) FROM rpde_faults").fetchone() == (0,)

    # Directory mode through the manifest: the identical final state.
    local = open_store(tmp_path / "dir.duckdb")
    dir_report = harvest(local, directory_sources(demo_dir))
    assert [f.status for f in dir_report.feeds] == ["caught_up", "caught_up"]
    assert item_rows(local) == item_rows(con)
    # Attribution comes from the dataset site beside the manifest.
    dataset = json.loads((demo_dir / "feeds" / "dataset.jsonld").read_text(encoding="utf-8"))
    assert set(local.execute("SELECT publisher_name, dataset_url FROM rpde_feeds").fetchall()) == {
        (dataset["publisher"]["name"], dataset["url"])
    }
    con.close()
    local.close()


def test_directory_mode_cli_json_summary_and_resume(
    demo_dir: Path, tmp_path: Path, capsys
) -> None:
    store = str(tmp_path / "cli.duckdb")
    assert main(["harvest", str(demo_dir / "feeds"), "--store", store, "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["feeds"] == 2 and first["failed"] == [] and first["faults"] == {}
    assert first["series"] == len(truth(demo_dir, "series.csv"))
    assert first["occurrences"] == len(truth(demo_dir, "occurrences.csv"))
    assert first["items_deleted"] == len(truth(demo_dir, "deleted.csv"))
    assert {"pages", "items_updated", "items_deleted", "faults"} <= set(first)

    # A second run polls each feed's last page only and changes nothing.
    assert main(["harvest", str(demo_dir), "--store", store, "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["pages"], again["items_updated"], again["items_deleted"]) == (2, 0, 0)
    assert again["series"] == first["series"]
