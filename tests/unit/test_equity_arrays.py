"""Equity's rates, uptake and SII tables, assembled from numpy arrays, against the same tables
made with pandas group-bys, joins and sorts (as they were first written) over many views of
the demo store: every value, dtype and row order the same."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest

from analysis import equity
from analysis.equity_view import EquityView, equity_view
from analysis.filters import Filters
from analysis.indicators import proportion_ci, rate_ci
from analysis.metrics.overview import ARM_LABELS


@pytest.fixture(scope="module")
def con(demo_store):
    connection = duckdb.connect(str(demo_store), read_only=True)
    yield connection
    connection.close()


def _order(col: pd.Series) -> pd.Series:
    if col.name == "arm":
        return col.map({"pilot": 0, "comparison": 1, "all": 2})
    return pd.to_numeric(col, errors="coerce").fillna(np.inf) if col.name == "group" else col


def _labelled(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    frame.insert(1, "arm_label", frame["arm"].map(ARM_LABELS))
    return frame[columns].reset_index(drop=True)


def _group(decile: pd.Series, by: str) -> pd.Series:
    return np.ceil(decile / 2) if by == "imd_quintile" else decile.astype(float)


def pandas_rates(view: EquityView, basis: str, by: str) -> pd.DataFrame:
    areas = view.areas
    if basis == "residence":
        areas = areas.assign(group=_group(areas["imd_decile"], by))
        den = areas.groupby(["arm", "group"])["population"].sum()
        refs = view.by("home_decile")
        refs["group"] = _group(refs["group"], by)
    else:
        weighted = areas.assign(w=areas["population"] * areas["imd_decile"]).groupby("pcn_code")
        decile = (weighted["w"].sum() / weighted["population"].sum()).round().astype(int)
        pcns = view.pcns.assign(group=_group(view.pcns["pcn_code"].map(decile), by))
        den = pcns.dropna(subset=["group"]).groupby(["arm", "group"])["registered_patients"].sum()
        refs = view.by("pcn_code")
        refs["group"] = refs["group"].map(pcns.set_index("pcn_code")["group"])
    num = refs.groupby(["arm", "group"])["referrals"].sum()
    frame = pd.DataFrame({"population": den}).join(num.rename("referrals")).fillna(0)
    frame = frame.reset_index().sort_values(["arm", "group"], key=_order)
    frame[["referrals", "population"]] = frame[["referrals", "population"]].astype("int64")
    frame["basis"], frame["years"] = basis, view.years
    frame["rate"], frame["rate_lower"], frame["rate_upper"] = rate_ci(
        frame["referrals"], frame["population"] * view.years, multiplier=1000
    )
    frame["group"] = frame["group"].astype(int).astype(str)
    return _labelled(frame, equity.RATE_COLUMNS)


def pandas_uptake(view: EquityView, dimensions: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.concat([view.by(d).assign(dimension=d) for d in dimensions], ignore_index=True)
    frame["first_attended"] = frame["first_attended"].astype("int64")
    frame["uptake"], frame["uptake_lower"], frame["uptake_upper"] = proportion_ci(
        frame["first_attended"], frame["referrals"]
    )
    frame["dim_order"] = frame["dimension"].map({d: i for i, d in enumerate(dimensions)})
    frame = frame.sort_values(["arm", "dim_order", "group"], key=_order)
    return _labelled(frame, equity.UPTAKE_COLUMNS)


def pandas_sii(table: pd.DataFrame, measure: str) -> pd.DataFrame:
    if measure == "referral_rate":
        table = table.assign(count=table["referrals"], den=table["population"] * table["years"])
        kw = {"kind": "rate", "multiplier": 1000}
    else:
        table = table[table["group"] != "unknown"]
        table = table.assign(count=table["first_attended"], den=table["referrals"])
        kw = {"kind": "proportion", "multiplier": 1.0}
    rows = []
    for arm, part in table.groupby("arm", sort=False):
        part = part[part["den"] > 0]
        if len(part) < 5:
            continue
        res = equity.slope_index_of_inequality(
            part["group"].astype(int), part["count"], part["den"], **kw
        )
        rows.append(
            [arm, measure, res.sii, res.lower, res.upper, res.most_deprived_fitted,
             res.least_deprived_fitted, len(part), res.ci_method]
        )  # fmt: skip
    columns = [c for c in equity.SII_COLUMNS if c != "arm_label"]
    return _labelled(pd.DataFrame(rows, columns=columns), equity.SII_COLUMNS)


def views(con) -> list[Filters]:
    pcns = [
        r[0] for r in con.execute("SELECT DISTINCT pcn_code FROM journeys ORDER BY 1").fetchall()
    ]
    pilots = [
        r[0] for r in con.execute("SELECT DISTINCT pilot_name FROM stg_pilot_pcns").fetchall()
    ]
    first = con.execute("SELECT min(referral_date) FROM journeys").fetchone()[0]
    flts = [Filters(), Filters(referral_sources=("gp",)), Filters(conditions=("msk",))]
    flts += [Filters(start=date(first.year + k // 4, 1 + 3 * (k % 4), 1)) for k in range(10)]
    flts += [Filters(pcn_codes=tuple(pcns[k : k + 2])) for k in range(0, len(pcns), 3)]
    for pilot in pilots:
        flts += [Filters(pilot=pilot), Filters(pilot=pilot, start=date(first.year + 1, 1, 1))]
        flts += [Filters(pilot=pilot, pcn_codes=tuple(pcns[:3]))]
    return flts


def test_the_array_tables_equal_the_pandas_ones_over_many_views(con) -> None:
    dims = ("imd_quintile", "age_band", "sex", "ethnicity")
    compared = 0
    for flt in views(con):
        view = equity_view(con, flt)
        if view is None or view.empty:
            continue
        for basis in ("residence", "practice"):
            for by in ("imd_quintile", "imd_decile"):
                expected = pandas_rates(view, basis, by)
                got = equity.referral_rates_by_imd(con, flt, basis=basis, by=by)
                pd.testing.assert_frame_equal(got, expected, check_exact=True)
        rates, uptake, sii = equity.page_tables(con, flt, dims)
        pd.testing.assert_frame_equal(uptake, pandas_uptake(view, dims), check_exact=True)
        expected_sii = pd.concat(
            [pandas_sii(pandas_rates(view, "residence", "imd_decile"), "referral_rate"),
             pandas_sii(pandas_uptake(view, ("imd_decile",)), "uptake")],
            ignore_index=True,
        )  # fmt: skip
        pd.testing.assert_frame_equal(sii, expected_sii, check_exact=True)
        compared += len(rates) + len(uptake) + len(sii)
    assert compared > 500
