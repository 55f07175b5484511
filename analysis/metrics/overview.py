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
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd

from analysis.filters import JOURNEY_COLUMNS, Filters, journey_predicate
from analysis.indicators import proportion_ci, rate_ci

# fmt: off
__all__ = [
    "ARM_LABELS", "ARM_ORDER", "FUNNEL_COLUMNS", "FUNNEL_STAGES", "KPI_COLUMNS",
    "MONTHLY_COLUMNS", "DataWindow", "View", "arm_pcns", "data_window",
    "filter_values", "funnel", "in_view", "kpis", "monthly_series", "pilot_names",
]
# fmt: on

ARM_LABELS = {"pilot": "Pilot PCNs", "comparison": "Comparison PCNs", "all": "All PCNs"}
ARM_ORDER = ("pilot", "comparison", "all")
DAYS_PER_YEAR = 365.25
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
COUNT_COLUMNS = ["referrals", "first_attended", "starters_due_12w", "retained_12w",
                 "followed_up_12w"]
# fmt: on


@dataclass(frozen=True)
class DataWindow:
    """The dates the store covers: first and last referral, and the latest date of any record."""

    first_referral: date
    last_referral: date
    as_of: date


def data_window(con: duckdb.DuckDBPyConnection) -> DataWindow | None:
    """The referral date range held, and the data's last date (None when there are no referrals)."""
    first, last, followed = con.execute(
        "SELECT min(referral_date), max(referral_date), "
        "(SELECT max(followup_date) FROM stg_followups) FROM journeys"
    ).fetchall()[0]
    if first is None:
        return None
    return DataWindow(first, last, max(last, followed) if followed else last)


def pilot_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The defined pilots, by name."""
    rows = con.execute("SELECT DISTINCT pilot_name FROM stg_pilot_pcns ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def arm_pcns(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """PCNs in view with their arm: pcn_code, pcn_name, arm, registered_patients, go_live."""
    if filters.pilot is None:
        sql = (
            "SELECT pcn_code, pcn_name, 'all' AS arm, registered_patients, "
            "CAST(NULL AS DATE) AS go_live FROM stg_pcns"
        )
        params: list[object] = []
    else:
        sql = (
            "SELECT pp.pcn_code, p.pcn_name, pp.arm, p.registered_patients, pp.go_live "
            "FROM stg_pilot_pcns AS pp JOIN stg_pcns AS p USING (pcn_code) "
            "WHERE pp.pilot_name = ?"
        )
        params = [filters.pilot]
    frame = con.execute(f"{sql} ORDER BY pcn_code", params).df()
    if filters.pcn_codes:
        frame = frame[frame["pcn_code"].isin(filters.pcn_codes)]
    frame["arm"] = pd.Categorical(frame["arm"], categories=ARM_ORDER, ordered=True)
    return frame.sort_values(["arm", "pcn_code"]).reset_index(drop=True)


def filter_values(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The values each referral-level filter can take in the store, sorted, keyed by
    :class:`Filters` field (``"unknown"`` included where a value is missing; see
    :func:`analysis.filters.journey_predicate`)."""
    options: dict[str, list[str]] = {}
    for field, (column, _) in JOURNEY_COLUMNS.items():
        value = "unnest(conditions)" if field == "conditions" else column
        rows = con.execute(
            f"SELECT DISTINCT v FROM (SELECT {value} AS v FROM journeys) WHERE v IS NOT NULL"
        ).fetchall()
        options[field] = sorted(str(r[0]) for r in rows)
    return options


@dataclass(frozen=True)
class View:
    """What a filter selects: the PCNs in view (with their arm), the data window and the period
    (the filter's dates clipped to the referral dates held)."""

    filters: Filters
    pcns: pd.DataFrame
    window: DataWindow
    start: date
    end: date

    def counts(
        self,
        con: duckdb.DuckDBPyConnection,
        select: str,
        group_by: str = "arm",
        *,
        extra: str = "",
    ) -> pd.DataFrame:
        """Run ``SELECT {select} ... GROUP BY {group_by}`` over the journeys in view, with an
        ``arm`` column and the parameter ``$as_of`` (the data's last date). ``extra`` adds
        columns to each journey row first (e.g. ``unnest(conditions) AS condition``)."""
        return self.rows(con, select, f"GROUP BY {group_by}", extra=extra)

    def rows(
        self, con: duckdb.DuckDBPyConnection, select: str, tail: str = "", *, extra: str = ""
    ) -> pd.DataFrame:
        """Run ``SELECT {select} ... {tail}`` over the journeys in view (one row each, with
        ``arm``; ``tail`` e.g. ``ORDER BY referral_date``), as :meth:`counts` does."""
        arms = self.pcns.drop_duplicates("pcn_code")  # sorted by arm: pilot first
        params: dict[str, object] = {
            "arm_pcns": arms["pcn_code"].astype(str).tolist(),
            "arm_names": arms["arm"].astype(str).tolist(),
            "start": self.start, "end": self.end, "as_of": self.window.as_of,
        }  # fmt: skip
        where, filter_params = journey_predicate(self.filters)
        params |= filter_params
        # The PCNs in view with their arm, joined by hash: testing each journey's PCN against a
        # list cost a second per query at national scale.
        sql = f"""
            WITH arms AS (
                SELECT unnest($arm_pcns::VARCHAR[]) AS arm_pcn_code,
                       unnest($arm_names::VARCHAR[]) AS arm
            ),
            j AS (
                SELECT arms.arm, journeys.*{", " + extra if extra else ""}
                FROM journeys JOIN arms ON arms.arm_pcn_code = journeys.pcn_code
                WHERE referral_date BETWEEN $start AND $end AND {where}
            )
            SELECT {select} FROM j WHERE arm IS NOT NULL {tail}
        """
        used = {k: v for k, v in params.items() if f"${k}" in sql}
        return con.execute(sql, used).df()


