"""The rows each Uptake funnel table must have — every PCN in view, every arm, or arm × month
— kept for the last few sets of PCNs, so a change of period or of another filter reuses them.
"""

from __future__ import annotations

import threading
from typing import Literal

import numpy as np
import pandas as pd

from analysis.metrics.overview import ARM_LABELS, ARM_ORDER, View

__all__ = ["By", "arm_sorted", "funnel_rows"]

By = Literal["pcn", "arm", "month"]


def arm_sorted(frame: pd.DataFrame, *more: str) -> pd.DataFrame:
    """``frame`` in arm order (:data:`ARM_ORDER`), then by ``more``; index reset."""
    frame["arm"] = frame["arm"].astype(str)
    order = frame["arm"].map({a: i for i, a in enumerate(ARM_ORDER)})
    frame = frame.assign(_o=order).sort_values(["_o", *more], kind="stable")
    return frame.drop(columns="_o").reset_index(drop=True)


_KEPT_ROWS: dict[tuple, pd.DataFrame] = {}
_ROWS_KEPT = 32
_ROWS_LOCK = threading.Lock()


def funnel_rows(view: View, by: By) -> pd.DataFrame:
    """:func:`_make_rows`, kept for the last few sets of PCNs (and periods, per month): a
    change of period or of another filter leaves the PCNs' and arms' rows as they were. The
    frame returned is shared: callers merge onto it and never modify it."""
    pcns = view.pcns
    key = (by, *((view.start, view.end) if by == "month" else ()),
           *(tuple(pcns[c].tolist()) for c in pcns.columns))  # fmt: skip
    found = _KEPT_ROWS.get(key)
    if found is None:  # a period's months from the arms' kept rows: no sorting again
        found = (
            _month_rows(funnel_rows(view, "arm"), view) if by == "month" else _make_rows(view, by)
        )
        with _ROWS_LOCK:  # the server's sessions run in threads
            _KEPT_ROWS[key] = found
            while len(_KEPT_ROWS) > _ROWS_KEPT:
                del _KEPT_ROWS[next(iter(_KEPT_ROWS))]
    return found


def _month_rows(arms: pd.DataFrame, view: View) -> pd.DataFrame:
    """:func:`_make_rows` per month from its rows per arm (already in arm order): each arm's
    months of the period in order, so no sorting is needed."""
    first = pd.Timestamp(view.start).to_period("M").to_timestamp()
    months = pd.date_range(first, pd.Timestamp(view.end), freq="MS").to_numpy()
    n = len(months)
    return pd.DataFrame({
        "arm": np.repeat(arms["arm"].to_numpy(object), n),
        "arm_label": np.repeat(arms["arm_label"].to_numpy(object), n),
        "go_live": np.repeat(arms["go_live"].to_numpy("datetime64[ns]"), n),
        "month": np.tile(months, len(arms)),
    })  # fmt: skip


def _make_rows(view: View, by: By) -> pd.DataFrame:
    """The rows a funnel table must have: every PCN in view, every arm, or arm × month."""
    pcns = view.pcns
    arm = pcns["arm"].astype(str)
    patients = pcns["registered_patients"].astype("int64")
    if by == "pcn":
        frame = pd.DataFrame({"arm": arm, "arm_label": arm.map(ARM_LABELS),
                              "pcn_code": pcns["pcn_code"], "pcn_name": pcns["pcn_name"],
                              "registered_patients": patients})  # fmt: skip
        return arm_sorted(frame, "pcn_code")
    names = list(dict.fromkeys(arm))  # arms in order of first appearance
    rows = [arm.to_numpy() == a for a in names]
    go_live = [pcns.loc[r, "go_live"].dropna() for r in rows]  # the first date given
    arms = pd.DataFrame({
        "arm": names,
        "arm_label": [ARM_LABELS[a] for a in names],
        "pcns": np.array([r.sum() for r in rows], dtype="int64"),
        "registered_patients": np.array([patients[r].sum() for r in rows], dtype="int64"),
        "go_live": pd.to_datetime([g.iloc[0] if len(g) else pd.NaT for g in go_live]),
    })  # fmt: skip
    arms["go_live"] = arms["go_live"].astype("datetime64[ns]")
    if by == "arm":
        return arm_sorted(arms)
    first = pd.Timestamp(view.start).to_period("M").to_timestamp()
    months = pd.date_range(first, pd.Timestamp(view.end), freq="MS")
    spine = pd.DataFrame({
        "arm": np.repeat(arms["arm"].to_numpy(), len(months)),
        "arm_label": np.repeat(arms["arm_label"].to_numpy(), len(months)),
        "go_live": np.repeat(arms["go_live"].to_numpy(), len(months)),
        "month": np.tile(months.to_numpy(), len(arms)),
    })  # fmt: skip
    return arm_sorted(spine, "month")
