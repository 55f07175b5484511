"""Equity: referral rates and uptake by deprivation and by group, and the slope index of inequality.

Rows are per arm as on the Overview page (a pilot's ``pilot`` and ``comparison`` PCNs, or
``all`` PCNs), for the referrals a :class:`~analysis.filters.Filters` selects.

* **Referral rate by IMD** (per 1,000 population per year; exact Poisson CI below 10 events,
  Byar's from 10, via :func:`~analysis.indicators.rate_ci`), on one of two bases:

  - ``residence`` — by the IMD of the home area. Denominator: the population of the arm's
    catchment areas (``stg_areas.pcn_code``) in that IMD group × years; numerator: referrals by
    the arm's PCNs of people living in those areas. Referrals without a home area, or living
    outside the catchment, are not counted.
  - ``practice`` — by the deprivation of the referring PCN, the population-weighted mean IMD
    decile of its catchment areas rounded to a decile (quintile = ⌈decile / 2⌉). Denominator:
    registered patients of the PCNs in that group × years.

* **Uptake** (first attendance ÷ referrals, Wilson CI via
  :func:`~analysis.indicators.proportion_ci`) by home IMD quintile or decile, age band, sex and
  ethnicity; missing values form an ``unknown`` group.

* **Slope index of inequality** across IMD deciles: see :mod:`analysis.inequality`.
"""

from __future__ import annotations

from typing import Literal

import duckdb
import numpy as np
import pandas as pd

from analysis.equity_view import EquityView, equity_view
from analysis.filters import Filters
from analysis.indicators import proportion_ci, rate_ci
from analysis.inequality import SiiResult, slope_index_of_inequality
from analysis.metrics.overview import ARM_LABELS

# fmt: off
__all__ = [
    "DIMENSIONS", "RATE_COLUMNS", "SII_COLUMNS", "UPTAKE_COLUMNS", "SiiResult", "imd_sii",
    "page_tables", "referral_rates_by_imd", "slope_index_of_inequality", "uptake_by",
]
RATE_COLUMNS = ["arm", "arm_label", "basis", "group", "referrals", "population", "years",
                "rate", "rate_lower", "rate_upper"]
UPTAKE_COLUMNS = ["arm", "arm_label", "dimension", "group", "referrals", "first_attended",
                  "uptake", "uptake_lower", "uptake_upper"]
SII_COLUMNS = ["arm", "arm_label", "measure", "sii", "sii_lower", "sii_upper",
               "most_deprived_fitted", "least_deprived_fitted", "n_quantiles", "ci_method"]
# fmt: on
DIMENSIONS = ("imd_quintile", "imd_decile", "age_band", "sex", "ethnicity")
PER = 1000
NO_FILTERS = Filters()
Basis = Literal["residence", "practice"]
Imd = Literal["imd_quintile", "imd_decile"]


