"""The Overview page through the entrypoint, headless (AppTest), on the demo store."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.figures.overview import kpi_cards
from analysis.filters import Filters
from analysis.metrics import overview as metrics
from analysis.store import get_meta, open_store
from dashboard.filters import ALL_PCNS

ENTRY = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


@pytest.fixture
def app(demo_store: Path, monkeypatch: pytest.MonkeyPatch):
    """A fresh AppTest of the entrypoint reading the demo store (not yet run)."""
    monkeypatch.setenv("PILOT_STORE", str(demo_store))
    return lambda: AppTest.from_file(str(ENTRY), default_timeout=30)


@pytest.fixture(scope="module")
def demo(demo_store: Path):
    con = open_store(demo_store, read_only=True)
    yield con
    con.close()


def expected_cards(con, flt: Filters) -> list[tuple[str, str]]:
    kpis = metrics.kpis(con, flt)
    by_arm = kpis.set_index("arm", drop=False)
    cards = []
    for _, k in kpis.iterrows():
        vs = (
            by_arm.loc["comparison"] if k.arm == "pilot" and "comparison" in by_arm.index else None
        )
        cards += [(c.label, c.value) for c in kpi_cards(k, vs)]
    return cards


def chart(at: AppTest, index: int) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def test_overview_renders_with_banner_metrics_and_charts(app, demo) -> None:
    at = app().run()
    assert not at.exception
    assert at.title[0].value == "Overview"
    banner = at.warning[0].value
    assert "Synthetic data" in banner and get_meta(demo, "dataset_name") in banner
    pilot = metrics.pilot_names(demo)[0]
    assert at.selectbox(key="pilot").value == pilot
    assert [(m.label, m.value) for m in at.metric] == expected_cards(demo, Filters(pilot=pilot))
    kpis = metrics.kpis(demo, Filters(pilot=pilot)).set_index("arm")
    assert at.metric[0].value == f"{kpis.loc['pilot', 'referrals']:,}"
    assert at.metric[2].value == f"{kpis.loc['pilot', 'uptake']:.1%}"
    uptake_gap = (kpis.loc["pilot", "uptake"] - kpis.loc["comparison", "uptake"]) * 100
    assert at.metric[2].delta == f"{uptake_gap:+.1f} pp"

    funnel, trend = chart(at, 0), chart(at, 1)
    assert [t["name"] for t in funnel["data"]] == ["Pilot PCNs", "Comparison PCNs"]
    assert funnel["data"][0]["y"][0] == "Referred"
    assert [t["name"] for t in trend["data"] if t.get("showlegend") is not False] == [
        "Pilot PCNs",
        "Comparison PCNs",
    ]
    go_live = kpis.loc["pilot", "go_live"].strftime("%Y-%m-%d")
    assert [s["x0"] for s in trend["layout"]["shapes"]] == [go_live]
    assert len(at.caption) >= 4  # every chart carries a caption
    tables = [d.value for d in at.dataframe]
    assert (
        tables[0]["count"].tolist() == metrics.funnel(demo, Filters(pilot=pilot))["count"].tolist()
    )


def test_query_params_choose_the_pilot_pcns_and_period(app, demo) -> None:
    pilot = metrics.pilot_names(demo)[0]
    arms = metrics.arm_pcns(demo, Filters(pilot=pilot))
    chosen = [
        arms.loc[arms["arm"] == "pilot", "pcn_code"].iloc[0],
        arms.loc[arms["arm"] == "comparison", "pcn_code"].iloc[0],
    ]
    window = metrics.data_window(demo)
    start = date(window.first_referral.year + 1, 1, 1)
    at = app()
    at.query_params["pilot"] = pilot
    at.query_params["pcn"] = chosen
    at.query_params["start"] = start.isoformat()
    at.run()
    assert not at.exception
    assert at.multiselect(key="pcn").value == chosen
    assert at.date_input(key="start").value == start
    flt = Filters(pilot=pilot, start=start, end=window.last_referral, pcn_codes=tuple(chosen))
    assert [(m.label, m.value) for m in at.metric] == expected_cards(demo, flt)
    assert at.metric[0].value != expected_cards(demo, Filters(pilot=pilot))[0][1]


def test_all_pcns_as_one_group(app, demo) -> None:
    at = app()
    at.query_params["pilot"] = ALL_PCNS
    at.run()
    assert not at.exception
    assert at.subheader[0].value == "All PCNs"
    assert [(m.label, m.value) for m in at.metric] == expected_cards(demo, Filters())
    assert all(m.delta in ("", None) for m in at.metric)
    assert not chart(at, 1)["layout"].get("shapes")  # no go-live without a pilot


def test_switching_pilot_in_the_sidebar_keeps_working(app, demo) -> None:
    pilot = metrics.pilot_names(demo)[0]
    at = app().run()
    at.multiselect(key="pcn").set_value(
        metrics.arm_pcns(demo, Filters(pilot=pilot))["pcn_code"].tolist()[:1]
    ).run()
    at.selectbox(key="pilot").set_value(ALL_PCNS).run()
    assert not at.exception
    at.selectbox(key="pilot").set_value(pilot).run()
    assert not at.exception and len(at.metric) >= 5


def test_a_filter_matching_nothing_says_so(app, demo) -> None:
    pilot = metrics.pilot_names(demo)[0]
    # A PCN of the pilot and a day on which it received no referral.
    pcn, day = demo.execute(
        """
        SELECT p.pcn_code, d.day::DATE
        FROM stg_pilot_pcns AS p,
             (SELECT unnest(generate_series(min(referral_date), max(referral_date),
                                            INTERVAL 1 DAY)) AS day FROM journeys) AS d
        WHERE p.pilot_name = ? AND NOT EXISTS (
            SELECT 1 FROM journeys AS j WHERE j.pcn_code = p.pcn_code AND j.referral_date = d.day)
        ORDER BY d.day, p.pcn_code LIMIT 1
        """,
        [pilot],
    ).fetchone()
    at = app()
    at.query_params.update(pilot=pilot, pcn=[pcn], start=day.isoformat(), end=day.isoformat())
    at.run()
    assert not at.exception
    assert "No referrals match these filters" in at.info[0].value
    assert len(at.metric) == 0 and len(at.get("plotly_chart")) == 0


def test_a_missing_store_gives_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PILOT_STORE", str(tmp_path / "nowhere.duckdb"))
    at = AppTest.from_file(str(ENTRY), default_timeout=30).run()
    assert not at.exception
    assert "No data store found" in at.error[0].value and "make demo" in at.error[0].value
    assert len(at.metric) == 0


def test_a_store_without_built_models_says_what_to_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = tmp_path / "empty.duckdb"
    open_store(store).close()  # the source schema only
    monkeypatch.setenv("PILOT_STORE", str(store))
    at = AppTest.from_file(str(ENTRY), default_timeout=30).run()
    assert not at.exception
    assert "pilot build" in at.error[0].value
