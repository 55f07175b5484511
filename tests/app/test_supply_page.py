"""The Supply & gaps page through the entrypoint, headless (AppTest), on the demo store: the deck
JSON, the per-PCN table against the marts, the planted desert, the profile controls, the session
finder and small-number suppression."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.access import DEFAULT_PROFILE, live_series, suitable
from analysis.filters import Filters
from analysis.metrics.overview import arm_pcns, pilot_names
from analysis.store import open_store

ENTRY = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


def open_page(store: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("PILOT_STORE", str(store))
    at = AppTest.from_file(str(ENTRY), default_timeout=60).run()
    at.switch_page("views/supply.py").run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def page(demo_store: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return open_page(demo_store, monkeypatch)


@pytest.fixture(scope="module")
def shown(demo_store: Path):
    """The page as first shown, for the tests that only read it."""
    with pytest.MonkeyPatch.context() as mp:
        yield open_page(demo_store, mp)


@pytest.fixture(scope="module")
def demo(demo_store: Path):
    con = open_store(demo_store, read_only=True)
    yield con
    con.close()


def deck(at: AppTest) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def layer(at: AppTest, layer_id: str) -> dict:
    return next(lay for lay in deck(at)["layers"] if lay["id"] == layer_id)


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def pcn_rows(at: AppTest) -> pd.DataFrame:
    return frame_with(at, "share_within_1km").set_index("pcn_code")


def in_view(demo) -> list[str]:
    return arm_pcns(demo, Filters(pilot=pilot_names(demo)[0]))["pcn_code"].tolist()


def test_map_layers_and_rows_match_the_store(shown: AppTest, demo) -> None:
    spec = deck(shown)
    assert [lay["@@type"] for lay in spec["layers"]] == [
        "PolygonLayer",
        "ScatterplotLayer",
        "ScatterplotLayer",
        "ScatterplotLayer",
        "ScatterplotLayer",
        "TextLayer",
        "TextLayer",
    ]
    assert spec["mapProvider"] == "carto" and "mapbox" not in json.dumps(spec).lower()
    pcns = in_view(demo)
    areas = demo.execute(
        "SELECT count(*), count(*) FILTER (WHERE referred_people > 7) FROM mart_area_access "
        "WHERE list_contains(?, pcn_code)",
        [pcns],
    ).fetchone()
    assert len(layer(shown, "areas")["data"]) == areas[0]
    assert len(layer(shown, "referred-people")["data"]) == areas[1]
    series = live_series(demo)
    ok = suitable(series, DEFAULT_PROFILE)
    assert len(layer(shown, "sessions")["data"]) == ok.sum()
    assert len(layer(shown, "other-sessions")["data"]) == (~ok).sum()
    practices = demo.execute(
        "SELECT count(*) FROM stg_practices WHERE list_contains(?, pcn_code) "
        "AND latitude IS NOT NULL",
        [pcns],
    ).fetchone()[0]
    assert len(layer(shown, "practices")["data"]) == practices
    assert len(layer(shown, "pcn-outlines")["data"]) == len(pcns)
    assert json.loads(shown.get("deck_gl_json_chart")[0].proto.tooltip)["html"]


def test_pcn_table_matches_the_marts_for_the_default_profile(shown: AppTest, demo) -> None:
    rows = pcn_rows(shown)
    mart = demo.execute("SELECT * FROM mart_pcn_access").df().set_index("pcn_code")
    assert sorted(rows.index) == sorted(in_view(demo))
    for pcn, row in rows.iterrows():
        assert row["share_within_1km"] == pytest.approx(mart.loc[pcn, "share_within_1km_suitable"])
        assert row["weekly_occurrences_per_1000"] == pytest.approx(
            mart.loc[pcn, "weekly_occurrences_per_1000"]
        )
        assert row["live_series"] == mart.loc[pcn, "live_series"]
        located = mart.loc[pcn, "referred_people_located"]
        assert row["referred_located"] == (f"{located:,}" if located > 7 else "≤7")
        if located > 7 and mart.loc[pcn, "referred_people_within_1km_suitable"] > 7:
            assert row["referred_share_within_1km"] == pytest.approx(
                mart.loc[pcn, "referred_share_within_1km_suitable"]
            )
    assert any("live series suit this profile" in c.value for c in shown.caption)


def test_referred_counts_of_seven_or_fewer_are_never_shown(shown: AppTest, demo) -> None:
    table = frame_with(shown, "nearest_name")
    assert len(table) == len(layer(shown, "areas")["data"])
    for value in table["referred"]:
        assert value == "≤7" or int(value.replace(",", "")) > 7
    assert "≤7" in set(table["referred"])  # the demo has such areas
    for area in layer(shown, "areas")["data"]:
        count = area["line3"].removeprefix("Referred people: ")
        assert count == "≤7" or int(count.replace(",", "")) > 7


def test_free_only_profile_shows_the_planted_desert(page: AppTest, demo_dir: Path) -> None:
    with open(demo_dir / "truth" / "pcn_access.csv", newline="") as f:
        deserts = [r["pcn_code"] for r in csv.DictReader(f) if r["desert"] == "true"]
    assert deserts
    before = pcn_rows(page)
    page.radio(key="sp_price").set_value("Free only").run()
    assert not page.exception
    after = pcn_rows(page)
    for pcn in deserts:
        assert after.loc[pcn, "share_within_1km"] < 0.4
        assert after.loc[pcn, "gap"].startswith("Desert")
    assert not after["share_within_1km"].equals(before["share_within_1km"])
    chart = json.loads(page.get("plotly_chart")[0].proto.spec)
    bars = chart["data"][0]
    colours = dict(zip(bars["y"], bars["marker"]["color"], strict=True))
    assert colours[after.loc[deserts[0], "pcn_name"]] == "#D55E00"


def test_changing_controls_changes_the_numbers(page: AppTest) -> None:
    sessions = len(layer(page, "sessions")["data"])
    weekly = pcn_rows(page)["suitable_weekly_per_1000"].sum()
    page.pills(key="sp_times").set_value(["Morning"]).run()
    assert not page.exception
    assert len(layer(page, "sessions")["data"]) < sessions
    assert pcn_rows(page)["suitable_weekly_per_1000"].sum() < weekly
    page.slider(key="sp_ready").set_value(100).run()
    page.toggle(key="sp_access").set_value(True).run()
    assert not page.exception and "SP-readiness ≥ 100%" in page.caption[1].value


def test_a_profile_matching_nothing_says_so(page: AppTest) -> None:
    page.pills(key="sp_times").set_value(["Evening"]).run()
    page.toggle(key="sp_weekday").set_value(True).run()  # no evening starts on a weekday daytime
    assert not page.exception
    assert any("No sessions match this profile" in i.value for i in page.info)
    assert layer(page, "sessions")["data"] == []
    assert (pcn_rows(page)["share_within_1km"] == 0).all()


def test_finder_for_an_area_lists_the_nearest_sessions_with_attribution(
    page: AppTest, demo
) -> None:
    area = demo.execute(
        "SELECT lsoa_code FROM mart_area_access ORDER BY nearest_suitable_km DESC LIMIT 1"
    ).fetchone()[0]
    page.selectbox(key="sp_area").set_value(area).run()
    assert not page.exception
    found = frame_with(page, "next_sessions")
    assert len(found) == 10
    assert found["distance_km"].is_monotonic_increasing
    nearest = demo.execute(
        "SELECT nearest_suitable_km FROM mart_area_access WHERE lsoa_code = ?", [area]
    ).fetchone()[0]
    assert found["distance_km"].iloc[0] == pytest.approx(nearest)
    publisher, site = demo.execute(
        "SELECT publisher_name, dataset_url FROM supply_series LIMIT 1"
    ).fetchone()
    assert set(found["source"]) == {f"Source: {publisher}"}
    assert f"[Source: {publisher}]({site})" in page.markdown[-1].value


def test_finder_by_postcode_and_an_unknown_postcode(page: AppTest, demo) -> None:
    postcode = demo.execute(
        "SELECT postcode FROM supply_series WHERE is_free AND latitude IS NOT NULL "
        "ORDER BY series_id LIMIT 1"
    ).fetchone()[0]
    page.radio(key="sp_by").set_value("A postcode").run()
    page.text_input(key="sp_postcode").input(postcode.lower().replace(" ", "")).run()
    assert not page.exception
    found = frame_with(page, "next_sessions")
    assert found["distance_km"].iloc[0] == pytest.approx(0.0, abs=0.05)
    assert any(postcode in c.value for c in page.caption)
    page.text_input(key="sp_postcode").input("ZZ9 9ZZ").run()
    assert not page.exception
    assert any("cannot be located" in w.value for w in page.warning)
    assert not any("next_sessions" in d.value.columns for d in page.dataframe)


def test_a_period_without_referrals_shows_no_small_counts(
    demo_store: Path, monkeypatch: pytest.MonkeyPatch, demo
) -> None:
    day = demo.execute(
        "SELECT d::DATE FROM (SELECT unnest(generate_series(min(referral_date), "
        "max(referral_date), INTERVAL 1 DAY)) AS d FROM journeys) "
        "WHERE d NOT IN (SELECT referral_date FROM journeys) ORDER BY 1 LIMIT 1"
    ).fetchone()[0]
    monkeypatch.setenv("PILOT_STORE", str(demo_store))
    at = AppTest.from_file(str(ENTRY), default_timeout=60)
    at.query_params.update(start=day.isoformat(), end=day.isoformat())
    at.run()
    at.switch_page("views/supply.py").run()
    assert not at.exception
    assert any("No referrals match these filters" in i.value for i in at.info)
    rows = pcn_rows(at)
    assert (
        set(rows["referred_located"]) == {"≤7"} and rows["referred_share_within_1km"].isna().all()
    )
    assert layer(at, "referred-people")["data"] == []


@pytest.mark.slow
def test_london_scale_page_and_profile_change(
    london_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(london_store, monkeypatch)
    con = open_store(london_store, read_only=True)
    try:
        pcns = in_view(con)
        areas = con.execute(
            "SELECT count(*) FROM mart_area_access WHERE list_contains(?, pcn_code)", [pcns]
        ).fetchone()[0]
        mart = con.execute("SELECT pcn_code, share_within_1km_suitable FROM mart_pcn_access").df()
    finally:
        con.close()
    assert len(layer(at, "areas")["data"]) == areas
    rows = pcn_rows(at)
    expected = mart.set_index("pcn_code")["share_within_1km_suitable"].reindex(rows.index)
    assert rows["share_within_1km"].to_numpy() == pytest.approx(expected.to_numpy())
    at.radio(key="sp_price").set_value("Free only").run(timeout=60)
    assert not at.exception
