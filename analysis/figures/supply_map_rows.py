"""The supply map's rows: areas with their fill (by distance band) and tooltip lines, and live
series fanned out around their place, coloured by activity group, with tooltip lines."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from analysis.figures.supply_places import fan_out
from analysis.figures.supply_style import DISTANCE_BANDS, OTHER_COLOUR, activity_colours, rgb

__all__ = ["SESSION_ROWS", "area_rows", "session_rows"]

SESSION_ROWS = ["plot_lon", "plot_lat", "ok", "fill", "title", "line1", "line2", "line3"]
"""The columns of :func:`session_rows`."""


def _pct(x: float) -> str:
    return "not known" if pd.isna(x) else f"{x:.0%}"


def _price(p: float) -> str:
    return "price not given" if pd.isna(p) else f"£{p:.2f}"


def _each_distinct(values: pd.Series, text: Callable[[float], str]) -> np.ndarray:
    """``text`` of every value, worked out once per distinct value (missing ones included)."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    labels = np.array([text(v) for v in distinct] + [text(np.nan)], dtype=object)
    return labels[codes]  # code -1 (missing) picks the last label


def _band_fills(km: pd.Series, alpha: int) -> list[list[int]]:
    """The fill of each distance's band (as :func:`distance_band`; missing = the last band)."""
    uppers = np.array([upper for upper, _, _ in DISTANCE_BANDS])
    band = np.searchsorted(uppers, km.to_numpy(dtype=float), side="left")  # NaN sorts last
    fills = [rgb(colour, alpha) for _, _, colour in DISTANCE_BANDS]
    return [list(fills[min(i, len(fills) - 1)]) for i in band]


def area_rows(areas: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Areas with a fill colour for their distance band and the tooltip lines that do not
    depend on who was referred."""
    a = areas[["lsoa_code", "longitude", "latitude"]].copy()
    a["fill"] = _band_fills(areas["nearest_km"], 190)
    a["title"] = areas["lsoa_name"].fillna(areas["lsoa_code"]) + " (" + areas["lsoa_code"] + ")"
    pcn = areas["pcn_code"].map(names).fillna(areas["pcn_code"])
    a["line1"] = pcn + " · population " + areas["population"].map("{:,}".format)
    a["line1"] += " · IMD decile " + areas["imd_decile"].astype(str)
    a["line2"] = [
        "No suitable session held"
        if pd.isna(km)
        else f"Nearest suitable session: {km:.1f} km ({n})"
        for km, n in zip(areas["nearest_km"], areas["nearest_name"], strict=True)
    ]
    return a


def session_rows(series: pd.DataFrame, ok: pd.Series, step_m: float) -> pd.DataFrame:
    """Series fanned out around their place (``plot_lon``, ``plot_lat``, rounded to 6
    decimals), ``ok`` (suitable), a fill by activity group and the tooltip's lines
    (:data:`SESSION_ROWS`), one row per series in the order given."""
    plot_lat, plot_lon = fan_out(series, step_m)
    suits = ok.to_numpy(dtype=bool)
    colours = activity_colours(series.loc[suits, "activity_group"].tolist())
    group = series["activity_group"].fillna("Other activities")
    fills = {g: rgb(colours.get(g, OTHER_COLOUR)) for g in group.unique()}
    free = series["is_free"].astype("boolean").fillna(False).to_numpy()
    price = _each_distinct(series["price_min"], _price)
    line1 = series["activity_group"].fillna("Activity not classified") + " · "
    line1 += np.where(free, "free", price) + " · SP-readiness "
    line1 += _each_distinct(series["sp_ready_score"], _pct)
    place = series["place_name"].fillna("") + ", "
    columns = {
        "plot_lon": plot_lon.round(6),
        "plot_lat": plot_lat.round(6),
        "ok": suits,
        "fill": [fills[g] for g in group],
        "title": series["name"].fillna("(unnamed session)"),
        "line1": line1,
        "line2": place + series["postcode"].fillna("postcode not given"),
        "line3": "Source: " + series["publisher_name"].fillna("publisher not named"),
    }
    return pd.DataFrame(columns, index=series.index)
