"""Every page in a real headless Chromium: it renders, shows no Streamlit error, and is captured.

Each page is captured once its script has finished and its plotly charts and deck.gl map have
drawn (see ``conftest.wait_until_drawn``), so the screenshots show what a person would see.
Screenshots go to build/screenshots/ (or $PILOT_SCREENSHOTS) so a person can look at them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dashboard.page_order import PAGE_ORDER
from tests.browser.conftest import REPO, wait_until_drawn

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("PILOT_SCREENSHOTS", REPO / "build" / "screenshots"))
VIEWS = REPO / "dashboard" / "views"


@pytest.mark.parametrize(
    ("script", "title"), [(s, t) for s, t, _ in PAGE_ORDER if (VIEWS / s).exists()]
)
def test_page_renders_without_errors(server: str, browser, script: str, title: str) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 2600})
    path = "" if script == "overview.py" else script.removesuffix(".py")
    page.goto(f"{server}/{path}", wait_until="domcontentloaded", timeout=60_000)
    wait_until_drawn(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{path or 'overview'}.png"), full_page=True)
    assert title in page.inner_text("h1")
    exceptions = page.locator('[data-testid="stException"]').count()
    errors = page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
    assert exceptions == 0 and errors == [], errors
    warning = page.locator('[data-testid="stAlertContentWarning"]').first.inner_text()
    assert "Synthetic data." in warning
    page.close()
