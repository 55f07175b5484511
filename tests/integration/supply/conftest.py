"""Fixtures for harvesting tests: a loopback feed server, a store, fast HTTP settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from analysis.store import open_store
from analysis.supply.harvest import FeedSource, HarvestOptions, harvest
from analysis.supply.harvest_report import HarvestReport
from analysis.supply.rpde_client import FetchPolicy, HttpClient
from tests.integration.supply.rpde_server import FeedServer

# Tiny delays so retries cost milliseconds; a read time-out short enough to test, long enough
# for a loaded machine to answer an ordinary page.
FAST = FetchPolicy(
    connect_timeout=2.0,
    read_timeout=1.0,
    tries=5,
    backoff=0.01,
    max_backoff=0.05,
    max_retry_after=10.0,
)
FAST_ENV = {
    "PILOT_HTTP_CONNECT_TIMEOUT": "2",
    "PILOT_HTTP_READ_TIMEOUT": "2",
    "PILOT_HTTP_TRIES": "4",
    "PILOT_HTTP_BACKOFF": "0.01",
    "PILOT_HTTP_MAX_BACKOFF": "0.05",
}

ITEM_COLUMNS = (
    "rpde_id, kind, state, modified_raw, modified_int, data_id, data_json, deleted_at IS NOT NULL"
)


class SleepRecorder:
    """Stands in for time.sleep: records each wait and sleeps at most a few milliseconds."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        import time

        self.waits.append(seconds)
        time.sleep(min(seconds, 0.005))


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as s:
        yield s


@pytest.fixture
def store(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_store(tmp_path / "store.duckdb")
    yield con
    con.close()


@pytest.fixture
def fast_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in FAST_ENV.items():
        monkeypatch.setenv(k, v)


def http_sources(client: HttpClient, *urls: str) -> list[FeedSource]:
    return [FeedSource(feed_url=u, fetcher=client, label=u) for u in urls]


def run_http(
    con: duckdb.DuckDBPyConnection,
    *urls: str,
    sleep: Any = None,
    policy: FetchPolicy = FAST,
    **options: Any,
) -> HarvestReport:
    client = HttpClient(policy, sleep=sleep or SleepRecorder())
    return harvest(con, http_sources(client, *urls), HarvestOptions(**options))


def item_rows(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    """rpde_items without feed URLs and timestamps, sorted: the state two harvests compare on."""
    return con.execute(f"SELECT {ITEM_COLUMNS} FROM rpde_items ORDER BY rpde_id").fetchall()
