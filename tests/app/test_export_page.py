"""The Export page through the entrypoint, headless (AppTest), on the demo store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.export.catalogue import FIGURES, TABLES, by_name, on_pages
from analysis.roles import Grant, access_of
from analysis.store import open_store
from dashboard import auth
from tests.app.conftest import page_opener

ENTRY = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
PAGE = "views/export.py"


@pytest.fixture
def page(demo_store: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("PILOT_STORE", str(demo_store))
    return AppTest.from_file(str(ENTRY), default_timeout=60).switch_page(PAGE).run()


def test_page_offers_a_lazy_download_with_disclosure_on(page: AppTest) -> None:
    assert not page.exception
    assert page.title[0].value == "Export"
    assert len(page.download_button) == 1
    assert "Build and download" in page.download_button[0].label
    box = page.checkbox(key="export_raw")
    assert box.value is False
    assert any("Disclosure control is on" in c.value for c in page.caption)
    assert page.selectbox(key="export_pilot").value == "Eastbrook live-feed pilot"


def test_turning_disclosure_off_warns(page: AppTest) -> None:
    page.checkbox(key="export_raw").check().run()
    assert not page.exception
    assert any("Disclosure control is OFF" in w.value for w in page.warning)


def test_no_formats_disables_the_button(page: AppTest) -> None:
    page.multiselect(key="export_formats").set_value([]).run()
    assert not page.exception
    assert page.download_button[0].disabled


@pytest.fixture
def as_role(demo_store: Path, monkeypatch: pytest.MonkeyPatch):
    """The Export page opened by a signed-in user of ``role`` (the access the entrypoint hands
    the page, set where it reads it without sign-in configured)."""

    def open_as(role: str) -> AppTest:
        who = access_of(f"someone@{role}.example", Grant(role, ("Eastbrook live-feed pilot",)))
        monkeypatch.setattr(auth, "LOCAL", who)
        monkeypatch.setenv("PILOT_STORE", str(demo_store))
        at = AppTest.from_file(str(ENTRY), default_timeout=60)
        at.run()
        return at.switch_page(PAGE).run()

    return open_as


def holds(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("Your export holds"))


def test_the_page_counts_every_item_for_the_local_user(page: AppTest) -> None:
    assert holds(page).startswith(
        f"Your export holds {len(TABLES)} tables and {len(FIGURES)} figures"
    )
    listed = next(c.value for c in page.caption if c.value.startswith("Tables:"))
    assert all(item.name in listed for item in (*TABLES, *FIGURES))


@pytest.mark.parametrize("role", ["commissioner", "manager"])
def test_the_export_holds_only_the_users_pages(as_role, role: str) -> None:
    at = as_role(role)
    assert not at.exception
    pages = at.session_state["access"].pages
    tables, figures = on_pages(TABLES, pages), on_pages(FIGURES, pages)
    assert holds(at).startswith(f"Your export holds {len(tables)} tables and {len(figures)} ")
    listed = next(c.value for c in at.caption if c.value.startswith("Tables:"))
    assert all(item.name in listed for item in (*tables, *figures))
    if role == "commissioner":
        assert len(figures) < len(FIGURES) and "uptake_by_month" not in listed
        assert "retention_km" not in listed and "pcn_summary" in listed
    else:
        assert "impact_estimates" not in listed and "uptake_days_to_start" in listed


def test_the_comparison_pcns_item_is_the_impact_pages_table(demo_store: Path, monkeypatch) -> None:
    """The exported table equals the one the Pilot impact page shows for the same filters."""
    pilot = "Eastbrook live-feed pilot"
    at = page_opener("views/impact.py", demo_store, monkeypatch)(pilot=pilot)
    assert not at.exception
    shown = next(d.value for d in at.dataframe if "arm_label" in d.value.columns
                 and "pcn_code" in d.value.columns)  # fmt: skip
    con = open_store(demo_store, read_only=True)
    try:
        item = by_name()["impact_comparison_pcns"].frame(con, at.session_state["filters"])
    finally:
        con.close()
    pd.testing.assert_frame_equal(
        shown.reset_index(drop=True)[list(item.columns)], item, check_dtype=False,
        check_categorical=False,
    )  # fmt: skip
