"""Overview metrics: headline KPIs, the referral funnel and the monthly referral series per arm.

Every function takes a DuckDB connection to a built store and a :class:`~analysis.filters.Filters`
and returns a pandas DataFrame with one row per arm (and stage or month); dates are pandas
timestamps. With a pilot the arms are its ``pilot`` and ``comparison`` PCNs; without one, all
PCNs form one arm, ``all``. A filter that matches no referral gives an empty frame with the same
columns, never an error.

Definitions follow ``METHODS.md``:

* referral rate — referrals ÷ (registered patients × years in period) × 1,000, exact Poisson
  (< 10 events) / Byar's CI; the period is the filter's dates clipped to the referral dates held;
* uptake — first attendance ÷ referrals (Wilson CI);
* 12-week retention — still attending at week 12 ÷ starters (Wilson CI), counting only starters
  whose week-12 follow-up is due by the data's last date (first attendance + 84 days ≤ the latest
  referral or follow-up date), so recent starters do not deflate it; the complete-case variant
  divides by those with a week-12 follow-up instead;
* days to first attendance — median with the interquartile range (linear interpolation).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd

from analysis.filters import Filters
from analysis.indicators import proportion_ci, rate_ci
from analysis.metrics.view import (
    ARM_LABELS,
    ARM_ORDER,
    DAYS_PER_YEAR,
    DataWindow,
    View,
    arm_pcns,
    data_window,
    filter_values,
    in_view,
    pilot_names,
)

# fmt: off
__all__ = [
    "ARM_LABELS", "ARM_ORDER", "FUNNEL_COLUMNS", "FUNNEL_STAGES", "KPI_COLUMNS",
    "MONTHLY_COLUMNS", "DataWindow", "View", "arm_pcns", "data_window",
    "filter_values", "funnel", "in_view", "kpis", "monthly_series", "overview_frames",
    "pilot_names",
]
# fmt: on

RETENTION_DUE_DAYS = 84  # week 12
FUNNEL_STAGES = {  # column in journeys → plain-English stage
    "referrals": "Referred",
    "contacted": "Contacted",
    "first_attended": "First attendance",
    "retained_4w": "Attending at 4 weeks",
    "retained_12w": "Attending at 12 weeks",
    "retained_26w": "Attending at 26 weeks",
}
# fmt: off
ARM_COLUMNS = ["arm", "arm_label", "pcns", "registered_patients", "go_live"]
KPI_COLUMNS = [
    *ARM_COLUMNS, "period_start", "period_end", "years", "referrals",
    "referral_rate", "referral_rate_lower", "referral_rate_upper",
    "first_attended", "uptake", "uptake_lower", "uptake_upper",
    "starters_due_12w", "retained_12w",
    "retention_12w", "retention_12w_lower", "retention_12w_upper",
    "followed_up_12w", "retention_12w_cc", "retention_12w_cc_lower", "retention_12w_cc_upper",
    "days_median", "days_q1", "days_q3",
]
FUNNEL_COLUMNS = [
    "arm", "arm_label", "stage", "stage_label", "count", "share", "share_lower", "share_upper",
]
MONTHLY_COLUMNS = [
    "arm", "arm_label", "month", "referrals", "registered_patients", "month_fraction",
    "rate", "rate_lower", "rate_upper", "go_live",
]
STAGE_COUNTS = {  # funnel stage → its count in the per-arm counts
    col: col if col in ("referrals", "first_attended") else f"stage_{col}" for col in FUNNEL_STAGES
}
COUNT_COLUMNS = ["referrals", "first_attended", "starters_due_12w", "retained_12w",
                 "followed_up_12w"]
# fmt: on


def _arms(pcns: pd.DataFrame) -> pd.DataFrame:
    """One row per arm: its label, number of PCNs, registered patients and go-live date (the
    first one given), in the arms' order."""
    arm = pcns["arm"].astype(str).to_numpy()
    names = [a for a in ARM_ORDER if (arm == a).any()]
    masks = [arm == a for a in names]
    patients = pcns["registered_patients"].to_numpy(dtype=float)
    go_live = pcns["go_live"].to_numpy(dtype="datetime64[ns]")
    first = [go_live[m][~np.isnat(go_live[m])][:1] for m in masks]
    return pd.DataFrame(
        {
            "arm": np.array(names, dtype=object),
            "arm_label": np.array([ARM_LABELS[a] for a in names], dtype=object),
            "pcns": np.array([m.sum() for m in masks], dtype="int64"),
            "registered_patients": np.array(
                [np.nansum(patients[m]) for m in masks], dtype=float
            ).astype("int64"),
            "go_live": np.array(
                [g[0] if len(g) else np.datetime64("NaT", "ns") for g in first],
                dtype="datetime64[ns]",
            ),
        },
        columns=ARM_COLUMNS,
    )


