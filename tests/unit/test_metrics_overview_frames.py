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


def funnel_by_melt(arms: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """The funnel by pandas' merge and melt (the reference for :func:`m._funnel`)."""
    counts = counts[["arm", *m.STAGE_COUNTS.values()]]
    counts = counts.rename(columns={name: col for col, name in m.STAGE_COUNTS.items()})
    wide = arms[["arm", "arm_label"]].merge(counts, on="arm", how="left").fillna(0)
    wide["total"] = wide["referrals"].astype("int64")
    long = wide.melt(["arm", "arm_label", "total"], list(m.FUNNEL_STAGES), "stage", "count")
    long["count"] = long["count"].astype("int64")
    long["stage_label"] = long["stage"].map(m.FUNNEL_STAGES)
    share = m._ci(m.proportion_ci, long["count"], long["total"])
    long["share"], long["share_lower"], long["share_upper"] = share
    long.loc[long["stage"] == "referrals", ["share_lower", "share_upper"]] = 1.0
    long["stage"] = pd.Categorical(long["stage"], categories=list(m.FUNNEL_STAGES), ordered=True)
    long["arm_order"] = long["arm"].map({a: i for i, a in enumerate(m.ARM_ORDER)})
    long = long.sort_values(["arm_order", "stage"]).reset_index(drop=True)
    long["stage"] = long["stage"].astype(str)
    return long[m.FUNNEL_COLUMNS]


def monthly_counts_by_merge(con, view: m.View, arms: pd.DataFrame) -> pd.DataFrame:
    """Every arm × month with its referrals, by pandas' cross and left merges (the reference
    for the spine :func:`m._monthly` builds)."""
    select = "arm, referral_month AS month, count(*) AS referrals"
    counts = view.counts(con, select, group_by="arm, referral_month")
    counts["month"] = pd.to_datetime(counts["month"])
    months = pd.date_range(
        pd.Timestamp(view.start).to_period("M").to_timestamp(), pd.Timestamp(view.end), freq="MS"
    )
    spine = arms.merge(pd.DataFrame({"month": months}), how="cross")
    frame = spine.merge(counts, on=["arm", "month"], how="left")
    frame["referrals"] = frame["referrals"].fillna(0).astype("int64")
    return frame


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


def test_frames_together_equal_each_alone_and_the_pandas_reshapes(demo_store: Path) -> None:
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
            Filters(pilot=pilot, start=later, end=later, pcn_codes=(pcns[0], pcns[-1])),
            Filters(pilot=pilot, start=date(2100, 1, 1)),
            Filters(pilot=pilot, pcn_codes=("NO SUCH PCN",)),
        ]
        for flt in cases:
            view = m.in_view(con, flt)
            if view is not None:
                arms, counts = m._arms(view.pcns), m._arm_counts(con, view)
                if counts["referrals"].sum() > 0:
                    want = funnel_by_melt(arms, counts)
                    assert_frame_equal(m._funnel(arms, counts), want, check_exact=True)
                    got = m._monthly(con, view, arms)
                    spine = monthly_counts_by_merge(con, view, arms)
                    shared = [c for c in m.MONTHLY_COLUMNS if c in spine.columns]
                    assert_frame_equal(got[shared], spine[shared], check_exact=True)
            together = m.overview_frames(con, flt)
            alone = (m.kpis(con, flt), m.funnel(con, flt), m.monthly_series(con, flt))
            for got, want in zip(together, alone, strict=True):
                assert_frame_equal(got, want, check_exact=True)
        assert not m.overview_frames(con, cases[1])[0].empty
        assert all(f.empty for f in m.overview_frames(con, cases[-1]))
    finally:
        con.close()
