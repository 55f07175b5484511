"""Fixtures: the pilot-scale demo place, generated once per test session from the default seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.demo import DEFAULT_SEED, generate_demo


@pytest.fixture(scope="session")
def pilot_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pilot-demo")
    generate_demo("pilot", seed=DEFAULT_SEED, out=out)
    return out
