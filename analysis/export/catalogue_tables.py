"""The export's summary tables: the summary by PCN and the funnel by PCN and month (for every
role with the Export page), and the pilot-impact estimates (docs/exports.md, "Tables")."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.disclosure import Derived, TableSpec
from analysis.export.catalogue_items import EXPORT_PAGE, NO_COUNTS, Con, Item, ci, prop
from analysis.export.catalogue_outcomes import impact_estimate
from analysis.figures import impact as im_fig
from analysis.filters import Filters
from analysis.indicators import proportion_ci, rate_ci
from analysis.metrics import overview as ov
from analysis.metrics import uptake as up

__all__ = [
    "PCN_MONTH_COUNTS", "PCN_MONTH_SPEC", "PCN_SUMMARY_COLUMNS", "PCN_SUMMARY_SPEC", "TABLES",
    "impact_estimates", "pcn_month", "pcn_summary",
]  # fmt: skip

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
        "referral_rate": Derived("referrals", "patient_years", 1000, "rate", ci("referral_rate")),
        "uptake": prop("first_attended", "referrals", "uptake"),
        "retention_12w": prop("retained_12w", "first_attended", "retention_12w"),
    },
    total_row=("pcn_code", "ALL"),
)
SHARES = ("weekly_occurrences_per_1000", "share_within_1km_any", "share_within_1km_suitable")


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
            f"SELECT pcn_code, population, {', '.join(SHARES)} FROM mart_pcn_access"
        ).df()
    if not frame.empty:  # the total row covers the PCNs in view only
        access = access[access["pcn_code"].isin(frame["pcn_code"])]
    pop = access["population"].sum()
    weighted = {
        c: (access[c] * access["population"]).sum() / pop if pop else np.nan for c in SHARES
    }
    access.loc[len(access)] = {"pcn_code": "ALL", "population": pop, **weighted}
    frame = frame.merge(access, on="pcn_code", how="left")
    for name, (num, den) in {"uptake": ("first_attended", "referrals"),
                             "retention_12w": ("retained_12w", "first_attended")}.items():  # fmt: skip
        lo, hi = ci(name)
        frame[name], frame[lo], frame[hi] = _wilson(frame[num], frame[den])
    ok = (frame["patient_years"] > 0).to_numpy()
    rate = np.full((3, len(frame)), np.nan)
    if ok.any():
        rate[:, ok] = rate_ci(frame.loc[ok, "referrals"], frame.loc[ok, "patient_years"],
                              multiplier=1000)  # fmt: skip
    frame["referral_rate"], frame["referral_rate_lower"], frame["referral_rate_upper"] = rate
    return frame[PCN_SUMMARY_COLUMNS]


def _wilson(num: pd.Series, den: pd.Series) -> np.ndarray:
    out = np.full((3, len(num)), np.nan)
    ok = (den > 0).to_numpy()
    if ok.any():
        out[:, ok] = proportion_ci(num[ok].astype(float), den[ok].astype(float))
    return out


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
IMPACT_ESTIMATE_COLUMNS = ["design", "model", "model_label", "term", "term_label", "rate_ratio",
                           "lower", "upper", "p_value", "selected"]  # fmt: skip


def impact_estimates(con: Con, filters: Filters) -> pd.DataFrame:
    """The pilot-impact rate ratios of both models (Poisson and negative binomial) for the
    chosen pilot; empty without a pilot or when the impact cannot be estimated."""
    est = impact_estimate(con, filters)
    if est is None:
        return pd.DataFrame(columns=IMPACT_ESTIMATE_COLUMNS)
    return im_fig.estimate_rows(est)[IMPACT_ESTIMATE_COLUMNS]


TABLES: tuple[Item, ...] = (
    Item("pcn_summary", "Summary by PCN", pcn_summary, PCN_SUMMARY_SPEC, page=EXPORT_PAGE),
    Item("pcn_month", "Funnel by PCN and month of referral", pcn_month, PCN_MONTH_SPEC,
         page=EXPORT_PAGE),
    Item("impact_estimates", "Pilot impact: rate ratios from both models", impact_estimates,
         NO_COUNTS, page="impact.py"),
)  # fmt: skip
