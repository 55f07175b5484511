"""The export catalogue: stable names, every item's frame and figure on the demo, protection."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.disclosure import REDACTED, apply_to_export
from analysis.export import catalogue
from analysis.filters import Filters
from analysis.store import open_store

PILOT = "Eastbrook live-feed pilot"


@pytest.fixture(scope="module")
def con(demo_store: Path):
    connection = open_store(demo_store, read_only=True)
    yield connection
    connection.close()


def test_names_are_unique_and_tables_listed() -> None:
    names = [i.name for i in (*catalogue.TABLES, *catalogue.FIGURES)]
    assert len(names) == len(set(names))
    assert {"pcn_summary", "pcn_month"} <= set(names)
    assert all(i.is_figure for i in catalogue.FIGURES)
    assert not any(i.is_figure for i in catalogue.TABLES)


@pytest.mark.parametrize("pilot", [None, PILOT])
@pytest.mark.parametrize("item", catalogue.FIGURES, ids=lambda i: i.name)
def test_every_figure_draws_protected_and_raw(con, item, pilot) -> None:
    frame = item.frame(con, Filters(pilot=pilot))
    for shown in (frame, catalogue.protected_for_figure(item, frame)):
        spec = item.draw(shown).to_dict()
        assert spec["data"] or spec["layout"].get("annotations")


def test_pcn_summary_one_row_per_pcn_plus_total(con) -> None:
    frame = catalogue.pcn_summary(con, Filters())
    assert list(frame.columns) == catalogue.PCN_SUMMARY_COLUMNS
    assert frame["pcn_code"].is_unique and frame["pcn_code"].iloc[-1] == "ALL"
    body, total = frame.iloc[:-1], frame.iloc[-1]
    assert total["referrals"] == body["referrals"].sum()
    mart = con.cursor().execute("SELECT pcn_code, sum(referrals) AS r FROM mart_pcn_month "
                                "GROUP BY ALL").df().set_index("pcn_code")["r"]  # fmt: skip
    assert body.set_index("pcn_code")["referrals"].sort_index().tolist() == (
        mart.sort_index().tolist()
    )
    assert ((body["uptake"] >= 0) & (body["uptake"] <= 1)).all()


@pytest.mark.parametrize("item", catalogue.TABLES, ids=lambda i: i.name)
def test_tables_protected(con, item) -> None:
    shown, report = apply_to_export(item.name, item.frame(con, Filters()), item.spec)
    assert report.method == "round5"
    for column in item.spec.counts:
        values = pd.to_numeric(shown[column][shown[column] != REDACTED])
        assert not values.between(1, 7).any()
        assert (values % 5 == 0).all()
