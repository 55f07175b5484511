"""The national scale: England-sized counts, enough test-range NHS numbers, chunked writing.

A full national run takes minutes, so it is measured by ``bench/generate.py``, not here; these
checks are the parts that can fail cheaply.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.demo import DEFAULT_SEED, SCALES, nhs_numbers, people, writer
from analysis.demo.__main__ import main


def test_national_scale_has_the_issue_sizes() -> None:
    national = SCALES["national"]
    assert (national.n_pcns, national.n_practices, national.n_areas) == (1_250, 6_300, 33_800)
    assert national.n_referrals == 1_000_000
    # About 15 occurrences a series over 12 weeks (a quarter run twice weekly): about 1M.
    assert 950_000 <= national.n_series * 12 * 1.25 <= 1_050_000


def test_the_test_range_holds_every_person_of_the_national_scale() -> None:
    national = SCALES["national"]
    # Referrals are Poisson around the target; allow 1% over it.
    people_by_nhs_number = (
        1.01 * national.n_referrals * (1 - people.REPEAT_SHARE) * (1 - people.PATIENT_ID_SHARE)
    )
    assert people_by_nhs_number < len(nhs_numbers.all_valid_numbers())


def test_entry_point_refuses_an_unknown_scale(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--scale", "county", "--out", "unused"])
    assert "national" in capsys.readouterr().err


def test_files_do_not_depend_on_the_write_chunk(
    pilot_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files are written in chunks of rows; a tiny chunk must give the same bytes."""
    monkeypatch.setattr(writer, "CHUNK_ROWS", 97)
    main(["--scale", "pilot", "--seed", str(DEFAULT_SEED), "--out", str(tmp_path)])
    for name in ("practices.csv", "areas.csv", "referrals.csv", "followups.csv"):
        assert (tmp_path / name).read_bytes() == (pilot_demo / name).read_bytes(), name
