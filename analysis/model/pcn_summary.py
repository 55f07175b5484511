"""mart_pcn_summary: one row per PCN over the whole data window, with every headline indicator.

The counts come from SQL (``sql/marts/mart_pcn_summary.sql``); the proportions (Wilson 95% CI)
and the referral rate per 1,000 patient-years (exact Poisson below 10 referrals, Byar's from 10)
are added here with :mod:`analysis.indicators`, never re-derived in SQL. Definitions match the
Overview page with no filters (``docs/metrics.md``): retention at N weeks counts the starters
whose week-N follow-up is due by the data's last date; the complete-case variant divides by
those of them with a week-N follow-up.
"""

from __future__ import annotations

import duckdb

from analysis.model.frame_tables import add_proportion, add_rate, model_sql, write_joined

TABLE = "mart_pcn_summary"
WEEKS = (4, 12, 26)
PER = 1000
PROPORTIONS: tuple[tuple[str, str, str], ...] = (
    ("contact_rate", "contacted", "referrals"),
    ("uptake", "first_attended", "referrals"),
    *((f"retention_{w}w", f"retained_due_{w}w", f"starters_due_{w}w") for w in WEEKS),
    *((f"retention_{w}w_cc", f"retained_due_{w}w", f"followed_up_due_{w}w") for w in WEEKS),
)
"""(column, numerator, denominator) of each proportion in the mart."""
AFTER = (
    "days_to_first_attendance_median",
    "days_to_first_attendance_q1",
    "days_to_first_attendance_q3",
    "weekly_occurrences_per_1000",
    "share_within_1km_suitable",
    "referred_share_within_1km_suitable",
)
"""Columns computed in SQL that come after the indicators."""


def build_pcn_summary(con: duckdb.DuckDBPyConnection) -> None:
    """Table mart_pcn_summary (see the module docstring and ``docs/metrics.md``)."""
    sql = model_sql("marts", TABLE)
    counts = con.execute(sql).df()
    indicators = counts.copy()
    add_rate(indicators, "referral_rate", "referrals", "patient_years", PER)
    for name, numerator, denominator in PROPORTIONS:
        add_proportion(indicators, name, numerator, denominator)
    added = ["pcn_code", *(c for c in indicators.columns if c not in counts.columns)]
    write_joined(
        con, TABLE, sql, indicators[added], ("pcn_code",), after=AFTER, order_by="pcn_code"
    )