def _by_arm(arms: pd.DataFrame, counts: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``arms`` with these columns of the per-arm ``counts`` beside them (missing where an arm
    has no referrals), as a left merge on ``arm`` gives them."""
    found = counts.set_index("arm")[columns].reindex(arms["arm"].to_numpy())
    return pd.concat([arms, found.reset_index(drop=True)], axis=1)


def _ci(
    fn: Callable[..., tuple], num: pd.Series | np.ndarray, den: pd.Series | np.ndarray, **kw: float
) -> tuple[np.ndarray, ...]:
    """Vectorised CI, NaN where the denominator is zero."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    out = [np.full(len(num), np.nan) for _ in range(3)]
    ok = den > 0
    if ok.any():
        for i, values in enumerate(fn(num[ok], den[ok], **kw)):
            out[i][ok] = values
    return tuple(out)


def _arm_counts(con: duckdb.DuckDBPyConnection, view: View) -> pd.DataFrame:
    """One query for the headline counts and the funnel's stage counts, per arm (stages not
    among the headline counts are named ``stage_<stage>``)."""
    due = f"first_attended AND first_attended_date + {RETENTION_DUE_DAYS} <= $as_of"
    stages = ", ".join(
        f"count(*) FILTER (WHERE {col}) AS {name}"
        for col, name in STAGE_COUNTS.items()
        if name != col
    )
    select = f"""arm, count(*) AS referrals,
        count(*) FILTER (WHERE first_attended) AS first_attended,
        count(*) FILTER (WHERE {due}) AS starters_due_12w,
        count(*) FILTER (WHERE {due} AND retained_12w) AS retained_12w,
        count(*) FILTER (WHERE {due} AND followed_up_12w) AS followed_up_12w,
        quantile_cont(days_to_first_attendance, 0.5) AS days_median,
        quantile_cont(days_to_first_attendance, 0.25) AS days_q1,
        quantile_cont(days_to_first_attendance, 0.75) AS days_q3, {stages}"""
    return view.counts(con, select)


def overview_frames(
    con: duckdb.DuckDBPyConnection, filters: Filters
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """:func:`kpis`, :func:`funnel` and :func:`monthly_series` for one filter, with the view,
    its arms and the per-arm counts found once for all three."""
    view = in_view(con, filters)
    if view is None:
        return tuple(
            pd.DataFrame(columns=c) for c in (KPI_COLUMNS, FUNNEL_COLUMNS, MONTHLY_COLUMNS)
        )
    arms, counts = _arms(view.pcns), _arm_counts(con, view)
    return _kpis(view, arms, counts), _funnel(arms, counts), _monthly(con, view, arms)


def kpis(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Headline numbers, one row per arm (columns :data:`KPI_COLUMNS`)."""
    view = in_view(con, filters)
    if view is None:
        return pd.DataFrame(columns=KPI_COLUMNS)
    return _kpis(view, _arms(view.pcns), _arm_counts(con, view))


def _kpis(view: View, arms: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    columns = [c for c in counts.columns if c != "arm" and not c.startswith("stage_")]
    frame = _by_arm(arms, counts, columns)
    if frame["referrals"].fillna(0).sum() == 0:
        return pd.DataFrame(columns=KPI_COLUMNS)
    frame[COUNT_COLUMNS] = frame[COUNT_COLUMNS].fillna(0).astype("int64")
    years = ((view.end - view.start).days + 1) / DAYS_PER_YEAR
    for name, when in (("period_start", view.start), ("period_end", view.end)):
        frame[name] = pd.Series(pd.Timestamp(when), index=frame.index, dtype="datetime64[ns]")
    frame["years"] = years
    person_years = frame["registered_patients"].to_numpy(dtype=float) * years
    results = {
        "referral_rate": _ci(rate_ci, frame["referrals"], person_years, multiplier=1000),
        "uptake": _ci(proportion_ci, frame["first_attended"], frame["referrals"]),
        "retention_12w": _ci(proportion_ci, frame["retained_12w"], frame["starters_due_12w"]),
        "retention_12w_cc": _ci(proportion_ci, frame["retained_12w"], frame["followed_up_12w"]),
    }
    for name, values in results.items():
        frame[name], frame[f"{name}_lower"], frame[f"{name}_upper"] = values
    return frame[KPI_COLUMNS]


def funnel(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Referred → contacted → first attendance → attending at 4/12/26 weeks, per arm.

    ``share`` (with its Wilson CI) is each stage as a proportion of referrals (the "Referred"
    stage is 100% by definition, so its interval is 100% to 100%). Later stages count the
    follow-ups recorded so far, so recent referrals have not yet had the chance to reach them.
    """
    view = in_view(con, filters)
    if view is None:
        return pd.DataFrame(columns=FUNNEL_COLUMNS)
    return _funnel(_arms(view.pcns), _arm_counts(con, view))


def _funnel(arms: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    if counts.empty or counts["referrals"].sum() == 0:
        return pd.DataFrame(columns=FUNNEL_COLUMNS)
    wide = _by_arm(arms[["arm", "arm_label"]], counts, list(STAGE_COUNTS.values()))
    # one row per arm and stage, arms in their order and stages in the funnel's
    count = wide[list(STAGE_COUNTS.values())].fillna(0).to_numpy(dtype=float).astype("int64")
    stages, n = list(FUNNEL_STAGES), len(FUNNEL_STAGES)
    long = pd.DataFrame(
        {
            "arm": np.repeat(wide["arm"].to_numpy(), n),
            "arm_label": np.repeat(wide["arm_label"].to_numpy(), n),
            "stage": np.array(stages * len(wide), dtype=object),
            "stage_label": np.array([FUNNEL_STAGES[s] for s in stages] * len(wide), dtype=object),
            "count": count.ravel(),
        }
    )
    share = _ci(proportion_ci, long["count"], np.repeat(count[:, 0], n))
    long["share"], long["share_lower"], long["share_upper"] = share
    referred = (long["stage"] == "referrals").to_numpy()  # 100% by definition, not an estimate
    long.loc[referred, ["share_lower", "share_upper"]] = 1.0
    return long[FUNNEL_COLUMNS]


def monthly_series(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Referrals and the referral rate per 1,000 registered patients per month, per arm.

    Months cut by the period's ends are scaled to a whole month (``month_fraction`` < 1), so the
    rate of a part month is comparable; the count is what was recorded. ``go_live`` is the pilot's
    go-live date (missing without a pilot).
    """
    view = in_view(con, filters)
    if view is None:
        return pd.DataFrame(columns=MONTHLY_COLUMNS)
    return _monthly(con, view, _arms(view.pcns))


def _monthly(con: duckdb.DuckDBPyConnection, view: View, arms: pd.DataFrame) -> pd.DataFrame:
    select = "arm, referral_month AS month, count(*) AS referrals"
    counts = view.counts(con, select, group_by="arm, referral_month")
    start, end = view.start, view.end
    if counts.empty:
        return pd.DataFrame(columns=MONTHLY_COLUMNS)
    months = pd.date_range(
        pd.Timestamp(start).to_period("M").to_timestamp(), pd.Timestamp(end), freq="MS"
    )
    # every arm × every month of the period, arm by arm
    frame = arms.iloc[np.repeat(np.arange(len(arms)), len(months))].reset_index(drop=True)
    frame["month"] = np.tile(months.to_numpy(), len(arms))
    found = pd.Series(
        counts["referrals"].to_numpy(),
        index=pd.MultiIndex.from_arrays([counts["arm"], pd.to_datetime(counts["month"])]),
    )
    wanted = pd.MultiIndex.from_arrays([frame["arm"], frame["month"]])
    frame["referrals"] = found.reindex(wanted).fillna(0).to_numpy().astype("int64")
    fractions = [_month_fraction(m.date(), start, end) for m in months]
    frame["month_fraction"] = np.tile(np.array(fractions, dtype=float), len(arms))
    exposure = frame["registered_patients"].to_numpy(dtype=float) * frame["month_fraction"]
    frame["rate"], frame["rate_lower"], frame["rate_upper"] = _ci(
        rate_ci, frame["referrals"], exposure, multiplier=1000
    )
    return frame[MONTHLY_COLUMNS].reset_index(drop=True)


def _month_fraction(month: date, start: date, end: date) -> float:
    """The share of a calendar month's days that fall inside [start, end]."""
    next_month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    covered = (min(next_month - timedelta(days=1), end) - max(month, start)).days + 1
    return max(covered, 0) / (next_month - month).days
