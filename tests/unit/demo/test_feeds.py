"""The OpenActive feed pages obey RPDE 1.0 and agree with truth/; the desert is real."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from analysis.demo.rpde import LICENSE, write_feed
from tests.unit.demo.helpers import read_rows

BASE = "https://demo.pilot-evaluation.invalid/openactive"


def _harvest(demo: Path, name: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Follow ``next`` from the first URL through the manifest; return items and page URLs."""
    feeds = json.loads((demo / "feeds/manifest.json").read_text(encoding="utf-8"))
    assert feeds["base_url"] == BASE
    feed = feeds["feeds"][name]
    url, items, urls = feed["first_url"], [], []
    assert url == f"{BASE}/{name}"
    while True:
        urls.append(url)
        page = json.loads((demo / "feeds" / feed["pages"][url]).read_text(encoding="utf-8"))
        assert set(page) == {"next", "items", "license"} and page["license"] == LICENSE
        if not page["items"]:
            assert page["next"] == url
            break
        assert len(page["items"]) <= 500
        assert page["next"] == f"{BASE}/{name}?afterChangeNumber={page['items'][-1]['modified']}"
        items.extend(page["items"])
        url = page["next"]
    assert urls == list(feed["pages"]) and feed["items"] == len(items)
    return items, urls


@pytest.mark.parametrize(
    ("name", "kind"),
    [("session-series", "SessionSeries"), ("scheduled-sessions", "ScheduledSession")],
)
def test_rpde_rules(pilot_demo: Path, name: str, kind: str) -> None:
    items, _ = _harvest(pilot_demo, name)
    keys = [(i["modified"], i["id"]) for i in items]
    assert keys == sorted(keys) and len({i["id"] for i in items}) == len(items)
    assert all(isinstance(i["modified"], int) for i in items)
    assert all(b[0] > a[0] for a, b in itertools.pairwise(keys))
    for item in items:
        assert item["kind"] == kind and item["state"] in {"updated", "deleted"}
        assert ("data" in item) == (item["state"] == "updated")
    assert any(i["state"] == "deleted" for i in items)


def test_truth_matches_feeds(pilot_demo: Path) -> None:
    series, _ = _harvest(pilot_demo, "session-series")
    sessions, _ = _harvest(pilot_demo, "scheduled-sessions")
    live = {i["data"]["@id"]: i for i in series if i["state"] == "updated"}
    truth = read_rows(pilot_demo / "truth/series.csv")
    assert {r["series_id"] for r in truth} == set(live)
    for row in truth:
        data = live[row["series_id"]]["data"]
        assert data["activity"][0]["@id"] == row["activity_id"]
        assert data["location"]["address"]["postalCode"] == row["postcode"]
        assert ("geo" in data["location"]) == (row["has_geo"] == "true")
        prices = [float(o["price"]) for o in data["offers"]]
        assert (row["is_free"] == "true") == all(p == 0 for p in prices)
        assert (row["price_as_string"] == "true") == isinstance(data["offers"][0]["price"], str)
    occurrences = {r["occurrence_id"]: r for r in read_rows(pilot_demo / "truth/occurrences.csv")}
    live_sessions = [i for i in sessions if i["state"] == "updated"]
    assert {i["data"]["@id"] for i in live_sessions} == set(occurrences)
    orphans = 0
    for item in live_sessions:
        data = item["data"]
        truth_row = occurrences[data["@id"]]
        assert data["superEvent"] == truth_row["series_id"]
        assert data["startDate"][-1] == "Z" or data["startDate"][-6:] in {"+01:00", "+00:00"}
        cancelled = data["eventStatus"] == "https://schema.org/EventCancelled"
        assert cancelled == (truth_row["cancelled"] == "true")
        orphans += data["superEvent"] not in live
        assert (truth_row["orphan"] == "true") == (data["superEvent"] not in live)
    assert orphans > 0
    deleted = read_rows(pilot_demo / "truth/deleted.csv")
    gone = {(i["kind"], i["id"]) for i in series + sessions if i["state"] == "deleted"}
    assert {(r["kind"], r["rpde_id"]) for r in deleted} == gone


