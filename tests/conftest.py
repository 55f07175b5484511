"""Shared fixtures: a pilot-scale synthetic place generated in code and loaded into a store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEMO_SEED = 20250301
TEST_KEY = "test-pseudonym-key-not-secret"


def shared_path(*parts: str) -> Path:
    """A file under ../shared, skipping the test when the design folder is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared is not beside this clone, so {'/'.join(parts)} is unavailable")
    return path


@pytest.fixture(autouse=True, scope="session")
def _pseudonym_key() -> None:
    os.environ.setdefault("PILOT_PSEUDONYM_KEY", TEST_KEY)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from analysis.demo import generate_demo

    out = tmp_path_factory.mktemp("demo") / "pilot"
    generate_demo(scale="pilot", seed=DEMO_SEED, out=out)
    return out


@pytest.fixture(scope="session")
def demo_store(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pilot-scale demo loaded and built. Read it; never write to it."""
    from analysis.pipeline import load_folder

    store = tmp_path_factory.mktemp("store") / "pilot.duckdb"
    load_folder(demo_dir, store)
    return store


@pytest.fixture(scope="session")
def london_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The london-scale demo (about 60,000 referrals, 110,000 session occurrences). Slow."""
    from analysis.demo import generate_demo

    out = tmp_path_factory.mktemp("demo") / "london"
    generate_demo(scale="london", seed=DEMO_SEED, out=out)
    return out


@pytest.fixture(scope="session")
def london_store(london_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The london demo loaded, its feeds harvested and flattened, every model built. Slow."""
    from analysis.pipeline import load_folder

    store = tmp_path_factory.mktemp("store") / "london.duckdb"
    load_folder(london_dir, store)
    return store
