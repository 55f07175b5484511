"""The server's preload imports every module a page imports, so no page's first load pays for
importing one (bench/pages.py's "cold" figure relies on this)."""

from __future__ import annotations

import ast
import importlib.util
import inspect
import sys
from pathlib import Path

from dashboard.preload import MODULES, preload

VIEWS = Path(__file__).resolve().parents[2] / "dashboard" / "views"
HEAVY = ("analysis", "pandas", "numpy", "duckdb", "scipy", "statsmodels", "plotly", "pydeck")


def is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def page_imports() -> set[str]:
    """Modules the page scripts (and dashboard/exhibit.py) import from the heavy packages."""
    found: set[str] = set()
    for script in [*VIEWS.glob("*.py"), VIEWS.parent / "exhibit.py"]:
        for node in ast.walk(ast.parse(script.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                # "from analysis.figures import supply": the submodule, when it is one
                subs = [f"{node.module}.{alias.name}" for alias in node.names]
                names = [node.module, *(s for s in subs if is_module(s))]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            found |= {n for n in names if n.split(".")[0] in HEAVY}
    return found


def test_every_page_import_is_preloaded() -> None:
    preload()
    wanted = page_imports()
    assert "analysis.figures.supply" in wanted  # the scan sees the pages' imports
    missing = sorted(name for name in wanted if name not in sys.modules)
    assert not missing, f"imported by a page but not preloaded: {missing}"
    assert len(set(MODULES)) == len(MODULES)


def test_preload_maps_every_loaded_module_to_its_file() -> None:
    """Streamlit's first element calls ``inspect.stack()``, which maps each loaded module to
    its file on first use; after preload that map already holds the preloaded modules."""
    preload()
    mapped = set(inspect._filesbymodname)  # the map inspect.getmodule builds and keeps
    files = {n for n in MODULES if getattr(sys.modules[n], "__file__", None)}
    assert files and files <= mapped
