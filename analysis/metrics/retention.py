"""Retention metrics: the journeys in view, Kaplan–Meier curves by a grouping, the cohort table
and the Cox model, as the frames the Retention page (and the export) shows.

Thin on purpose: the statistics live in :mod:`analysis.survival` (Kaplan–Meier with log(−log)
Greenwood CIs, numbers at risk, S(t), log-rank) and :mod:`analysis.cox` (hazard ratios with SEs
clustered by PCN). This module selects the referrals a :class:`~analysis.filters.Filters`
describes (with the same query as the Overview, :func:`analysis.metrics.overview.in_view`), labels
their arm, and shapes the results. A filter that matches nothing gives empty frames, never an
error; a group too small to estimate is reported, not drawn.

The cohort table (share still attending at 4, 12 and 26 weeks by month of referral) is in
:mod:`analysis.metrics.retention_cohorts`, re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import duckdb
import numpy as np
import pandas as pd

from analysis.cox import COX_COLUMNS, cox_hazard_ratios
from analysis.filters import Filters
from analysis.metrics.overview import ARM_LABELS, ARM_ORDER, in_view
from analysis.metrics.retention_cohorts import COHORT_COLUMNS, cohort_retention
from analysis.survival import (
    LOGRANK_COLUMNS,
    SURVIVAL_WEEKS,
    curves_of,
    logrank_of,
    ordered_groups,
    risk_sets_of,
    starters,
    survival_at,
)

# fmt: off
__all__ = [
    "COHORT_COLUMNS", "EVENTS_PER_TERM", "GROUPINGS", "JOURNEY_FIELDS", "MIN_STARTERS",
    "Retention", "at_risk_table", "cohort_retention", "cox_model", "describe_logrank",
    "journeys_at", "journeys_in_view", "journeys_within", "retention", "rows_within",
    "survival_table",
]
# fmt: on

GROUPINGS: dict[str, str] = {
    "arm_label": "Pilot or comparison PCNs",
    "sex": "Sex",
    "age_band": "Age band",
    "imd_quintile": "IMD quintile (1 = most deprived)",
    "referral_source": "Referral source",
}
"""Column of :func:`journeys_in_view` → plain-English name: what a curve can be drawn by."""
JOURNEY_FIELDS = (
    "referral_id", "referral_date", "referral_month", "pcn_code", "referral_source", "age_band",
    "sex", "ethnicity", "imd_quintile", "conditions", "distance_to_session_km",
    "first_attended", "first_attended_date", "followed_up_4w", "followed_up_12w",
    "followed_up_26w", "retained_4w", "retained_12w", "retained_26w", "disengaged",
    "retention_days",
)  # fmt: skip
"""The ``journeys`` columns the Retention and Outcomes pages use."""
MIN_STARTERS = 20
"""A group needs this many starters for its curve to be drawn: below it the estimate is too
imprecise to read and could describe identifiable people."""
EVENTS_PER_TERM = 10
"""The Cox model is shown only with at least this many disengagements per model term."""


def journeys_in_view(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """The referrals the filters select, one row each: ``arm``, ``arm_label`` and
    :data:`JOURNEY_FIELDS`, ordered by referral date and id (empty, same columns, if none)."""
    columns = ["arm", "arm_label", *JOURNEY_FIELDS]
    view = in_view(con, filters)
    if view is None:
        return pd.DataFrame(columns=columns)
    # One row per journey (referral_id is the key of journeys and each PCN has one arm).
    frame = view.rows(
        con, f"arm, {', '.join(JOURNEY_FIELDS)}", "ORDER BY referral_date, referral_id"
    )
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame["arm_label"] = frame["arm"].map(ARM_LABELS)
    return frame[columns]


def rows_within(
    con: duckdb.DuckDBPyConnection, filters: Filters, wider: pd.DataFrame
) -> np.ndarray:
    """Positions in ``wider`` — the journeys in view of the same pilot without other filters,
    ``journeys_in_view(con, Filters(pilot=filters.pilot))`` — of the journeys ``filters``
    selects. Only the ids in view are read from the store, so a page that keeps ``wider`` (read
    once per store and pilot) answers a filter change without re-reading every journey; a view
    that narrows the pilot's by period and PCNs alone is selected in ``wider`` itself (the same
    rows: a referral date in the period, a PCN among those chosen)."""
    if wider.empty:
        return np.empty(0, dtype=np.intp)
    if replace(filters, start=None, end=None, pcn_codes=()) == Filters(pilot=filters.pilot):
        return _rows_by_period_and_pcns(filters, wider)
    view = in_view(con, filters)
    if view is None:
        return np.empty(0, dtype=np.intp)
    ids = view.rows(con, "referral_id")["referral_id"]
    return np.flatnonzero(wider["referral_id"].isin(ids).to_numpy())


def _rows_by_period_and_pcns(filters: Filters, wider: pd.DataFrame) -> np.ndarray:
    """Positions in ``wider`` of the referrals dated within the filter's period (both ends
    included) of its chosen PCNs (any of the pilot's when none is chosen)."""
    keep = np.ones(len(wider), dtype=bool)
    dates = wider["referral_date"]
    if filters.start is not None:
        keep &= (dates >= pd.Timestamp(filters.start)).to_numpy()
    if filters.end is not None:
        keep &= (dates <= pd.Timestamp(filters.end)).to_numpy()
    if filters.pcn_codes:
        keep &= wider["pcn_code"].isin(list(filters.pcn_codes)).to_numpy()
    return np.flatnonzero(keep)


def journeys_at(wider: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """The journeys at positions ``rows`` of ``wider`` (:func:`rows_within`), as
    :func:`journeys_in_view` gives them: a PCN keeps its arm whatever else is filtered, so the
    rows equal a fresh read."""
    if not len(rows):
        return pd.DataFrame(columns=["arm", "arm_label", *JOURNEY_FIELDS])
    # The taken rows are a new frame: numbering them in place spares reset_index's copy of it.
    return wider.take(rows).set_axis(pd.RangeIndex(len(rows)), axis=0, copy=False)


def journeys_within(
    con: duckdb.DuckDBPyConnection, filters: Filters, wider: pd.DataFrame
) -> pd.DataFrame:
    """:func:`journeys_in_view` of ``filters`` with the rows taken from ``wider`` (see
    :func:`rows_within`)."""
    return journeys_at(wider, rows_within(con, filters, wider))


@dataclass(frozen=True)
class Retention:
    """Kaplan–Meier results for one grouping of the journeys in view.

    ``km``, ``at_risk`` and ``survival`` are :func:`analysis.survival.kaplan_meier`,
    :func:`~analysis.survival.numbers_at_risk` and :func:`~analysis.survival.survival_at` frames
    for the groups drawn (those with at least :data:`MIN_STARTERS` starters); ``left_out`` maps
    each smaller group to its number of starters; ``logrank`` is the test across the groups
    drawn (empty when there are fewer than two or no events).
    """

    by: str
    km: pd.DataFrame
    at_risk: pd.DataFrame
    survival: pd.DataFrame
    logrank: pd.DataFrame
    starters: int
    left_out: dict[str, int] = field(default_factory=dict)


def _arms_first(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of the pilot arm before the comparison arm (the order of :data:`ARM_ORDER`)."""
    rank = {ARM_LABELS[a]: i for i, a in enumerate(ARM_ORDER)}
    order = np.array([rank.get(g, np.nan) for g in frame["group"]], dtype=float)
    return frame.take(np.argsort(order, kind="stable"))


def retention(journeys: pd.DataFrame, by: str = "arm_label") -> Retention:
    """Kaplan–Meier curves, numbers at risk, S(4), S(12), S(26) and the log-rank test of the
    journeys by one of :data:`GROUPINGS` (rows with the group missing are left out; groups with
    fewer than :data:`MIN_STARTERS` starters are listed in ``left_out`` instead)."""
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}; choose one of {', '.join(GROUPINGS)}")
    data = starters(journeys, by)  # one frame of starters for the curves, risk sets and test
    sizes = data["group"].value_counts()
    big = sizes.index[sizes >= MIN_STARTERS].tolist()
    data = data[data["group"].isin(big)].reset_index(drop=True)
    drawn = set(big)
    order = [g for g in ordered_groups(journeys[by]) if g in drawn]
    km, at_risk = curves_of(data, order), risk_sets_of(data, order)
    if by == "arm_label":
        km, at_risk = _arms_first(km), _arms_first(at_risk)
    try:
        test = logrank_of(data, order, by)
    except ValueError:  # fewer than two groups, or no disengagement at all
        test = pd.DataFrame(columns=LOGRANK_COLUMNS)
    return Retention(
        by=by,
        km=km.reset_index(drop=True),
        at_risk=at_risk.reset_index(drop=True),
        survival=survival_at(km).reset_index(drop=True),
        logrank=test,
        starters=int(sizes.sum()),
        left_out={str(g): int(n) for g, n in sizes.items() if g not in big},
    )


def at_risk_table(at_risk: pd.DataFrame) -> pd.DataFrame:
    """Numbers at risk as shown under the chart: one row per group, one column per week
    (``"0 weeks"``, ``"4 weeks"`` …)."""
    if at_risk.empty:
        return pd.DataFrame(columns=["group"])
    groups, times = pd.factorize(at_risk["group"]), pd.factorize(at_risk["time_weeks"], sort=True)
    n = at_risk["n_at_risk"]
    cells = groups[0] * len(times[1]) + times[0]
    complete = len(at_risk) == len(groups[1]) * len(times[1]) and (cells >= 0).all()
    if complete and n.dtype == np.int64 and len(np.unique(cells)) == len(cells):
        # Every group has every time (no gap to fill): place the counts in a grid directly.
        grid = np.zeros((len(groups[1]), len(times[1])), dtype=np.int64)
        grid[groups[0], times[0]] = n.to_numpy()
        return pd.DataFrame(
            {"group": np.asarray(groups[1], dtype=object)}
            | {f"{t:g} weeks": grid[:, k] for k, t in enumerate(times[1])}
        )
    wide = at_risk.pivot(index="group", columns="time_weeks", values="n_at_risk")
    wide = wide.loc[list(dict.fromkeys(at_risk["group"]))]
    wide.columns = [f"{t:g} weeks" for t in wide.columns]
    return wide.reset_index()


def survival_table(result: Retention) -> pd.DataFrame:
    """S(4), S(12) and S(26) with their 95% CIs, one row per group drawn: ``group``,
    ``starters``, then ``s_4w``, ``s_4w_lower``, ``s_4w_upper`` and so on (NaN beyond a group's
    follow-up)."""
    columns = ["group", "starters"] + [
        f"s_{t:g}w{part}" for t in SURVIVAL_WEEKS for part in ("", "_lower", "_upper")
    ]
    if result.survival.empty:
        return pd.DataFrame(columns=columns)
    survival = result.survival
    groups = list(dict.fromkeys(survival["group"]))
    start = result.at_risk[result.at_risk["time_weeks"] == 0].set_index("group")["n_at_risk"]
    out = {"group": groups, "starters": pd.Series(groups).map(start).astype("int64")}
    values = survival[["survival", "lower", "upper"]].to_numpy(dtype=float)
    keys = zip(survival["group"], survival["time_weeks"], strict=True)
    row = {key: i for i, key in enumerate(keys)}
    for t in SURVIVAL_WEEKS:
        at = [row.get((g, t)) for g in groups]  # None: no S(t) for the group
        for k, part in enumerate(("", "_lower", "_upper")):
            out[f"s_{t:g}w{part}"] = [np.nan if i is None else values[i, k] for i in at]
    return pd.DataFrame(out)[columns]


def describe_logrank(test: pd.DataFrame, grouping: str) -> str:
    """The log-rank test in words (or why there is none)."""
    if test.empty:
        return f"No log-rank test: it needs two or more groups ({grouping.lower()}) to compare."
    row = test.iloc[0]
    p = row["p_value"]
    p_text = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    stats = f"log-rank χ² = {row['chisq']:.2f} on {int(row['df'])} df, {p_text}"
    if p < 0.05:
        return f"Retention differs between these groups more than chance would explain ({stats})."
    return f"No clear difference in retention between these groups ({stats})."


def cox_model(journeys: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """The Cox model of disengagement (:func:`analysis.cox.cox_hazard_ratios`, SEs clustered by
    PCN) and ``None``; or an empty frame and the reason, in plain English, that it is not shown
    (fewer than two PCNs, too few disengagements for the model's terms, a model that cannot be
    fitted)."""
    empty = pd.DataFrame(columns=COX_COLUMNS)
    data = journeys[journeys["retention_days"].notna()] if len(journeys) else journeys
    if data.empty:
        return empty, "No starters in view have a follow-up yet, so there is nothing to model."
    if data["pcn_code"].nunique() < 2:
        return empty, (
            "The adjusted model needs starters from at least two PCNs, because its standard "
            "errors are clustered by PCN. Choose more PCNs to see it."
        )
    try:
        rows = cox_hazard_ratios(data)
    except (ValueError, np.linalg.LinAlgError) as exc:
        return empty, f"The adjusted model cannot be fitted for this view ({exc})."
    events = int(rows["events"].iloc[0])
    if events < EVENTS_PER_TERM * len(rows):
        return empty, (
            f"Too few disengagements ({events:,}) to fit the adjusted model's {len(rows)} terms "
            f"reliably (it needs {EVENTS_PER_TERM} per term). Widen the view to see it."
        )
    if not np.isfinite(rows[["hazard_ratio", "lower", "upper"]].to_numpy(float)).all():
        return empty, "The adjusted model did not converge for this view; widen the view."
    return rows, None
