"""The generating models: exact expectations, no discretisation bias, documented parameters."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from analysis.demo import outcomes, retention, uptake
from analysis.demo.geography import build_geography
from analysis.demo.referral_counts import RATE_RATIO, SEASONALITY, draw_counts
from analysis.demo.scales import SCALES
from analysis.demo.writer import CsvTable, FaultRow, write_planted
from tests.unit.demo.helpers import read_rows


def test_swemwbs_table_is_the_warwick_conversion() -> None:
    table = outcomes.SWEMWBS_METRIC
    assert len(table) == 29 and table[0] == 7.0 and table[-1] == 35.0
    assert (np.diff(table) > 0).all()
    assert outcomes.metric_of_raw(np.array([7, 21, 29, 35])).tolist() == [7.0, 19.25, 26.02, 35.0]


@pytest.mark.parametrize("target", [7.0, 9.0, 17.2, 20.0, 22.0, 26.02, 34.9, 35.0])
def test_stochastic_interpolation_has_exact_expectation(target: float) -> None:
    rng = np.random.default_rng(3)
    raw = outcomes.raw_for_target(np.full(400_000, target), rng)
    assert raw.min() >= 7 and raw.max() <= 35
    assert outcomes.metric_of_raw(raw).mean() == pytest.approx(target, abs=0.01)


def test_items_split_into_seven_answers_summing_to_raw() -> None:
    rng = np.random.default_rng(4)
    raw = rng.integers(7, 36, 10_000)
    items = outcomes.split_items(raw, rng)
    assert items.shape == (10_000, 7) and items.min() >= 1 and items.max() <= 5
    assert (items.sum(axis=1) == raw).all()


def test_targets_outside_the_scale_are_refused() -> None:
    with pytest.raises(ValueError, match="7..35"):
        outcomes.raw_for_target(np.array([35.5]), np.random.default_rng(0))


def test_intercept_gives_target_uptake() -> None:
    rng = np.random.default_rng(5)
    lp = uptake.linear_predictor(
        rng.random(5000) < 0.2,
        rng.random(5000) < 0.4,
        rng.integers(0, 8, 5000),
        rng.random(5000) < 0.6,
        rng.random(5000) < 0.4,
        rng.random(5000) < 0.5,
    )
    b0 = uptake.solve_intercept(lp)
    assert (1 / (1 + np.exp(-(b0 + lp)))).mean() == pytest.approx(0.66, abs=1e-9)


def test_weibull_reference_survival() -> None:
    rng = np.random.default_rng(6)
    n = 200_000
    r = retention.draw_disengagement(
        np.ones(n, bool), np.full(n, 2.0), np.zeros(n), np.zeros(n), rng
    )
    for week, expected in ((4, 0.684), (12, 0.500), (26, 0.347)):
        assert (r.weeks > week).mean() == pytest.approx(expected, abs=0.005)


def test_referral_counts_expected_values() -> None:
    geo = build_geography(SCALES["pilot"], 11)
    counts = draw_counts(geo, 3_000, 11)
    assert counts.expected.sum() == pytest.approx(3_000)
    assert SEASONALITY.mean() == pytest.approx(1.0)
    pilot, comparison = geo.pilot_pcns[0], geo.comparison_pcns[0]
    april_2025 = int(np.flatnonzero(counts.post)[0])
    april_2024 = april_2025 - 12
    pilot_step = counts.expected[pilot, april_2025] / counts.expected[pilot, april_2024]
    comparison_step = (
        counts.expected[comparison, april_2025] / counts.expected[comparison, april_2024]
    )
    assert pilot_step == pytest.approx(RATE_RATIO)
    assert comparison_step == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("positions", "chunk"),
    [
        ([0], 3),
        ([5], 3),
        ([3, 3], 3),
        ([2, 6, 7], 3),
        ([0, 7], 100),
    ],
)
def test_fault_rows_land_at_their_row_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, positions: list[int], chunk: int
) -> None:
    monkeypatch.setattr("analysis.demo.writer.CHUNK_ROWS", chunk)
    planted = np.asarray([f"p{i}" for i in range(7)], dtype=object)
    faults: dict[int, list[FaultRow]] = {}
    for k, pos in enumerate(positions):
        faults.setdefault(pos, []).append(FaultRow("x.csv", f"f{k}", "v", "bad", "", [f"f{k}"]))
    with CsvTable(tmp_path / "x.csv", ["v"]) as table:
        write_planted(table, 7, lambda a, b: [planted[a:b]], faults)
    rows = [r["v"] for r in read_rows(tmp_path / "x.csv")]
    assert [r for r in rows if r.startswith("p")] == planted.tolist()
    for group in faults.values():
        for f in group:
            assert rows[f.row_number - 1] == f.key


def test_planted_effects_document_the_parameters(pilot_demo: Path) -> None:
    doc = json.loads((pilot_demo / "truth/planted_effects.json").read_text(encoding="utf-8"))
    effects = doc["effects"]
    assert effects["referral_rate_ratio"]["planted_value"] == 1.30
    assert effects["uptake"]["planted_value"] == {
        "odds_ratio_imd_decile_1_2": 0.60,
        "odds_ratio_referred_series_free": 1.50,
    }
    assert effects["retention"]["planted_value"] == {"hazard_ratio_per_km": 1.10}
    assert effects["retention"]["weibull_shape"] == 0.547
    assert effects["retention"]["weibull_scale_weeks"] == 23.41
    assert effects["wellbeing"]["planted_value"] == {
        "swemwbs_change_week12_still_attending": 2.0,
        "swemwbs_change_week12_stopped": 0.3,
    }
    assert effects["supply_gap"]["planted_value"]["desert_pcn_codes"]
    realised = effects["uptake"]["realised"]
    assert realised["uptake"] == pytest.approx(0.66, abs=0.03)
    assert effects["retention"]["realised"]["S12"] == pytest.approx(0.50, abs=0.04)
    assert doc["dataset"]["extracted"] == "2026-10-31"
    assert math.isclose(
        sum(effects["referral_rate_ratio"]["seasonality"].values()), 12, rel_tol=1e-5
    )
