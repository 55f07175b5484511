"""One harvest through every publisher and network fault ends where a clean harvest ends."""

from __future__ import annotations

import email.utils
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from analysis.supply.rpde_client import HttpClient
from tests.integration.supply.conftest import FAST, SleepRecorder, item_rows, run_http
from tests.integration.supply.rpde_server import FeedServer, Reply, RpdeFeed, json_reply

ISO_EARLY = "2025-01-01T00:00:00Z"


def item(
    key: str, kind: str, modified: Any, version: int = 1, state: str = "updated"
) -> dict[str, Any]:
    out: dict[str, Any] = {"state": state, "kind": kind, "id": key, "modified": modified}
    if state == "updated":
        data: dict[str, Any] = {
            "@context": "https://openactive.io/",
            "@type": kind,
            "@id": f"https://feed.test/{kind}/{key}",
            "name": f"{kind} {key} version {version}",
        }
        if kind == "ScheduledSession":
            data["superEvent"] = f"https://feed.test/SessionSeries/s-{int(key[2:]) % 7}"
        out["data"] = data
    return out


def clean_items() -> list[dict[str, Any]]:
    """The feed as it stands: each item once, at its latest version."""
    items = [
        item("o-1", "ScheduledSession", 100),  # arrives before its series s-1
        item("o-2", "ScheduledSession", 101),
        item("s-3", "SessionSeries", "102"),  # an integer sent as a string
        item("w-1", "SessionSeries", 111, version=2),
        item("s-1", "SessionSeries", 104),
        item("o-ghost", "ScheduledSession", 105, state="deleted"),  # never seen: tombstone
        item("s-4", "SessionSeries", "2025-06-01T10:00:00Z"),  # a non-numeric string
    ]
    items += [item(f"o-{k}", "ScheduledSession", 100 + k) for k in range(10, 36)]
    items += [
        item("o-9", "ScheduledSession", 137, state="deleted"),
        item("y-1", "SessionSeries", 138, version=2),  # updated twice across pages
        item("x-1", "SessionSeries", 140, version=2),  # first seen with an ISO string
        item("z-1", "SessionSeries", 150, version=2),
    ]
    return items


def faulty_items() -> list[dict[str, Any]]:
    """The same logical feed as read mid-change: early versions, a duplicate, a stale copy."""
    items = clean_items()
    z_new = items.pop()
    items.insert(1, item("x-1", "SessionSeries", ISO_EARLY, version=1))  # mixed types later
    items.insert(3, item("y-1", "SessionSeries", 103, version=1))
    items.insert(5, item("w-1", "SessionSeries", 110, version=1))  # same page as w-1 v2
    items.insert(9, z_new)
    items.append(item("z-1", "SessionSeries", 120, version=1))  # older: must be ignored
    return items


def after_of(target: str) -> int | None:
    return int(target.split("=", 1)[1]) if "=" in target else None


def test_a_faulty_harvest_ends_in_the_same_state_as_a_clean_one(tmp_path) -> None:
    with FeedServer() as clean_server:
        feed = RpdeFeed(clean_server, "/feed", clean_items(), size=5)
        clean = duckdb.connect(str(tmp_path / "clean.duckdb"))
        clean_report = run_http(clean, feed.first_url)
    assert clean_report.faults.keys() == {"string_modified"}

    with FeedServer() as server:
        feed = RpdeFeed(server, "/feed", faulty_items(), size=5)
        t = feed.page_targets()
        assert len(t) == 10

        def page(i: int, **changes: Any) -> bytes:
            return json.dumps({**feed.page(after_of(t[i])), **changes}).encode()

        retry_date = email.utils.format_datetime(
            datetime.now(UTC) + timedelta(seconds=6), usegmt=True
        )
        server.fault(t[1], Reply(500, b"oops"), Reply(502, b"bad gateway"))
        server.fault(
            t[2],
            Reply(429, b"slow down", {"Retry-After": "1"}),
            json_reply(json.loads(page(2, next=f"?afterChangeNumber={after_of(t[3])}"))),
        )
        server.fault(t[3], Reply(sleep=1.4, body=page(3)))  # past the 1 s read time-out
        server.fault(t[4], Reply(body=page(4), truncate=True))
        server.fault(t[5], Reply(body=b"<html><body>Service Unavailable</body></html>"))
        server.fault(t[6], Reply(body=page(6, next=server.url(t[5]))))  # loops back once
        server.fault(t[7], Reply(503, b"busy", {"Retry-After": retry_date}))

        faulty = duckdb.connect(str(tmp_path / "faulty.duckdb"))
        waits = SleepRecorder()
        report = faulty_report = run_http(faulty, feed.first_url, sleep=waits)
        assert not server.over_limit
        assert len(server.log) < 30
        assert all(a.startswith("pilot-evaluation/") for a in server.user_agents)

    assert [f.status for f in report.feeds] == ["caught_up"]
    assert item_rows(faulty) == item_rows(clean)

    faults = faulty_report.faults
    for fault in (
        "http_500",
        "http_502",
        "http_429",
        "http_503",
        "timeout",
        "truncated",
        "non_json",
        "relative_next",
        "next_revisits_page",
        "mixed_modified",
        "string_modified",
        "duplicate_in_page",
        "stale_item",
    ):
        assert faults.get(fault, 0) >= 1, fault
    assert faults["duplicate_in_page"] == 1 and faults["mixed_modified"] == 1
    stored = dict(
        faulty.execute("SELECT fault, sum(occurrences) FROM rpde_faults GROUP BY fault").fetchall()
    )
    assert stored == faults
    assert 1.0 in waits.waits  # Retry-After in seconds, honoured
    assert any(0.5 <= w <= 6.0 for w in waits.waits if w != 1.0)  # Retry-After as a date

    rows = {
        r[0]: r[1:]
        for r in faulty.execute(
            "SELECT rpde_id, state, data_json, deleted_at IS NOT NULL FROM rpde_items"
        ).fetchall()
    }
    assert rows["o-ghost"] == ("deleted", None, True)
    assert "version 2" in rows["y-1"][1] and "version 2" in rows["x-1"][1]
    assert "version 2" in rows["z-1"][1] and "version 2" in rows["w-1"][1]
    assert rows["o-1"][0] == rows["s-1"][0] == "updated"
    cursor = faulty.execute("SELECT next_url, status FROM rpde_feeds").fetchone()
    assert cursor == (feed.first_url.replace("/feed", t[-1]), "caught_up")