# ---------------------------------------------------------------------------------------------
# From the store (counted by analysis.equity_view)
# ---------------------------------------------------------------------------------------------
def _labelled(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    frame.insert(1, "arm_label", frame["arm"].map(ARM_LABELS))
    return frame[columns].reset_index(drop=True)


def referral_rates_by_imd(
    con: duckdb.DuckDBPyConnection,
    filters: Filters = NO_FILTERS,
    *,
    basis: Basis = "residence",
    by: Imd = "imd_quintile",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Referrals per 1,000 population per year by IMD group, per arm (:data:`RATE_COLUMNS`).

    ``group`` is the quintile or decile (1 = most deprived) as text; ``population`` is the
    denominator in persons (area population, or registered patients for ``basis="practice"``).
    """
    if basis not in ("residence", "practice") or by not in ("imd_quintile", "imd_decile"):
        raise ValueError("basis must be 'residence' or 'practice'; by 'imd_quintile'/'imd_decile'")
    view = equity_view(con, filters)
    if view is None:
        return pd.DataFrame(columns=RATE_COLUMNS)
    return _rates(view, basis, by, confidence)


def _rates(view: EquityView, basis: Basis, by: Imd, confidence: float) -> pd.DataFrame:
    areas = view.areas
    if basis == "residence":
        areas = areas.assign(group=_imd_group(areas["imd_decile"], by))
        den = areas.groupby(["arm", "group"])["population"].sum()
        refs = view.by("home_decile")  # referrals living in their arm's catchment
        refs["group"] = _imd_group(refs["group"], by)
    else:
        weighted = areas.assign(w=areas["population"] * areas["imd_decile"]).groupby("pcn_code")
        decile = (weighted["w"].sum() / weighted["population"].sum()).round().astype(int)
        pcns = view.pcns.assign(group=_imd_group(view.pcns["pcn_code"].map(decile), by))
        den = pcns.dropna(subset=["group"]).groupby(["arm", "group"])["registered_patients"].sum()
        refs = view.by("pcn_code")
        refs["group"] = refs["group"].map(pcns.set_index("pcn_code")["group"])
    num = refs.groupby(["arm", "group"])["referrals"].sum()
    frame = pd.DataFrame({"population": den}).join(num.rename("referrals")).fillna(0)
    frame = frame.reset_index().sort_values(["arm", "group"], key=_order)
    frame[["referrals", "population"]] = frame[["referrals", "population"]].astype("int64")
    frame["basis"], frame["years"] = basis, view.years
    frame["rate"], frame["rate_lower"], frame["rate_upper"] = rate_ci(
        frame["referrals"], frame["population"] * view.years, multiplier=PER, confidence=confidence
    )
    frame["group"] = frame["group"].astype(int).astype(str)
    return _labelled(frame, RATE_COLUMNS)


def _imd_group(decile: pd.Series, by: str) -> pd.Series:
    return np.ceil(decile / 2) if by == "imd_quintile" else decile.astype(float)


def _order(col: pd.Series) -> pd.Series:
    if col.name == "arm":
        return col.map({"pilot": 0, "comparison": 1, "all": 2})
    return pd.to_numeric(col, errors="coerce").fillna(np.inf) if col.name == "group" else col


def uptake_by(
    con: duckdb.DuckDBPyConnection,
    filters: Filters = NO_FILTERS,
    dimensions: tuple[str, ...] = ("imd_quintile", "age_band", "sex", "ethnicity"),
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Uptake (Wilson CI) by each of ``dimensions`` (from :data:`DIMENSIONS`), per arm, long
    format (:data:`UPTAKE_COLUMNS`); a missing value is the group ``unknown``."""
    bad = [d for d in dimensions if d not in DIMENSIONS]
    if bad:
        raise ValueError(f"unknown dimensions {bad}; choose from {', '.join(DIMENSIONS)}")
    view = equity_view(con, filters)
    if view is None or view.empty:
        return pd.DataFrame(columns=UPTAKE_COLUMNS)
    return _uptake(view, dimensions, confidence)


def _uptake(view: EquityView, dimensions: tuple[str, ...], confidence: float) -> pd.DataFrame:
    frame = pd.concat(
        [view.by(dim).assign(dimension=dim) for dim in dimensions], ignore_index=True
    )
    frame["first_attended"] = frame["first_attended"].astype("int64")
    frame["uptake"], frame["uptake_lower"], frame["uptake_upper"] = proportion_ci(
        frame["first_attended"], frame["referrals"], confidence=confidence
    )
    frame["dim_order"] = frame["dimension"].map({d: i for i, d in enumerate(dimensions)})
    frame = frame.sort_values(["arm", "dim_order", "group"], key=_order)
    return _labelled(frame, UPTAKE_COLUMNS)


def imd_sii(
    con: duckdb.DuckDBPyConnection,
    filters: Filters = NO_FILTERS,
    *,
    measure: Literal["referral_rate", "uptake"] = "referral_rate",
    basis: Basis = "residence",
    confidence: float = 0.95,
    ci_method: Literal["simulation", "analytic"] = "simulation",
) -> pd.DataFrame:
    """SII across IMD deciles per arm (:data:`SII_COLUMNS`): referral rate per 1,000 per year
    (``basis`` as in :func:`referral_rates_by_imd`) or uptake as a proportion 0..1."""
    if measure not in ("referral_rate", "uptake"):
        raise ValueError(f"measure must be 'referral_rate' or 'uptake', got {measure!r}")
    view = equity_view(con, filters)
    if view is None:
        return pd.DataFrame(columns=SII_COLUMNS)
    return _sii(view, measure, basis, confidence, ci_method)


def _sii(
    view: EquityView,
    measure: Literal["referral_rate", "uptake"],
    basis: Basis,
    confidence: float,
    ci_method: Literal["simulation", "analytic"],
) -> pd.DataFrame:
    if measure == "referral_rate":
        table = _rates(view, basis, "imd_decile", 0.95)
        table = table.assign(count=table["referrals"], den=table["population"] * table["years"])
        kw = {"kind": "rate", "multiplier": PER}
    elif view.empty:
        return pd.DataFrame(columns=SII_COLUMNS)
    else:
        table = _uptake(view, ("imd_decile",), 0.95)
        table = table[table["group"] != "unknown"]
        table = table.assign(count=table["first_attended"], den=table["referrals"])
        kw = {"kind": "proportion", "multiplier": 1.0}
    rows = []
    for arm, part in table.groupby("arm", sort=False):
        part = part[part["den"] > 0]
        if len(part) < 5:
            continue
        res = slope_index_of_inequality(
            part["group"].astype(int),
            part["count"],
            part["den"],
            confidence=confidence,
            ci_method=ci_method,
            **kw,
        )
        rows.append(
            [arm, measure, res.sii, res.lower, res.upper, res.most_deprived_fitted,
             res.least_deprived_fitted, len(part), res.ci_method]
        )  # fmt: skip
    columns = [c for c in SII_COLUMNS if c != "arm_label"]
    return _labelled(pd.DataFrame(rows, columns=columns), SII_COLUMNS)


def page_tables(
    con: duckdb.DuckDBPyConnection, filters: Filters, dimensions: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """What the Equity page shows, from one read of the referrals in view: the referral rate
    by IMD quintile of residence, uptake by each of ``dimensions`` and the SII of both measures
    — each as :func:`referral_rates_by_imd`, :func:`uptake_by` and :func:`imd_sii` (referral
    rate, then uptake) return it. All three are empty when no referral is in view."""
    view = equity_view(con, filters)
    if view is None or view.empty:
        return tuple(pd.DataFrame(columns=c) for c in (RATE_COLUMNS, UPTAKE_COLUMNS, SII_COLUMNS))
    sii = [_sii(view, m, "residence", 0.95, "simulation") for m in ("referral_rate", "uptake")]
    return (
        _rates(view, "residence", "imd_quintile", 0.95),
        _uptake(view, dimensions, 0.95),
        pd.concat(sii, ignore_index=True),
    )
