"""Same scale and seed give byte-identical files; another seed gives different ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.demo import DEFAULT_SEED, SCALES, Scale, generate_demo


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_same_seed_gives_identical_bytes(pilot_demo: Path, tmp_path: Path) -> None:
    generate_demo("pilot", seed=DEFAULT_SEED, out=tmp_path)
    first, second = _files(pilot_demo), _files(tmp_path)
    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert different == []


def test_other_seed_gives_different_files(pilot_demo: Path, tmp_path: Path) -> None:
    generate_demo("pilot", seed=DEFAULT_SEED + 1, out=tmp_path)
    first, second = _files(pilot_demo), _files(tmp_path)
    for name in (
        "practices.csv",
        "areas.csv",
        "referrals.csv",
        "followups.csv",
        "feeds/session-series/page-00001.json",
        "truth/planted_effects.json",
    ):
        assert first[name] != second[name], name


def test_rerun_replaces_previous_output(tmp_path: Path) -> None:
    tiny = Scale(
        name="tiny",
        place_name="Eastbrook",
        n_pcns=3,
        n_practices=6,
        n_areas=24,
        n_series=40,
        n_referrals=200,
        n_pilot_pcns=1,
        n_comparison_pcns=1,
        n_desert_pcns=1,
        extent_km=5.0,
        n_districts=1,
    )
    stale = tmp_path / "feeds" / "scheduled-sessions" / "page-09999.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")
    summary = generate_demo(tiny, seed=7, out=tmp_path)
    assert not stale.exists()
    assert summary.scale == "tiny"
    assert summary.files["referrals.csv"] > 150


def test_scales_and_their_validation() -> None:
    assert set(SCALES) == {"pilot", "london", "national"}
    assert SCALES["pilot"].n_pcns == 8 and SCALES["london"].n_pcns == 200
    with pytest.raises(ValueError, match="pilot and comparison"):
        Scale(
            name="bad",
            place_name="X",
            n_pcns=2,
            n_practices=4,
            n_areas=8,
            n_series=10,
            n_referrals=10,
            n_pilot_pcns=2,
            n_comparison_pcns=1,
            n_desert_pcns=1,
            extent_km=5.0,
            n_districts=1,
        )
    with pytest.raises(ValueError, match="unknown scale"):
        generate_demo("nowhere", out=Path("unused"))
