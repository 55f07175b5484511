"""The Export page through the entrypoint, headless (AppTest), on the demo store."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

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
