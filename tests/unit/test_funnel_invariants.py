"""Property: for any filter on the demo store, the uptake funnel is a funnel and adds up.

For arbitrary combinations of pilot, period, PCNs, activity group, referral source, condition,
age band, sex, ethnicity and IMD quintile: referrals ≥ contacted ≥ first_attended ≥ retained_4w,
first_attended ≥ followed_up_Nw ≥ retained_Nw (N = 4, 12, 26), and the per-PCN and per-month
counts sum to the per-arm totals (which are the whole funnel for the filter).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.filters import Filters
from analysis.metrics import overview, uptake
from analysis.store import open_store

COUNTS = list(uptake.COUNTS)


@pytest.fixture(scope="module")
def store(demo_store: Path):
    con = open_store(demo_store, read_only=True)
    values = overview.filter_values(con)
    pcns = con.execute("SELECT pcn_code FROM stg_pcns ORDER BY 1").df()["pcn_code"].tolist()
    yield con, values, pcns, overview.pilot_names(con), overview.data_window(con)
    con.close()


def subset(options: list[str], most: int = 3) -> st.SearchStrategy[tuple[str, ...]]:
    """Usually no restriction; otherwise a few of the options."""
    chosen = st.lists(st.sampled_from(options), min_size=1, max_size=most, unique=True)
    return st.one_of(st.just(()), chosen.map(tuple))


@st.composite
def filters(draw: st.DrawFn, values: dict, pcns: list, pilots: list, window) -> Filters:
    days = (window.last_referral - window.first_referral).days
    offsets = sorted(draw(st.lists(st.integers(0, days), min_size=2, max_size=2)))
    fields = {name: draw(subset(options)) for name, options in values.items() if options}
    return Filters(
        pilot=draw(st.sampled_from([None, *pilots, "No such pilot"])),
        start=window.first_referral + timedelta(days=offsets[0]),
        end=window.first_referral + timedelta(days=offsets[1]),
        pcn_codes=draw(subset(pcns)),
        **fields,
    )


def check_funnel(table: pd.DataFrame) -> None:
    t = table
    assert (t["referrals"] >= t["contacted"]).all()
    assert (t["contacted"] >= t["first_attended"]).all()
    assert (t["first_attended"] >= t["retained_4w"]).all()
    for weeks in (4, 12, 26):
        assert (t["first_attended"] >= t[f"followed_up_{weeks}w"]).all()
        assert (t[f"followed_up_{weeks}w"] >= t[f"retained_{weeks}w"]).all()
    assert (t[COUNTS] >= 0).all().all()


def test_the_funnel_holds_for_any_filter(store) -> None:
    con, values, pcns, pilots, window = store
    seen = {"with referrals": 0}

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,  # the same examples on every run, so CI is stable
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(flt=filters(values, pcns, pilots, window))
    def check(flt: Filters) -> None:
        per_arm = uptake.uptake_funnel(con, flt, "arm")
        per_pcn = uptake.uptake_funnel(con, flt, "pcn")
        monthly = uptake.uptake_funnel(con, flt, "month")
        if per_arm.empty:
            assert per_pcn.empty and monthly.empty
            return
        seen["with referrals"] += 1
        for table in (per_arm, per_pcn, monthly):
            check_funnel(table)
        totals = per_arm.set_index("arm")[COUNTS]
        for part in (per_pcn, monthly):
            sums = part.groupby("arm")[COUNTS].sum().reindex(totals.index, fill_value=0)
            assert sums.equals(totals)
        referrals = overview.kpis(con, flt).set_index("arm")["referrals"]
        assert referrals.reindex(totals.index).tolist() == totals["referrals"].tolist()

    check()
    assert seen["with referrals"] >= 8  # the property was not checked on empty views only