def in_view(con: duckdb.DuckDBPyConnection, filters: Filters) -> View | None:
    """What the filter selects; None when it cannot match any referral."""
    window = data_window(con)
    if window is None:
        return None
    start = max(filters.start or window.first_referral, window.first_referral)
    end = min(filters.end or window.last_referral, window.last_referral)
    pcns = arm_pcns(con, filters) if start <= end else None
    if pcns is None or pcns.empty:
        return None
    return View(filters, pcns, window, start, end)


def _arms(pcns: pd.DataFrame) -> pd.DataFrame:
    """One row per arm: its label, number of PCNs, registered patients and go-live date."""
    arms = pcns.groupby("arm", observed=True).agg(
        pcns=("pcn_code", "size"),
        registered_patients=("registered_patients", "sum"),
        go_live=("go_live", "first"),
    )
    arms = arms.reset_index()
    arms["arm"] = arms["arm"].astype(str)
    arms["registered_patients"] = arms["registered_patients"].astype("int64")
    arms["go_live"] = pd.to_datetime(arms["go_live"]).astype("datetime64[ns]")
    arms.insert(1, "arm_label", arms["arm"].map(ARM_LABELS))
    return arms[ARM_COLUMNS]


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


def kpis(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Headline numbers, one row per arm (columns :data:`KPI_COLUMNS`)."""
    view = in_view(con, filters)
    if view is None:
        return pd.DataFrame(columns=KPI_COLUMNS)
    due = f"first_attended AND first_attended_date + {RETENTION_DUE_DAYS} <= $as_of"
    select = f"""arm, count(*) AS referrals,
        count(*) FILTER (WHERE first_attended) AS first_attended,
        count(*) FILTER (WHERE {due}) AS starters_due_12w,
        count(*) FILTER (WHERE {due} AND retained_12w) AS retained_12w,
        count(*) FILTER (WHERE {due} AND followed_up_12w) AS followed_up_12w,
        quantile_cont(days_to_first_attendance, 0.5) AS days_median,
        quantile_cont(days_to_first_attendance, 0.25) AS days_q1,
        quantile_cont(days_to_first_attendance, 0.75) AS days_q3"""
    frame = _arms(view.pcns).merge(view.counts(con, select), on="arm", how="left")
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
    select = "arm, " + ", ".join(
        "count(*) AS referrals"
        if col == "referrals"
        else f"count(*) FILTER (WHERE {col}) AS {col}"
        for col in FUNNEL_STAGES
    )
    counts = view.counts(con, select)
    if counts.empty or counts["referrals"].sum() == 0:
        return pd.DataFrame(columns=FUNNEL_COLUMNS)
    wide = _arms(view.pcns)[["arm", "arm_label"]].merge(counts, on="arm", how="left").fillna(0)
    wide["total"] = wide["referrals"].astype("int64")
    long = wide.melt(
        id_vars=["arm", "arm_label", "total"],
        value_vars=list(FUNNEL_STAGES),
        var_name="stage",
        value_name="count",
    )
    long["count"] = long["count"].astype("int64")
    long["stage_label"] = long["stage"].map(FUNNEL_STAGES)
    long["share"], long["share_lower"], long["share_upper"] = _ci(
        proportion_ci, long["count"], long["total"]
    )
    referred = long["stage"] == "referrals"  # 100% by definition, not an estimate
    long.loc[referred, ["share_lower", "share_upper"]] = 1.0
    long["stage"] = pd.Categorical(long["stage"], categories=list(FUNNEL_STAGES), ordered=True)
    long["arm_order"] = long["arm"].map({a: i for i, a in enumerate(ARM_ORDER)})
    long = long.sort_values(["arm_order", "stage"]).reset_index(drop=True)
    long["stage"] = long["stage"].astype(str)
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
    select = "arm, referral_month AS month, count(*) AS referrals"
    counts = view.counts(con, select, group_by="arm, referral_month")
    start, end = view.start, view.end
    if counts.empty:
        return pd.DataFrame(columns=MONTHLY_COLUMNS)
    counts["month"] = pd.to_datetime(counts["month"])
    months = pd.date_range(
        pd.Timestamp(start).to_period("M").to_timestamp(), pd.Timestamp(end), freq="MS"
    )
    spine = _arms(view.pcns).merge(pd.DataFrame({"month": months}), how="cross")
    frame = spine.merge(counts, on=["arm", "month"], how="left")
    frame["referrals"] = frame["referrals"].fillna(0).astype("int64")
    frame["month_fraction"] = [_month_fraction(m.date(), start, end) for m in frame["month"]]
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
