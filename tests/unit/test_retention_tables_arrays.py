"""The Retention page's tables computed on arrays equal the pandas computations they replaced
(group-by and sort, pivot), cell for cell, on many random curves and risk sets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from analysis.metrics import retention as rm
from analysis.metrics.overview import ARM_LABELS, ARM_ORDER
from analysis.survival import KM_COLUMNS, SURVIVAL_AT_COLUMNS, survival_at

SEEDS = range(40)


def survival_at_by_groupby(curve: pd.DataFrame, times: tuple[float, ...]) -> pd.DataFrame:
    """S(t) as it was read off a curve: one group-by group at a time, sorted by time."""
    at = np.asarray(times, dtype=float)
    out: dict[str, list] = {c: [] for c in SURVIVAL_AT_COLUMNS}
    for name, rows in curve.groupby("group", sort=False):
        rows = rows.sort_values("time_weeks", kind="stable")
        t_rows = rows["time_weeks"].to_numpy()
        i = np.searchsorted(t_rows, at, side="right") - 1
        values = rows[["survival", "lower", "upper"]].to_numpy()[np.maximum(i, 0)]
        values = np.where((i < 0)[:, None], 1.0, values)
        values = np.where((at > t_rows[-1])[:, None], np.nan, values)
        out["group"] += [name] * len(at)
        out["time_weeks"] += [float(t) for t in times]
        for k, column in enumerate(SURVIVAL_AT_COLUMNS[2:]):
            out[column] += values[:, k].tolist()
    return pd.DataFrame(out, columns=SURVIVAL_AT_COLUMNS)


def random_curve(rng: np.random.Generator) -> pd.DataFrame:
    """Rows of a few groups, shuffled, with tied times and some groups missing."""
    n = int(rng.integers(1, 60))
    groups = rng.choice(["a", "b", "c", None], size=n, p=[0.4, 0.3, 0.2, 0.1])
    return pd.DataFrame(
        {
            "group": pd.Series(groups, dtype=object),
            "time_weeks": rng.integers(0, 30, size=n).astype(float) / rng.choice([1, 7]),
            "n_at_risk": rng.integers(0, 100, size=n),
            "n_events": rng.integers(0, 5, size=n),
            "survival": rng.random(n),
            "lower": rng.random(n),
            "upper": rng.random(n),
        }
    )[KM_COLUMNS]


@pytest.mark.parametrize("seed", SEEDS)
def test_survival_at_equals_the_group_by_reading(seed: int) -> None:
    rng = np.random.default_rng(seed)
    curve = random_curve(rng)
    for times in ((4, 12, 26), (0, 0.5, 3, 100), (2,)):
        assert_frame_equal(
            survival_at(curve, times), survival_at_by_groupby(curve, times), check_exact=True
        )


def at_risk_by_pivot(at_risk: pd.DataFrame) -> pd.DataFrame:
    """Numbers at risk widened as they were: pivot, groups in order of appearance."""
    wide = at_risk.pivot(index="group", columns="time_weeks", values="n_at_risk")
    wide = wide.loc[list(dict.fromkeys(at_risk["group"]))]
    wide.columns = [f"{t:g} weeks" for t in wide.columns]
    return wide.reset_index()


@pytest.mark.parametrize("seed", SEEDS)
def test_at_risk_table_equals_the_pivot(seed: int) -> None:
    rng = np.random.default_rng(seed)
    groups = list(rng.permutation(["Pilot", "Comparison", "x", "y"])[: rng.integers(1, 5)])
    times = [0.0, 4.0, 8.0, 12.0, 16.0, 20.0, 26.0]
    cells = [(g, t) for g in groups for t in times]
    if seed % 3 == 1:  # some groups end earlier: cells missing
        cells = [c for c in cells if rng.random() > 0.2] or cells[:1]
    order = rng.permutation(len(cells))
    at_risk = pd.DataFrame(
        {
            "group": [cells[i][0] for i in order],
            "time_weeks": [cells[i][1] for i in order],
            "n_at_risk": rng.integers(0, 500, size=len(cells)),
        }
    )
    if seed % 3 == 2:
        at_risk["n_at_risk"] = at_risk["n_at_risk"].astype("Int64")
    assert_frame_equal(rm.at_risk_table(at_risk), at_risk_by_pivot(at_risk), check_exact=True)


def arms_first_by_sort(frame: pd.DataFrame) -> pd.DataFrame:
    rank = {ARM_LABELS[a]: i for i, a in enumerate(ARM_ORDER)}
    order = frame["group"].map(rank)
    return frame.assign(_o=order).sort_values("_o", kind="stable").drop(columns="_o")


@pytest.mark.parametrize("seed", SEEDS)
def test_arms_first_equals_the_stable_sort(seed: int) -> None:
    rng = np.random.default_rng(seed)
    labels = [*ARM_LABELS.values(), "other"]
    n = int(rng.integers(0, 30))
    frame = pd.DataFrame({"group": rng.choice(labels, size=n), "x": rng.random(n)})
    assert_frame_equal(rm._arms_first(frame), arms_first_by_sort(frame), check_exact=True)
