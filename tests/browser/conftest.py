"""A dashboard server on the pilot demo store and a headless Chromium, shared by the browser tests.

Needs a Chromium: Debian's `chromium` package (`.ci/run` installs it) or $BROWSER_PATH.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.serving import served

REPO = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 90
DRAW_TIMEOUT_MS = 90_000

# True once the script has finished its run, no element is still a loading placeholder, every
# plotly chart has drawn its SVG and every deck.gl map has sized its canvas (a new canvas is
# 300x150 until deck.gl lays it out). Streamlit marks the app root with the script's state
# ("initial", "running", "notRunning"); the status widget shows only while a run is under way;
# elements whose code is still loading show as skeletons.
DRAWN = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSkeleton"]')) {
    return false;
  }
  const plots = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  const maps = [...document.querySelectorAll('[data-testid="stDeckGlJsonChart"]')];
  return plots.every((p) => p.querySelector('.js-plotly-plot .main-svg'))
    && maps.every((m) => {
      const canvas = m.querySelector('canvas');
      return canvas && !(canvas.width === 300 && canvas.height === 150);
    });
}"""


def chromium_path() -> str:
    found = os.environ.get("BROWSER_PATH") or shutil.which("chromium")
    if not found:
        pytest.skip("no Chromium on this machine: apt-get install -y chromium (CI installs it)")
    return found


def wait_until_drawn(page, timeout_ms: int = DRAW_TIMEOUT_MS) -> None:
    """Wait for the run to finish and the page's charts and maps to draw (bounded)."""
    page.wait_for_selector("h1", timeout=timeout_ms)
    page.wait_for_function(DRAWN, timeout=timeout_ms, polling=250)
    page.wait_for_timeout(1000)  # let plotly and deck.gl finish drawing once laid out
    page.wait_for_function(DRAWN, timeout=timeout_ms, polling=250)


@pytest.fixture(scope="session")
def server(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`pilot serve` on the pilot demo store; yields its base URL."""
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with served(demo_store, log, STARTUP_TIMEOUT) as running:
        yield running.base


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        instance = play.chromium.launch(
            executable_path=chromium_path(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()
