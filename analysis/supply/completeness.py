"""The completeness checker: which SP-readiness fields each organiser and publisher lacks.

One row per publisher × organiser (or per publisher) over live series: how many series, the
mean ``sp_ready_score``, the share of series missing each criterion (``missing_<name>``), and
``fields_to_add`` — the OpenActive properties missing from at least half of the series, most
often missing first — so a provider can see what to publish next.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analysis.supply.sp_readiness import CRITERIA

NO_PUBLISHER = "(publisher not named)"
NO_ORGANISER = "(no organiser named)"
PERSON_ORGANISER = "(an individual)"


def _query(by: str) -> str:
    missing = ",\n".join(
        f"    avg(CASE WHEN {c.column} THEN 0.0 ELSE 1.0 END) AS missing_{c.name}"
        for c in CRITERIA
    )
    publisher = f"coalesce(publisher_name, dataset_url, feed_url, '{NO_PUBLISHER}')"
    organiser = (
        f"coalesce(organiser_name, CASE WHEN organiser_is_person THEN '{PERSON_ORGANISER}' "
        f"ELSE '{NO_ORGANISER}' END)"
    )
    keys = f"{publisher} AS publisher_name"
    if by == "organiser":
        keys += f",\n    {organiser} AS organiser_name"
    return f"""
SELECT
    {keys},
    count(*) AS series,
    avg(sp_ready_score) AS mean_sp_ready_score,
{missing}
FROM supply_series
WHERE NOT deleted
GROUP BY ALL
ORDER BY series DESC, mean_sp_ready_score, 1{", 2" if by == "organiser" else ""}
"""


def fields_to_add(row: pd.Series, threshold: float = 0.5) -> str:
    """The OpenActive fields missing from at least ``threshold`` of the series, worst first."""
    gaps = sorted(
        ((row[f"missing_{c.name}"], i, c.fields) for i, c in enumerate(CRITERIA)),
        key=lambda gap: (-gap[0], gap[1]),
    )
    return "; ".join(fields for share, _, fields in gaps if share >= threshold)


def completeness_report(
    con: duckdb.DuckDBPyConnection, *, by: str = "organiser", threshold: float = 0.5
) -> pd.DataFrame:
    """Per organiser (``by="organiser"``, with its publisher) or per publisher
    (``by="publisher"``): series, mean score, share missing per criterion, fields to add."""
    if by not in ("organiser", "publisher"):
        raise ValueError(f"by must be 'organiser' or 'publisher', not {by!r}")
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], not {threshold}")
    frame = con.execute(_query(by)).df()
    frame["series"] = frame["series"].astype("int64")
    frame["fields_to_add"] = (
        frame.apply(fields_to_add, axis=1, threshold=threshold) if len(frame) else []
    )
    return frame


def build_completeness_table(con: duckdb.DuckDBPyConnection) -> None:
    """Table mart_organiser_completeness: the completeness report, kept for pages and exports."""
    frame = completeness_report(con, by="organiser")
    con.register("incoming_completeness", frame)
    con.execute(
        "CREATE OR REPLACE TABLE mart_organiser_completeness AS SELECT * FROM incoming_completeness"
    )
    con.unregister("incoming_completeness")
