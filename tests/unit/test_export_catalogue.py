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


def test_every_page_chart_is_exported() -> None:
    names = set(catalogue.by_name())
    assert {"impact_observed_counterfactual", "impact_estimates", "supply_coverage",
            "retention_cox", "uptake_funnel_plot", "outcomes_change_by_attendance",
            "outcomes_change_by_arm", "outcomes_ons4_bands", "data_quality_faults",
            "data_quality_freshness", "data_quality_readiness", "data_quality_rejects"} <= names  # fmt: skip


@pytest.mark.parametrize("item", [*catalogue.TABLES, *catalogue.FIGURES], ids=lambda i: i.name)
def test_every_item_protects_its_counts(con, item) -> None:
    frame = item.frame(con, Filters(pilot=PILOT))
    shown = catalogue.protected(item, frame).frame
    assert set(item.spec.counts) <= set(frame.columns)
    if item.protect == "km":
        assert all(((shown[c] == 0) | (shown[c] % 3 == 0)).all() for c in ("n_at_risk",))
        return
    for column in item.spec.counts:
        values = pd.to_numeric(shown[column][shown[column] != REDACTED])
        assert not values.between(1, 7).any(), column
        assert (values.dropna() % 5 == 0).all(), column
