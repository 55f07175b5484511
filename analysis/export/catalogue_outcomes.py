"""Export items of the Retention, Outcomes and Pilot impact pages."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import cast

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.disclosure import Derived, TableSpec, protect_km
from analysis.export.catalogue_items import NO_COUNTS, Con, Item, ci, kept_means, prop
from analysis.figures import impact as im_fig
from analysis.figures import outcomes as oc_fig
from analysis.figures import retention as re_fig
from analysis.filters import Filters
from analysis.impact import COUNTERFACTUAL_COLUMNS, ImpactEstimate, pilot_impact
from analysis.metrics import outcomes as oc
from analysis.metrics import retention as re
from analysis.metrics.overview import arm_pcns
from analysis.outcomes import ATTENDANCE
from analysis.survival import AT_RISK_WEEKS, survival_at

__all__ = [
    "CHANGE_SPEC", "COUNTERFACTUAL_SPEC", "FIGURES", "TABLES", "comparison_pcns", "draw_impact",
    "draw_km", "impact_estimate", "km_at_risk", "protected_retention",
]  # fmt: skip
RETENTION, OUTCOMES, IMPACT = "retention.py", "outcomes.py", "impact.py"


def _km(con: Con, filters: Filters) -> pd.DataFrame:
    return re.retention(re.journeys_in_view(con, filters), "arm_label").km


def km_at_risk(km: pd.DataFrame) -> pd.DataFrame:
    """Numbers at risk read off a (protected) curve: at week t, the number at risk at the first
    time ≥ t (columns ``group``, ``time_weeks``, ``n_at_risk``)."""
    weeks = np.asarray(AT_RISK_WEEKS, dtype=float)
    out: dict[str, list] = {"group": [], "time_weeks": [], "n_at_risk": []}
    for group, part in km.groupby("group", sort=False):
        later = part["time_weeks"].to_numpy()[:, None] >= weeks[None, :]  # row × week
        found = later.any(axis=0)
        first = later.argmax(axis=0)[found]  # the first row, in the curve's order, at or after
        out["group"] += [group] * len(first)
        out["time_weeks"] += weeks[found].tolist()
        out["n_at_risk"] += [int(n) for n in part["n_at_risk"].to_numpy()[first]]
    if not out["group"]:
        return pd.DataFrame([], columns=["group", "time_weeks", "n_at_risk"])
    return pd.DataFrame(out)


def protected_retention(con: Con, filters: Filters) -> re.Retention:
    """The Retention page's results by arm with the curve protected (midpoint-6) and the
    numbers at risk and S(4), S(12), S(26) read off it, as the page's tables show them."""
    result = re.retention(re.journeys_in_view(con, filters), "arm_label")
    if result.km.empty:
        return result
    km = protect_km(result.km).frame
    return replace(result, km=km, at_risk=km_at_risk(km), survival=survival_at(km))


def comparison_pcns(con: Con, filters: Filters) -> pd.DataFrame:
    """The chosen pilot's PCNs by arm with their list sizes (every PCN of the pilot, whatever
    PCNs or period are chosen; empty without a pilot)."""
    pcns = arm_pcns(con, Filters(pilot=filters.pilot))
    if filters.pilot is None:
        pcns = pcns.iloc[0:0]
    return pcns.assign(arm_label=pcns["arm"].astype(str).str.capitalize())


def draw_km(km: pd.DataFrame) -> go.Figure:
    """The page's Kaplan–Meier chart by arm, with the numbers at risk read off the curve."""
    return re_fig.km_figure(km, km_at_risk(km), re.GROUPINGS["arm_label"])


def _outcomes(con: Con, filters: Filters) -> oc.Outcomes:
    return oc.outcomes(oc.paired_in_view(con, filters, 12), 12)


def impact_estimate(con: Con, filters: Filters) -> ImpactEstimate | None:
    """The chosen pilot's impact model, or None (no pilot, or it cannot be estimated)."""
    if filters.pilot is None:
        return None
    try:
        return pilot_impact(con, filters.pilot)
    except ValueError:
        return None


def _counterfactual(con: Con, filters: Filters) -> pd.DataFrame:
    """The impact chart's monthly series with the go-live date on every row."""
    est = impact_estimate(con, filters)
    if est is None:
        return pd.DataFrame(columns=[*COUNTERFACTUAL_COLUMNS, "go_live"])
    return est.counterfactual.assign(go_live=pd.Timestamp(est.go_live))


