"""Retention among starters: Kaplan–Meier curves, numbers at risk, S(t) and log-rank tests.

Input is a ``journeys`` frame (one row per referral, see ``docs/metrics.md``). Only starters with
a retention time are used (:func:`~analysis.survival_groups.starters`, which also labels and
orders the groups): ``first_attended_date``, ``retention_days`` and ``disengaged`` all
present. Time is in weeks from first attendance (``retention_days / 7``); the event is
disengagement (``disengaged`` true), anything else is censored (METHODS.md, "disengagement").

* :func:`kaplan_meier` — the Kaplan–Meier estimate (statsmodels ``SurvfuncRight``) per group,
  with pointwise Greenwood confidence intervals on the log(−log) scale ("exponential Greenwood",
  the default of lifelines and of R's ``survfit(conf.type = "log-log")``):
  ``exp(−exp(log(−log S) ± z·√G / log S))`` with ``G = Σ d / (n (n − d))`` over event times so
  far. The limits are 1 where S = 1 and 0 where S = 0.
* :func:`numbers_at_risk` — people still under observation (time ≥ t) at chosen weeks.
* :func:`survival_at` — S(t) with its CI read off a curve as a right-continuous step function.
* :func:`logrank` — log-rank test between the groups (statsmodels ``survdiff``).

Rows whose group value is missing are left out of grouped results. Frames come back in a tidy
long form (one row per group and time) so a figure can draw a step curve with a CI band and an
export can write them as they are. The Cox model is in :mod:`analysis.cox`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from analysis.indicators import z_value
from analysis.survival_groups import (
    DAYS_PER_WEEK,
    group_labels,
    group_order,
    ordered_groups,
    starters,
)

# fmt: off
__all__ = [
    "AT_RISK_COLUMNS", "AT_RISK_WEEKS", "DAYS_PER_WEEK", "KM_COLUMNS", "LOGRANK_COLUMNS",
    "SURVIVAL_AT_COLUMNS", "SURVIVAL_WEEKS", "curves_of", "group_labels", "kaplan_meier", "logrank", "logrank_of",
    "numbers_at_risk", "ordered_groups", "risk_sets_of", "starters", "survival_at",
]
# fmt: on

AT_RISK_WEEKS: tuple[float, ...] = (0, 4, 8, 12, 16, 20, 26)
SURVIVAL_WEEKS: tuple[float, ...] = (4, 12, 26)

KM_COLUMNS = ["group", "time_weeks", "n_at_risk", "n_events", "survival", "lower", "upper"]
AT_RISK_COLUMNS = ["group", "time_weeks", "n_at_risk", "events_before", "censored_before"]
SURVIVAL_AT_COLUMNS = ["group", "time_weeks", "survival", "lower", "upper"]
LOGRANK_COLUMNS = ["group_column", "groups", "n_groups", "n", "events", "chisq", "df", "p_value"]


def _curve(weeks: np.ndarray, event: np.ndarray, z: float) -> pd.DataFrame:
    """One group's KM step curve with log(−log) Greenwood limits."""
    fit = SurvfuncRight(weeks, event)
    times = np.asarray(fit.surv_times, dtype=float)
    surv = np.asarray(fit.surv_prob, dtype=float)
    n = np.asarray(fit.n_risk, dtype=float)
    d = np.asarray(fit.n_events, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(d / (n * (n - d)))  # inf from the time S reaches 0
        log_s = np.log(surv)
        half = z * np.sqrt(greenwood) / log_s  # log_s < 0 while 0 < S < 1
        lower = np.exp(-np.exp(np.log(-log_s) - half))
        upper = np.exp(-np.exp(np.log(-log_s) + half))
    at_one, at_zero = surv >= 1.0, surv <= 0.0
    lower[at_one], upper[at_one] = 1.0, 1.0
    lower[at_zero], upper[at_zero] = 0.0, 0.0
    curve = pd.DataFrame(
        {
            "time_weeks": times,
            "n_at_risk": n.astype(np.int64),
            "n_events": d.astype(np.int64),
            "survival": surv,
            "lower": lower,
            "upper": upper,
        }
    )
    rows = [curve]
    if times.size == 0 or times[0] > 0:  # the origin, so a step curve starts at S = 1
        origin = {"time_weeks": 0.0, "n_at_risk": len(weeks), "n_events": 0}
        rows.insert(0, pd.DataFrame([origin | {"survival": 1.0, "lower": 1.0, "upper": 1.0}]))
    last = float(weeks.max())
    if times.size == 0 or last > times[-1]:  # carry the curve to the end of follow-up
        tail = rows[-1].iloc[[-1]].copy() if times.size else rows[0].copy()
        tail["time_weeks"] = last
        tail["n_at_risk"] = int((weeks >= last).sum())
        tail["n_events"] = 0
        rows.append(tail)
    return pd.concat(rows, ignore_index=True)


def kaplan_meier(
    journeys: pd.DataFrame, group: str | None = None, confidence: float = 0.95
) -> pd.DataFrame:
    """Kaplan–Meier retention curve per group (columns :data:`KM_COLUMNS`).

    One row per group at the origin (S = 1, unless events happen at week 0), at every event
    time and at the group's last follow-up time when that is later than its last event, so the
    rows draw the whole step curve (``drawstyle="steps-post"``). ``n_at_risk`` and ``n_events``
    are those at that time (origin and tail rows: events 0). ``lower``/``upper`` are the
    pointwise log(−log) Greenwood limits. No starters → an empty frame with the same columns.
    """
    data = starters(journeys, group)
    if data.empty:
        return _empty(KM_COLUMNS)
    return curves_of(data, group_order(data, journeys[group] if group else None), confidence)


def curves_of(data: pd.DataFrame, order: list[str], confidence: float = 0.95) -> pd.DataFrame:
    """:func:`kaplan_meier` of a :func:`starters` frame, for the groups ``order`` in that order
    (so one frame of starters serves the curves, the numbers at risk and the test)."""
    if data.empty:
        return _empty(KM_COLUMNS)
    z = z_value(confidence)
    labels, weeks, event = (data[c].to_numpy() for c in ("group", "weeks", "event"))
    parts = []
    for name in order:
        mine = labels == name
        curve = _curve(weeks[mine], event[mine], z)
        curve.insert(0, "group", name)
        parts.append(curve)
    return pd.concat(parts, ignore_index=True)[KM_COLUMNS]


def numbers_at_risk(
    journeys: pd.DataFrame, group: str | None = None, times: Sequence[float] = AT_RISK_WEEKS
) -> pd.DataFrame:
    """Numbers at risk per group at ``times`` weeks (columns :data:`AT_RISK_COLUMNS`).

    ``n_at_risk`` counts starters whose time is ≥ t (still under observation and not yet
    disengaged just before t); ``events_before`` and ``censored_before`` count those who left
    the risk set earlier, by disengagement or censoring.
    """
    grid = _times(times)
    data = starters(journeys, group)
    if data.empty:
        return _empty(AT_RISK_COLUMNS)
    return risk_sets_of(data, group_order(data, journeys[group] if group else None), grid)


def risk_sets_of(
    data: pd.DataFrame, order: list[str], times: Sequence[float] = AT_RISK_WEEKS
) -> pd.DataFrame:
    """:func:`numbers_at_risk` of a :func:`starters` frame, for the groups ``order``."""
    grid = _times(times)
    if data.empty:
        return _empty(AT_RISK_COLUMNS)
    labels, weeks, event = (data[c].to_numpy() for c in ("group", "weeks", "event"))
    at = np.asarray(grid, dtype=float)
    out: dict[str, list] = {c: [] for c in AT_RISK_COLUMNS}
    for name in order:
        mine = labels == name
        gone = weeks[mine][:, None] < at[None, :]  # one column per time
        left = event[mine].astype(bool)[:, None]
        out["group"] += [name] * len(grid)
        out["time_weeks"] += grid
        out["n_at_risk"] += (~gone).sum(axis=0).tolist()
        out["events_before"] += (gone & left).sum(axis=0).tolist()
        out["censored_before"] += (gone & ~left).sum(axis=0).tolist()
    return pd.DataFrame(out, columns=AT_RISK_COLUMNS)


def survival_at(curve: pd.DataFrame, times: Sequence[float] = SURVIVAL_WEEKS) -> pd.DataFrame:
    """S(t) with its CI per group at ``times``, read off a :func:`kaplan_meier` frame.

    The curve is a right-continuous step function: S(t) is the value at the latest row with
    time ≤ t. Beyond a group's last follow-up time the estimate is undefined and is NaN.
    Columns :data:`SURVIVAL_AT_COLUMNS`; an empty curve gives an empty frame.
    """
    grid = _times(times)
    missing = [c for c in KM_COLUMNS if c not in curve.columns]
    if missing:
        raise ValueError(f"not a Kaplan–Meier frame; missing column(s): {', '.join(missing)}")
    at = np.asarray(grid, dtype=float)
    out: dict[str, list] = {c: [] for c in SURVIVAL_AT_COLUMNS}
    # Groups in order of first appearance (as groupby(sort=False)), each sorted by time (stable).
    codes, names = pd.factorize(curve["group"])
    order = np.lexsort((curve["time_weeks"].to_numpy(), codes))
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    times_all = curve["time_weeks"].to_numpy()[order]
    values_all = curve[["survival", "lower", "upper"]].to_numpy()[order]
    for k, name in enumerate(names):
        t_rows = times_all[bounds[k] : bounds[k + 1]]
        i = np.searchsorted(t_rows, at, side="right") - 1
        values = values_all[bounds[k] : bounds[k + 1]][np.maximum(i, 0)]
        values = np.where((i < 0)[:, None], 1.0, values)  # before the origin row: S = 1
        values = np.where((at > t_rows[-1])[:, None], np.nan, values)
        out["group"] += [name] * len(grid)
        out["time_weeks"] += grid
        for k, column in enumerate(SURVIVAL_AT_COLUMNS[2:]):
            out[column] += values[:, k].tolist()
    return pd.DataFrame(out, columns=SURVIVAL_AT_COLUMNS)


def logrank(journeys: pd.DataFrame, group: str) -> pd.DataFrame:
    """Log-rank test of equal retention across the values of ``group`` (statsmodels survdiff).

    One row (columns :data:`LOGRANK_COLUMNS`): the χ² statistic on ``n_groups − 1`` degrees of
    freedom and its p-value. Raises :class:`ValueError` when there are fewer than two groups
    with starters or no disengagement events at all.
    """
    data = starters(journeys, group)
    return logrank_of(data, group_order(data, journeys[group]), group)


def logrank_of(data: pd.DataFrame, order: list[str], group: str) -> pd.DataFrame:
    """:func:`logrank` of a :func:`starters` frame across the groups ``order`` (every group of
    ``data``), ``group`` naming the column they came from."""
    if len(order) < 2:
        raise ValueError(
            f"a log-rank test needs at least two groups of starters in {group!r}; "
            f"found {len(order)}"
        )
    events = int(data["event"].sum())
    if events == 0:
        raise ValueError("a log-rank test needs at least one disengagement event")
    codes = pd.Categorical(data["group"], categories=order).codes
    chisq, p_value = survdiff(data["weeks"].to_numpy(), data["event"].to_numpy(), codes)
    row = {
        "group_column": group,
        "groups": ", ".join(order),
        "n_groups": len(order),
        "n": len(data),
        "events": events,
        "chisq": float(chisq),
        "df": len(order) - 1,
        "p_value": float(p_value),
    }
    return pd.DataFrame([row], columns=LOGRANK_COLUMNS)


def _times(times: Sequence[float]) -> list[float]:
    grid = [float(t) for t in times]
    if any(not np.isfinite(t) or t < 0 for t in grid):
        raise ValueError(f"times must be finite and ≥ 0 weeks, got {list(times)!r}")
    return grid


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object if c == "group" else float) for c in columns})
