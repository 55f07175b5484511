"""Tests for analysis.disclosure: redaction, rounding, totals, derived values, complementary
suppression and Kaplan–Meier rounding. Expected values are worked by hand from the rules in
``docs/disclosure.md``; the property test checks the guarantees on random tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.disclosure import (
    REDACT_AT_OR_BELOW,
    REDACTED,
    ROUND_TO,
    Derived,
    TableSpec,
    apply_to_export,
    methods_note,
    midpoint6,
    protect_km,
    protect_table,
    redact_and_round,
)
from analysis.indicators import proportion_ci, rate_ci

R = REDACTED


def test_policy_constants() -> None:
    assert (REDACT_AT_OR_BELOW, ROUND_TO, REDACTED) == (7, 5, "[REDACTED]")


# ---- single counts ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, 0), (1, R), (5, R), (7, R), (8, 10), (10, 10), (12, 10), (13, 15), (17, 15), (18, 20),
     (22, 20), (23, 25), (102, 100), (103, 105), (1_000_002, 1_000_000)],
)  # fmt: skip
def test_redact_and_round(count: int, expected: object) -> None:
    assert redact_and_round([count]).tolist() == [expected]


def test_redact_and_round_is_vectorised_and_keeps_the_index() -> None:
    counts = pd.Series([0, 3, 12, None], index=["a", "b", "c", "d"])
    out = redact_and_round(counts)
    assert out.index.tolist() == ["a", "b", "c", "d"]
    assert out.tolist()[:3] == [0, R, 10]
    assert out["d"] is pd.NA  # missing stays missing, not redacted


def test_redact_and_round_without_a_marker_gives_missing_integers() -> None:
    out = redact_and_round(np.array([0, 4, 9]), marker=None)
    assert str(out.dtype) == "Int64"
    assert out.tolist() == [0, pd.NA, 10]


@pytest.mark.parametrize("bad", [-1, 2.5, "x"])
def test_counts_must_be_whole_and_not_negative(bad: object) -> None:
    with pytest.raises(ValueError):
        redact_and_round([bad])


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, 0), (1, 3), (6, 3), (7, 9), (12, 9), (13, 15), (18, 15), (19, 21), (600, 597)],
)
def test_midpoint6(count: int, expected: int) -> None:
    assert midpoint6([count]).tolist() == [expected]
    assert expected == math.ceil(count / 6) * 6 - 3 * (count != 0)


# ---- totals ----------------------------------------------------------------------------------
def test_totals_are_recomputed_from_rounded_cells() -> None:
    # raw 12 + 12 + 12 = 36 would round to 35; the cells round to 10 each, so the total is 30
    frame = pd.DataFrame({"pcn": ["A", "B", "C", "All"], "referrals": [12, 12, 12, 36]})
    out, report = protect_table(frame, count_columns=["referrals"], total_row=("pcn", "All"))
    assert out["referrals"].tolist() == [10, 10, 10, 30]
    assert report.totals_recomputed == 1 and report.rounded == 3


def test_a_total_column_is_the_sum_of_the_shown_cells() -> None:
    frame = pd.DataFrame({"a": [13, 40], "b": [18, 22], "total": [0, 0]})  # raw totals ignored
    out, _ = protect_table(frame, count_columns=["a", "b"], total_column="total")
    assert out.to_dict("list") == {"a": [15, 40], "b": [20, 20], "total": [35, 60]}


def test_total_row_must_match_one_row() -> None:
    frame = pd.DataFrame({"pcn": ["A", "B"], "n": [10, 20]})
    with pytest.raises(ValueError, match="exactly one row"):
        protect_table(frame, count_columns=["n"], total_row=("pcn", "All"))


def test_midpoint6_tables_round_every_count_and_hide_nothing() -> None:
    frame = pd.DataFrame({"pcn": ["A", "B", "All"], "n": [2, 13, 15]})
    out, report = protect_table(
        frame, count_columns=["n"], total_row=("pcn", "All"), method="midpoint6"
    )
    assert out["n"].tolist() == [3, 15, 18]
    assert report.redacted == () and report.suppressed == ()


# ---- derived values --------------------------------------------------------------------------
UPTAKE = {"uptake": Derived("first_attended", "referrals", 100, interval=("lower", "upper"))}


@pytest.mark.parametrize(
    ("referrals", "first_attended", "blanked"),
    [(40, 5, True), (6, 0, True), (40, 27, False), (0, 0, False)],
)
def test_a_rate_is_blanked_when_a_count_it_uses_is_redacted(
    referrals: int, first_attended: int, blanked: bool
) -> None:
    frame = pd.DataFrame({"referrals": [referrals], "first_attended": [first_attended]})
    out, report = protect_table(frame, count_columns=["referrals", "first_attended"],
                                derived=UPTAKE)  # fmt: skip
    cells = [out.loc[0, c] for c in ("uptake", "lower", "upper")]
    assert (cells == [R, R, R]) is blanked
    assert report.derived_blanked == int(blanked)


def test_a_proportion_is_recomputed_from_the_rounded_counts() -> None:
    frame = pd.DataFrame({"referrals": [42], "first_attended": [28], "uptake": [66.67]})
    out, report = protect_table(frame, count_columns=["referrals", "first_attended"],
                                derived=UPTAKE)  # fmt: skip
    _, lower, upper = proportion_ci(30, 40)  # 28 → 30, 42 → 40
    assert out.loc[0, "uptake"] == pytest.approx(75.0)
    assert (out.loc[0, "lower"], out.loc[0, "upper"]) == pytest.approx((lower * 100, upper * 100))
    assert report.derived_recomputed == 1


def test_a_rate_over_a_population_uses_the_rounded_count_and_the_population_as_given() -> None:
    frame = pd.DataFrame({"referrals": [23, 4], "registered_patients": [10_000, 12_000]})
    rate = Derived("referrals", "registered_patients", 1000, kind="rate", interval=("lo", "hi"))
    out, _ = protect_table(frame, count_columns=["referrals"], derived={"rate": rate})
    _, lo, hi = rate_ci(25, 10_000, multiplier=1000)
    assert out["rate"].tolist() == [pytest.approx(2.5), R]
    assert out.loc[0, ["lo", "hi"]].tolist() == pytest.approx([lo, hi])
    assert out["registered_patients"].tolist() == [10_000, 12_000]


def test_a_tuple_spec_is_a_proportion() -> None:
    frame = pd.DataFrame({"referrals": [20], "first_attended": [10]})
    out, _ = protect_table(frame, count_columns=["referrals", "first_attended"],
                           derived={"uptake": ("first_attended", "referrals")})  # fmt: skip
    assert out.loc[0, "uptake"] == pytest.approx(0.5)


def test_a_mean_is_kept_blanked_with_its_count_and_its_sum_is_withheld() -> None:
    frame = pd.DataFrame({"starters": [20, 5], "days_total": [200, 60], "mean_days": [10.0, 12.0]})
    derived = {"mean_days": Derived("days_total", "starters", kind="mean")}
    out, report = protect_table(frame, count_columns=["starters"], derived=derived)
    assert out["mean_days"].tolist() == [10.0, R]
    assert "days_total" not in out.columns and report.withheld_columns == ("days_total",)


def test_derived_from_a_non_count_numerator_must_be_a_mean() -> None:
    frame = pd.DataFrame({"starters": [20], "days_total": [200]})
    with pytest.raises(ValueError, match="not a count column"):
        protect_table(frame, count_columns=["starters"], derived={"x": ("days_total", "starters")})


# ---- complementary suppression ---------------------------------------------------------------
def hidden_cells(frame: pd.DataFrame) -> set[tuple[int, str]]:
    return {(r, c) for c in frame.columns for r, v in enumerate(frame[c]) if v is R or v == R}


@pytest.mark.parametrize(
    ("rows", "expected_hidden"),
    [
        # one hidden cell in a row with a total: the next smallest goes too
        ([[3, 30, 20]], {(0, "a"), (0, "c")}),
        # two hidden cells already: nothing more
        ([[3, 4, 50]], {(0, "a"), (0, "b")}),
        # zeros are hidden only when nothing else is left
        ([[3, 0, 40]], {(0, "a"), (0, "c")}),
        ([[3, 0, 0]], {(0, "a"), (0, "b")}),
        # nothing small: nothing hidden
        ([[30, 0, 40]], set()),
    ],
)
def test_a_row_with_a_total_never_has_exactly_one_hidden_cell(
    rows: list[list[int]], expected_hidden: set[tuple[int, str]]
) -> None:
    frame = pd.DataFrame(rows, columns=["a", "b", "c"]).assign(total=0)
    out, report = protect_table(frame, count_columns=["a", "b", "c"], total_column="total")
    assert hidden_cells(out) == expected_hidden
    assert len(report.redacted) + len(report.suppressed) == len(expected_hidden)


def test_a_column_with_a_total_row_never_has_exactly_one_hidden_cell() -> None:
    frame = pd.DataFrame({"pcn": ["A", "B", "C", "All"], "n": [5, 25, 40, 0]})
    out, report = protect_table(frame, count_columns=["n"], total_row=("pcn", "All"))
    assert out["n"].tolist() == [R, R, 40, 40]
    assert report.redacted == ((0, "n"),) and report.suppressed == ((1, "n"),)


def test_suppression_is_repeated_across_rows_and_columns_until_stable() -> None:
    frame = pd.DataFrame(
        {"pcn": ["A", "B", "C", "All"], "q1": [3, 20, 40, 0], "q2": [30, 12, 50, 0],
         "q3": [25, 14, 9, 0], "total": 0}
    )  # fmt: skip
    out, report = protect_table(frame, count_columns=["q1", "q2", "q3"],
                                total_row=("pcn", "All"), total_column="total")  # fmt: skip
    # (A, q1) is redacted; the smallest cells that complete a row and a column together are
    # (A, q3), (B, q1) and (B, q3): a rectangle of four hidden cells, no more
    assert hidden_cells(out) == {(0, "q1"), (0, "q3"), (1, "q1"), (1, "q3")}
    assert report.redacted == ((0, "q1"),)
    assert out.iloc[3][["q1", "q2", "q3", "total"]].tolist() == [40, 90, 10, 140]
    assert out["total"].tolist() == [30, 10, 100, 140]


def test_a_two_by_two_table_with_one_small_cell_hides_all_four() -> None:
    frame = pd.DataFrame({"g": ["x", "y", "All"], "a": [4, 30, 0], "b": [20, 40, 0], "t": 0})
    out, _ = protect_table(frame, count_columns=["a", "b"], total_row=("g", "All"),
                           total_column="t")  # fmt: skip
    assert hidden_cells(out) == {(0, "a"), (0, "b"), (1, "a"), (1, "b")}
    assert out.iloc[2][["a", "b", "t"]].tolist() == [0, 0, 0]


def test_a_line_with_one_part_hides_its_total_instead() -> None:
    frame = pd.DataFrame({"a": [4, 30], "t": [0, 0]})
    out, _ = protect_table(frame, count_columns=["a"], total_column="t")
    assert out.to_dict("list") == {"a": [R, 30], "t": [R, 30]}


def test_marker_none_leaves_hidden_cells_missing() -> None:
    frame = pd.DataFrame({"n": [3, 30]})
    out, _ = protect_table(frame, count_columns=["n"], marker=None)
    assert str(out["n"].dtype) == "Int64" and out["n"].tolist() == [pd.NA, 30]


def test_the_input_frame_is_not_changed() -> None:
    frame = pd.DataFrame({"n": [3, 30]})
    before = frame.copy()
    protect_table(frame, count_columns=["n"])
    pd.testing.assert_frame_equal(frame, before)


# ---- the export API --------------------------------------------------------------------------
SPEC = TableSpec(counts=["referrals", "first_attended"], derived=UPTAKE, total_row=("pcn", "All"))
PCN_TABLE = pd.DataFrame(
    {
        "pcn": ["A", "B", "C", "All"],
        "referrals": [40, 33, 6, 79],
        "first_attended": [27, 20, 4, 51],
    }
)


def test_apply_to_export_follows_the_spec_and_reports_for_the_methods_note() -> None:
    out, report = apply_to_export("uptake_by_pcn", PCN_TABLE, SPEC)
    assert out["referrals"].tolist() == [40, R, R, 40]  # B's 33 is the smaller complement
    assert report.table == "uptake_by_pcn" and len(report.suppressed) == 2
    note = methods_note([report])
    assert "OpenSAFELY" in note and "uptake_by_pcn" in note and "2 cells redacted" in note


def test_disclosure_control_can_be_turned_off_and_that_is_recorded() -> None:
    out, report = apply_to_export("uptake_by_pcn", PCN_TABLE, SPEC, disclosure_control=False)
    pd.testing.assert_frame_equal(out, PCN_TABLE)
    assert report.method == "off" and "turned off" in methods_note([report])


# ---- Kaplan–Meier ----------------------------------------------------------------------------
def km_curve() -> pd.DataFrame:
    # 20 starters: 2 events at week 1, 1 censored at week 2, 6 events at week 3, 11 remain
    return pd.DataFrame(
        {"group": "all", "time_weeks": [0.0, 1.0, 3.0, 5.0], "n_at_risk": [20, 20, 17, 11],
         "n_events": [0, 2, 6, 0], "survival": [1.0, 0.9, 0.582, 0.582], "lower": 0.0,
         "upper": 1.0}
    )  # fmt: skip


def test_km_counts_are_midpoint6_rounded_on_the_cumulative_scale() -> None:
    out, report = protect_km(km_curve())
    # N = 20 → 21; left before each time 0, 0, 3, 9 → 0, 0, 3, 9; so at risk 21, 21, 18, 12.
    # cumulative events 0, 2, 8, 8 → 0, 3, 9, 9; so events 0, 3, 6, 0.
    assert out["n_at_risk"].tolist() == [21, 21, 18, 12]
    assert out["n_events"].tolist() == [0, 3, 6, 0]
    s1, s3 = 1 - 3 / 21, (1 - 3 / 21) * (1 - 6 / 18)
    assert out["survival"].tolist() == pytest.approx([1.0, s1, s3, s3])
    assert report.method == "midpoint6"


def test_km_limits_are_log_log_greenwood_from_the_rounded_counts() -> None:
    out, _ = protect_km(km_curve())
    s = 1 - 3 / 21
    g = 3 / (21 * 18)
    half = 1.959963984540054 * math.sqrt(g) / math.log(s)
    lower = math.exp(-math.exp(math.log(-math.log(s)) - half))
    upper = math.exp(-math.exp(math.log(-math.log(s)) + half))
    assert (out.loc[1, "lower"], out.loc[1, "upper"]) == pytest.approx((lower, upper))
    assert (out.loc[0, "lower"], out.loc[0, "upper"]) == (1.0, 1.0)


def test_km_groups_are_rounded_separately_and_no_small_count_is_left() -> None:
    two = pd.concat([km_curve(), km_curve().assign(group="other", n_at_risk=[7, 7, 4, 1],
                                                     n_events=[0, 3, 3, 0])])  # fmt: skip
    out, _ = protect_km(two.reset_index(drop=True))
    counts = pd.concat([out["n_at_risk"], out["n_events"]])
    assert (counts % 3 == 0).all()  # differences of midpoint-6 values: 0, 3, 6, 9, ...
    assert out["n_at_risk"].tolist()[4:] == [9, 9, 6, 6]
    assert out["survival"].between(0, 1).all()


def test_km_on_a_real_curve_keeps_rows_and_columns() -> None:
    from analysis.survival import KM_COLUMNS, kaplan_meier

    rng = np.random.default_rng(7)
    journeys = pd.DataFrame(
        {"first_attended_date": pd.Timestamp("2025-01-06"),
         "retention_days": rng.integers(1, 200, 80).astype(float),
         "disengaged": rng.random(80) < 0.6, "sex": rng.choice(["F", "M"], 80)}
    )  # fmt: skip
    curve = kaplan_meier(journeys, "sex")
    out, _ = protect_km(curve)
    assert out.columns.tolist() == KM_COLUMNS and len(out) == len(curve)
    for _, rows in out.groupby("group"):
        assert (rows["survival"].diff().dropna() <= 1e-12).all()
        assert (rows["n_at_risk"].diff().dropna() <= 0).all()


# ---- properties ------------------------------------------------------------------------------
@st.composite
def count_tables(draw: st.DrawFn) -> pd.DataFrame:
    n_rows = draw(st.integers(2, 6))
    n_cols = draw(st.integers(2, 5))
    cell = st.one_of(st.integers(0, 10), st.integers(0, 60))
    cells = draw(st.lists(st.lists(cell, min_size=n_cols, max_size=n_cols),
                          min_size=n_rows, max_size=n_rows))  # fmt: skip
    frame = pd.DataFrame(cells, columns=[f"c{j}" for j in range(n_cols)])
    frame["total"] = frame.sum(axis=1)
    totals = frame.sum().to_frame().T
    frame.insert(0, "row", [f"r{i}" for i in range(n_rows)])
    return pd.concat([frame, totals.assign(row="Total")], ignore_index=True)


@settings(max_examples=120, deadline=None)
@given(count_tables())
def test_protected_tables_reveal_no_small_count(frame: pd.DataFrame) -> None:
    parts = [c for c in frame.columns if c.startswith("c")]
    out, report = protect_table(frame, count_columns=parts, total_row=("row", "Total"),
                                total_column="total")  # fmt: skip
    counts = out[[*parts, "total"]]
    shown = counts.map(lambda v: v if v != R else np.nan).astype(float)
    hidden = counts == R
    # no count between 1 and 7 is shown, and every count is a multiple of 5
    assert not shown.isin(range(1, 8)).any().any()
    assert (shown.stack() % ROUND_TO == 0).all()
    # every cell of 1..7 is hidden
    raw_small = frame[[*parts, "total"]].isin(range(1, 8)).to_numpy()
    assert hidden.to_numpy()[:-1, :-1][raw_small[:-1, :-1]].all()
    # totals equal the sum of the shown cells
    inner = shown.iloc[:-1]
    assert shown["total"].iloc[:-1].tolist() == inner[parts].sum(axis=1, min_count=0).tolist()
    assert shown.iloc[-1][parts].tolist() == inner[parts].sum().tolist()
    assert shown.iloc[-1]["total"] == np.nansum(inner[parts].to_numpy())
    # no hidden cell can be recovered from its row or column total
    assert not (hidden.iloc[:-1].sum(axis=1) == 1).any()
    assert not (hidden[parts].sum(axis=0) == 1).any()
    assert len(report.redacted) == int(raw_small[:-1, :-1].sum())


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=2, max_size=8),
    st.sampled_from(["round5", "midpoint6"]),
)
def test_derived_values_come_from_the_counts_shown(
    pairs: list[tuple[int, int]], method: str
) -> None:
    frame = pd.DataFrame(
        [(a + b, a) for a, b in pairs], columns=["referrals", "first_attended"]
    ).assign(pcn=[f"P{i}" for i in range(len(pairs))])
    totals = frame[["referrals", "first_attended"]].sum().to_dict()
    frame = pd.concat([frame, pd.DataFrame([totals | {"pcn": "All"}])], ignore_index=True)
    out, _ = protect_table(frame, count_columns=["referrals", "first_attended"],
                           total_row=("pcn", "All"), derived=UPTAKE, method=method)  # fmt: skip
    for _, row in out.iterrows():
        if REDACTED in (row["referrals"], row["first_attended"]):
            assert row["uptake"] == row["lower"] == row["upper"] == REDACTED
        elif row["referrals"] == 0:
            assert pd.isna(row["uptake"])
        else:
            assert row["uptake"] == pytest.approx(100 * row["first_attended"] / row["referrals"])
            assert row["lower"] <= row["uptake"] <= row["upper"]
