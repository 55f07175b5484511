"""mart_equity and mart_equity_sii: referral rates and uptake by group, and the slope index of
inequality across IMD deciles, over every PCN and the whole data window.

Both come from :mod:`analysis.equity` with no filters (the Equity page's "All PCNs" view):

* mart_equity — one row per dimension (imd_quintile, age_band, sex, ethnicity) and group:
  referrals, first attendances and uptake (Wilson CI); for IMD quintiles also the population of
  the areas in the quintile, person-years and the referral rate per 1,000 per year by home area
  (exact Poisson / Byar's CI). A missing value is the group ``unknown``.
* mart_equity_sii — one row per measure (referral rate by home area, uptake): the SII with its
  CI (simulation, or analytic when a decile has 0 events) from :mod:`analysis.inequality`.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analysis.equity import imd_sii, referral_rates_by_imd, uptake_by
from analysis.model.frame_tables import write_table

DIMENSIONS = ("imd_quintile", "age_band", "sex", "ethnicity")
EQUITY_COLUMNS = [
    "dimension", "group_value", "group_order", "referrals", "first_attended", "uptake", "uptake_lower",
    "uptake_upper", "population", "person_years", "referral_rate", "referral_rate_lower",
    "referral_rate_upper",
]  # fmt: skip
SII_COLUMNS = [
    "measure", "sii", "sii_lower", "sii_upper", "most_deprived_fitted", "least_deprived_fitted",
    "n_quantiles", "ci_method",
]  # fmt: skip
SII_MEASURES = ("referral_rate", "uptake")


def equity_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The rows of mart_equity (:data:`EQUITY_COLUMNS`)."""
    uptake = uptake_by(con, dimensions=DIMENSIONS).rename(columns={"group": "group_value"})
    rates = referral_rates_by_imd(con, basis="residence", by="imd_quintile")
    rates = rates.rename(columns={"group": "group_value"}).assign(
        dimension="imd_quintile",
        person_years=rates["population"] * rates["years"],
        referral_rate=rates["rate"],
        referral_rate_lower=rates["rate_lower"],
        referral_rate_upper=rates["rate_upper"],
    )
    keep = ["dimension", "group_value", "population", "person_years", "referral_rate",
            "referral_rate_lower", "referral_rate_upper"]  # fmt: skip
    frame = uptake.drop(columns=["arm", "arm_label"]).merge(
        rates[keep], on=["dimension", "group_value"], how="left"
    )
    frame["group_order"] = frame.groupby("dimension", sort=False).cumcount() + 1
    frame["population"] = frame["population"].astype("Int64")
    frame[["referrals", "first_attended"]] = frame[["referrals", "first_attended"]].astype("int64")
    return frame[EQUITY_COLUMNS]


def sii_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The rows of mart_equity_sii (:data:`SII_COLUMNS`)."""
    parts = [imd_sii(con, measure=m) for m in SII_MEASURES]
    frame = pd.concat([p for p in parts if not p.empty] or [pd.DataFrame(columns=SII_COLUMNS)])
    frame = frame.reset_index(drop=True)
    frame["n_quantiles"] = frame["n_quantiles"].astype("int64")
    return frame[SII_COLUMNS]


def build_equity(con: duckdb.DuckDBPyConnection) -> None:
    """Table mart_equity (see the module docstring and ``docs/metrics.md``)."""
    rank = " ".join(f"WHEN '{d}' THEN {i}" for i, d in enumerate(DIMENSIONS))
    write_table(
        con, "mart_equity", equity_table(con), order_by=f"CASE dimension {rank} END, group_order"
    )


def build_equity_sii(con: duckdb.DuckDBPyConnection) -> None:
    """Table mart_equity_sii (see the module docstring and ``docs/metrics.md``)."""
    write_table(con, "mart_equity_sii", sii_table(con), order_by="measure")
