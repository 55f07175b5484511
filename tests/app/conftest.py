"""Shared set-up for the page tests: the demo store, read-only, and a way to open a page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from analysis.store import open_store

ENTRY = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


@pytest.fixture(scope="module")
def demo(demo_store: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the pilot-scale demo store."""
    con = open_store(demo_store, read_only=True)
    yield con
    con.close()


def page_opener(
    page: str, demo_store: Path, monkeypatch: pytest.MonkeyPatch, *, run_entry_first: bool = False
) -> Callable[..., AppTest]:
    """A function that opens ``page`` (e.g. "views/uptake.py") with URL query parameters."""
    monkeypatch.setenv("PILOT_STORE", str(demo_store))

    def open_page(**params: str | list[str]) -> AppTest:
        at = AppTest.from_file(str(ENTRY), default_timeout=60)
        at.query_params.update(params)
        if run_entry_first:
            at.run()
        return at.switch_page(page).run()

    return open_page
