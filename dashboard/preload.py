"""The modules the dashboard's pages need, imported once when the server starts.

Importing pandas, DuckDB, SciPy's statistics, statsmodels, plotly, pydeck and the analysis and
figure modules takes about two CPU-seconds; done by :func:`preload` in the ``pilot serve``
process before the first visitor arrives, it is not part of any page's first load.
``bench/pages.py`` calls the same function (untimed) before it times a page's first run, so
its "cold" figure is what a visitor meets after a fresh start of the server.

Streamlit's first element in a process checks once whether it runs in a REPL, through
``inspect.stack()``, whose first call maps every loaded module to its file (~0.15 CPU-s with
these modules loaded); :func:`preload` makes that first call, so the map is built at start-up.
"""

from __future__ import annotations

import importlib
import inspect

__all__ = ["MODULES", "preload"]

MODULES: tuple[str, ...] = (
    "numpy",
    "pandas",
    "duckdb",
    "pyarrow",
    "scipy.stats",
    "scipy.spatial",
    "statsmodels.api",
    "statsmodels.duration.hazard_regression",
    "plotly.graph_objects",
    "plotly.io",
    "pydeck",
    "pandas.io.formats.style",
    "analysis.filters",
    "analysis.disclosure",
    "analysis.indicators",
    "analysis.survival",
    "analysis.cox",
    "analysis.outcomes",
    "analysis.equity",
    "analysis.equity_view",
    "analysis.funnel",
    "analysis.impact",
    "analysis.metrics.overview",
    "analysis.metrics.supply",
    "analysis.metrics.uptake",
    "analysis.metrics.uptake_tables",
    "analysis.metrics.retention",
    "analysis.metrics.outcomes",
    "analysis.metrics.data_quality",
    "analysis.figures.overview",
    "analysis.figures.supply",
    "analysis.figures.uptake",
    "analysis.figures.retention",
    "analysis.figures.outcomes",
    "analysis.figures.impact",
    "analysis.figures.equity",
    "analysis.figures.data_quality",
    "analysis.export.catalogue",
    "analysis.export.audit",
    "analysis.export.figures",
    "analysis.export.tables",
    "analysis.export.bundle",
    "dashboard.journeys",
)
"""Every heavy module a page imports, directly or through the analysis package."""


def preload() -> None:
    """Import :data:`MODULES` (each once per process; a second call costs nothing) and build
    :mod:`inspect`'s module → file map that Streamlit's first element needs."""
    for name in MODULES:
        importlib.import_module(name)
    inspect.stack()
