"""Export items of the Equity, Supply & gaps and Data quality pages."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis import equity
from analysis.disclosure import Derived, TableSpec
from analysis.export.catalogue_items import NO_COUNTS, Con, Item, no_person, prop
from analysis.figures import data_quality as dq_fig
from analysis.figures import equity as eq_fig
from analysis.figures import supply as sp_fig
from analysis.filters import Filters
from analysis.metrics import data_quality as dq
from analysis.metrics import supply as sp

__all__ = [
    "AREAS_SPEC", "COVERAGE_SPEC", "DEFAULT_PROFILE", "FIGURES", "REJECTS_SPEC", "TABLES",
    "WARNINGS_SPEC", "warning_counts", "whole_counts",
]  # fmt: skip
EQUITY, SUPPLY, DATA_QUALITY = "equity.py", "supply.py", "data_quality.py"

DEFAULT_PROFILE = sp.profile_from_controls("Free or ≤ £5", 0, None, False, True, False)
"""The Supply page's suitability profile before any control is changed."""
COVERAGE_SPEC = TableSpec(
    ["referred_located", "referred_within_1km"],
    {"referred_share_within_1km": Derived("referred_within_1km", "referred_located")},
)
"""Referred people per PCN protected; population shares and session counts are not counts of
referred people."""
REJECTS_SPEC = TableSpec(["rows"])
"""Rejected input rows (a rejected referral or follow-up row is a person's record)."""


def whole_counts(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Rows whose counts are shown (hidden ones left out), the counts as whole numbers."""
    shown = frame.dropna(subset=list(columns))
    return shown.astype(dict.fromkeys(columns, "int64")).reset_index(drop=True)


AREAS_SPEC = TableSpec(["referred_people"])
"""The map's areas: the people referred from each area protected."""
WARNINGS_SPEC = TableSpec(["referrals", "in_view"], {"share": Derived("referrals", "in_view")})
"""Referrals breaking each check and the referrals in view protected, shares recomputed."""


def _coverage(con: Con, filters: Filters) -> pd.DataFrame:
    data = sp.load_supply(con, filters)
    profile, times = DEFAULT_PROFILE
    ok = sp.matching_series(data, profile, times)
    return sp.pcn_coverage(data, sp.area_coverage(data, ok), ok, times)


def _areas(con: Con, filters: Filters) -> pd.DataFrame:
    """The Supply page's map table: the areas in view, their distance to a suitable session
    (the page's profile before any control is changed) and the people referred from each."""
    data = sp.load_supply(con, filters)
    areas = sp.area_coverage(data, sp.matching_series(data, *DEFAULT_PROFILE))
    return areas[areas["in_view"]].reset_index(drop=True)


def warning_counts(raw: pd.DataFrame) -> pd.DataFrame:
    """:func:`analysis.metrics.data_quality.warnings` without the example referral ids, with
    the referrals in view (``in_view``, the shares' denominator) on every row."""
    total = (raw["referrals"] / raw["share"]).where(raw["share"] > 0).max()
    return raw.drop(columns="examples").assign(in_view=round(max(0, total)))


def draw_coverage(pcns: pd.DataFrame) -> go.Figure:
    """The page's coverage chart from :func:`analysis.metrics.supply.pcn_coverage` rows (the
    referred people's share is hidden where seven or fewer are counted)."""
    return sp_fig.coverage_figure(sp.pcn_table(pcns))


def _rates(con: Con, filters: Filters) -> pd.DataFrame:
    rates = equity.referral_rates_by_imd(con, no_person(filters))
    return rates.assign(person_years=rates["population"] * rates["years"])


def _equity_uptake(dim: str) -> Item:
    return Item(
        f"equity_uptake_by_{dim}", f"Uptake by {eq_fig.DIMENSION_LABELS[dim].lower()} (equity)",
        lambda con, f: equity.uptake_by(con, no_person(f), (dim,)),
        TableSpec(["referrals", "first_attended"],
                  {"uptake": prop("first_attended", "referrals", "uptake")}),
        lambda fr: eq_fig.uptake_by_figure(fr, dim), page=EQUITY,
    )  # fmt: skip


FIGURES: tuple[Item, ...] = (
    Item("equity_sii", "Slope index of inequality",
         lambda con, f: pd.concat([equity.imd_sii(con, no_person(f), measure=m)
                                   for m in ("referral_rate", "uptake")], ignore_index=True),
         NO_COUNTS, eq_fig.sii_figure, page=EQUITY),
    Item("equity_referral_rate_by_imd", "Referral rate by deprivation", _rates,
         TableSpec(["referrals"], {"rate": Derived("referrals", "person_years", 1000, "rate",
                                                   ("rate_lower", "rate_upper"))}),
         eq_fig.rate_by_imd_figure, page=EQUITY),
    *(_equity_uptake(dim) for dim in ("imd_quintile", "age_band", "sex", "ethnicity")),
    Item("supply_coverage", "People within 1 km of a suitable session, by PCN", _coverage,
         COVERAGE_SPEC, draw_coverage, page=SUPPLY),
    Item("data_quality_linkage", "How often the records link up",
         lambda con, f: dq.linkage(con, f),
         TableSpec(["numerator", "denominator"], {"rate": Derived("numerator", "denominator")}),
         dq_fig.linkage_figure, page=DATA_QUALITY),
    Item("data_quality_freshness", "Live session series by days since their last update",
         lambda con, f: dq.feed_freshness(con), NO_COUNTS, dq_fig.freshness_figure,
         page=DATA_QUALITY),
    Item("data_quality_faults", "Publisher faults found while harvesting",
         lambda con, f: dq.faults_by_type(con), NO_COUNTS, dq_fig.faults_figure,
         page=DATA_QUALITY),
    Item("data_quality_readiness", "SP-readiness fields missing, by organiser",
         lambda con, f: dq.organiser_readiness(con), NO_COUNTS, dq_fig.readiness_figure,
         page=DATA_QUALITY),
    Item("data_quality_rejects", "Input rows rejected at load, by file and field",
         lambda con, f: dq.rejects_summary(con), REJECTS_SPEC,
         lambda fr: dq_fig.rejects_figure(whole_counts(fr, "rows")), page=DATA_QUALITY),
)  # fmt: skip
TABLES: tuple[Item, ...] = (
    Item("supply_areas", "Areas by distance to a suitable session, with the people referred",
         _areas, AREAS_SPEC, page=SUPPLY),
    Item("data_quality_warnings", "Referrals whose records contradict themselves, by check",
         lambda con, f: warning_counts(dq.warnings(con, f)), WARNINGS_SPEC, page=DATA_QUALITY),
)  # fmt: skip
