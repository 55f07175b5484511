"""Uptake: the referral funnel per PCN, per arm or per month, its breakdowns and time to start.

Every function takes a DuckDB connection to a built store and a :class:`~analysis.filters.Filters`
(all of its fields apply) and returns pandas DataFrames; rows carry the arm as on the Overview
page (a pilot's ``pilot`` and ``comparison`` PCNs, or ``all``). A filter that matches nothing
gives empty frames with the same columns, never an error.

Counts follow ``docs/metrics.md``: referrals, contacted, first_attended (starters), and for
N = 4, 12, 26 weeks followed_up_Nw (starters with a week-N follow-up) and retained_Nw (still
attending at it). Rates carry Wilson 95% CIs:

* ``contact_rate`` = contacted ÷ referrals; ``uptake`` = first_attended ÷ referrals;
* ``followup_Nw`` = followed_up_Nw ÷ starters (how complete the follow-up is);
* ``retention_Nw`` = retained_Nw ÷ starters, and the complete-case ``retention_Nw_cc`` =
  retained_Nw ÷ followed_up_Nw (recent starters have not reached the later follow-ups, which
  deflates the first; the second shows the share among those asked).

Days to first attendance are summarised by the median with the interquartile range (linear
interpolation), as on the Overview page.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from analysis.filters import JOURNEY_COLUMNS, UNKNOWN, Filters
from analysis.indicators import proportion_ci
from analysis.metrics.overview import ARM_LABELS, ARM_ORDER, View, in_view
from analysis.metrics.uptake_funnel_plot import (
    FUNNEL_PLOT_COLUMNS,
    UptakeFunnelPlot,
    uptake_funnel_plot,
)
from analysis.metrics.uptake_funnel_rows import By, funnel_rows

# fmt: off
__all__ = [
    "BREAKDOWN_COLUMNS", "CONDITION_LIST", "COUNTS", "DAYS", "DAYS_COLUMNS", "DIMENSIONS",
    "FUNNEL_PLOT_COLUMNS", "NO_CONDITION", "RATES", "STAGES", "STAGE_COLUMNS", "UptakeFunnelPlot",
    "breakdown", "days_to_first_attendance", "funnel_stages", "uptake_funnel", "uptake_funnel_plot",
]
WEEKS = (4, 12, 26)
COUNTS = ("referrals", "contacted", "first_attended",
          *(f"{kind}_{w}w" for w in WEEKS for kind in ("followed_up", "retained")))
RATES: dict[str, tuple[str, str]] = {  # rate → (numerator, denominator)
    "contact_rate": ("contacted", "referrals"),
    "uptake": ("first_attended", "referrals"),
    **{k: v for w in WEEKS for k, v in (
        (f"followup_{w}w", (f"followed_up_{w}w", "first_attended")),
        (f"retention_{w}w", (f"retained_{w}w", "first_attended")),
        (f"retention_{w}w_cc", (f"retained_{w}w", f"followed_up_{w}w")))},
}
STAGES = {"referrals": "Referred", "contacted": "Contacted", "first_attended": "First attendance",
          **{f"retained_{w}w": f"Attending at {w} weeks" for w in WEEKS}}
DIMENSIONS = {  # breakdown → (plain-English name, SQL value over journeys)
    "referral_source": ("Referral source", f"coalesce(referral_source, '{UNKNOWN}')"),
    "condition": ("Condition", "condition"),
    "age_band": ("Age band", JOURNEY_COLUMNS["age_bands"][0]),
    "sex": ("Sex", JOURNEY_COLUMNS["sexes"][0]),
    "ethnicity": ("Ethnicity", JOURNEY_COLUMNS["ethnicities"][0]),
    "imd_quintile": ("IMD quintile (1 = most deprived)", JOURNEY_COLUMNS["imd_quintiles"][0]),
}
NO_CONDITION = "none recorded"
CONDITION_LIST = (
    f"CASE WHEN coalesce(len(conditions), 0) = 0 THEN ['{NO_CONDITION}'] ELSE conditions END"
)
"""A journey's conditions (``none recorded`` when it has none)."""
CONDITIONS = f"unnest({CONDITION_LIST}) AS condition"
"""A journey's row once per condition."""
_RATE_COLUMNS = [f"{r}{s}" for r in RATES for s in ("", "_lower", "_upper")]
DAYS = ["days_median", "days_q1", "days_q3"]
_KEYS = {
    "pcn": ["arm", "arm_label", "pcn_code", "pcn_name", "registered_patients"],
    "arm": ["arm", "arm_label", "pcns", "registered_patients", "go_live"],
    "month": ["arm", "arm_label", "month", "go_live"],
}
BREAKDOWN_COLUMNS = ["arm", "arm_label", "dimension", "dimension_label", "group",
                     *COUNTS, *_RATE_COLUMNS, *DAYS]
