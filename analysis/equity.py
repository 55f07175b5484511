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
        den_arm, den_group = areas["arm"], _imd_group(areas["imd_decile"], by)
        den_value = areas["population"]
        refs = view.by("home_decile")  # referrals living in their arm's catchment
        ref_group = _imd_group(refs["group"], by)
    else:
        weighted = areas.assign(w=areas["population"] * areas["imd_decile"]).groupby("pcn_code")
        decile = (weighted["w"].sum() / weighted["population"].sum()).round().astype(int)
        pcn_group = _imd_group(view.pcns["pcn_code"].map(decile), by)
        den_arm, den_group = view.pcns["arm"], pcn_group
        den_value = view.pcns["registered_patients"]
        refs = view.by("pcn_code")
        ref_group = refs["group"].map(pd.Series(pcn_group.to_numpy(), index=view.pcns["pcn_code"]))
    den_key, den_sum = _sums(den_arm, den_group, den_value)
    ref_key, ref_sum = _sums(refs["arm"], ref_group, refs["referrals"])
    at = np.minimum(np.searchsorted(ref_key, den_key), max(len(ref_key) - 1, 0))
    found = (ref_key[at] == den_key) if len(ref_key) else np.zeros(len(den_key), bool)
    arm_at = np.array(list(ARM_ORDER))[den_key // _ARM_STEP]
    frame = pd.DataFrame(
        {
            "arm": arm_at.astype(object),
            "group": (den_key % _ARM_STEP).astype(float),
            "population": den_sum,
            "referrals": np.where(found, ref_sum[at] if len(ref_key) else 0, 0).astype("int64"),
        }
    )
    frame["basis"], frame["years"] = basis, view.years
    frame["rate"], frame["rate_lower"], frame["rate_upper"] = rate_ci(
        frame["referrals"], frame["population"] * view.years, multiplier=PER, confidence=confidence
    )
    frame["group"] = frame["group"].astype(int).astype(str)
    return _labelled(frame, RATE_COLUMNS)


ARM_ORDER = {"pilot": 0, "comparison": 1, "all": 2}
_ARM_STEP = 1000  # a key is arm order × _ARM_STEP + IMD group (1..10)


def _arm_ranks(arms: np.ndarray) -> np.ndarray:
    """Each arm's place in :data:`ARM_ORDER`."""
    ranks = np.select([arms == a for a in ARM_ORDER], list(ARM_ORDER.values()), -1)
    if (ranks < 0).any():
        raise ValueError(f"unknown arm in {sorted(set(arms))}; expected {', '.join(ARM_ORDER)}")
    return ranks


def _sums(arm: pd.Series, group: pd.Series, value: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The sum of ``value`` per arm and IMD group (rows without a group left out), as sorted
    keys (arm in :data:`ARM_ORDER`, then group) and their integer sums."""
    groups = group.to_numpy(dtype=float, na_value=np.nan)
    keep = ~np.isnan(groups)
    ranks = _arm_ranks(arm.to_numpy()[keep])
    keys = ranks.astype("int64") * _ARM_STEP + groups[keep].astype("int64")
    unique, inverse = np.unique(keys, return_inverse=True)
    sums = np.zeros(len(unique), dtype="int64")
    np.add.at(sums, inverse, value.to_numpy()[keep].astype("int64"))
    return unique, sums


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
    parts = [view.by(dim) for dim in dimensions]
    arm = np.concatenate([p["arm"].to_numpy() for p in parts])
    group = np.concatenate([p["group"].to_numpy(dtype=object) for p in parts])
    referrals = np.concatenate([p["referrals"].to_numpy() for p in parts]).astype("int64")
    attended = np.concatenate([p["first_attended"].to_numpy() for p in parts]).astype("int64")
    dim_order = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
    uptake, lower, upper = proportion_ci(attended, referrals, confidence=confidence)
    # arm in ARM_ORDER, then dimension, then numeric groups by value before the others, which
    # keep the store's order (a stable sort, as pandas' sort_values on these keys)
    numeric = pd.to_numeric(pd.Series(group, dtype=object), errors="coerce").fillna(np.inf)
    order = np.lexsort((numeric.to_numpy(dtype=float), dim_order, _arm_ranks(arm)))
    return pd.DataFrame(
        {
            "arm": arm[order],
            "arm_label": np.array([ARM_LABELS[a] for a in arm[order]], dtype=object),
            "dimension": np.array(dimensions, dtype=object)[dim_order[order]],
            "group": group[order],
            "referrals": referrals[order],
            "first_attended": attended[order],
            "uptake": uptake[order],
            "uptake_lower": lower[order],
            "uptake_upper": upper[order],
        }
    )


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
    if measure == "referral_rate":
        return _sii_of(_rates(view, basis, "imd_decile", 0.95), measure, confidence, ci_method)
    if view.empty:
        return pd.DataFrame(columns=SII_COLUMNS)
    return _sii_of(_uptake(view, ("imd_decile",), 0.95), measure, confidence, ci_method)


def _sii_of(
    table: pd.DataFrame,
    measure: Literal["referral_rate", "uptake"],
    confidence: float,
    ci_method: Literal["simulation", "analytic"],
) -> pd.DataFrame:
    """The SII per arm of ``table``: rates by IMD decile (as :func:`_rates` gives them) for
    the referral rate, or uptake rows by IMD decile (as :func:`_uptake` gives them)."""
    arms = table["arm"].to_numpy()
    if measure == "referral_rate":
        count, den = (
            table["referrals"].to_numpy(),
            table["population"].to_numpy() * table["years"].to_numpy(),
        )
        kw = {"kind": "rate", "multiplier": PER}
    else:
        count, den = table["first_attended"].to_numpy(), table["referrals"].to_numpy()
        kw = {"kind": "proportion", "multiplier": 1.0}
    known = table["group"].to_numpy() != "unknown"
    rows = []
    for arm in pd.unique(arms[known]):  # in the table's order
        part = known & (arms == arm) & (den > 0)
        if part.sum() < 5:
            continue
        res = slope_index_of_inequality(
            table["group"].to_numpy()[part].astype(int),
            count[part],
            den[part],
            confidence=confidence,
            ci_method=ci_method,
            **kw,
        )
        rows.append(
            [arm, measure, res.sii, res.lower, res.upper, res.most_deprived_fitted,
             res.least_deprived_fitted, int(part.sum()), res.ci_method]
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
    # uptake by IMD decile (for its SII) comes with the page's comparisons, in one table
    shown = (*dimensions, "imd_decile") if "imd_decile" not in dimensions else dimensions
    uptake = _uptake(view, shown, 0.95)
    by_decile = uptake[uptake["dimension"] == "imd_decile"]
    if shown != dimensions:
        uptake = uptake[uptake["dimension"] != "imd_decile"].reset_index(drop=True)
    sii = [
        _sii_of(
            _rates(view, "residence", "imd_decile", 0.95), "referral_rate", 0.95, "simulation"
        ),
        _sii_of(by_decile, "uptake", 0.95, "simulation"),
    ]
    return (
        _rates(view, "residence", "imd_quintile", 0.95),
        uptake,
        pd.concat(sii, ignore_index=True),
    )
