"""The export catalogue: stable names, every item's frame and figure on the demo, protection."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from analysis.disclosure import REDACTED, apply_to_export, protect_km
from analysis.export import catalogue
from analysis.export.catalogue_outcomes import km_at_risk
from analysis.export.catalogue_place import DEFAULT_PROFILE
from analysis.figures import uptake as up_fig
from analysis.filters import Filters
from analysis.metrics import data_quality as dq
from analysis.metrics import retention as re
from analysis.metrics import supply as sp
from analysis.metrics import uptake as up
from analysis.metrics.overview import arm_pcns
from analysis.roles import ROLE_PAGES
from analysis.store import open_store
from analysis.survival import survival_at

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


PAGE_ONLY = ("retention_at_risk", "retention_survival", "uptake_by_arm", "uptake_days_to_start",
             "supply_areas", "data_quality_warnings", "impact_comparison_pcns")  # fmt: skip


def test_every_item_names_a_page_its_role_may_open() -> None:
    items = catalogue.by_name()
    assert set(PAGE_ONLY) <= set(items)
    assert items["uptake_days_to_start"].is_figure
    for item in items.values():
        assert item.page in ROLE_PAGES["researcher"], item.name
        assert item.name.split("_")[0] in item.page or item.page == catalogue.EXPORT_PAGE
    assert {i.name for i in items.values() if i.page == catalogue.EXPORT_PAGE} == {
        "pcn_summary", "pcn_month"}  # fmt: skip


def test_on_pages_keeps_the_items_of_a_role() -> None:
    every = (*catalogue.TABLES, *catalogue.FIGURES)
    assert catalogue.on_pages(every, None) == every
    kept = {i.name for i in catalogue.on_pages(every, ROLE_PAGES["commissioner"])}
    assert {"pcn_summary", "pcn_month", "supply_coverage", "supply_areas", "equity_sii",
            "impact_estimates", "impact_comparison_pcns", "overview_funnel"} <= kept  # fmt: skip
    assert not any(n.startswith(("uptake_", "retention_", "outcomes_", "data_quality_"))
                   for n in kept)  # fmt: skip
    manager = {i.name for i in catalogue.on_pages(every, ROLE_PAGES["manager"])}
    assert "uptake_days_to_start" in manager and not any(n.startswith(("impact_", "equity_"))
                                                         for n in manager)  # fmt: skip


def _page_frames(con, flt: Filters) -> dict[str, pd.DataFrame]:
    """Each page-only item's frame as its page computes it (dashboard/views/*.py)."""
    result = re.retention(re.journeys_in_view(con, flt), "arm_label")
    km = protect_km(result.km).frame  # what the Retention page's tables are read off
    safe = replace(result, km=km, at_risk=km_at_risk(km), survival=survival_at(km))
    per_arm, days = up.uptake_funnel(con, flt, "arm"), up.days_to_first_attendance(con, flt)
    data = sp.load_supply(con, flt)
    areas = sp.area_coverage(data, sp.matching_series(data, *DEFAULT_PROFILE))
    raw = dq.warnings(con, flt)
    total = (raw["referrals"] / raw["share"]).where(raw["share"] > 0).max()
    pcns = arm_pcns(con, Filters(pilot=flt.pilot))
    return {
        "retention_at_risk": re.at_risk_table(safe.at_risk),
        "retention_survival": re.survival_table(safe),
        "uptake_by_arm": per_arm,
        "uptake_days_to_start": days.assign(
            arm_starters=days.groupby("arm", observed=True)["starters"].transform("sum")),
        "supply_areas": areas[areas["in_view"]].reset_index(drop=True),
        "data_quality_warnings": raw.drop(columns="examples").assign(in_view=round(max(0, total))),
        "impact_comparison_pcns": pcns.assign(arm_label=pcns["arm"].astype(str).str.capitalize()),
    }  # fmt: skip


@pytest.mark.parametrize("pcns", [(), ("U99588", "U97603")])
def test_page_only_items_equal_what_their_pages_compute(con, pcns) -> None:
    flt = Filters(pilot=PILOT, pcn_codes=pcns)
    items = catalogue.by_name()
    for name, want in _page_frames(con, flt).items():
        got = items[name].frame(con, flt)
        assert not want.empty, name
        pd.testing.assert_frame_equal(got[list(want.columns)], want, obj=name)
    days = items["uptake_days_to_start"].frame(con, flt)
    per_arm = up.uptake_funnel(con, flt, "arm").set_index("arm")
    for arm, part in days.groupby("arm", observed=True):
        assert (part["days_median"] == per_arm.loc[arm, "days_median"]).all()


def test_days_to_start_draws_the_pages_chart(con) -> None:
    """The item's chart is the page's: the same bars and the arms' medians in the legend."""
    flt = Filters(pilot=PILOT)
    item = catalogue.by_name()["uptake_days_to_start"]
    days, per_arm = up.days_to_first_attendance(con, flt), up.uptake_funnel(con, flt, "arm")
    page = up_fig.days_to_start_figure(days, per_arm).to_dict()["data"]
    drawn = item.draw(item.frame(con, flt)).to_dict()["data"]
    assert [(t["name"], list(t["x"]), list(t["y"])) for t in drawn] == [
        (t["name"], list(t["x"]), list(t["y"])) for t in page
    ]
    assert all("median" in t["name"] for t in drawn)


def test_impact_comparison_pcns_empty_without_a_pilot(con) -> None:
    frame = catalogue.by_name()["impact_comparison_pcns"].frame(con, Filters())
    assert frame.empty and "arm_label" in frame.columns


def test_docs_list_every_item_with_its_page() -> None:
    lines = (Path(__file__).resolve().parents[2] / "docs" / "exports.md").read_text().splitlines()
    for item in (*catalogue.TABLES, *catalogue.FIGURES):
        at = [i for i, line in enumerate(lines)
              if line.startswith((f"| `{item.name}` |", f"### `{item.name}`"))]  # fmt: skip
        assert len(at) == 1, item.name
        assert f"`{item.page}`" in " ".join(lines[at[0] : at[0] + 2]), item.name