STAGE_COLUMNS = ["stage", "stage_label", "count", "share", "share_lower", "share_upper"]
DAYS_COLUMNS = ["arm", "arm_label", "bin_start", "bin_label", "starters", "share"]
# fmt: on
GROUP_COLUMNS = {"pcn": ["arm", "pcn_code"], "arm": ["arm"], "month": ["arm", "referral_month"]}
"""The journeys' columns each funnel table is grouped by."""


def select_counts(group: str) -> str:
    """Funnel counts and the days-to-start quartiles per ``group`` (SQL columns)."""
    counts = ", ".join(f"count_if({c}) AS {c}" for c in COUNTS[1:])  # faster than FILTER
    days = "quantile_cont(days_to_first_attendance, [0.5, 0.25, 0.75]) AS days_quartiles"
    return f"{group}, count(*) AS referrals, {counts}, {days}"  # one sort for the 3 quantiles


def _quartile_values(counts: pd.DataFrame) -> np.ndarray:
    """The quartiles of days to start as an array of rows × :data:`DAYS` (NaN without
    starters): from :data:`DAYS` columns where counted in memory, else from the lists of
    :func:`select_counts`'s ``days_quartiles``."""
    if "days_quartiles" not in counts:
        return counts[list(DAYS)].to_numpy(float)
    lists = counts["days_quartiles"]
    values = np.full((len(lists), len(DAYS)), np.nan)
    known = lists.notna().to_numpy()
    if known.any():
        values[known] = np.stack(lists[known].to_numpy()).astype(float)
    return values


def _rates(counts: np.ndarray, confidence: float = 0.95) -> dict[str, np.ndarray]:
    """Each rate of :data:`RATES` with its Wilson CI (:data:`_RATE_COLUMNS`; NaN when the
    denominator is zero) from integer counts (rows × :data:`COUNTS`), in one vectorised call."""
    at = {c: i for i, c in enumerate(COUNTS)}
    x = np.concatenate([counts[:, at[num]].astype(float) for num, _ in RATES.values()])
    n = np.concatenate([counts[:, at[den]].astype(float) for _, den in RATES.values()])
    out = np.full((3, len(x)), np.nan)
    ok = n > 0
    if ok.any():
        out[:, ok] = proportion_ci(x[ok], n[ok], confidence=confidence)
    rows = len(counts)
    rates = out.reshape(3, len(RATES), rows).transpose(1, 0, 2).reshape(-1, rows)
    return dict(zip(_RATE_COLUMNS, rates, strict=True))


def uptake_funnel(
    con: duckdb.DuckDBPyConnection, filters: Filters, by: By = "pcn"
) -> pd.DataFrame:
    """The funnel with its rates and days to start, one row per PCN (every PCN in view, zeros
    included), per arm, or per arm and month of referral (every month of the period). Per arm
    and per month, ``go_live`` is the pilot's go-live date (missing without a pilot)."""
    if by not in _KEYS:
        raise ValueError(f"by must be 'pcn', 'arm' or 'month', got {by!r}")
    view = in_view(con, filters)
    if view is None:
        return funnel_from_counts(None, by, pd.DataFrame())
    group = ", ".join(GROUP_COLUMNS[by])
    return funnel_from_counts(view, by, view.counts(con, select_counts(group), group))