def draw_impact(frame: pd.DataFrame) -> go.Figure:
    """:func:`analysis.figures.impact.impact_figure` from the exported series: the chart reads
    only the estimate's ``counterfactual`` frame and ``go_live`` date."""
    go_live = pd.Timestamp(frame["go_live"].iloc[0]) if len(frame) else pd.NaT
    view = SimpleNamespace(counterfactual=frame.drop(columns="go_live"), go_live=go_live)
    return im_fig.impact_figure(cast(ImpactEstimate, view))


CHANGE_SPEC = TableSpec(
    ["n_pairs", "improved"],
    {"improved_share": prop("improved", "n_pairs", "improved")}
    | kept_means("n_pairs", "baseline_mean", "followup_mean", "mean_change", "change_lower",
                 "change_upper", "sd_change", "t_statistic", "p_ttest", "p_wilcoxon",
                 "cohens_d"),
)  # fmt: skip
"""Change summaries: pairs and improvers protected; means kept unless the pairs are hidden."""
BANDS_SPEC = TableSpec(
    ["n_pairs", "baseline_count", "followup_count"],
    {f"{w}_share": Derived(f"{w}_count", "n_pairs", interval=(f"{w}_lower", f"{w}_upper"))
     for w in ("baseline", "followup")},
)  # fmt: skip
COUNTERFACTUAL_SPEC = TableSpec(
    ["pilot_referrals", "comparison_referrals"],
    {f"{arm}_rate": Derived(f"{arm}_referrals", f"{arm}_registered", 1000, "rate",
                            ci(f"{arm}_rate")) for arm in ("pilot", "comparison")},
)  # fmt: skip
"""Observed referrals protected and their rates recomputed; the model's fit and counterfactual
are estimates and kept."""
COX_SPEC = TableSpec(["n", "events"])
"""Hazard ratios are model estimates; the starters and stops they come from are counts."""


def _change(by: str) -> Item:
    name = "attendance" if by == ATTENDANCE else "arm"
    return Item(
        f"outcomes_change_by_{name}", f"Mean change from baseline, by {oc.BY[by].lower()}",
        lambda con, f: getattr(_outcomes(con, f), f"by_{name}"), CHANGE_SPEC,
        lambda fr: oc_fig.change_figure(fr, oc.BY[by]), page=OUTCOMES,
    )  # fmt: skip


FIGURES: tuple[Item, ...] = (
    Item("retention_km", "Still attending, by weeks since first attendance", _km,
         TableSpec(["n_at_risk", "n_events"], method="midpoint6"), draw_km, protect="km",
         page=RETENTION),
    Item("retention_cohorts", "Still attending among starters followed up, by month of referral",
         lambda con, f: re.cohort_retention(re.journeys_in_view(con, f)),
         TableSpec(["starters", "followed_up", "retained"],
                   {"share": Derived("retained", "followed_up", interval=("lower", "upper"))}),
         re_fig.cohort_heatmap_figure, page=RETENTION),
    Item("retention_cox", "What goes with stopping: hazard ratios from the adjusted model",
         lambda con, f: re.cox_model(re.journeys_in_view(con, f))[0], COX_SPEC,
         re_fig.forest_figure, page=RETENTION),
    Item("outcomes_improvement", "Share improving by a meaningful amount",
         lambda con, f: _outcomes(con, f).improvement,
         TableSpec(["n_pairs", "improved"],
                   {"improved_share": Derived("improved", "n_pairs",
                                              interval=("improved_lower", "improved_upper"))}),
         oc_fig.improvement_figure, page=OUTCOMES),
    _change(ATTENDANCE),
    _change("arm_label"),
    Item("outcomes_ons4_bands", "ONS4 wellbeing bands before and after",
         lambda con, f: _outcomes(con, f).bands, BANDS_SPEC, oc_fig.ons4_bands_figure,
         page=OUTCOMES),
    Item("impact_observed_counterfactual",
         "Referral rate in the pilot PCNs: observed and without the pilot", _counterfactual,
         COUNTERFACTUAL_SPEC, draw_impact, page=IMPACT),
)  # fmt: skip
TABLES: tuple[Item, ...] = (
    Item("retention_at_risk", "Numbers at risk by weeks since starting, by arm",
         lambda con, f: re.at_risk_table(protected_retention(con, f).at_risk), NO_COUNTS,
         page=RETENTION),
    Item("retention_survival", "Still attending at 4, 12 and 26 weeks, by arm",
         lambda con, f: re.survival_table(protected_retention(con, f)), NO_COUNTS,
         page=RETENTION),
    Item("impact_comparison_pcns", "The pilot's PCNs and its comparison PCNs", comparison_pcns,
         NO_COUNTS, page=IMPACT),
)  # fmt: skip
"""The numbers at risk and survival are read off the protected curve (as on the page, in every
export); the PCN list sizes are not counts of referred people."""
