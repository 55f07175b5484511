"""HTTP settings: Retry-After parsing, back-off bounds, configuration, request targets."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from analysis.errors import InputError
from analysis.supply.harvest_report import Progress
from analysis.supply.rpde_client import FetchPolicy, parse_retry_after, request_target

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("Sat, 01 Mar 2025 12:01:30 GMT", 90.0),  # IMF-fixdate
        ("Saturday, 01-Mar-25 12:00:10 GMT", 10.0),  # RFC 850
        ("Sat Mar  1 12:00:05 2025", 5.0),  # asctime
        ("Sat, 01 Mar 2025 11:59:00 GMT", 0.0),  # in the past: retry now
        ("-5", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after(value, seconds) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


def test_defaults_are_production_sensible() -> None:
    p = FetchPolicy()
    assert (p.connect_timeout, p.read_timeout, p.tries) == (10.0, 60.0, 5)


def test_backoff_is_exponential_jittered_and_bounded() -> None:
    p = FetchPolicy(backoff=2.0, max_backoff=20.0)
    for attempt, ceiling in [(1, 2.0), (2, 4.0), (3, 8.0), (4, 16.0), (5, 20.0), (9, 20.0)]:
        for _ in range(50):
            assert ceiling / 2 <= p.delay(attempt) <= ceiling


def test_policy_from_environment() -> None:
    p = FetchPolicy.from_env(
        {"PILOT_HTTP_READ_TIMEOUT": "0.5", "PILOT_HTTP_TRIES": "2", "PILOT_HTTP_BACKOFF": "0.01"}
    )
    assert (p.read_timeout, p.tries, p.backoff, p.connect_timeout) == (0.5, 2, 0.01, 10.0)
    with pytest.raises(InputError, match="PILOT_HTTP_TRIES"):
        FetchPolicy.from_env({"PILOT_HTTP_TRIES": "0"})
    with pytest.raises(InputError, match="not a number"):
        FetchPolicy.from_env({"PILOT_HTTP_BACKOFF": "fast"})


@pytest.mark.parametrize(
    ("path", "query", "target"),
    [
        ("/rpde", "afterId=a%26b&afterTimestamp=1", "/rpde?afterId=a%26b&afterTimestamp=1"),
        ("/rpde", "t=2025-01-01T00:00:00%2B00:00", "/rpde?t=2025-01-01T00:00:00%2B00:00"),
        ("", "", "/"),
        ("/a b", "x=é", "/a%20b?x=%C3%A9"),  # only what HTTP cannot carry is encoded
    ],
)
def test_request_target_keeps_the_cursor(path, query, target) -> None:
    assert request_target(path, query) == target


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal() -> None:
    quiet = io.StringIO()
    p = Progress(stream=quiet)
    p.page("feed", 3, 1500, started=0.0)
    p.done()
    assert quiet.getvalue() == ""
    tty = Tty()
    p = Progress(stream=tty, interval=0)
    p.page("feed", 3, 1500, started=0.0)
    p.done()
    assert "feed: 3 pages, 1,500 items" in tty.getvalue() and "items/s" in tty.getvalue()
