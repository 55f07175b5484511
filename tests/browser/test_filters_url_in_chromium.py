"""The sidebar filters and the address bar, in a real browser.

Choosing a PCN in the sidebar writes it into the page's query string, and opening that address
in a fresh browser context shows the same choice in the widget (and the same view). AppTest runs
no browser, so it cannot see the first half; tests/app/test_filters_url.py covers the server's.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import wait_until_drawn

pytestmark = pytest.mark.browser

PAGE = "uptake"


def chosen_pcns(page) -> list[str]:
    """The PCN codes shown as chosen in the sidebar's PCN filter."""
    return page.locator(".st-key-pcn [data-tag] span[title]").all_inner_texts()


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_choosing_a_pcn_updates_the_url_and_the_url_restores_it(server: str, browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(f"{server}/{PAGE}", wait_until="domcontentloaded", timeout=60_000)
    wait_until_drawn(page)
    assert chosen_pcns(page) == []
    assert "pcn" not in query(page.url)

    box = page.get_by_role("combobox", name="PCNs")
    box.focus()
    page.keyboard.press("ArrowDown")
    options = page.get_by_role("option")
    options.first.wait_for(timeout=10_000)
    codes = [t for t in options.all_inner_texts() if t.strip() and t != "Select all"]
    assert codes, "the PCN filter offers no PCNs"
    code = codes[1] if len(codes) > 1 else codes[0]
    page.get_by_role("option", name=code, exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_function(
        "code => new URLSearchParams(location.search).getAll('pcn').includes(code)",
        arg=code,
        timeout=30_000,
    )
    wait_until_drawn(page)
    link = page.url
    assert query(link)["pcn"] == [code]
    assert urlsplit(link).path.rstrip("/").endswith(PAGE)
    assert chosen_pcns(page) == [code]
    metrics_after_choice = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    page.close()

    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    fresh = context.new_page()
    fresh.goto(link, wait_until="domcontentloaded", timeout=60_000)
    wait_until_drawn(fresh)
    assert chosen_pcns(fresh) == [code]
    assert query(fresh.url)["pcn"] == [code]
    assert fresh.locator('[data-testid="stMetricValue"]').all_inner_texts() == metrics_after_choice
    errors = fresh.locator('[data-testid="stAlertContentError"]').all_inner_texts()
    assert fresh.locator('[data-testid="stException"]').count() == 0 and errors == [], errors
    context.close()