def test_dataset_site(pilot_demo: Path) -> None:
    site = json.loads((pilot_demo / "feeds/dataset.jsonld").read_text(encoding="utf-8"))
    assert site["@type"] == "Dataset" and site["publisher"]["name"]
    assert [(d["additionalType"], d["contentUrl"]) for d in site["distribution"]] == [
        ("https://openactive.io/SessionSeries", f"{BASE}/session-series"),
        ("https://openactive.io/ScheduledSession", f"{BASE}/scheduled-sessions"),
    ]


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def test_desert_pcn_has_under_40_percent_near_free_sessions(pilot_demo: Path) -> None:
    """Recomputed from the feed, areas.csv and practices.csv alone."""
    series, _ = _harvest(pilot_demo, "session-series")
    free = []
    for item in series:
        data = item.get("data")
        if (
            data
            and "geo" in data["location"]
            and (
                data.get("isAccessibleForFree") is True
                or all(float(o["price"]) == 0 for o in data["offers"])
            )
        ):
            free.append(
                (data["location"]["geo"]["latitude"], data["location"]["geo"]["longitude"])
            )
    practices = [
        p
        for p in read_rows(pilot_demo / "practices.csv")
        if p["practice_code"][1:].isdigit()
        and len(p["practice_code"]) == 6
        and float(p["latitude"]) > 49.8
    ]
    population: dict[str, int] = {}
    covered: dict[str, int] = {}
    for area in read_rows(pilot_demo / "areas.csv"):
        if not 1 <= int(area["imd_decile"]) <= 10 or len(area["lsoa_code"]) != 9:
            continue
        lat, lon = float(area["latitude"]), float(area["longitude"])
        pcn = (
            area["pcn_code"]
            or min(
                practices, key=lambda p: _km(lat, lon, float(p["latitude"]), float(p["longitude"]))
            )["pcn_code"]
        )
        population[pcn] = population.get(pcn, 0) + int(area["population"])
        near = min(_km(lat, lon, a, b) for a, b in free) <= 1.0
        covered[pcn] = covered.get(pcn, 0) + int(area["population"]) * near
    share = {p: covered[p] / population[p] for p in population}
    effects = json.loads((pilot_demo / "truth/planted_effects.json").read_text())
    deserts = effects["effects"]["supply_gap"]["planted_value"]["desert_pcn_codes"]
    assert deserts and all(share[p] < 0.4 for p in deserts)
    others = [s for p, s in share.items() if p not in deserts]
    assert min(others) > 0.6
    truth = {
        r["pcn_code"]: float(r["share_within_1km_free"])
        for r in read_rows(pilot_demo / "truth/pcn_access.csv")
    }
    assert truth == pytest.approx(share, abs=1e-6)


def test_write_feed_pages_and_last_page(tmp_path: Path) -> None:
    modified = np.array([50, 10, 30, 20, 40])
    deleted = np.array([False, False, True, False, False])
    pages = write_feed(
        tmp_path,
        "demo-feed",
        "SessionSeries",
        ["e", "a", "c", "b", "d"],
        modified,
        deleted,
        lambda rows: [{"n": int(i)} for i in rows],
        page_size=2,
    )
    urls = list(pages.pages)
    assert urls == [
        f"{BASE}/demo-feed",
        f"{BASE}/demo-feed?afterChangeNumber=20",
        f"{BASE}/demo-feed?afterChangeNumber=40",
        f"{BASE}/demo-feed?afterChangeNumber=50",
    ]
    last = json.loads((tmp_path / pages.pages[urls[-1]]).read_text())
    assert last == {"next": urls[-1], "items": [], "license": LICENSE}
    second = json.loads((tmp_path / pages.pages[urls[1]]).read_text())
    assert [i["id"] for i in second["items"]] == ["c", "d"]
    assert "data" not in second["items"][0] and second["items"][1]["data"] == {"n": 4}
