"""Build every model in order inside one transaction, then run its data tests.

If any data test fails, the build is rolled back and the previous models stay as they were.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

import duckdb

from analysis.model import checks
from analysis.model.models import MODELS, Model
from analysis.model.reference_tables import SWEMWBS_RAW_TO_METRIC
from analysis.store import set_meta
from analysis.supply.flatten_reuse import SUPPLY_WEEKS, flatten_or_reuse, horizon

MACROS = """
CREATE OR REPLACE MACRO great_circle_km(lat1, lon1, lat2, lon2) AS
    2 * 6371.0088 * asin(sqrt(
        pow(sin(radians(lat2 - lat1) / 2), 2)
        + cos(radians(lat1)) * cos(radians(lat2)) * pow(sin(radians(lon2 - lon1) / 2), 2)
    ));
"""


class BuildError(Exception):
    """One or more data tests failed; the message lists them on one line."""


@dataclass
class BuildReport:
    rows: dict[str, int] = field(default_factory=dict)
    supply: dict[str, object] = field(default_factory=dict)
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


def run_tests(con: duckdb.DuckDBPyConnection, model: Model) -> list[str]:
    """Every data test of a model; returns a description of each failure."""
    t = model.name
    failures = []
    found = checks.unique(con, t, model.key)
    if found:
        failures.append(f"{t}: {found} duplicated key(s) on {', '.join(model.key)}")
    for column in (*model.key, *model.not_null):
        found = checks.not_null(con, t, column)
        if found:
            failures.append(f"{t}.{column}: {found} null value(s)")
    for column, to_table, to_column in model.relationships:
        found = checks.relationship(con, t, column, to_table, to_column)
        if found:
            failures.append(f"{t}.{column}: {found} value(s) not in {to_table}.{to_column}")
    for column, values in model.accepted.items():
        found = checks.accepted_values(con, t, column, values)
        if found:
            failures.append(f"{t}.{column}: {found} value(s) outside the accepted list")
    for condition in model.expressions:
        found = checks.expression(con, t, condition)
        if found:
            failures.append(f"{t}: {found} row(s) break '{condition}'")
    return failures


def _reference_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE OR REPLACE TABLE ref_swemwbs_metric "
        "(raw_score INTEGER PRIMARY KEY, metric_score DOUBLE NOT NULL)"
    )
    con.executemany(
        "INSERT INTO ref_swemwbs_metric VALUES (?, ?)", list(SWEMWBS_RAW_TO_METRIC.items())
    )


def _materialize(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    """A SQL model as a table or a view, replacing whichever of the two its name had."""
    found = con.execute(
        "SELECT table_type FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_name = ?",
        [model.name],
    ).fetchone()
    kind = "VIEW" if model.materialized == "view" else "TABLE"
    if found and (found[0] == "VIEW") != (kind == "VIEW"):
        con.execute(f"DROP {'VIEW' if found[0] == 'VIEW' else 'TABLE'} {model.name}")
    con.execute(f"CREATE OR REPLACE {kind} {model.name} AS {model.sql()}")


def build(
    con: duckdb.DuckDBPyConnection,
    *,
    supply_start: date | None = None,
    supply_weeks: int = SUPPLY_WEEKS,
    reflatten: bool = False,
) -> BuildReport:
    """Flatten harvested supply, then rebuild every model and run its data tests.

    Full OpenActive Schedules are expanded over ``supply_weeks`` weeks from ``supply_start``
    (default: today); feed occurrences are kept whatever their date. The supply tables of the
    last flatten are kept when nothing they are made from has changed
    (:mod:`analysis.supply.flatten_reuse`) unless ``reflatten``.
    """
    report = BuildReport()
    started = time.perf_counter()
    start, end = horizon(supply_start, supply_weeks)
    report.supply = flatten_or_reuse(con, horizon_start=start, horizon_end=end, force=reflatten)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(MACROS)
        _reference_tables(con)
        for model in MODELS:
            if model.builder is not None:
                model.builder(con)
            else:
                _materialize(con, model)
            report.failures.extend(run_tests(con, model))
            report.rows[model.name] = int(
                con.execute(f"SELECT count(*) FROM {model.name}").fetchone()[0]
            )
        if report.failures:
            raise BuildError("data tests failed: " + "; ".join(report.failures))
        set_meta(con, "built_at", time.strftime("%Y-%m-%dT%H:%M:%S"))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    report.seconds = time.perf_counter() - started
    return report