def funnel_from_counts(view: View | None, by: By, counts: pd.DataFrame) -> pd.DataFrame:
    """:func:`uptake_funnel` from the counts of :func:`select_counts` grouped by
    ``GROUP_COLUMNS[by]`` over the journeys in ``view``."""
    columns = [*_KEYS[by], *COUNTS, *_RATE_COLUMNS, *DAYS]
    if view is None or counts.empty:
        return pd.DataFrame(columns=columns)
    spine = funnel_rows(view, by)
    if by == "month":
        counts = counts.rename(columns={"referral_month": "month"})
        counts["month"] = pd.to_datetime(counts["month"]).astype("datetime64[ns]")
    on = {"pcn": ["arm", "pcn_code"], "arm": ["arm"], "month": ["arm", "month"]}[by]
    mine = [counts["arm"].astype(str).tolist(), *(counts[c].tolist() for c in on[1:])]
    found = {key: i for i, key in enumerate(zip(*mine, strict=True))}
    wanted = zip(*(spine[c].tolist() for c in on), strict=True)
    at = np.array([found.get(key, -1) for key in wanted], dtype=int)
    hit = at >= 0  # each spine row's row of counts (a left join: zeros where none)
    values = np.zeros((len(spine), len(COUNTS)), dtype="int64")
    values[hit] = counts[list(COUNTS)].fillna(0).to_numpy("int64")[at[hit]]
    days = np.full((len(spine), len(DAYS)), np.nan)
    days[hit] = _quartile_values(counts)[at[hit]]
    return pd.DataFrame({
        **{c: spine[c] for c in _KEYS[by]},
        **dict(zip(COUNTS, values.T, strict=True)),
        **_rates(values),
        **dict(zip(DAYS, days.T, strict=True)),
    })  # fmt: skip


def funnel_stages(table: pd.DataFrame) -> pd.DataFrame:
    """A funnel table in long form for charts: per row of ``table`` and stage of
    :data:`STAGES`, the count and its share of referrals with a Wilson 95% CI (the referred
    stage is 100% by definition). Key columns of ``table`` are kept."""
    keys = [c for c in table.columns if c not in COUNTS and c not in _RATE_COLUMNS + DAYS]
    if table.empty:
        return pd.DataFrame(columns=[*keys, *STAGE_COLUMNS])
    kept = table[table["referrals"] > 0]
    k = len(STAGES)
    counts = kept[list(STAGES)].to_numpy("int64").ravel()  # row by row, stages in order
    totals = np.repeat(kept["referrals"].to_numpy(float), k)
    share, lower, upper = proportion_ci(counts.astype(float), totals) if len(counts) else ([],) * 3
    referred = np.tile(np.arange(k) == 0, len(kept))  # the referred stage is 100% by definition
    long = kept[keys].iloc[np.repeat(np.arange(len(kept)), k)].reset_index(drop=True)
    return long.assign(
        stage=np.array(list(STAGES) * len(kept), dtype=object),
        stage_label=np.array(list(STAGES.values()) * len(kept), dtype=object),
        count=counts,
        share=share,
        share_lower=np.where(referred, 1.0, lower),
        share_upper=np.where(referred, 1.0, upper),
    )


def breakdown(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    dimensions: tuple[str, ...] = tuple(DIMENSIONS),
) -> pd.DataFrame:
    """The funnel, its rates and days to start per group of each of ``dimensions`` (keys of
    :data:`DIMENSIONS`), per arm, long format (:data:`BREAKDOWN_COLUMNS`). A missing value is
    the group ``unknown``; a referral with several conditions counts under each of them, and
    one with none under ``none recorded``."""
    bad = [d for d in dimensions if d not in DIMENSIONS]
    if bad:
        raise ValueError(f"unknown dimensions {bad}; choose from {', '.join(DIMENSIONS)}")
    view = in_view(con, filters)
    if view is None:
        return pd.DataFrame(columns=BREAKDOWN_COLUMNS)
    parts = []
    for dim in dimensions:
        value = DIMENSIONS[dim][1]
        extra = CONDITIONS if dim == "condition" else ""
        part = view.counts(con, select_counts(f"arm, {value} AS grp"), "arm, grp", extra=extra)
        parts.append(part.assign(dimension=dim))
    return breakdown_from_counts(parts, dimensions)


