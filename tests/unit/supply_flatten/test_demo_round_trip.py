"""The pilot demo's feed pages flatten back to the demo's ground truth, row for row."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from analysis.supply.flatten import flatten_feeds

STAMP = "%Y-%m-%dT%H:%M:%SZ"


def test_demo_feeds_round_trip(demo_dir: Path) -> None:
    feeds_dir = demo_dir / "feeds"
    manifest = json.loads((feeds_dir / "manifest.json").read_text("utf-8"))
    feeds = {
        feed["first_url"]: [
            item
            for page in feed["pages"].values()
            for item in json.loads((feeds_dir / page).read_text("utf-8"))["items"]
        ]
        for feed in manifest["feeds"].values()
    }
    supply = flatten_feeds(feeds, horizon_start=date(2026, 9, 7), horizon_end=date(2026, 11, 30))
    with (demo_dir / "truth" / "series.csv").open(encoding="utf-8") as f:
        true_series = {row["series_id"]: row for row in csv.DictReader(f)}
    with (demo_dir / "truth" / "occurrences.csv").open(encoding="utf-8") as f:
        true_occurrences = {row["occurrence_id"]: row for row in csv.DictReader(f)}

    live = {row["series_id"]: row for row in supply.series if not row["deleted"]}
    assert set(live) == set(true_series)
    for series_id, truth in true_series.items():
        row = live[series_id]
        assert row["is_free"] == (truth["is_free"] == "true"), series_id
        assert row["postcode"] == truth["postcode"]
        assert row["activity_ids"] == [truth["activity_id"]]
        assert (row["latitude"] is not None) == (truth["has_geo"] == "true")

    occurrences = {row["occurrence_id"]: row for row in supply.occurrences}
    assert set(occurrences) == set(true_occurrences)
    for occurrence_id, truth in true_occurrences.items():
        row = occurrences[occurrence_id]
        assert (row["start_utc"].strftime(STAMP), row["end_utc"].strftime(STAMP)) == (
            truth["start_utc"],
            truth["end_utc"],
        )
        assert row["cancelled"] == (truth["cancelled"] == "true")
        assert row["orphan"] == (truth["orphan"] == "true")
    assert supply.report.unmatched_activity_labels == []
