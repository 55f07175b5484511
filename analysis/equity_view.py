"""The referrals an equity comparison looks at, counted once in DuckDB.

:func:`equity_view` selects the referrals of the PCNs in view (pilot, period, PCN, referral
source and condition filters; :mod:`analysis.equity` compares groups of people, so the person
filters do not apply) and counts them — referrals and first attendances — per arm and group of
each of :data:`GROUPS` with one ``GROUPING SETS`` query, instead of reading every referral into
pandas and grouping there. Missing values form the group ``unknown``; ``home_decile`` is the IMD
decile of the referral's home area when that area is in the catchment of a PCN of the same arm
(else the referral is not counted there), as the residence-based referral rate needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from analysis.filters import Filters
from analysis.metrics.overview import DAYS_PER_YEAR, arm_pcns, data_window

__all__ = ["GROUPS", "EquityView", "equity_view"]

UNKNOWN = "unknown"
GROUPS = {  # group column → its SQL value over the referrals in view
    "imd_quintile": f"coalesce(CAST(r.imd_quintile AS VARCHAR), '{UNKNOWN}')",
    "imd_decile": f"coalesce(CAST(r.imd_decile AS VARCHAR), '{UNKNOWN}')",
    "age_band": f"coalesce(r.age_band, '{UNKNOWN}')",
    "sex": f"coalesce(r.sex, '{UNKNOWN}')",
    "ethnicity": f"coalesce(r.ethnicity, '{UNKNOWN}')",
    "pcn_code": "r.pcn_code",
    "home_decile": "home.imd_decile",
}
_COLUMNS = list(GROUPS)


@dataclass(frozen=True)
class EquityView:
    """The PCNs in view with their arm, the areas of their catchments, the period in years and
    the referrals and first attendances per arm and group of each column of :data:`GROUPS`
    (``counts``, sorted by set, arm and group: text in code-point order, as Python sorts it)."""

    pcns: pd.DataFrame  # pcn_code, arm (text), registered_patients, …
    areas: pd.DataFrame  # lsoa_code, population, imd_decile, pcn_code, arm
    years: float
    counts: pd.DataFrame  # arm, the GROUPS columns, _set, referrals, first_attended

    @property
    def empty(self) -> bool:
        """Whether no referral is in view."""
        return self.counts.empty

    def by(self, column: str) -> pd.DataFrame:
        """``arm``, ``group`` (the value of ``column``), referrals and first_attended, one row
        per arm and group with referrals, sorted by arm and group (as text for the text
        columns)."""
        mask = sum(1 << (len(_COLUMNS) - 1 - i) for i, c in enumerate(_COLUMNS) if c != column)
        sets = self.counts["_set"].to_numpy()  # sorted by set already (ORDER BY)
        lo, hi = np.searchsorted(sets, mask, side="left"), np.searchsorted(sets, mask, "right")
        rows = self.counts.iloc[lo:hi]
        keep = rows[column].notna().to_numpy()
        return pd.DataFrame(
            {
                "arm": rows["arm"].to_numpy()[keep],
                "group": rows[column].array[keep],
                "referrals": rows["referrals"].to_numpy()[keep],
                "first_attended": rows["first_attended"].to_numpy()[keep],
            }
        )


def equity_view(con: duckdb.DuckDBPyConnection, filters: Filters) -> EquityView | None:
    """What ``filters`` select (None when no PCN or no day of the period is in view)."""
    if filters.activity_groups:
        raise ValueError("the activity group filter is not available yet (needs supply data)")
    window = data_window(con)
    if window is None:
        return None
    start: date = max(filters.start or window.first_referral, window.first_referral)
    end: date = min(filters.end or window.last_referral, window.last_referral)
    pcns = arm_pcns(con, filters)
    if start > end or pcns.empty:
        return None
    pcns["arm"] = pcns["arm"].astype(str)
    params = {
        "start": start,
        "end": end,
        "codes": pcns["pcn_code"].tolist(),
        "arms": pcns["arm"].tolist(),
        "sources": list(filters.referral_sources),
        "conditions": list(filters.conditions),
    }
    values = ", ".join(f"{sql} AS {name}" for name, sql in GROUPS.items())
    sets = ", ".join(f"(arm, {c})" for c in _COLUMNS)
    counts = con.execute(
        f"""WITH arms AS (
                SELECT unnest($codes::VARCHAR[]) AS pcn_code, unnest($arms::VARCHAR[]) AS arm
            ), home AS (
                SELECT a.lsoa_code, a.imd_decile, arms.arm
                FROM stg_areas AS a JOIN arms USING (pcn_code)
            ), j AS (
                SELECT arms.arm, {values}, r.first_attended
                FROM journeys AS r
                JOIN arms USING (pcn_code)
                LEFT JOIN home ON home.lsoa_code = r.lsoa_code AND home.arm = arms.arm
                WHERE r.referral_date BETWEEN $start AND $end
                  AND (len($sources::VARCHAR[]) = 0
                       OR list_contains($sources::VARCHAR[], r.referral_source))
                  AND (len($conditions::VARCHAR[]) = 0
                       OR list_has_any(r.conditions, $conditions::VARCHAR[]))
            )
            SELECT arm, {", ".join(_COLUMNS)}, GROUPING({", ".join(_COLUMNS)}) AS _set,
                   count(*) AS referrals, count(*) FILTER (WHERE first_attended) AS first_attended
            FROM j GROUP BY GROUPING SETS ({sets})
            ORDER BY _set, arm, {", ".join(_COLUMNS)}""",
        params,
    ).df()
    areas = con.execute("SELECT lsoa_code, population, imd_decile, pcn_code FROM stg_areas").df()
    areas = areas.merge(pcns[["pcn_code", "arm"]], on="pcn_code")
    return EquityView(pcns, areas, ((end - start).days + 1) / DAYS_PER_YEAR, counts)
