"""Every page in a real headless Chromium: it renders, shows no Streamlit error, and is captured.

Screenshots go to build/screenshots/ (or $PILOT_SCREENSHOTS) so a person can look at them.
Needs a Chromium: Debian's `chromium` package (`.ci/run` installs it) or $BROWSER_PATH.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dashboard.page_order import PAGE_ORDER

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser


def chromium_path() -> str:
    found = os.environ.get("BROWSER_PATH") or shutil.which("chromium")
    if not found:
        pytest.skip("no Chromium on this machine: apt-get install -y chromium (CI installs it)")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_store: Path):
    port = free_port()
    pilot = Path(sys.executable).with_name("pilot")
    proc = subprocess.Popen(
        [str(pilot), "serve", "--store", str(demo_store), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.5)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        instance = play.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )
        yield instance
        instance.close()


SHOTS = Path(os.environ.get("PILOT_SCREENSHOTS", REPO / "build" / "screenshots"))
VIEWS = REPO / "dashboard" / "views"


@pytest.mark.parametrize(("script", "title"), [(s, t) for s, t, _ in PAGE_ORDER
                                                if (VIEWS / s).exists()])
def test_page_renders_without_errors(server: str, browser, script: str, title: str) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 2600})
    path = "" if script == "overview.py" else script.removesuffix(".py")
    page.goto(f"{server}/{path}", wait_until="domcontentloaded", timeout=60_000)
    page.wait_for_selector("h1", timeout=60_000)
    # Wait until the script has finished: the status widget shows only while it runs.
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000)
    page.wait_for_timeout(3000)  # charts and maps draw after the script finishes
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{path or 'overview'}.png"))
    assert title in page.inner_text("h1")
    exceptions = page.locator('[data-testid="stException"]').count()
    errors = page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
    assert exceptions == 0 and errors == [], errors
    assert "Synthetic data." in page.locator('[data-testid="stAlertContentWarning"]').first.inner_text()
    page.close()
