"""A feed that vanishes (404/410) fails clearly and keeps its progress; a later run resumes from
the stored cursor and, once caught up, polls the last page for newly appended items."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from analysis.cli import main
from tests.integration.supply.rpde_server import FeedServer, Reply, RpdeFeed
from tests.integration.supply.test_harvest_faults import item


@pytest.mark.parametrize("status", [404, 410])
def test_gone_feed_fails_then_resumes_and_polls_incrementally(
    status: int, server: FeedServer, tmp_path: Path, fast_env: None, capsys
) -> None:
    items = [item(f"o-{k}", "ScheduledSession", 1000 + k) for k in range(12)]
    feed = RpdeFeed(server, "/sessions", items, size=4)
    t = feed.page_targets()
    store = str(tmp_path / "store.duckdb")
    server.fault(t[2], Reply(status, b"gone"))

    code = main(["harvest", feed.first_url, "--store", store, "--json"])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.count("\n") == 1 and f"HTTP {status}" in err and "resume" in err
    summary = json.loads(out)
    assert summary["failed"][0]["feed"] == feed.first_url
    assert summary["faults"] == {f"http_{status}": 1}
    assert server.log == t[:3]  # no retry of a gone page
    con = duckdb.connect(store, read_only=True)
    assert con.execute("SELECT status, next_url, pages FROM rpde_feeds").fetchone() == (
        "failed",
        server.url(t[2]),
        2,
    )
    assert con.execute("SELECT count(*) FROM rpde_items").fetchone() == (8,)
    con.close()

    # The page is back: the run starts at the stored cursor, not the first page.
    server.log.clear()
    assert main(["harvest", feed.first_url, "--store", store]) == 0
    capsys.readouterr()
    assert server.log == t[2:]

    # New items are appended to the feed: polling the last page picks them up.
    feed.items += [item(f"o-{k}", "ScheduledSession", 2000 + k) for k in range(12, 15)]
    feed.items.append(item("o-3", "ScheduledSession", 3000, state="deleted"))
    server.log.clear()
    assert main(["harvest", feed.first_url, "--store", store, "--json"]) == 0
    polled = json.loads(capsys.readouterr().out)
    assert server.log[0] == t[-1]  # the old last page, polled
    assert (polled["items_updated"], polled["items_deleted"]) == (3, 1)
    assert polled["occurrences"] == 14
    con = duckdb.connect(store, read_only=True)
    assert con.execute(
        "SELECT count(*), count(*) FILTER (state = 'deleted') FROM rpde_items"
    ).fetchone() == (15, 1)
    assert con.execute(
        "SELECT data_json IS NOT NULL, deleted_at IS NOT NULL FROM rpde_items "
        "WHERE rpde_id = 'o-3'"
    ).fetchone() == (True, True)  # data kept
    assert con.execute("SELECT status, last_error FROM rpde_feeds").fetchone() == (
        "caught_up",
        None,
    )
    con.close()


def test_empty_page_with_a_new_next_is_followed(
    server: FeedServer, tmp_path: Path, fast_env: None
) -> None:
    """In-stream filtering: an empty page is not the end unless next is its own URL."""
    pages = {
        "": {"next": server.url("/filtered?after=1"), "items": []},
        "after=1": {"next": server.url("/filtered?after=2"), "items": []},
        "after=2": {
            "next": server.url("/filtered?after=3"),
            "items": [item("s-1", "SessionSeries", 5)],
        },
        "after=3": {"next": server.url("/filtered?after=3"), "items": []},
    }
    server.routes["/filtered"] = lambda q: Reply(body=json.dumps(pages[q]).encode())
    store = str(tmp_path / "s.duckdb")
    assert main(["harvest", server.url("/filtered"), "--store", store]) == 0
    con = duckdb.connect(store, read_only=True)
    assert con.execute("SELECT rpde_id FROM rpde_items").fetchall() == [("s-1",)]
    assert con.execute("SELECT fault FROM rpde_faults").fetchall() == [("missing_license",)] * 4
    con.close()


def test_unusable_arguments_are_one_line_errors(tmp_path: Path, capsys) -> None:
    assert main(["harvest", str(tmp_path / "nowhere"), "--store", str(tmp_path / "s")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not an http(s) feed URL" in err
    (tmp_path / "empty").mkdir()
    assert main(["harvest", str(tmp_path / "empty"), "--store", str(tmp_path / "s")]) == 1
    assert "manifest.json" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["harvest", "--store", str(tmp_path / "s")])
    assert exc.value.code == 2
