"""What an export holds: every table and figure by its stable name (listed in docs/exports.md).

Each :class:`Item` has a ``frame`` function ``(con, Filters) -> DataFrame`` that computes it
from the store with the same metrics functions as the dashboard, the :class:`TableSpec` that
protects it (disclosure control), and for a figure the ``draw`` function from
``analysis.figures`` that the page uses, applied to that (protected) frame — so an exported
figure is the chart on screen, drawn from the numbers that may leave the tool. ``protect="km"``
marks a Kaplan–Meier curve, protected by :func:`analysis.disclosure.protect_km`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import duckdb
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis import equity
from analysis.disclosure import Derived, TableSpec, protect_km, protect_table
from analysis.figures import data_quality as dq_fig
from analysis.figures import equity as eq_fig
from analysis.figures import outcomes as oc_fig
from analysis.figures import overview as ov_fig
from analysis.figures import retention as re_fig
from analysis.figures import uptake as up_fig
from analysis.filters import Filters
from analysis.metrics import data_quality as dq
from analysis.metrics import outcomes as oc
from analysis.metrics import overview as ov
from analysis.metrics import retention as re
from analysis.metrics import uptake as up
from analysis.survival import AT_RISK_WEEKS

__all__ = ["FIGURES", "TABLES", "Item", "by_name", "figure_frame", "protected_for_figure"]

Con = duckdb.DuckDBPyConnection
FrameFn = Callable[[Con, Filters], pd.DataFrame]


@dataclass(frozen=True)
class Item:
    """One exportable table or figure."""

    name: str
    title: str
    frame: FrameFn
    spec: TableSpec
    draw: Callable[[pd.DataFrame], go.Figure] | None = None
    protect: Literal["table", "km"] = "table"

    @property
    def is_figure(self) -> bool:
        return self.draw is not None


def _ci(name: str) -> tuple[str, str]:
    return (f"{name}_lower", f"{name}_upper")


def _prop(num: str, den: str, name: str) -> Derived:
    return Derived(num, den, interval=_ci(name))


FUNNEL_SPEC = TableSpec(
    counts=list(up.COUNTS),
    derived={rate: _prop(num, den, rate) for rate, (num, den) in up.RATES.items()},
)
"""The uptake funnel tables: every count of people, every proportion recomputed."""
STAGE_SPEC = TableSpec(
    counts=["count", "total"], derived={"share": _prop("count", "total", "share")}
)


# ---- tables --------------------------------------------------------------------------------
def pcn_summary(con: Con, filters: Filters) -> pd.DataFrame:
    """One row per PCN in view plus an "All PCNs" total row: funnel counts, referral rate,
    uptake and 12-week retention with 95% CIs, weekly supply per 1,000 and the share of the
    population within 1 km of a live / suitable session."""
    per_pcn = up.uptake_funnel(con, filters, "pcn")
    kpis = ov.kpis(con, filters)
    years = float(kpis["years"].iloc[0]) if not kpis.empty else np.nan
    counts = ["referrals", "contacted", "first_attended", "followed_up_12w", "retained_12w"]
    frame = per_pcn[["pcn_code", "pcn_name", "arm", "registered_patients", *counts]].copy()
    total = {"pcn_code": "ALL", "pcn_name": "All PCNs", "arm": "all",
             **frame[["registered_patients", *counts]].sum().to_dict()}  # fmt: skip
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    frame["patient_years"] = frame["registered_patients"].astype(float) * years
    with con.cursor() as cur:
        access = cur.execute(
            """SELECT pcn_code, population, weekly_occurrences_per_1000,
                      share_within_1km_any, share_within_1km_suitable FROM mart_pcn_access"""
        ).df()
    pop = access["population"].sum()
    access.loc[len(access)] = {
        "pcn_code": "ALL", "population": pop,
        "weekly_occurrences_per_1000": (access["weekly_occurrences_per_1000"]
                                        * access["population"]).sum() / pop if pop else np.nan,
        "share_within_1km_any": (access["share_within_1km_any"] * access["population"]).sum()
        / pop if pop else np.nan,
        "share_within_1km_suitable": (access["share_within_1km_suitable"]
                                      * access["population"]).sum() / pop if pop else np.nan,
    }  # fmt: skip
    if not frame.empty:  # the total row covers the PCNs in view only
        inside = access["pcn_code"].isin(frame["pcn_code"])
        access = access[inside | (access["pcn_code"] == "ALL")]
    frame = frame.merge(access, on="pcn_code", how="left")
    for name, (num, den) in {"uptake": ("first_attended", "referrals"),
                             "retention_12w": ("retained_12w", "first_attended")}.items():  # fmt: skip
        lo, hi = _ci(name)
        frame[name], frame[lo], frame[hi] = _wilson(frame[num], frame[den])
    from analysis.indicators import rate_ci

    ok = frame["patient_years"] > 0
    rate = np.full((3, len(frame)), np.nan)
    if ok.any():
        rate[:, ok.to_numpy()] = rate_ci(frame.loc[ok, "referrals"], frame.loc[ok, "patient_years"],
                                         multiplier=1000)  # fmt: skip
    frame["referral_rate"], frame["referral_rate_lower"], frame["referral_rate_upper"] = rate
    return frame[PCN_SUMMARY_COLUMNS]


def _wilson(num: pd.Series, den: pd.Series) -> np.ndarray:
    from analysis.indicators import proportion_ci

    out = np.full((3, len(num)), np.nan)
    ok = (den > 0).to_numpy()
    if ok.any():
        out[:, ok] = proportion_ci(num[ok].astype(float), den[ok].astype(float))
    return out


PCN_SUMMARY_COLUMNS = [
    "pcn_code", "pcn_name", "arm", "registered_patients", "patient_years", "referrals",
    "contacted", "first_attended", "followed_up_12w", "retained_12w", "referral_rate",
    "referral_rate_lower", "referral_rate_upper", "uptake", "uptake_lower", "uptake_upper",
    "retention_12w", "retention_12w_lower", "retention_12w_upper", "population",
    "weekly_occurrences_per_1000", "share_within_1km_any", "share_within_1km_suitable",
]  # fmt: skip
PCN_SUMMARY_SPEC = TableSpec(
    counts=["referrals", "contacted", "first_attended", "followed_up_12w", "retained_12w"],
    derived={
        "referral_rate": Derived("referrals", "patient_years", 1000, "rate", _ci("referral_rate")),
        "uptake": _prop("first_attended", "referrals", "uptake"),
        "retention_12w": _prop("retained_12w", "first_attended", "retention_12w"),
    },
    total_row=("pcn_code", "ALL"),
)


def pcn_month(con: Con, filters: Filters) -> pd.DataFrame:
    """mart_pcn_month for the PCNs and months in view, with the mean days to first attendance
    (its sum is withheld under disclosure control, as sum ÷ mean is the exact count)."""
    view = ov.in_view(con, filters)
    with con.cursor() as cur:
        frame = cur.execute("SELECT * FROM mart_pcn_month ORDER BY pcn_code, month").df()
    if view is not None:
        months = pd.to_datetime(frame["month"])
        first = pd.Timestamp(view.start).to_period("M").to_timestamp()
        keep = frame["pcn_code"].isin(view.pcns["pcn_code"])
        frame = frame[keep & (months >= first) & (months <= pd.Timestamp(view.end))]
    frame = frame.reset_index(drop=True)
    first = frame["first_attended"].where(frame["first_attended"] > 0)
    frame["mean_days_to_first_attendance"] = frame["days_to_first_attendance_total"] / first
    return frame


PCN_MONTH_COUNTS = ["referrals", "contacted", "first_attended", "retained_4w", "retained_12w",
                    "retained_26w", "followed_up_4w", "followed_up_12w", "followed_up_26w"]  # fmt: skip
PCN_MONTH_SPEC = TableSpec(
    counts=PCN_MONTH_COUNTS,
    derived={"mean_days_to_first_attendance": Derived(
        "days_to_first_attendance_total", "first_attended", kind="mean")},
)  # fmt: skip

TABLES: tuple[Item, ...] = (
    Item("pcn_summary", "Summary by PCN", pcn_summary, PCN_SUMMARY_SPEC),
    Item("pcn_month", "Funnel by PCN and month of referral", pcn_month, PCN_MONTH_SPEC),
)


# ---- figures -------------------------------------------------------------------------------
def _with_total(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """A funnel in long form with each group's referrals as ``total`` (the share's denominator)."""
    referred = frame[frame["stage"] == "referrals"][[*keys, "count"]]
    return frame.drop(columns="total", errors="ignore").merge(
        referred.rename(columns={"count": "total"}), on=keys, how="left")  # fmt: skip


def _km(con: Con, filters: Filters) -> pd.DataFrame:
    return re.retention(re.journeys_in_view(con, filters), "arm_label").km


def _draw_km(km: pd.DataFrame) -> go.Figure:
    """The page's Kaplan–Meier chart; the numbers at risk under it are read off the (protected)
    curve: at week t, the number at risk at the first time ≥ t."""
    rows = []
    for group, part in km.groupby("group", sort=False):
        for week in AT_RISK_WEEKS:
            later = part[part["time_weeks"] >= week]
            if not later.empty:
                rows.append({"group": group, "time_weeks": float(week),
                             "n_at_risk": int(later["n_at_risk"].iloc[0])})  # fmt: skip
    at_risk = pd.DataFrame(rows, columns=["group", "time_weeks", "n_at_risk"])
    return re_fig.km_figure(km, at_risk, re.GROUPINGS["arm_label"])


def _monthly(con: Con, filters: Filters) -> pd.DataFrame:
    monthly = ov.monthly_series(con, filters)
    return monthly.assign(
        patient_months=monthly["registered_patients"] * monthly["month_fraction"]
    )


def _outcomes(con: Con, filters: Filters) -> oc.Outcomes:
    return oc.outcomes(oc.paired_in_view(con, filters, 12), 12)


def _breakdown(dim: str) -> Item:
    label = up.DIMENSIONS[dim][0]
    return Item(
        f"uptake_by_{dim}", f"Uptake by {up_fig.in_sentence(label)}",
        lambda con, f: _one_dimension(up.breakdown(con, f), dim),
        FUNNEL_SPEC, lambda fr: up_fig.breakdown_figure(fr, dim),
    )  # fmt: skip


def _one_dimension(frame: pd.DataFrame, dim: str) -> pd.DataFrame:
    return frame[frame["dimension"] == dim].reset_index(drop=True)


def _equity_uptake(dim: str) -> Item:
    return Item(
        f"equity_uptake_by_{dim}", f"Uptake by {eq_fig.DIMENSION_LABELS[dim].lower()} (equity)",
        lambda con, f: equity.uptake_by(con, _no_person(f), (dim,)),
        TableSpec(["referrals", "first_attended"],
                  {"uptake": _prop("first_attended", "referrals", "uptake")}),
        lambda fr: eq_fig.uptake_by_figure(fr, dim),
    )  # fmt: skip


def _no_person(filters: Filters) -> Filters:
    """The Equity page ignores the person filters (it compares those very groups)."""
    from dataclasses import replace

    from analysis.filters import PERSON_FIELDS

    return replace(filters, **dict.fromkeys(("activity_groups", *PERSON_FIELDS), ()))


def _rates(con: Con, filters: Filters) -> pd.DataFrame:
    rates = equity.referral_rates_by_imd(con, _no_person(filters))
    return rates.assign(person_years=rates["population"] * rates["years"])


NO_COUNTS = TableSpec(counts=[])
FIGURES: tuple[Item, ...] = (
    Item("overview_funnel", "How far referred people get",
         lambda con, f: _with_total(ov.funnel(con, f), ["arm"]), STAGE_SPEC, ov_fig.funnel_figure),
    Item("overview_monthly_referrals", "Referrals each month per 1,000 registered patients",
         _monthly,
         TableSpec(["referrals"], {"rate": Derived("referrals", "patient_months", 1000, "rate",
                                                   ("rate_lower", "rate_upper"))}),
         ov_fig.monthly_trend_figure),
    Item("uptake_pcn_funnel", "The funnel in each PCN",
         lambda con, f: _with_total(up.funnel_stages(up.uptake_funnel(con, f, "pcn")),
                                    ["arm", "pcn_code"]),
         STAGE_SPEC, up_fig.pcn_funnel_figure),
    Item("uptake_by_month", "Uptake by month of referral",
         lambda con, f: up.uptake_funnel(con, f, "month"), FUNNEL_SPEC, up_fig.uptake_trend_figure),
    *(_breakdown(dim) for dim in up.DIMENSIONS),
    Item("retention_km", "Still attending, by weeks since first attendance", _km,
         TableSpec(["n_at_risk", "n_events"], method="midpoint6"), _draw_km, protect="km"),
    Item("retention_cohorts", "Still attending among starters followed up, by month of referral",
         lambda con, f: re.cohort_retention(re.journeys_in_view(con, f)),
         TableSpec(["starters", "followed_up", "retained"],
                   {"share": Derived("retained", "followed_up", interval=("lower", "upper"))}),
         re_fig.cohort_heatmap_figure),
    Item("outcomes_improvement", "Share improving by a meaningful amount",
         lambda con, f: _outcomes(con, f).improvement,
         TableSpec(["n_pairs", "improved"],
                   {"improved_share": Derived("improved", "n_pairs",
                                              interval=("improved_lower", "improved_upper"))}),
         oc_fig.improvement_figure),
    Item("equity_sii", "Slope index of inequality",
         lambda con, f: pd.concat([equity.imd_sii(con, _no_person(f), measure=m)
                                   for m in ("referral_rate", "uptake")], ignore_index=True),
         NO_COUNTS, eq_fig.sii_figure),
    Item("equity_referral_rate_by_imd", "Referral rate by deprivation", _rates,
         TableSpec(["referrals"], {"rate": Derived("referrals", "person_years", 1000, "rate",
                                                   ("rate_lower", "rate_upper"))}),
         eq_fig.rate_by_imd_figure),
    *(_equity_uptake(dim) for dim in ("imd_quintile", "age_band", "sex", "ethnicity")),
    Item("data_quality_linkage", "How often the records link up",
         lambda con, f: dq.linkage(con, f),
         TableSpec(["numerator", "denominator"],
                   {"rate": Derived("numerator", "denominator")}),
         dq_fig.linkage_figure),
)  # fmt: skip


def by_name() -> dict[str, Item]:
    """Every item (tables, then figures) by its stable name."""
    return {item.name: item for item in (*TABLES, *FIGURES)}


def protected_for_figure(item: Item, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` protected for drawing: hidden cells missing (not a text marker), counts float."""
    if item.protect == "km":
        return protect_km(frame, table=item.name).frame
    spec = item.spec
    if not spec.counts:
        return frame
    out, _ = protect_table(frame, count_columns=spec.counts, total_row=spec.total_row,
                           total_column=spec.total_column, derived=spec.derived,
                           method=spec.method, marker=None, table=item.name)  # fmt: skip
    for column in spec.counts:
        out[column] = out[column].astype(float)
    return out


def figure_frame(item: Item, con: Con, filters: Filters, *, disclosure_control: bool = True
                 ) -> pd.DataFrame:  # fmt: skip
    """The frame a figure is drawn from: protected unless disclosure control is off."""
    frame = item.frame(con, filters)
    return protected_for_figure(item, frame) if disclosure_control else frame
