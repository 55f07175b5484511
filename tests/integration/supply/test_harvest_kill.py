"""SIGKILL ``pilot harvest`` mid-run, again and again: each rerun resumes from the stored cursor
and the final state equals an uninterrupted harvest's, with nothing lost or applied twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO
from tests.integration.supply.conftest import FAST_ENV, item_rows, run_http
from tests.integration.supply.rpde_server import FeedServer, RpdeFeed
from tests.integration.supply.test_harvest_faults import item

KILL_AFTER_REQUESTS = (3, 6, 8, 9)  # requests into each run; the feed has 36 pages


def feed_items() -> list[dict]:
    items = []
    for k in range(300):
        items.append(item(f"o-{k}", "ScheduledSession", 10 * k))
        if k % 10 == 9:  # an earlier item changed while the feed was being read
            items.append(item(f"o-{k - 5}", "ScheduledSession", 10 * k + 5, version=2))
        if k % 25 == 24:
            items.append(item(f"o-{k - 20}", "ScheduledSession", 10 * k + 7, state="deleted"))
    return items


def pilot_harvest(url: str, store: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, **FAST_ENV}
    return subprocess.Popen(
        [sys.executable, "-m", "analysis.cli", "harvest", url, "--store", str(store)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for_requests(server: FeedServer, n: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while len(server.log) < n:
        assert proc.poll() is None, "the harvester ended before it could be killed"
        assert time.monotonic() < deadline, "the harvester made no progress"
        time.sleep(0.002)


@pytest.mark.slow
def test_killed_harvests_resume_to_the_uninterrupted_state(tmp_path: Path) -> None:
    with FeedServer(page_delay=0.03) as server:
        feed = RpdeFeed(server, "/sessions", feed_items(), size=10)
        pages = len(feed.page_targets())
        assert pages == 36

        reference = duckdb.connect(str(tmp_path / "reference.duckdb"))
        assert run_http(reference, feed.first_url).feeds[0].status == "caught_up"
        server.log.clear()

        store = tmp_path / "killed.duckdb"
        for runs, n in enumerate(KILL_AFTER_REQUESTS, start=1):
            start = len(server.log)
            proc = pilot_harvest(feed.first_url, store)
            wait_for_requests(server, start + n, proc)
            time.sleep(0.007 * runs)  # land at different points of a page's transaction
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            assert proc.returncode == -signal.SIGKILL
            if runs > 1:  # resumed from the stored cursor, not from the first page
                assert server.log[start] != feed.target(None)

        final = pilot_harvest(feed.first_url, store)
        _, err = final.communicate(timeout=120)
        assert final.returncode == 0, err.decode()
        assert not server.over_limit
        # Every page read about once: at most the interrupted page is read again per kill.
        assert len(server.log) <= pages + 2 * len(KILL_AFTER_REQUESTS)

    con = duckdb.connect(str(store), read_only=True)
    assert item_rows(con) == item_rows(reference)
    assert con.execute("SELECT status FROM rpde_feeds").fetchone() == ("caught_up",)
    con.close()
    reference.close()
