"""The Overview's three frames found together equal each found alone, and the per-arm summary
equals the plain pandas group-by it replaces."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from analysis.filters import Filters
from analysis.metrics import overview as m
from analysis.store import open_store


def arms_by_groupby(pcns: pd.DataFrame) -> pd.DataFrame:
    """One row per arm, by pandas' group-by (the reference for :func:`m._arms`)."""
    arms = pcns.groupby("arm", observed=True).agg(
        pcns=("pcn_code", "size"),
        registered_patients=("registered_patients", "sum"),
        go_live=("go_live", "first"),
    )
    arms = arms.reset_index()
    arms["arm"] = arms["arm"].astype(str)
    arms["registered_patients"] = arms["registered_patients"].astype("int64")
    arms["go_live"] = pd.to_datetime(arms["go_live"]).astype("datetime64[ns]")
    arms.insert(1, "arm_label", arms["arm"].map(m.ARM_LABELS))
    return arms[m.ARM_COLUMNS]


def pcn_frame(rows: list[tuple[str, str, int, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["pcn_code", "arm", "registered_patients", "go_live"])
    frame["go_live"] = pd.to_datetime(frame["go_live"])
    frame["arm"] = pd.Categorical(frame["arm"], categories=m.ARM_ORDER, ordered=True)
    return frame.sort_values(["arm", "pcn_code"]).reset_index(drop=True)


LIVE, LATER = date(2024, 7, 1), date(2024, 9, 1)


@pytest.mark.parametrize(
    "rows",
    [
        [("A", "pilot", 100, LIVE), ("B", "pilot", 250, LIVE), ("C", "comparison", 70, LIVE)],
        [("A", "comparison", 100, None), ("B", "pilot", 5, LIVE), ("C", "comparison", 9, LATER)],
        [("A", "pilot", 100, None), ("B", "pilot", 3, LATER), ("C", "pilot", 8, LIVE)],
        [("A", "all", 100, None), ("B", "all", 20, None)],
        [("C", "comparison", 12345678, LIVE)],
        [],
    ],
)
def test_arms_equal_the_pandas_groupby(rows) -> None:
    pcns = pcn_frame(rows)
    assert_frame_equal(m._arms(pcns), arms_by_groupby(pcns), check_exact=True)


def test_arms_of_every_view_of_the_demo_equal_the_pandas_groupby(demo_store: Path) -> None:
    con = open_store(demo_store, read_only=True)
    try:
        for pilot in [None, *m.pilot_names(con)]:
            pcns = m.arm_pcns(con, Filters(pilot=pilot))
            assert_frame_equal(m._arms(pcns), arms_by_groupby(pcns), check_exact=True)
            one = m.arm_pcns(con, Filters(pilot=pilot, pcn_codes=(pcns["pcn_code"].iloc[-1],)))
            assert_frame_equal(m._arms(one), arms_by_groupby(one), check_exact=True)
    finally:
        con.close()


def test_frames_together_equal_each_alone(demo_store: Path) -> None:
    con = open_store(demo_store, read_only=True)
    try:
        window = m.data_window(con)
        pilot = m.pilot_names(con)[0]
        pcns = m.arm_pcns(con, Filters(pilot=pilot))["pcn_code"].tolist()
        later = window.first_referral + timedelta(days=183)
        cases = [
            Filters(),
            Filters(pilot=pilot),
            Filters(pilot=pilot, start=later),
            Filters(pilot=pilot, start=later, pcn_codes=(pcns[0],)),
            Filters(pilot=pilot, pcn_codes=(pcns[0], pcns[-1]), referral_sources=("gp",)),
            Filters(pilot=pilot, start=date(2100, 1, 1)),
            Filters(pilot=pilot, pcn_codes=("NO SUCH PCN",)),
        ]
        for flt in cases:
            together = m.overview_frames(con, flt)
            alone = (m.kpis(con, flt), m.funnel(con, flt), m.monthly_series(con, flt))
            for got, want in zip(together, alone, strict=True):
                assert_frame_equal(got, want, check_exact=True)
        assert not m.overview_frames(con, cases[1])[0].empty
        assert all(f.empty for f in m.overview_frames(con, cases[-1]))
    finally:
        con.close()
