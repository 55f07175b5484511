"""Small builders for flattening tests: RPDE items and a one-call flatten."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from analysis.supply.flatten import FlatSupply, flatten_feeds
from tests.conftest import shared_path

FEED = "https://feed.example/session-series"
SESSIONS = "https://feed.example/scheduled-sessions"
HORIZON = {"horizon_start": date(2025, 9, 1), "horizon_end": date(2025, 12, 1)}


def item(
    data: dict[str, Any] | None,
    rpde_id: str = "1",
    kind: str = "SessionSeries",
    modified: int | str = 1_000,
    state: str = "updated",
) -> dict[str, Any]:
    out: dict[str, Any] = {"state": state, "kind": kind, "id": rpde_id, "modified": modified}
    if data is not None:
        out["data"] = data
    return out


def series(series_id: str = "https://example.org/series/1", **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://openactive.io/",
        "@type": "SessionSeries",
        "@id": series_id,
        "name": "Gentle Yoga",
    }
    data.update(fields)
    return data


def session(
    session_id: str, super_event: Any, start: str, end: str | None = None, **fields: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://openactive.io/",
        "@type": "ScheduledSession",
        "@id": session_id,
        "superEvent": super_event,
        "startDate": start,
    }
    if end is not None:
        data["endDate"] = end
    data.update(fields)
    return data


def flat(feeds: dict[str, list[dict[str, Any]]], **options: Any) -> FlatSupply:
    return flatten_feeds(feeds, **{**HORIZON, **options})


def reference_items(name: str) -> list[dict[str, Any]]:
    """The items of a reference page (or the Hartlepool item list); [] for non-page models."""
    doc = json.loads(shared_path("reference", "openactive", name).read_text("utf-8"))
    return doc if isinstance(doc, list) else doc.get("items", [])


def by_id(rows: list[dict[str, Any]], key: str = "series_id") -> dict[str, dict[str, Any]]:
    return {row[key]: row for row in rows}
