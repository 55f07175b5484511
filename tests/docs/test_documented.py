"""Docs are tested: every mart column and every input column is documented."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from analysis.ingest.contract import CONTRACTS
from analysis.model.models import MODELS

DOCS = Path(__file__).resolve().parents[2] / "docs"


def documented_columns(doc: Path, heading: str) -> set[str]:
    """Column names in the first cell of table rows under the '## heading' section."""
    text = doc.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(heading)}\b.*?(?=^## |\Z)", text, re.DOTALL | re.MULTILINE)
    assert match, f"{doc.name} has no section '## {heading}'"
    return set(re.findall(r"^\| ([a-z0-9_]+) \|", match.group(0), re.MULTILINE))


@pytest.mark.parametrize("model", [m for m in MODELS if m.layer in ("joined", "marts")],
                         ids=lambda m: m.name)
def test_every_mart_column_is_defined(model, demo_store: Path) -> None:
    con = duckdb.connect(str(demo_store), read_only=True)
    columns = [r[0] for r in con.execute(f"DESCRIBE {model.name}").fetchall()]
    missing = set(columns) - documented_columns(DOCS / "metrics.md", model.name)
    assert not missing, f"docs/metrics.md does not define {model.name}: {sorted(missing)}"


@pytest.mark.parametrize("kind", sorted(CONTRACTS))
def test_every_input_column_is_in_the_data_contract(kind: str) -> None:
    missing = set(CONTRACTS[kind].names) - documented_columns(DOCS / "data-contract.md", kind)
    assert not missing, f"docs/data-contract.md does not list {kind}: {sorted(missing)}"


def test_readme_opens_with_the_two_commands() -> None:
    head = (DOCS.parent / "README.md").read_text(encoding="utf-8").split("\n## ")[0]
    assert "make run" in head and "make test" in head