def test_percent_encoded_cursors_are_sent_exactly_as_received(server: FeedServer, store) -> None:
    """An ``afterId`` of 'a&b' and a timestamp with '+00:00' must reach the server encoded."""
    pages = {
        "": {
            "next": server.url(
                "/enc?afterTimestamp=2025-01-01T00%3A00%3A00%2B00%3A00&afterId=a%26b"
            ),
            "items": [item("a&b", "SessionSeries", 1)],
        },
        "afterTimestamp=2025-01-01T00%3A00%3A00%2B00%3A00&afterId=a%26b": {
            "next": server.url("/enc?afterId=c%2Bd"),
            "items": [item("c+d", "SessionSeries", 2)],
        },
        "afterId=c%2Bd": {"next": server.url("/enc?afterId=c%2Bd"), "items": []},
    }
    server.routes["/enc"] = lambda q: json_reply(pages[q]) if q in pages else Reply(404)
    report = run_http(store, server.url("/enc"))
    assert [f.status for f in report.feeds] == ["caught_up"]
    assert {r[0] for r in store.execute("SELECT rpde_id FROM rpde_items").fetchall()} == {
        "a&b",
        "c+d",
    }
    assert server.log[1:] == [
        "/enc?afterTimestamp=2025-01-01T00%3A00%3A00%2B00%3A00&afterId=a%26b",
        "/enc?afterId=c%2Bd",
    ]


def test_a_permanent_loop_is_detected_and_reported(server: FeedServer, store) -> None:
    """A page whose next points to itself while still carrying items never ends."""
    doc = {
        "next": server.url("/loop"),
        "items": [item("s-1", "SessionSeries", 1)],
        "license": "https://creativecommons.org/licenses/by/4.0/",
    }
    server.routes["/loop"] = lambda _q: json_reply(doc)
    report = run_http(store, server.url("/loop"), loop_patience=2)
    [feed] = report.feeds
    assert feed.status == "failed" and "loops" in (feed.reason or "")
    assert len(server.log) == 4  # the page, then patience + 1 fruitless re-reads
    assert report.faults["loop"] == 1
    assert store.execute("SELECT status FROM rpde_feeds").fetchone() == ("failed",)
    assert store.execute("SELECT count(*) FROM rpde_items").fetchone() == (1,)


def test_page_cap_stops_a_run_and_the_next_run_continues(server: FeedServer, store) -> None:
    feed = RpdeFeed(
        server, "/capped", [item(f"o-{k}", "ScheduledSession", k) for k in range(20)], size=2
    )
    first = run_http(store, feed.first_url, max_pages=3)
    assert first.feeds[0].status == "harvesting" and first.faults == {"page_cap": 1}
    assert store.execute("SELECT count(*) FROM rpde_items").fetchone() == (6,)
    second = run_http(store, feed.first_url)
    assert second.feeds[0].status == "caught_up"
    assert store.execute("SELECT count(*) FROM rpde_items").fetchone() == (20,)
    assert server.log.count("/capped") == 1  # never restarted from the first page

    # A resync from the first page (cursor row removed) re-reads everything, changes nothing.
    before = item_rows(store)
    store.execute("DELETE FROM rpde_feeds")
    again = run_http(store, feed.first_url)
    assert again.summary()["items_unchanged"] == 20 and item_rows(store) == before


def test_retries_are_bounded_and_progress_is_kept(server: FeedServer, store) -> None:
    feed = RpdeFeed(
        server, "/flaky", [item(f"o-{k}", "ScheduledSession", k) for k in range(10)], size=3
    )
    t = feed.page_targets()
    server.fault(t[2], *[Reply(500, b"down")] * FAST.tries)
    report = run_http(store, feed.first_url)
    [result] = report.feeds
    assert result.status == "failed" and "gave up after 5 attempts" in (result.reason or "")
    assert report.faults == {"http_500": 5, "retries_exhausted": 1}
    assert store.execute("SELECT count(*) FROM rpde_items").fetchone() == (6,)
    assert store.execute("SELECT next_url FROM rpde_feeds").fetchone() == (server.url(t[2]),)
    assert run_http(store, feed.first_url).feeds[0].status == "caught_up"
    assert store.execute("SELECT count(*) FROM rpde_items").fetchone() == (10,)


def test_a_long_retry_after_stops_the_feed_politely(server: FeedServer, store) -> None:
    server.routes["/busy"] = lambda _q: Reply(429, b"", {"Retry-After": "3600"})
    client_waits = SleepRecorder()
    report = run_http(store, server.url("/busy"), sleep=client_waits)
    assert report.feeds[0].status == "failed" and "3600 s" in (report.feeds[0].reason or "")
    assert client_waits.waits == [] and len(server.log) == 1


def test_user_agent_is_polite() -> None:
    agent = HttpClient(FAST).agent
    assert agent.startswith("pilot-evaluation/") and "OpenActive" in agent