def breakdown_from_counts(parts: list[pd.DataFrame], dimensions: tuple[str, ...]) -> pd.DataFrame:
    """:func:`breakdown` from the counts of :func:`select_counts` per ``arm`` and group (``grp``) of
    each dimension (named in a ``dimension`` column)."""
    frame = pd.concat(parts, ignore_index=True).rename(columns={"grp": "group"})
    if frame.empty:
        return pd.DataFrame(columns=BREAKDOWN_COLUMNS)
    rank = {a: i for i, a in enumerate(ARM_ORDER)}
    keys = pd.DataFrame({
        "_a": frame["arm"].astype(str).map(rank),
        "_d": frame["dimension"].map({d: i for i, d in enumerate(dimensions)}),
        "_g": frame["group"].isin([UNKNOWN, NO_CONDITION]),
        "group": frame["group"],
    })  # fmt: skip
    order = keys.sort_values(["_a", "_d", "_g", "group"], kind="stable").index.to_numpy()
    frame = frame.iloc[order].reset_index(drop=True)
    counts = frame[list(COUNTS)].fillna(0).to_numpy("int64")
    days = _quartile_values(frame)
    arm = frame["arm"].astype(str)
    return pd.DataFrame({
        "arm": arm,
        "arm_label": arm.map(ARM_LABELS),
        "dimension": frame["dimension"],
        "dimension_label": frame["dimension"].map({d: v[0] for d, v in DIMENSIONS.items()}),
        "group": frame["group"],
        **dict(zip(COUNTS, counts.T, strict=True)),
        **_rates(counts),
        **dict(zip(DAYS, days.T, strict=True)),
    })[BREAKDOWN_COLUMNS]  # fmt: skip


def days_to_first_attendance(
    con: duckdb.DuckDBPyConnection, filters: Filters, *, bin_days: int = 7, cap_days: int = 84
) -> pd.DataFrame:
    """Starters per ``bin_days``-day bin of days to first attendance, per arm, with the share
    of the arm's starters (:data:`DAYS_COLUMNS`), up to the last bin with a starter; the bin
    starting at ``cap_days`` collects ``cap_days`` and more."""
    if bin_days < 1 or cap_days < bin_days:
        raise ValueError("bin_days must be at least 1 and cap_days at least bin_days")
    view = in_view(con, filters)
    if view is None:
        return pd.DataFrame(columns=DAYS_COLUMNS)
    select = f"arm, {bin_start(bin_days, cap_days)} AS bin_start, count(*) AS starters"
    counts = view.counts(con, select, "arm, bin_start").dropna(subset=["bin_start"])
    return days_from_counts(counts, bin_days=bin_days, cap_days=cap_days)


def bin_start(bin_days: int, cap_days: int) -> str:
    """The SQL value of a starter's bin of days to first attendance (missing for others)."""
    start = f"greatest(days_to_first_attendance, 0) // {bin_days} * {bin_days}"  # never negative
    return f"CASE WHEN first_attended THEN least({start}, {cap_days}) END"


def days_from_counts(counts: pd.DataFrame, *, bin_days: int, cap_days: int) -> pd.DataFrame:
    """:func:`days_to_first_attendance` from the ``starters`` per ``arm`` and ``bin_start``
    (one row per arm and bin), counted into an arms × bins grid."""
    if counts.empty:
        return pd.DataFrame(columns=DAYS_COLUMNS)
    arm = counts["arm"].astype(str).to_numpy()
    rank = {a: i for i, a in enumerate(ARM_ORDER)}
    arms = sorted(dict.fromkeys(arm), key=lambda a: rank.get(a, len(ARM_ORDER)))
    starts = np.array([*range(0, cap_days, bin_days), cap_days], dtype="int64")
    starts = starts[starts <= counts["bin_start"].max()]  # no empty tail
    grid = np.zeros((len(arms), len(starts)), dtype="int64")
    row = np.array([arms.index(a) for a in arm], dtype="int64")
    col = np.searchsorted(starts, counts["bin_start"].to_numpy(float))
    np.add.at(grid, (row, col), counts["starters"].to_numpy("int64"))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = grid / grid.sum(axis=1, keepdims=True)
    labels = [
        f"{s}+" if s >= cap_days else f"{s}–{min(s + bin_days, cap_days) - 1}" for s in starts
    ]
    names = np.repeat(np.array(arms, dtype=object), len(starts))
    return pd.DataFrame({
        "arm": names,
        "arm_label": pd.Series(names).map(ARM_LABELS),
        "bin_start": np.tile(starts, len(arms)),
        "bin_label": labels * len(arms),
        "starters": grid.ravel(),
        "share": share.ravel(),
    })[DAYS_COLUMNS]  # fmt: skip
