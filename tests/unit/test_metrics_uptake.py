"""Uptake metrics against counts made independently with pandas from the demo store's journeys.

The expected numbers come from ``SELECT * FROM journeys`` grouped in pandas, never from the SQL
under test; intervals use :func:`analysis.indicators.proportion_ci` (checked against
PHEindicatormethods elsewhere) and a Wilson formula written out here.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.filters import UNKNOWN, Filters, filter_phrase, journey_predicate
from analysis.funnel import proportion_funnel_significance
from analysis.metrics import overview, uptake
from analysis.metrics.uptake_tables import uptake_tables
from analysis.store import open_store


@pytest.fixture(scope="module")
def demo(demo_store: Path):
    con = open_store(demo_store, read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def journeys(demo) -> pd.DataFrame:
    return demo.execute("SELECT * FROM journeys").df()


@pytest.fixture(scope="module")
def pilot(demo) -> str:
    return overview.pilot_names(demo)[0]


@pytest.fixture(scope="module")
def arms(demo, pilot) -> pd.DataFrame:
    return demo.execute(
        "SELECT pcn_code, arm FROM stg_pilot_pcns WHERE pilot_name = ?", [pilot]
    ).df()


def wilson(x: float, n: float, z: float = 1.959963984540054) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def expected_counts(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    flags = [c for c in uptake.COUNTS if c != "referrals"]
    out = rows.groupby(by)[flags].sum().astype("int64")
    out.insert(0, "referrals", rows.groupby(by).size())
    return out


def test_per_pcn_funnel_matches_pandas(demo, journeys, arms, pilot) -> None:
    got = uptake.uptake_funnel(demo, Filters(pilot=pilot), "pcn")
    assert list(got.columns[:5]) == [
        "arm",
        "arm_label",
        "pcn_code",
        "pcn_name",
        "registered_patients",
    ]
    assert got["arm"].tolist() == sorted(got["arm"], key=["pilot", "comparison"].index)
    rows = journeys.merge(arms, on="pcn_code")
    want = expected_counts(rows, ["pcn_code"])
    for row in got.itertuples():
        assert [getattr(row, c) for c in uptake.COUNTS] == want.loc[row.pcn_code].tolist()
        lo, hi = wilson(row.first_attended, row.referrals)
        assert (row.uptake_lower, row.uptake_upper) == pytest.approx((lo, hi), rel=1e-9)
        assert row.uptake == pytest.approx(row.first_attended / row.referrals)
        assert row.retention_12w == pytest.approx(row.retained_12w / row.first_attended)
        assert row.retention_12w_cc == pytest.approx(row.retained_12w / row.followed_up_12w)
        days = rows.loc[rows["pcn_code"] == row.pcn_code, "days_to_first_attendance"].dropna()
        assert (row.days_median, row.days_q1, row.days_q3) == pytest.approx(
            tuple(np.percentile(days, [50, 25, 75]))
        )


def test_per_arm_and_per_month_add_up_and_agree_with_the_overview(demo, pilot) -> None:
    flt = Filters(pilot=pilot, start=date(2024, 3, 10), end=date(2025, 8, 20))
    per_pcn = uptake.uptake_funnel(demo, flt, "pcn")
    per_arm = uptake.uptake_funnel(demo, flt, "arm").set_index("arm")
    monthly = uptake.uptake_funnel(demo, flt, "month")
    counts = list(uptake.COUNTS)
    assert per_pcn.groupby("arm")[counts].sum().loc[per_arm.index].equals(per_arm[counts])
    assert monthly.groupby("arm")[counts].sum().loc[per_arm.index].equals(per_arm[counts])
    assert monthly["month"].nunique() == 18 and monthly["month"].min() == pd.Timestamp(
        "2024-03-01"
    )
    assert per_arm["go_live"].notna().all() and monthly["go_live"].notna().all()
    kpis = overview.kpis(demo, flt).set_index("arm")
    for col in ("referrals", "first_attended", "uptake", "days_median", "days_q1"):
        assert per_arm[col].tolist() == pytest.approx(kpis.loc[per_arm.index, col].tolist())
    stages = overview.funnel(demo, flt)
    for arm, rows in stages.groupby("arm"):
        assert rows["count"].tolist() == [per_arm.loc[arm, s] for s in overview.FUNNEL_STAGES]


@pytest.mark.parametrize(
    ("flt", "keep"),
    [
        (Filters(activity_groups=("Walking", "Swimming")),
         lambda j: j["session_activity_group"].isin(["Walking", "Swimming"])),
        (Filters(age_bands=("75+", UNKNOWN)), lambda j: j["age_band"].fillna(UNKNOWN).isin(["75+", UNKNOWN])),
        (Filters(sexes=("male",)), lambda j: j["sex"] == "male"),
        (Filters(ethnicities=("asian", "black")), lambda j: j["ethnicity"].isin(["asian", "black"])),
        (Filters(imd_quintiles=("1", UNKNOWN)), lambda j: j["imd_quintile"].isna() | (j["imd_quintile"] == 1)),
        (Filters(referral_sources=("self",), conditions=("msk",)),
         lambda j: (j["referral_source"] == "self") & j["conditions"].map(lambda c: "msk" in list(c))),
    ],
)  # fmt: skip
def test_every_referral_filter_restricts_as_pandas_does(demo, journeys, flt, keep) -> None:
    got = uptake.uptake_funnel(demo, flt, "pcn").set_index("pcn_code")
    want = expected_counts(journeys[keep(journeys)], ["pcn_code"])
    assert 0 < got["referrals"].sum() < len(journeys)
    for pcn, row in want.iterrows():
        assert got.loc[pcn, list(uptake.COUNTS)].tolist() == row.tolist()
    # the Overview metrics share the filter (it used to refuse the activity group)
    assert overview.kpis(demo, flt)["referrals"].sum() == got["referrals"].sum()


def test_journey_predicate_writes_only_what_is_chosen() -> None:
    assert journey_predicate(Filters()) == ("TRUE", {})
    sql, params = journey_predicate(Filters(sexes=("female",), conditions=("msk", "cancer")))
    assert params == {"f_conditions": ["cancer", "msk"], "f_sexes": ["female"]}
    assert "list_has_any(conditions, $f_conditions" in sql and " AND " in sql


def test_filter_phrase_names_the_filters() -> None:
    assert filter_phrase(["sexes"]) == "the sex filter"
    assert filter_phrase(["pcn_codes", "sexes", "period"]) == "the PCNs, sex and period filters"
    assert Filters(sexes=("male",), pcn_codes=("U1",)).narrowed_by() == ("pcn_codes", "sexes")


def test_filter_values_list_what_the_store_holds(demo, journeys) -> None:
    values = overview.filter_values(demo)
    assert values["referral_sources"] == sorted(journeys["referral_source"].unique())
    assert values["imd_quintiles"] == ["1", "2", "3", "4", "5", UNKNOWN]
    assert "mental_health" in values["conditions"] and "Walking" in values["activity_groups"]


def test_breakdown_groups_add_up(demo, journeys, pilot, arms) -> None:
    got = uptake.breakdown(demo, Filters(pilot=pilot))
    assert list(got.columns) == uptake.BREAKDOWN_COLUMNS
    assert list(dict.fromkeys(got["dimension"])) == list(uptake.DIMENSIONS)
    totals = journeys.merge(arms, on="pcn_code").groupby("arm").size()
    for (arm, dim), rows in got.groupby(["arm", "dimension"]):
        if dim == "condition":  # a referral counts under each of its conditions
            assert rows["referrals"].sum() >= totals[arm]
        else:
            assert rows["referrals"].sum() == totals[arm]
        assert (rows["uptake_lower"] <= rows["uptake"]).all()
    conditions = journeys.merge(arms, on="pcn_code").query("arm == 'pilot'")["conditions"]
    msk = got.query("arm == 'pilot' and dimension == 'condition' and group == 'msk'")
    assert msk["referrals"].item() == conditions.map(lambda c: "msk" in list(c)).sum()
    none = got.query("arm == 'pilot' and dimension == 'condition' and group == 'none recorded'")
    assert none["referrals"].item() == conditions.map(lambda c: len(c) == 0).sum()
    imd = got.query("arm == 'pilot' and dimension == 'imd_quintile'")["group"].tolist()
    assert imd[-1] == UNKNOWN and imd[:-1] == sorted(imd[:-1])


def test_days_to_first_attendance_bins(demo, journeys) -> None:
    got = uptake.days_to_first_attendance(demo, Filters())
    assert list(got.columns) == uptake.DAYS_COLUMNS
    days = journeys["days_to_first_attendance"].dropna()
    assert got["starters"].sum() == len(days) and got["share"].sum() == pytest.approx(1)
    first = got.iloc[0]
    assert (first.bin_label, first.starters) == ("0–6", int((days < 7).sum()))
    capped = uptake.days_to_first_attendance(demo, Filters(), bin_days=7, cap_days=14)
    assert capped["bin_label"].tolist() == ["0–6", "7–13", "14+"]
    assert capped["starters"].iloc[-1] == int((days >= 14).sum())


def test_funnel_plot_uses_the_pooled_uptake(demo, pilot) -> None:
    per_pcn = uptake.uptake_funnel(demo, Filters(pilot=pilot), "pcn")
    plot = uptake.uptake_funnel_plot(per_pcn)
    assert plot.pooled == pytest.approx(
        per_pcn["first_attended"].sum() / per_pcn["referrals"].sum()
    )
    assert plot.limits["baseline"].iloc[0] == pytest.approx(plot.pooled)
    labels = proportion_funnel_significance(per_pcn["first_attended"], per_pcn["referrals"])
    assert plot.points["significance"].tolist() == list(labels)
    assert (plot.points["outside"] == (plot.points["significance"] != "Not significant")).all()
    assert uptake.uptake_funnel_plot(per_pcn.iloc[0:0]) is None


def test_funnel_stages_are_shares_of_referrals(demo, pilot) -> None:
    per_arm = uptake.uptake_funnel(demo, Filters(pilot=pilot), "arm")
    stages = uptake.funnel_stages(per_arm)
    assert stages["stage"].tolist() == list(uptake.STAGES) * 2
    pilot_rows = stages[stages["arm"] == "pilot"]
    total = per_arm.set_index("arm").loc["pilot", "referrals"]
    assert pilot_rows["share"].tolist() == pytest.approx((pilot_rows["count"] / total).tolist())
    assert pilot_rows.iloc[0][["share", "share_lower", "share_upper"]].tolist() == [1, 1, 1]


@pytest.mark.parametrize(
    "flt",
    [
        Filters(pilot="No such pilot"),
        Filters(start=date(2030, 1, 1)),
        Filters(referral_sources=("nobody",)),
        Filters(activity_groups=("Underwater hockey",)),
    ],
)
def test_a_filter_matching_nothing_gives_empty_frames(demo, flt) -> None:
    for by in ("pcn", "arm", "month"):
        assert uptake.uptake_funnel(demo, flt, by).empty
    assert uptake.breakdown(demo, flt).empty
    assert uptake.days_to_first_attendance(demo, flt).empty
    assert uptake.funnel_stages(uptake.uptake_funnel(demo, flt, "pcn")).empty


def test_bad_arguments_are_refused(demo) -> None:
    with pytest.raises(ValueError, match="by must be"):
        uptake.uptake_funnel(demo, Filters(), "week")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown dimensions"):
        uptake.breakdown(demo, Filters(), ("shoe_size",))
    with pytest.raises(ValueError, match="bin_days"):
        uptake.days_to_first_attendance(demo, Filters(), bin_days=0)


@pytest.mark.parametrize(
    "make",
    [
        lambda pilot, pcn: Filters(pilot=pilot),
        lambda pilot, pcn: Filters(),
        lambda pilot, pcn: Filters(pilot=pilot, pcn_codes=(pcn,)),
        lambda pilot, pcn: Filters(pilot=pilot, sexes=("female",), conditions=("msk",)),
        lambda pilot, pcn: Filters(pilot=pilot, start=date(2025, 3, 1), end=date(2025, 8, 31)),
        lambda pilot, pcn: Filters(pilot=pilot, age_bands=("unknown", "75+"), imd_quintiles=("1",)),
        lambda pilot, pcn: Filters(pilot=pilot, referral_sources=("nobody",)),
        lambda pilot, pcn: Filters(pilot="No such pilot"),
    ],
    ids=["pilot", "all PCNs", "one PCN", "women with MSK", "six months", "old most deprived",
         "no referrals", "no PCNs"],
)  # fmt: skip
def test_the_page_tables_counted_in_memory_equal_each_function(demo, pilot, arms, make) -> None:
    flt = make(pilot, arms["pcn_code"].iloc[0])
    tables = uptake_tables(demo, flt)
    expected = {
        "per_pcn": uptake.uptake_funnel(demo, flt, "pcn"),
        "per_arm": uptake.uptake_funnel(demo, flt, "arm"),
        "monthly": uptake.uptake_funnel(demo, flt, "month"),
        "breakdown": uptake.breakdown(demo, flt),
        "days": uptake.days_to_first_attendance(demo, flt),
    }
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(getattr(tables, name), frame, check_exact=True, obj=name)


def test_funnel_rows_are_kept_across_a_period_change_and_match_fresh_ones(demo, pilot) -> None:
    from analysis.metrics import uptake_funnel_rows as rows

    rows._KEPT_ROWS.clear()
    whole = overview.in_view(demo, Filters(pilot=pilot))
    later = overview.in_view(demo, Filters(pilot=pilot, start=date(2025, 6, 1)))
    assert whole is not None and later is not None and later.start != whole.start
    for by in ("pcn", "arm", "month"):
        first = rows.funnel_rows(whole, by)
        pd.testing.assert_frame_equal(first, rows._make_rows(whole, by), check_exact=True)
        again = rows.funnel_rows(later, by)
        assert (again is first) == (by != "month")  # months follow the period
        pd.testing.assert_frame_equal(again, rows._make_rows(later, by), check_exact=True)
    one = overview.in_view(demo, Filters(pilot=pilot, pcn_codes=(whole.pcns["pcn_code"][0],)))
    assert one is not None
    assert len(rows.funnel_rows(one, "pcn")) == 1
    assert len(rows._KEPT_ROWS) <= rows._ROWS_KEPT
