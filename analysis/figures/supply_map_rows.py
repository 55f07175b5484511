"""The supply map's rows: areas with their fill (by distance band) and tooltip lines, and live
series fanned out around their place, coloured by activity group, with tooltip lines (written
as the deck's JSON records)."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd

from analysis.figures.supply_places import fan_out
from analysis.figures.supply_style import DISTANCE_BANDS, OTHER_COLOUR, activity_colours, rgb

__all__ = ["area_rows", "session_records"]


def _pct(x: float) -> str:
    return "not known" if pd.isna(x) else f"{x:.0%}"


def _price(p: float) -> str:
    return "price not given" if pd.isna(p) else f"£{p:.2f}"


def _coded(values: pd.Series) -> tuple[np.ndarray, list]:
    """Each value's code and the distinct values by code, a missing value (NaN) last."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    return np.where(codes < 0, len(distinct), codes), [*distinct, np.nan]


def _each_distinct(values: pd.Series, text: Callable[[float], str]) -> np.ndarray:
    """``text`` of every value, worked out once per distinct value (missing ones included)."""
    codes, distinct = _coded(values)
    return np.array([text(v) for v in distinct], dtype=object)[codes]


def _or(value: object, missing: str) -> object:
    return missing if pd.isna(value) else value


def _combined(*codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A code for each distinct combination of ``codes`` (columns of codes from 0), and the
    first row holding each combination."""
    combined = np.zeros(len(codes[0]), dtype=np.int64)
    for column in codes:
        combined = pd.factorize(combined * (int(column.max(initial=0)) + 1) + column)[0]
    first = np.zeros(int(combined.max(initial=-1)) + 1, dtype=np.int64)
    first[combined[::-1]] = np.arange(len(combined))[::-1]
    return combined, first


def _written(texts: list[str]) -> np.ndarray:
    """Texts as JSON strings, escaped as pandas writes them in records. Inside a written text
    every quote is escaped, so '","' only ever separates two of them."""
    if not texts:
        return np.array([], dtype=object)
    written = pd.Series(texts, dtype=object).to_json(orient="values")
    return np.array(['"' + text + '"' for text in written[2:-2].split('","')], dtype=object)


def _numbers(values: np.ndarray) -> np.ndarray:
    """Numbers as pandas writes them in records (10 decimals at most; NaN as null)."""
    if len(values) == 0:
        return np.array([], dtype=object)
    written = pd.Series(values).to_json(orient="values", double_precision=10)
    return np.array(written[1:-1].split(","), dtype=object)


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


def session_records(series: pd.DataFrame, ok: pd.Series, step_m: float) -> tuple[str, str]:
    """The records of the suitable sessions and of the others, written as JSON: series fanned
    out around their place (``plot_lon``, ``plot_lat``, rounded to 6 decimals), the suitable
    ones filled by activity group, with the tooltip's lines (``title``, ``line1`` to
    ``line3``), in the order given, keys sorted.

    The lines repeat (a national view draws 65,000 series with a few thousand names, a few
    hundred places and one publisher), so each distinct line is made and written once and
    each record is put together from the written pieces: the same text as pandas writes for
    a frame of the rows (:class:`analysis.figures.supply_map.EncodedRecords`)."""
    plot_lat, plot_lon = fan_out(series, step_m)
    suits = ok.to_numpy(dtype=bool)
    colours = activity_colours(series.loc[suits, "activity_group"].tolist())
    activity, activities = _coded(series["activity_group"])
    fills = [rgb(colours.get(_or(a, "Other activities"), OTHER_COLOUR)) for a in activities]
    price, prices = _coded(series["price_min"])
    free = series["is_free"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    price = np.where(free, len(prices), price)
    priced = [_price(p) for p in prices] + ["free"]
    ready, readiness = _coded(series["sp_ready_score"])
    line1, first = _combined(activity, price, ready)
    line1_texts = [
        f"{_or(activities[activity[r]], 'Activity not classified')} · {priced[price[r]]}"
        f" · SP-readiness {_pct(readiness[ready[r]])}"
        for r in first
    ]
    place, places = _coded(series["place_name"])
    postcode, postcodes = _coded(series["postcode"])
    line2, first = _combined(place, postcode)
    line2_texts = [
        f"{_or(places[place[r]], '')}, {_or(postcodes[postcode[r]], 'postcode not given')}"
        for r in first
    ]
    line3, publishers = _coded(series["publisher_name"])
    title, names = _coded(series["name"])
    columns = {  # written pieces by row, in the records' key order
        "line1": _written(line1_texts)[line1],
        "line2": _written(line2_texts)[line2],
        "line3": _written([f"Source: {_or(p, 'publisher not named')}" for p in publishers])[line3],
        "plot_lat": _numbers(plot_lat.round(6)),
        "plot_lon": _numbers(plot_lon.round(6)),
        "title": _written([_or(n, "(unnamed session)") for n in names])[title],
    }
    fills_written = [json.dumps(fill, separators=(",", ":")) for fill in fills]
    filled = {"fill": np.array(fills_written, dtype=object)[activity]}

    def records(rows: np.ndarray, parts: dict[str, np.ndarray]) -> str:
        row = "{" + ",".join(f'"{key}":%s' for key in parts) + "}"  # values written already
        values = zip(*(part[rows] for part in parts.values()), strict=True)
        return "[" + ",".join([row % written for written in values]) + "]"

    return records(suits, filled | columns), records(~suits, columns)
