"""Supply marts on the pilot demo, checked against the generator's ground truth."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import numpy as np
import pytest

from analysis.access import great_circle_km


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def con(demo_store: Path):
    connection = duckdb.connect(str(demo_store), read_only=True)
    yield connection
    connection.close()


def test_population_within_1km_of_a_free_session_matches_truth(con, demo_dir: Path) -> None:
    truth = {r["pcn_code"]: r for r in read(demo_dir / "truth" / "pcn_access.csv")}
    got = dict(con.execute("SELECT pcn_code, share_within_1km_free FROM mart_pcn_access").fetchall())
    assert set(got) == set(truth)
    for pcn, row in truth.items():
        assert got[pcn] == pytest.approx(float(row["share_within_1km_free"]), abs=1e-6), pcn


def test_planted_desert_is_below_40_percent(con, demo_dir: Path) -> None:
    deserts = [r["pcn_code"] for r in read(demo_dir / "truth" / "pcn_access.csv")
               if r["desert"] == "true"]
    assert deserts
    shares = dict(con.execute("SELECT pcn_code, share_within_1km_free FROM mart_pcn_access").fetchall())
    for pcn in deserts:
        assert shares[pcn] < 0.4
    assert sum(s >= 0.4 for s in shares.values()) >= len(shares) - len(deserts)


def test_weekly_supply_counts_every_live_occurrence_once(con, demo_dir: Path) -> None:
    occurrences = read(demo_dir / "truth" / "occurrences.csv")
    live_series = {r["series_id"] for r in read(demo_dir / "truth" / "series.csv")}
    expected = sum(1 for o in occurrences
                   if o["cancelled"] == "false" and o["series_id"] in live_series)
    total = con.execute("SELECT sum(occurrences) FROM mart_pcn_supply_week").fetchone()[0]
    placed = con.execute(
        "SELECT count(*) FROM supply_occurrences o JOIN supply_series s USING (series_id) "
        "WHERE s.latitude IS NULL AND NOT o.cancelled AND NOT s.deleted").fetchone()[0]
    assert total + placed == expected


def test_distance_to_referred_session_matches_truth(con, demo_dir: Path) -> None:
    series = {r["series_id"]: r for r in read(demo_dir / "truth" / "series.csv")
              if r["latitude"]}
    areas = {a["lsoa_code"]: a for a in read(demo_dir / "areas.csv")}
    rows = con.execute("SELECT opportunity_id, lsoa_code, distance_to_session_km FROM journeys "
                       "WHERE distance_to_session_km IS NOT NULL").fetchall()
    assert len(rows) > 1000
    for opportunity, lsoa, km in rows[:500]:
        s, a = series[opportunity], areas[lsoa]
        expected = great_circle_km(float(a["latitude"]), float(a["longitude"]),
                                   float(s["latitude"]), float(s["longitude"]))
        assert km == pytest.approx(float(expected), abs=1e-6)


def test_every_series_with_coordinates_is_placed_in_a_pcn(con) -> None:
    missing = con.execute("SELECT count(*) FROM supply_series s LEFT JOIN series_located l "
                          "USING (series_id) WHERE s.latitude IS NOT NULL AND l.pcn_code IS NULL"
                          ).fetchone()[0]
    assert missing == 0


def test_area_access_ordering(con) -> None:
    frame = con.execute("SELECT * FROM area_access").df()
    assert np.all(frame["nearest_any_km"] <= frame["nearest_free_km"] + 1e-12)
    assert np.all(frame["nearest_any_km"] <= frame["nearest_suitable_km"] + 1e-12)


def test_feed_quality_counts(con, demo_dir: Path) -> None:
    deleted = len(read(demo_dir / "truth" / "deleted.csv"))
    got = con.execute("SELECT sum(deleted_items), sum(live_series) FROM mart_feed_quality").fetchone()
    assert got == (deleted, len(read(demo_dir / "truth" / "series.csv")))


def test_completeness_report_names_missing_fields(con) -> None:
    frame = con.execute("SELECT * FROM mart_organiser_completeness").df()
    assert len(frame) > 0 and frame["series"].sum() > 300
    worst = frame.sort_values("mean_sp_ready_score").iloc[0]
    assert worst["fields_to_add"]
