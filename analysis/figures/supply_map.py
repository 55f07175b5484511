"""The supply map (a pydeck Deck) of the Supply & gaps page.

The map works without a token or network: it uses Carto's basemap (``map_style=None`` lets
Streamlit match its theme) and stays readable without tiles, because PCN outlines and names are
drawn as layers. Layers, bottom to top: PCN outlines, areas shaded by distance to the nearest
suitable session (:mod:`analysis.figures.supply_style`), rings for where referred people live
(areas above the suppression threshold only), other live sessions (grey), suitable sessions
coloured by activity group, GP practices, PCN names. Series at the same place are fanned out on
a small spiral so each one can be seen. Data are passed as plain records, so the deck JSON is
readable and NaN-free.

Only the areas' referred people (their tooltips' last line and the rings) depend on the
referral period and filters: :func:`map_base` builds everything else once, with the records of
the layers that never change already written as JSON, and :func:`deck_for` adds the referred
people of a view.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from analysis.figures.supply_map_rows import area_rows, session_records
from analysis.figures.supply_places import near, outlines, spacing_m, view_of
from analysis.figures.supply_style import (
    FONT,
    UNSUITABLE,
    rgb,
)
from analysis.metrics.supply_disclosure import REDACTED, suppressed

__all__ = ["MAX_PCN_NAMES", "TOOLTIP", "CompactDeck", "EncodedRecords", "MapBase", "deck_for",
           "map_base", "supply_deck"]  # fmt: skip

TOOLTIP = {
    "html": "<b>{title}</b><br/>{line1}<br/>{line2}<br/>{line3}",
    "style": {
        "backgroundColor": "#FFFFFF",
        "color": "#111111",
        "fontSize": "13px",
        "border": "1px solid #999999",
        "maxWidth": "360px",
    },
}
MAX_PCN_NAMES = 12  # PCN names are drawn on the map up to this many PCNs; tooltips always name
TIP = ["title", "line1", "line2", "line3"]
AT, PIXELS = "[longitude, latitude]", "'pixels'"
MARKER = "@@encoded-records:"  # a layer's data written beforehand: see EncodedRecords
MARKERS = re.compile(r'"@@encoded-records:([a-z-]+)"')
UNWRITTEN = "\x00referred\x00"  # stands for the areas' last tooltip line until it is known


def _plain(series: pd.Series) -> list:
    """A column as JSON-safe Python values (NaN → None, numpy scalars → Python)."""
    if series.dtype != object and not series.isna().any():
        return series.tolist()
    values = series.astype(object)
    return values.where(series.notna(), None).tolist()


def _records(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict]:
    """Plain JSON-safe records, built column by column."""
    values = [_plain(frame[col]) for col in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


class EncodedRecords(str):
    """A layer's records written as JSON beforehand. It stands in the layer's ``data`` as a
    marker string ("@@encoded-records:<layer id>") that :meth:`CompactDeck.to_json` replaces
    by the records (written with the same sorted keys and separators as the rest).

    Records given as a frame are written by pandas' JSON encoder, several times faster than
    ``json.dumps`` and the same values for the map's frames: columns of text, lists of integers
    and floats with at most 10 decimals (the plotted coordinates are rounded to 6). Only the
    spelling may differ ("/" written as "\\/", 1e-06 as 0.000001).
    """

    records: str

    def __new__(cls, layer_id: str, records: list[dict] | pd.DataFrame | str) -> Self:
        marker = super().__new__(cls, f"{MARKER}{layer_id}")
        if isinstance(records, str):  # already written
            marker.records = records
        elif isinstance(records, pd.DataFrame):
            keys = sorted(records.columns)
            ordered = records if list(records.columns) == keys else records[keys]
            marker.records = ordered.to_json(orient="records", double_precision=10)
        else:
            marker.records = json.dumps(records, sort_keys=True, separators=(",", ":"))
        return marker


@dataclass(frozen=True)
class MapBase:
    """Everything on the supply map that the referral period and filters do not change:
    ``areas`` (one row per area drawn, in the order given, with fill and tooltip lines but no
    referred people), the areas' spacing (m), the view, the other layers' records written
    as JSON (by layer id) and the areas' records written as JSON around their last tooltip
    line (``area_pieces``: one more piece than areas; empty if they could not be split)."""

    areas: pd.DataFrame
    spacing: float
    view: pdk.ViewState
    encoded: dict[str, EncodedRecords]
    area_pieces: tuple[str, ...] = ()


def map_base(
    areas: pd.DataFrame,
    series: pd.DataFrame,
    ok: pd.Series,
    pcns: pd.DataFrame,
    practices: pd.DataFrame,
) -> MapBase:
    """The map's parts that do not depend on who was referred. ``areas``: in-view rows of
    :func:`analysis.metrics.supply_coverage.area_reach`; ``series`` with its ``ok`` mask
    (suitable for the profile; only those within 5 km of the areas' bounding box are drawn);
    ``pcns``: rows with ``pcn_name`` and ``desert``; ``practices``: in view."""
    names = dict(zip(pcns["pcn_code"], pcns["pcn_name"], strict=True))
    spacing = spacing_m(areas["latitude"].to_numpy(), areas["longitude"].to_numpy())
    around = near(series, areas).to_numpy()  # around the areas in view, not the whole country
    sessions = series if around.all() else series[around]  # a national view draws them all
    suitable, others = session_records(sessions, ok[around], max(spacing / 12, 25))
    p = practices.assign(line2="", line3="", mark="+")
    p["title"] = p["practice_name"].fillna(p["practice_code"]) + " (" + p["practice_code"] + ")"
    p["line1"] = "GP practice · " + p["pcn_code"].map(names).fillna(p["pcn_code"])
    drawn = outlines(areas, pcns, pad_m=0.75 * spacing)
    encoded: dict[str, list[dict] | pd.DataFrame | str] = {
        "pcn-outlines": drawn,
        "other-sessions": others,
        "sessions": suitable,
        "practices": _records(p, ["longitude", "latitude", "mark", *TIP]),
        "pcn-names": drawn if len(drawn) <= MAX_PCN_NAMES else [],  # else too crowded to read
    }
    view = view_of(areas) if len(areas) else pdk.ViewState(latitude=52.5, longitude=-1.5, zoom=6)
    rows = area_rows(areas, names).reset_index(drop=True)
    written = json.dumps(
        _records(rows.assign(line3=UNWRITTEN), ["longitude", "latitude", "fill", *TIP]),
        sort_keys=True,
        separators=(",", ":"),
    )
    pieces = tuple(written.split(json.dumps(UNWRITTEN)))
    return MapBase(
        areas=rows,
        spacing=spacing,
        view=view,
        encoded={k: EncodedRecords(k, v) for k, v in encoded.items()},
        area_pieces=pieces if len(pieces) == len(rows) + 1 else (),
    )


def _area_records(base: MapBase, line3: pd.Series) -> list[dict] | str:
    """The areas' records with their last tooltip line: the base's pieces joined around it
    (the same text as writing the records), or the records when there are no pieces."""
    if not base.area_pieces:
        return _records(base.areas.assign(line3=line3), ["longitude", "latitude", "fill", *TIP])
    written = {text: json.dumps(text) for text in set(line3)}
    parts = [base.area_pieces[0]]
    for text, piece in zip(line3, base.area_pieces[1:], strict=True):
        parts += (written[text], piece)
    return "".join(parts)


def deck_for(base: MapBase, referred_people: pd.Series) -> CompactDeck:
    """The supply map for a view: ``base`` with the referred people of each of its areas (in
    the same order; counts at or below the threshold are shown as "≤7" and get no ring)."""
    people = pd.Series(np.asarray(referred_people, dtype="int64"))
    shown = ~suppressed(people)
    line3 = "Referred people: " + people.map("{:,}".format).where(shown, REDACTED)
    rings = base.areas.loc[shown.to_numpy(), ["longitude", "latitude"]]
    counts = people[shown]
    biggest = max(float(counts.max()) if len(counts) else 1.0, 1.0)
    spacing = base.spacing
    radius = (0.6 * spacing * np.sqrt(counts.to_numpy() / biggest)).round(1)
    rings = rings.assign(radius=np.clip(radius, round(0.2 * spacing, 1), None))
    step = round(spacing / 5, 1)  # session dots grow with zoom, from 3 px
    data = base.encoded
    # fmt: off
    layers = [
        pdk.Layer("PolygonLayer", id="pcn-outlines", data=data["pcn-outlines"],
                  get_polygon="polygon", filled=False, get_line_color="line",
                  get_line_width="width", line_width_units=PIXELS),
        pdk.Layer("ScatterplotLayer", id="areas", data=EncodedRecords("areas",
                  _area_records(base, line3)), get_position=AT, get_fill_color="fill",
                  get_radius=round(0.65 * spacing, 1), radius_min_pixels=3, pickable=True),
        pdk.Layer("ScatterplotLayer", id="referred-people", data=_records(rings, ["longitude",
                  "latitude", "radius"]), get_position=AT, get_radius="radius", filled=False,
                  stroked=True, get_line_color=[0, 0, 0, 230], line_width_min_pixels=1.5),
        pdk.Layer("ScatterplotLayer", id="other-sessions", data=data["other-sessions"],
                  get_position="[plot_lon, plot_lat]", get_fill_color=rgb(UNSUITABLE, 170),
                  get_radius=round(step / 2, 1), radius_min_pixels=1.5, radius_max_pixels=5,
                  pickable=True),
        pdk.Layer("ScatterplotLayer", id="sessions", data=data["sessions"],
                  get_position="[plot_lon, plot_lat]", get_fill_color="fill", get_radius=step,
                  radius_min_pixels=3, radius_max_pixels=9, stroked=True,
                  get_line_color=[20, 20, 20, 255], line_width_min_pixels=1, pickable=True),
        pdk.Layer("TextLayer", id="practices", data=data["practices"], get_position=AT,
                  get_text="mark", get_size=round(spacing, 1), size_units="'meters'",
                  size_min_pixels=14, size_max_pixels=30, get_color=[0, 0, 0],
                  font_weight="'bold'", pickable=True),
        pdk.Layer("TextLayer", id="pcn-names", data=data["pcn-names"], get_position="position",
                  get_text="label", get_size=13, get_color=[20, 20, 20], background=True,
                  get_background_color=[255, 255, 255, 210], font_family=f"'{FONT}'"),
    ]
    # fmt: on
    return CompactDeck(
        layers=layers, initial_view_state=base.view, map_style=None, tooltip=TOOLTIP
    )


def supply_deck(
    areas: pd.DataFrame,
    series: pd.DataFrame,
    ok: pd.Series,
    pcns: pd.DataFrame,
    practices: pd.DataFrame,
) -> CompactDeck:
    """The supply map in one call: ``areas`` are in-view rows of
    :func:`analysis.metrics.supply_coverage.area_coverage` (with ``referred_people``); the rest
    as for :func:`map_base`."""
    base = map_base(areas, series, ok, pcns, practices)
    return deck_for(base, areas["referred_people"])


class CompactDeck(pdk.Deck):
    """A pydeck ``Deck`` whose JSON is written without indentation, with the records of layers
    whose data are :class:`EncodedRecords` put in place.

    The content is pydeck's own (same keys, sorted, same values); pydeck indents it, which makes
    Python fall back to its slow pure-Python encoder and the payload a third larger. Streamlit
    sends this JSON to the browser on every run, so a london-scale map costs a few MB less;
    records shared by many runs are encoded once.
    """

    def to_json(self) -> str:
        text = json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))
        written = {
            str(layer.data)[len(MARKER) :]: layer.data.records
            for layer in self.layers
            if isinstance(layer.data, EncodedRecords)
        }
        return MARKERS.sub(lambda found: written[found[1]], text) if written else text
