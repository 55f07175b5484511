"""Counting journeys per group with NumPy (analysis.metrics.uptake_counting) against pandas'
group counts and NumPy's linear percentiles — the definition of DuckDB's ``quantile_cont``."""

from __future__ import annotations

from itertools import product

import numpy as np
import pandas as pd
import pytest

from analysis.metrics.uptake import COUNTS, DAYS
from analysis.metrics.uptake_counting import JourneyCodes, _quartiles, grouped
from analysis.metrics.view import ARM_ORDER

STAGES = COUNTS[1:]


def coded(seed: int, n: int) -> tuple[JourneyCodes, pd.DataFrame]:
    """Random journeys, coded, and the same journeys as a plain frame."""
    rng = np.random.default_rng(seed)
    reached = rng.random((n, len(STAGES))) < 0.5
    days = np.where(rng.random(n) < 0.3, np.nan, rng.integers(-3, 200, n).astype(float))
    pcn = rng.integers(0, 7, n)
    sex = rng.integers(0, 3, n)
    bins = np.where(rng.random(n) < 0.2, -1, rng.integers(0, 13, n))
    pairs = rng.integers(0, n, 2 * n)
    codes = JourneyCodes(
        arm=rng.integers(0, 3, n),
        codes={"pcn_code": pcn, "sex": sex, "bin_start": bins},
        values={"pcn_code": np.array([f"P{i}" for i in range(7)], dtype=object),
                "sex": np.array(["female", "male", "unknown"], dtype=object),
                "bin_start": np.arange(0, 85, 7), "condition": np.array(["a", "b", "c"], object)},
        stages=(reached.astype(np.int64) << np.arange(len(STAGES))).sum(axis=1),
        days=days,
        condition_rows=np.sort(pairs),
        condition_codes=rng.integers(0, 3, 2 * n),
    )  # fmt: skip
    frame = pd.DataFrame(reached, columns=list(STAGES)).assign(
        arm=np.asarray(ARM_ORDER, dtype=object)[codes.arm], days=days,
        pcn_code=codes.values["pcn_code"][pcn], sex=codes.values["sex"][sex],
        bin_start=np.where(bins >= 0, bins * 7, -1),
    )  # fmt: skip
    return codes, frame


def expected(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Counts and linear quartiles per group, by pandas and NumPy."""
    groups = frame.groupby(["arm", *by], sort=False)
    out = groups[list(STAGES)].sum().astype("int64")
    out.insert(0, "referrals", groups.size())
    for column, q in zip(DAYS, (50, 25, 75), strict=True):
        out[column] = groups["days"].agg(
            lambda d, q=q: np.percentile(d.dropna(), q) if d.notna().any() else np.nan
        )
    out = out.reset_index()
    out["_arm"] = out["arm"].map({a: i for i, a in enumerate(ARM_ORDER)})
    return out.sort_values(["_arm", *by]).drop(columns="_arm").reset_index(drop=True)


@pytest.mark.parametrize(("seed", "n"), list(product([1, 2], [1, 50, 4000])))
@pytest.mark.parametrize("by", [(), ("pcn_code",), ("sex",), ("pcn_code", "sex"), ("bin_start",)])
def test_grouped_counts_and_quartiles_equal_pandas_and_numpy(seed, n, by) -> None:
    codes, frame = coded(seed, n)
    if "bin_start" in by:  # people who have not started have no bin and are left out
        frame = frame[frame["bin_start"] >= 0]
    got = grouped(codes, by)
    want = expected(frame, list(by))
    pd.testing.assert_frame_equal(got, want[got.columns.tolist()], check_dtype=False)
    assert got["referrals"].sum() == len(frame)


def test_grouped_by_condition_counts_each_journey_once_per_condition() -> None:
    codes, frame = coded(3, 500)
    pairs = frame.iloc[codes.condition_rows].assign(
        condition=codes.values["condition"][codes.condition_codes]
    )
    got = grouped(codes, ("condition",))
    want = expected(pairs.reset_index(drop=True), ["condition"])
    pd.testing.assert_frame_equal(got, want[got.columns.tolist()], check_dtype=False)
    assert got["referrals"].sum() == len(codes.condition_rows) > len(frame)


def test_quartiles_interpolate_as_quantile_cont() -> None:
    days = np.array([1.0, 2.0, 4.0, 10.0, np.nan, 3.0, 3.0, 7.0])
    key = np.array([0, 0, 0, 0, 0, 2, 2, 2])
    got = _quartiles(days, key, 3)
    # key 0: 1, 2, 4, 10 → median 3, Q1 1.75, Q3 5.5; key 1: none; key 2: 3, 3, 7
    np.testing.assert_array_equal(got[0], [3.0, 1.75, 5.5])
    assert np.isnan(got[1]).all()
    np.testing.assert_array_equal(got[2], [3.0, 3.0, 5.0])
    assert np.isnan(_quartiles(np.full(4, np.nan), np.zeros(4, dtype=np.int64), 1)).all()
