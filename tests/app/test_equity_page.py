"""The Equity page through the entrypoint, headless (AppTest), on the demo store.

Its numbers must equal :mod:`analysis.equity` for the filters that module applies (pilot,
period, PCNs, referral source, condition); the activity-group and person filters, which the
page's comparisons are about, are named as not applied.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis import equity
from analysis.figures import equity as figures
from analysis.filters import Filters
from analysis.metrics import overview
from dashboard.filters import ALL_PCNS
from tests.app.conftest import page_opener

PAGE = "views/equity.py"
DIMENSIONS = ("imd_quintile", "age_band", "sex", "ethnicity")


@pytest.fixture
def page(demo_store: Path, monkeypatch: pytest.MonkeyPatch):
    """Open the page with these query parameters; returns the AppTest."""
    return page_opener(PAGE, demo_store, monkeypatch)


def applied(at: AppTest) -> Filters:
    """The page's filters less those the equity functions do not apply."""
    flt = at.session_state["filters"]
    return replace(flt, activity_groups=(), age_bands=(), sexes=(), ethnicities=(),
                   imd_quintiles=())  # fmt: skip


CASES = {
    "default pilot": {},
    "all PCNs, link-worker referrals": {"pilot": ALL_PCNS, "source": "link_worker"},
    "pilot from 2025 with person filters": {"start": "2025-01-01", "sex": "male", "imd": "1"},
}


@pytest.mark.parametrize("params", CASES.values(), ids=CASES.keys())
def test_equity_page_shows_rates_uptake_and_sii(page, demo, params: dict) -> None:
    at = page(**params)
    assert not at.exception
    assert at.title[0].value == "Equity"
    flt = applied(at)
    if "sex" in params:
        assert "the sex and IMD quintile filters do not apply" in at.info[0].value
    else:
        assert not at.info
    sii = pd.concat(
        [equity.imd_sii(demo, flt, measure=m) for m in ("referral_rate", "uptake")],
        ignore_index=True,
    )
    shown = figures.sii_rows(sii)
    assert [(m.label, m.value) for m in at.metric] == [
        (r.arm_label, f"{r.sii:+.2f}") for r in shown.itertuples()
    ]
    assert all("95% CI" in m.help for m in at.metric)
    sii_table, rate_table, uptake_table = (d.value for d in at.dataframe)
    assert sii_table["sii_lower"].tolist() == pytest.approx(shown["sii_lower"].tolist())
    rates = equity.referral_rates_by_imd(demo, flt)
    assert rate_table["referrals"].tolist() == rates["referrals"].tolist()
    assert rate_table["rate_upper"].tolist() == pytest.approx(rates["rate_upper"].tolist())
    groups = equity.uptake_by(demo, flt, DIMENSIONS)
    assert at.radio(key="equity_uptake_by").value == DIMENSIONS[0]
    want = groups[groups["dimension"] == DIMENSIONS[0]]
    assert uptake_table["first_attended"].tolist() == want["first_attended"].tolist()

    sii_chart, rate_chart, uptake_chart = (json.loads(c.proto.spec) for c in charts(at))
    assert len(sii_chart["data"]) == len(sii) and uptake_chart["data"]
    first = rates[rates["arm"] == rates["arm"].iloc[0]]
    assert rate_chart["data"][0]["y"] == pytest.approx(first["rate"].round(4).tolist())
    assert len(at.caption) >= 3 + len(shown)  # a caption under every chart and headline


def charts(at: AppTest) -> list:
    return list(at.get("plotly_chart"))


def test_every_comparison_has_its_chart_table_and_downloads(page, demo) -> None:
    at = page()
    groups = equity.uptake_by(demo, applied(at), DIMENSIONS)
    choice = at.radio(key="equity_uptake_by")
    assert len(choice.options) == len(DIMENSIONS)
    for dim in DIMENSIONS:
        at = choice.set_value(dim).run()
        assert not at.exception
        want = groups[groups["dimension"] == dim]
        chart = json.loads(charts(at)[2].proto.spec)
        label = figures.in_sentence(figures.DIMENSION_LABELS[dim])
        assert chart["layout"]["title"]["text"] == f"Uptake by {label}"
        arm = want[want["arm"] == want["arm"].iloc[0]]
        assert chart["data"][0]["y"] == pytest.approx((arm["uptake"] * 100).round(2).tolist())
        table = at.dataframe[2].value
        assert table["group"].tolist() == want["group"].tolist()
        assert table["first_attended"].tolist() == want["first_attended"].tolist()
        keys = {b.proto.id.split("-")[-1] for b in at.get("download_button")}
        assert {f"download_uptake_{dim}_csv", f"download_uptake_{dim}_xlsx"} <= keys
        choice = at.radio(key="equity_uptake_by")


def test_a_filter_matching_nothing_says_so(page, demo) -> None:
    pilot = overview.pilot_names(demo)[0]
    pcn = overview.arm_pcns(demo, Filters(pilot=pilot))["pcn_code"].iloc[0]
    at = page(pcn=[pcn], source="nurse", condition="cancer", start="2026-09-01", end="2026-09-02")
    assert not at.exception
    assert equity.uptake_by(demo, applied(at)).empty
    assert "No referrals match these filters" in at.info[-1].value
    assert len(at.metric) == 0 and len(at.get("plotly_chart")) == 0
