"""What a filter selects, shared by every page's metrics: the data window, the defined pilots,
the PCNs in view with their arm (:func:`arm_pcns`) and the :class:`View` that runs SQL over the
journeys in view.

With a pilot the arms are its ``pilot`` and ``comparison`` PCNs; without one, all PCNs form one
arm, ``all``. The period is the filter's dates clipped to the referral dates held.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd
import pyarrow as pa

from analysis.filters import JOURNEY_COLUMNS, Filters, journey_predicate

# fmt: off
__all__ = [
    "ARM_LABELS", "ARM_ORDER", "DAYS_PER_YEAR", "DataWindow", "View", "arm_pcns", "data_window",
    "filter_values", "in_view", "pilot_names",
]
# fmt: on

ARM_LABELS = {"pilot": "Pilot PCNs", "comparison": "Comparison PCNs", "all": "All PCNs"}
ARM_ORDER = ("pilot", "comparison", "all")
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class DataWindow:
    """The dates the store covers: first and last referral, and the latest date of any record."""

    first_referral: date
    last_referral: date
    as_of: date


def data_window(con: duckdb.DuckDBPyConnection) -> DataWindow | None:
    """The referral date range held, and the data's last date (None when there are no referrals)."""
    first, last, followed = con.execute(
        "SELECT min(referral_date), max(referral_date), "
        "(SELECT max(followup_date) FROM stg_followups) FROM journeys"
    ).fetchall()[0]
    if first is None:
        return None
    return DataWindow(first, last, max(last, followed) if followed else last)


def pilot_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The defined pilots, by name."""
    rows = con.execute("SELECT DISTINCT pilot_name FROM stg_pilot_pcns ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def arm_pcns(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """PCNs in view with their arm: pcn_code, pcn_name, arm, registered_patients, go_live."""
    if filters.pilot is None:
        sql = (
            "SELECT pcn_code, pcn_name, 'all' AS arm, registered_patients, "
            "CAST(NULL AS DATE) AS go_live FROM stg_pcns"
        )
        params: list[object] = []
    else:
        sql = (
            "SELECT pp.pcn_code, p.pcn_name, pp.arm, p.registered_patients, pp.go_live "
            "FROM stg_pilot_pcns AS pp JOIN stg_pcns AS p USING (pcn_code) "
            "WHERE pp.pilot_name = ?"
        )
        params = [filters.pilot]
    frame = con.execute(f"{sql} ORDER BY pcn_code", params).df()
    if filters.pcn_codes:
        frame = frame[frame["pcn_code"].isin(filters.pcn_codes)]
    frame["arm"] = pd.Categorical(frame["arm"], categories=ARM_ORDER, ordered=True)
    return frame.sort_values(["arm", "pcn_code"]).reset_index(drop=True)


def filter_values(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The values each referral-level filter can take in the store, sorted, keyed by
    :class:`Filters` field (``"unknown"`` included where a value is missing; see
    :func:`analysis.filters.journey_predicate`)."""
    options: dict[str, list[str]] = {}
    for field, (column, _) in JOURNEY_COLUMNS.items():
        value = "unnest(conditions)" if field == "conditions" else column
        rows = con.execute(
            f"SELECT DISTINCT v FROM (SELECT {value} AS v FROM journeys) WHERE v IS NOT NULL"
        ).fetchall()
        options[field] = sorted(str(r[0]) for r in rows)
    return options


@dataclass(frozen=True)
class View:
    """What a filter selects: the PCNs in view (with their arm), the data window and the period
    (the filter's dates clipped to the referral dates held)."""

    filters: Filters
    pcns: pd.DataFrame
    window: DataWindow
    start: date
    end: date

    def counts(
        self,
        con: duckdb.DuckDBPyConnection,
        select: str,
        group_by: str = "arm",
        *,
        extra: str = "",
    ) -> pd.DataFrame:
        """Run ``SELECT {select} ... GROUP BY {group_by}`` over the journeys in view, with an
        ``arm`` column and the parameter ``$as_of`` (the data's last date). ``extra`` adds
        columns to each journey row first (e.g. ``unnest(conditions) AS condition``)."""
        return self.rows(con, select, f"GROUP BY {group_by}", extra=extra)

    def rows(
        self, con: duckdb.DuckDBPyConnection, select: str, tail: str = "", *, extra: str = ""
    ) -> pd.DataFrame:
        """Run ``SELECT {select} ... {tail}`` over the journeys in view (one row each, with
        ``arm``; ``tail`` e.g. ``ORDER BY referral_date``), as :meth:`counts` does."""
        sql, params = self._query(select, tail, extra)
        return con.execute(sql, params).df()

    def table(
        self, con: duckdb.DuckDBPyConnection, select: str, tail: str = "", *, extra: str = ""
    ) -> pa.Table:
        """:meth:`rows` as an Arrow table: text stays in Arrow's buffers, no Python object is
        made per value."""
        sql, params = self._query(select, tail, extra)
        return con.sql(sql, params=params).to_arrow_table()

    def _query(self, select: str, tail: str, extra: str) -> tuple[str, dict[str, object]]:
        """The SQL of :meth:`rows` and the parameters it uses."""
        arms = self.pcns.drop_duplicates("pcn_code")  # sorted by arm: pilot first
        params: dict[str, object] = {
            "arm_pcns": arms["pcn_code"].astype(str).tolist(),
            "arm_names": arms["arm"].astype(str).tolist(),
            "start": self.start, "end": self.end, "as_of": self.window.as_of,
        }  # fmt: skip
        where, filter_params = journey_predicate(self.filters)
        params |= filter_params
        # The PCNs in view with their arm, joined by hash: testing each journey's PCN against a
        # list cost a second per query at national scale.
        sql = f"""
            WITH arms AS (
                SELECT unnest($arm_pcns::VARCHAR[]) AS arm_pcn_code,
                       unnest($arm_names::VARCHAR[]) AS arm
            ),
            j AS (
                SELECT arms.arm, journeys.*{", " + extra if extra else ""}
                FROM journeys JOIN arms ON arms.arm_pcn_code = journeys.pcn_code
                WHERE referral_date BETWEEN $start AND $end AND {where}
            )
            SELECT {select} FROM j WHERE arm IS NOT NULL {tail}
        """
        return sql, {k: v for k, v in params.items() if f"${k}" in sql}


def in_view(con: duckdb.DuckDBPyConnection, filters: Filters) -> View | None:
    """What the filter selects; None when it cannot match any referral."""
    window = data_window(con)
    if window is None:
        return None
    start = max(filters.start or window.first_referral, window.first_referral)
    end = min(filters.end or window.last_referral, window.last_referral)
    pcns = arm_pcns(con, filters) if start <= end else None
    if pcns is None or pcns.empty:
        return None
    return View(filters, pcns, window, start, end)
