"""Retention and Outcomes figures, read as plotly JSON: traces, step CI bands, the log axis and
reference line of the forest plot, indicative-only styling and the SWEMWBS attribution."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis.figures import outcomes as fo
from analysis.figures import retention as fr
from analysis.metrics.outcomes import ATTRIBUTION, IMPROVEMENT_COLUMNS
from analysis.outcomes import BAND_COLUMNS, CHANGE_COLUMNS
from analysis.survival import AT_RISK_COLUMNS, KM_COLUMNS, kaplan_meier, numbers_at_risk


def spec(fig: go.Figure) -> dict:
    return json.loads(fig.to_json())


def km_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "arm_label": ["Pilot PCNs"] * 40 + ["Comparison PCNs"] * 30,
            "first_attended_date": pd.Timestamp("2025-01-06"),
            "retention_days": rng.integers(1, 190, 70),
            "disengaged": rng.random(70) < 0.6,
        }
    )
    km = kaplan_meier(frame, "arm_label")
    km = pd.concat([km[km["group"] == "Pilot PCNs"], km[km["group"] == "Comparison PCNs"]])
    return km, numbers_at_risk(frame, "arm_label")


# ---------------------------------------------------------------- Kaplan–Meier
def test_km_figure_draws_step_curves_step_bands_and_the_numbers_at_risk() -> None:
    km, at_risk = km_frames()
    fig = spec(fr.km_figure(km, at_risk, "Arm"))
    names = [t["name"] for t in fig["data"]]
    assert names == [
        "Pilot PCNs 95% CI", "Pilot PCNs", "Pilot PCNs at risk",
        "Comparison PCNs 95% CI", "Comparison PCNs", "Comparison PCNs at risk",
    ]  # fmt: skip
    band, curve, risk = fig["data"][:3]
    pilot = km[km["group"] == "Pilot PCNs"]
    assert curve["line"]["shape"] == "hv" and curve["line"]["color"] == "#0072B2"
    assert curve["y"] == pilot["survival"].round(5).tolist()
    assert band["fill"] == "toself" and band["showlegend"] is False
    # the band's upper edge is the step function of the upper limits: each time appears twice
    n = len(pilot)
    upper_x, upper_y = band["x"][: 2 * n - 1], band["y"][: 2 * n - 1]
    assert upper_x[1::2] == upper_x[2::2] == pilot["time_weeks"].round(4).tolist()[1:]
    assert upper_y[0::2] == pilot["upper"].round(5).tolist()
    assert band["y"][2 * n - 1 :][::-1][0::2] == pilot["lower"].round(5).tolist()
    assert risk["mode"] == "text" and risk["yaxis"] == "y2"
    assert risk["text"] == [f"{v:,}" for v in at_risk.loc[at_risk["group"] == "Pilot PCNs",
                                                          "n_at_risk"]]  # fmt: skip
    assert fig["layout"]["yaxis"]["tickformat"] == ".0%"
    assert [s["x0"] for s in fig["layout"]["shapes"]] == [4, 12, 26]
    assert fig["data"][4]["line"]["color"] == "#E69F00"  # comparison keeps its colour


def test_km_figure_without_starters_says_so() -> None:
    empty = pd.DataFrame(columns=KM_COLUMNS)
    fig = spec(fr.km_figure(empty, pd.DataFrame(columns=AT_RISK_COLUMNS)))
    assert fig["data"] == [] and "No starters" in fig["layout"]["annotations"][0]["text"]


def test_other_groups_take_distinct_colours_and_dashes() -> None:
    styles = fr.group_styles(["16-24", "25-34", "35-44"])
    assert len({c for c, _ in styles.values()}) == 3 and len({d for _, d in styles.values()}) == 3


# ---------------------------------------------------------------- cohort heatmap
def test_cohort_heatmap_blanks_small_cells_and_labels_the_rest() -> None:
    cohort = pd.DataFrame(
        {
            "arm": "pilot",
            "arm_label": "Pilot PCNs",
            "referral_month": pd.to_datetime(["2025-01-01"] * 3 + ["2025-02-01"] * 3),
            "week": [4, 12, 26] * 2,
            "starters": 40,
            "followed_up": [30, 20, 5, 25, 0, 0],
            "retained": [21, 10, 2, 20, 0, 0],
        }
    )
    cohort["share"] = (cohort["retained"] / cohort["followed_up"]).where(cohort["followed_up"] > 0)
    cohort["lower"], cohort["upper"] = cohort["share"] - 0.1, cohort["share"] + 0.1
    fig = spec(fr.cohort_heatmap_figure(cohort))
    (heat,) = fig["data"]
    assert heat["type"] == "heatmap" and heat["x"] == ["4 weeks", "12 weeks", "26 weeks"]
    assert heat["y"] == ["Jan 2025", "Feb 2025"]
    assert heat["z"] == [[0.7, 0.5, None], [0.8, None, None]]
    assert heat["text"] == [["70% of 30", "50% of 20", "< 10"], ["80% of 25", "", ""]]
    assert fig["layout"]["coloraxis"]["cmin"] == 0 and fig["layout"]["coloraxis"]["cmax"] == 1


def two_arm_cohort() -> pd.DataFrame:
    """One referral month of each arm at weeks 4, 12 and 26; the comparison arm has fewer than
    10 followed up in every cell."""
    return pd.DataFrame(
        {
            "arm": ["pilot"] * 3 + ["comparison"] * 3,
            "arm_label": ["Pilot PCNs"] * 3 + ["Comparison PCNs"] * 3,
            "referral_month": pd.Timestamp("2025-01-01"),
            "week": [4, 12, 26] * 2,
            "starters": 40,
            "followed_up": [30, 20, 12, 5, 3, 0],
            "retained": [21, 10, 6, 2, 1, 0],
        }
    )


def test_cohort_panel_with_every_cell_blank_says_so() -> None:
    cohort = two_arm_cohort()
    cohort["share"] = (cohort["retained"] / cohort["followed_up"]).where(cohort["followed_up"] > 0)
    cohort["lower"], cohort["upper"] = cohort["share"] - 0.1, cohort["share"] + 0.1
    fig = spec(fr.cohort_heatmap_figure(cohort))
    notes = {a["text"]: a for a in fig["layout"]["annotations"]}
    assert {"Pilot PCNs", "Comparison PCNs"} <= set(notes)
    blank = notes["Fewer than 10 followed up<br>in every month"]
    assert blank["xref"] == "x2 domain"  # in the comparison panel


def test_retention_charts_are_the_figures_plotly_validation_gives() -> None:
    # The two charts are built without plotly's value-by-value validation (for speed): building
    # them again with validation must give the same figure, value for value.
    km, at_risk = km_frames()
    cohort = two_arm_cohort().assign(
        share=[0.7, 0.5, 0.5, 0.4, 1 / 3, np.nan], lower=0.1, upper=0.9
    )
    for fig in (fr.km_figure(km, at_risk, "Arm"), fr.cohort_heatmap_figure(cohort)):
        assert spec(fig) == spec(go.Figure(fig.to_dict()))
    colours = spec(fr.cohort_heatmap_figure(cohort))["layout"]["coloraxis"]["colorscale"]
    assert colours[0] == [0.0, "#440154"] and colours[-1] == [1.0, "#fde725"]


# ---------------------------------------------------------------- forest plot
COX = pd.DataFrame(
    {
        "term": [
            "age_band[65-74]",
            "sex[female]",
            "imd_quintile[1]",
            "condition[mental_health]",
            "distance_to_session_km",
        ],
        "variable": ["age_band", "sex", "imd_quintile", "conditions", "distance_to_session_km"],
        "level": ["65-74", "female", "1", "mental_health", "per km"],
        "reference": ["45-54", "male", "5", "not recorded", None],
        "hazard_ratio": [0.85, 1.15, 1.02, 1.05, 1.10],
        "lower": [0.75, 1.05, 0.9, 0.92, 1.06],
        "upper": [0.96, 1.26, 1.15, 1.2, 1.14],
        "p_value": [0.01, 0.003, 0.7, 0.4, 1e-6],
    }
)


def test_forest_figure_has_a_log_axis_a_line_at_one_and_plain_english_terms() -> None:
    fig = spec(fr.forest_figure(COX))
    (points,) = fig["data"]
    assert fig["layout"]["xaxis"]["type"] == "log"
    low, high = fig["layout"]["xaxis"]["range"]
    assert 10**low < 0.75 and 10**high > 1.26
    (line,) = fig["layout"]["shapes"]
    assert (line["x0"], line["x1"], line["yref"]) == (1, 1, "paper")
    assert points["y"] == [
        "Age 65–74 (vs 45–54)",
        "Female (vs male)",
        "IMD quintile 1, most deprived (vs 5, least deprived)",
        "Referred for mental health (vs not)",
        "Distance from home to the session, per km",
    ]
    assert points["x"] == COX["hazard_ratio"].tolist()
    assert points["error_x"]["array"] == pytest.approx(
        (COX["upper"] - COX["hazard_ratio"]).tolist()
    )
    assert points["error_x"]["arrayminus"] == pytest.approx(
        (COX["hazard_ratio"] - COX["lower"]).tolist()
    )
    assert fig["layout"]["yaxis"]["autorange"] == "reversed"


@pytest.mark.parametrize(
    ("variable", "level", "reference", "label"),
    [
        ("age_band", "unknown", "45-54", "Age not recorded (vs 45–54)"),
        ("age_band", "65+", "under 65", "Age 65 or over (vs under 65)"),
        ("sex", "unknown", "male", "Sex not recorded (vs male)"),
        ("sex", "other (pooled)", "female", "Other sexes, pooled (vs female)"),
        ("imd_quintile", "3", "5", "IMD quintile 3 (vs 5, least deprived)"),
        ("imd_quintile", "unknown", "5", "Home area not known (vs quintile 5, least deprived)"),
        ("conditions", "low_mood", "not recorded", "Referred for low mood (vs not)"),
        ("smoker", "yes", "no", "smoker: yes (vs no)"),
    ],
)
def test_cox_terms_in_plain_english(variable: str, level: str, reference: str, label: str):
    assert fr.cox_term_label(variable, level, reference) == label


def test_forest_figure_without_a_model_says_so() -> None:
    fig = spec(fr.forest_figure(COX.iloc[:0]))
    assert fig["data"] == [] and "not available" in fig["layout"]["annotations"][0]["text"]


# ---------------------------------------------------------------- outcomes
def change_rows(groups: dict[str, int]) -> pd.DataFrame:
    rows = []
    for measure in ("swemwbs", "ons4_anxious"):
        for group, n in groups.items():
            row = {"measure": measure, "measure_label": measure, "week": 12, "group": group}
            row |= {"n_pairs": n, "mean_change": 1.5, "change_lower": 1.0, "change_upper": 2.25}
            rows.append(row | {"indicative_only": n < 30})
    return pd.DataFrame(rows).reindex(columns=CHANGE_COLUMNS)


def test_change_figure_draws_intervals_and_marks_indicative_groups() -> None:
    fig = spec(fo.change_figure(change_rows({"still attending": 60, "stopped": 12}), "At week 12"))
    attending, stopped = fig["data"]
    assert (attending["name"], stopped["name"]) == ("Still attending", "Stopped")
    assert attending["marker"]["color"] == "#009E73" and stopped["marker"]["color"] == "#D55E00"
    assert attending["y"] == ["SWEMWBS metric score", "ONS4 anxiety yesterday (lower is better)"]
    assert attending["error_x"]["array"] == [0.75, 0.75]
    assert attending["error_x"]["arrayminus"] == [0.5, 0.5]
    assert attending["marker"]["symbol"] == ["circle", "circle"]
    assert stopped["marker"]["symbol"] == ["circle-open", "circle-open"]
    notes = [a["text"] for a in fig["layout"]["annotations"]]
    assert any("indicative only" in t for t in notes)
    assert f"SWEMWBS {ATTRIBUTION}" in notes
    assert fig["layout"]["shapes"][0]["x0"] == 0  # the no-change line


def test_improvement_figure_hatches_indicative_bars() -> None:
    improvement = pd.DataFrame(
        {
            "by": ["attendance", "attendance"],
            "by_label": "Attendance at the follow-up",
            "group": ["still attending", "stopped"],
            "week": 12,
            "n_pairs": [60, 20],
            "improved": [24, 2],
            "improved_share": [0.4, 0.1],
            "improved_lower": [0.28, 0.03],
            "improved_upper": [0.53, 0.3],
            "indicative_only": [False, True],
        }
    )[IMPROVEMENT_COLUMNS]
    (bars,) = spec(fo.improvement_figure(improvement))["data"]
    assert bars["x"] == [0.4, 0.1]
    assert bars["marker"]["pattern"]["shape"] == ["", "/"]
    assert bars["error_x"]["array"] == pytest.approx([0.13, 0.2])
    assert bars["y"][1] == ["Still attending (60 pairs)", "Stopped (20 pairs)"]


def test_ons4_bands_figure_has_baseline_and_follow_up_bars_with_intervals() -> None:
    rows = []
    for item in ("ons4_satisfied", "ons4_anxious"):
        for order, band in enumerate(("low", "medium", "high", "very_high"), start=1):
            row = {"item": item, "item_label": item, "week": 12, "group": "all", "band": band}
            row |= {"band_label": band.capitalize(), "band_order": order, "n_pairs": 100}
            for when in ("baseline", "followup"):
                row |= {f"{when}_count": 25, f"{when}_share": 0.25}
                row |= {f"{when}_lower": 0.2, f"{when}_upper": 0.3}
            rows.append(row)
    fig = spec(fo.ons4_bands_figure(pd.DataFrame(rows)))
    assert [t["name"] for t in fig["data"]] == ["Baseline", "Week 12"] * 2
    assert all(t["error_y"]["array"] == pytest.approx([0.05] * 4) for t in fig["data"])
    assert [t["showlegend"] for t in fig["data"]] == [True, True, False, False]


@pytest.mark.parametrize(
    ("function", "columns"),
    [
        (fo.change_figure, CHANGE_COLUMNS),
        (fo.improvement_figure, IMPROVEMENT_COLUMNS),
        (fo.ons4_bands_figure, BAND_COLUMNS),
    ],
)
def test_outcome_figures_without_pairs_say_so(function, columns) -> None:
    fig = spec(function(pd.DataFrame(columns=columns)))
    assert fig["data"] == [] and "No one in view" in fig["layout"]["annotations"][-1]["text"]


def test_outcomes_figures_are_the_same_with_and_without_plotly_validation(
    demo_store, monkeypatch
) -> None:
    import duckdb

    from analysis.filters import Filters
    from analysis.metrics import outcomes as om

    with duckdb.connect(str(demo_store), read_only=True) as con:
        results = [om.outcomes(om.paired_in_view(con, Filters(), week), week) for week in (4, 12)]

    def draw() -> list[str]:
        figures = []
        for result in results:
            figures += [fo.change_figure(result.by_attendance, om.BY["attendance"]),
                        fo.change_figure(result.by_arm, om.BY["arm_label"]),
                        fo.improvement_figure(result.improvement),
                        fo.ons4_bands_figure(result.bands)]  # fmt: skip
        return [json.dumps(spec(fig), sort_keys=True) for fig in figures]

    unchecked = draw()
    assert all('"data": []' not in d for d in unchecked)
    monkeypatch.setattr(fo, "CHECK_FIGURES", True)
    assert draw() == unchecked
