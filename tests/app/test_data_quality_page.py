"""The Data quality page through the entrypoint, headless (AppTest): rejects, faults, linkage and
warnings checked against numbers computed here straight from the store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.store import open_store

ENTRY = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
FAULTS = [  # (feed_url, page_url, fault, detail, occurrences)
    ("https://demo.invalid/feed", "https://demo.invalid/feed?p=1", "http_503", "busy", 2),
    ("https://demo.invalid/feed", "https://demo.invalid/feed?p=2", "http_503", "busy", 3),
    ("https://demo.invalid/feed", "https://demo.invalid/feed?p=2", "relative_next", "?p=3", 1),
]


@pytest.fixture(scope="module")
def faulty_store(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A copy of the demo store with publisher faults and one contradictory referral planted."""
    store = tmp_path_factory.mktemp("dq") / "faulty.duckdb"
    shutil.copy(demo_store, store)
    con = open_store(store)
    try:
        con.executemany(
            "INSERT INTO rpde_faults (feed_url, page_url, fault, detail, seen_at, "
            "occurrences) VALUES (?, ?, ?, ?, now(), ?)",
            FAULTS,
        )
        rid = con.execute("SELECT min(referral_id) FROM journeys WHERE first_attended").fetchone()[
            0
        ]
        con.execute("UPDATE journeys SET status = 'referred' WHERE referral_id = ?", [rid])
    finally:
        con.close()
    return store, rid


def page_for(store: Path, mp: pytest.MonkeyPatch) -> AppTest:
    mp.setenv("PILOT_STORE", str(store))
    at = AppTest.from_file(str(ENTRY), default_timeout=60).run()
    at.switch_page("views/data_quality.py").run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def page(faulty_store: tuple[Path, str]) -> AppTest:
    with pytest.MonkeyPatch.context() as mp:
        yield page_for(faulty_store[0], mp)


@pytest.fixture(scope="module")
def con(faulty_store: tuple[Path, str]):
    con = open_store(faulty_store[0], read_only=True)
    yield con
    con.close()


def table(at: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_rejects_by_field_equal_load_rejects(page: AppTest, con) -> None:
    expected = con.execute("SELECT kind, field, count(*) AS n FROM load_rejects GROUP BY ALL").df()
    shown = table(page, "files")
    got = {(r.kind, r.field): r.rows for r in shown.itertuples()}
    assert got == {(r.kind, r.field): r.n for r in expected.itertuples()}
    assert any(
        f"{expected['n'].sum():,} input rows were rejected" in c.value for c in page.caption
    )
    rows = table(page, "row_number")
    assert len(rows) == min(50, expected["n"].sum()) and "original_row" not in rows.columns
    first = con.execute(
        "SELECT row_number, reason FROM load_rejects WHERE kind = 'practices' "
        "ORDER BY row_number LIMIT 1"
    ).fetchone()
    assert rows.iloc[0]["row_number"] == first[0] and rows.iloc[0]["reason"] == first[1]


def test_faults_by_type_equal_rpde_fault_sums(page: AppTest, con) -> None:
    expected = dict(
        con.execute("SELECT fault, sum(occurrences) FROM rpde_faults GROUP BY fault").fetchall()
    )
    assert expected == {"http_503": 5, "relative_next": 1}
    shown = table(page, "fault").set_index("fault")["occurrences"].to_dict()
    assert shown == expected
    chart = next(
        json.loads(c.proto.spec)
        for c in page.get("plotly_chart")
        if "faults" in json.loads(c.proto.spec)["layout"]["title"]["text"]
    )
    assert dict(zip(chart["data"][0]["y"], chart["data"][0]["x"], strict=True)) == expected


def test_linkage_rates_computed_independently(page: AppTest, con) -> None:
    j = con.execute("SELECT opportunity_id, lsoa_code, home_latitude FROM journeys").df()
    known = set(con.execute("SELECT series_id FROM supply_series").df()["series_id"])
    named = j["opportunity_id"].dropna()
    read = con.execute("SELECT sum(rows_read) FROM load_log WHERE kind = 'followups'").fetchone()[
        0
    ]
    orphans = con.execute(
        "SELECT count(*) FROM load_rejects WHERE kind = 'followups' AND field = 'referral_id'"
    ).fetchone()[0]
    expected = [
        len(named) / len(j),
        named.isin(known).mean(),
        (j["lsoa_code"].notna() & j["home_latitude"].notna()).mean(),
        (read - orphans) / read,
    ]
    shown = table(page, "scope")
    assert shown["rate"].tolist()[:4] == pytest.approx(expected)
    assert shown["denominator"].tolist()[:4] == [len(j), len(named), len(j), read]


def test_warnings_find_the_planted_contradiction(page: AppTest, faulty_store) -> None:
    warnings = table(page, "examples").set_index("warning")
    first = warnings.iloc[0]
    assert first["referrals"] == 1 and first["examples"] == faulty_store[1]
    assert not any("No referral breaks" in s.value for s in page.success)


def test_organiser_readiness_and_feed_tables(page: AppTest, con) -> None:
    organisers = table(page, "fields_to_add")
    assert (
        len(organisers)
        == con.execute("SELECT count(*) FROM mart_organiser_completeness").fetchone()[0]
    )
    assert organisers["mean_sp_ready_score"].is_monotonic_increasing
    feeds = table(page, "feed_label")
    assert sorted(feeds["feed_url"]) == sorted(
        r[0] for r in con.execute("SELECT feed_url FROM mart_feed_quality").fetchall()
    )
    assert len(page.caption) >= 6 and len(page.get("plotly_chart")) == 5


def test_demo_store_without_faults_says_so(demo_store: Path, monkeypatch) -> None:
    at = page_for(demo_store, monkeypatch)
    assert any("No publisher faults" in i.value for i in at.info)
    assert any("No referral breaks" in s.value for s in at.success)
