"""Figures for the Supply & gaps page: the supply map (a pydeck Deck) and the PCN coverage chart.

The map works without a token or network: it uses Carto's basemap (``map_style=None`` lets
Streamlit match its theme) and stays readable without tiles, because PCN outlines and names are
drawn as layers. Layers, bottom to top: PCN outlines, areas shaded by distance to the nearest
suitable session (a light-to-dark sequential scale, safe for colour-vision deficiencies), rings
for where referred people live (areas above the suppression threshold only), other live
sessions (grey), suitable sessions coloured by activity group (Okabe-Ito), GP practices, PCN
names. Series at the same place are fanned out on a small spiral so each one can be seen.
Data are passed as plain lists of records, so the deck JSON is readable and NaN-free.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
from pandas.io.formats.style import Styler
from pydeck.bindings.json_tools import default_serialize
from scipy.spatial import ConvexHull, cKDTree

from analysis.access import ACCESS_KM, EARTH_RADIUS_KM, unit_vectors
from analysis.metrics.supply import DESERT_SHARE, REDACTED, suppressed

# fmt: off
__all__ = [
    "AREA_TABLE", "DISTANCE_BANDS", "FINDER_TABLE", "OKABE_ITO", "PCN_TABLE", "CompactDeck",
    "activity_colours", "attribution_markdown", "coverage_figure", "distance_band",
    "highlight_deserts", "map_legend_html", "supply_deck",
]
# fmt: on

OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
OTHER_COLOUR = "#000000"  # the eighth Okabe-Ito colour
DISTANCE_BANDS = (  # upper bound (km), label, colour: light = near, dark = far
    (0.5, "under 0.5 km", "#BFD3E6"),
    (1.0, "0.5 to 1 km", "#9EBCDA"),
    (2.0, "1 to 2 km", "#8C96C6"),
    (3.0, "2 to 3 km", "#8856A7"),
    (math.inf, "over 3 km or none", "#810F7C"),
)
UNSUITABLE = "#A0A0A0"  # live sessions that do not suit the profile
OUTLINE, DESERT_OUTLINE = "#444444", "#D55E00"
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
FONT = "Source Sans Pro, Arial, sans-serif"
MAX_PCN_NAMES = 12  # PCN names are drawn on the map up to this many PCNs; tooltips always name
PRACTICE_KEY = (
    '<div style="display:flex;align-items:center;gap:6px;margin:2px 0"><span style="width:14px;'
    'text-align:center;font-weight:900;font-size:1.2rem;line-height:14px">+</span>'
    "<span>GP practice</span></div>"
)


def _rgb(hex_colour: str, alpha: int = 255) -> list[int]:
    return [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)] + [alpha]


def activity_colours(groups: Sequence[str]) -> dict[str, str]:
    """Okabe-Ito colours for the seven most common groups (``groups`` in any order, repeats
    counted); every other group is black ("Other activities")."""
    counts = pd.Series(list(groups), dtype=object).fillna("Other activities").value_counts()
    ranked = sorted(counts.index, key=lambda g: (-counts[g], g))
    return {g: OKABE_ITO[i] if i < len(OKABE_ITO) else OTHER_COLOUR for i, g in enumerate(ranked)}


def distance_band(km: float) -> tuple[str, str]:
    """The band label and colour for an access distance (NaN = no suitable session)."""
    for upper, label, colour in DISTANCE_BANDS:
        if not pd.isna(km) and km <= upper:
            return label, colour
    return DISTANCE_BANDS[-1][1], DISTANCE_BANDS[-1][2]


def _spacing_m(lat: np.ndarray, lon: np.ndarray) -> float:
    """Median distance (m) from each area centroid to its nearest neighbour."""
    if len(lat) < 2:
        return 800.0
    chord, _ = cKDTree(unit_vectors(lat, lon)).query(unit_vectors(lat, lon), k=2)
    return float(np.median(2 * EARTH_RADIUS_KM * np.arcsin(chord[:, 1] / 2)) * 1000) or 800.0


def _fan_out(frame: pd.DataFrame, step_m: float) -> pd.DataFrame:
    """Spread series sharing a place on a sunflower spiral (``step_m`` metres apart)."""
    out = frame.copy()
    key = out["place_key"].fillna(out["latitude"].astype(str) + out["longitude"].astype(str))
    k = out.groupby(key).cumcount().to_numpy(dtype=float)
    radius, angle = step_m * np.sqrt(k), k * math.radians(137.508)
    out["plot_lat"] = out["latitude"] + radius * np.cos(angle) / 111_320
    out["plot_lon"] = out["longitude"] + radius * np.sin(angle) / (
        111_320 * np.cos(np.radians(out["latitude"]))
    )
    return out


def _records(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict]:
    """Plain JSON-safe records (NaN → None, numpy scalars → Python), built column by column."""
    values = []
    for col in columns:
        series = frame[col]
        plain = series.tolist()  # Python scalars; objects (lists, strings) as they are
        if series.dtype == object or series.isna().any():
            missing = series.isna().tolist()
            plain = [
                None if gone else (v.item() if hasattr(v, "item") else v)
                for v, gone in zip(plain, missing, strict=True)
            ]
        values.append(plain)
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _pct(x: float) -> str:
    return "not known" if pd.isna(x) else f"{x:.0%}"


def _view(areas: pd.DataFrame) -> pdk.ViewState:
    lat, lon = areas["latitude"], areas["longitude"]
    mid = float((lat.min() + lat.max()) / 2)
    lon_span = max(float(lon.max() - lon.min()), 0.01)
    lat_span = max(float(lat.max() - lat.min()), 0.01) / math.cos(math.radians(mid))
    # deck.gl zoom z shows the world 512 × 2^z pixels wide; fit the areas in about 880 × 560 px
    zoom = min(math.log2(880 * 360 / (512 * lon_span)), math.log2(560 * 360 / (512 * lat_span)))
    return pdk.ViewState(
        latitude=mid,
        longitude=float((lon.min() + lon.max()) / 2),
        zoom=round(zoom - 0.25, 2),
        pitch=0,
        bearing=0,
    )


def _outlines(areas: pd.DataFrame, pcns: pd.DataFrame, pad_m: float) -> list[dict]:
    """Each PCN's convex hull around its area centroids, pushed out by ``pad_m`` metres."""
    rows = []
    coords = areas[["longitude", "latitude"]].to_numpy()
    held = areas.groupby("pcn_code", observed=True).indices  # PCN → positions of its areas
    for pcn in pcns.itertuples():
        if pcn.pcn_code not in held:
            continue
        pts = coords[held[pcn.pcn_code]]
        centre = pts.mean(axis=0)
        ring = pts[ConvexHull(pts).vertices] if len(pts) >= 3 else pts
        scale = np.array([111_320 * math.cos(math.radians(centre[1])), 111_320])
        offset = (ring - centre) * scale
        norm = np.linalg.norm(offset, axis=1, keepdims=True)
        if len(ring) < 3:  # a small square around one or two areas
            ring = centre + np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * pad_m / scale
        else:
            ring = centre + offset * (1 + pad_m / np.maximum(norm, 1)) / scale
        desert = bool(pcn.desert)
        rows.append(
            {
                "polygon": ring.round(6).tolist(),
                "pcn_code": pcn.pcn_code,
                "label": f"{pcn.pcn_name}{' (under 40%)' if desert else ''}",
                "position": [round(float(centre[0]), 6), round(float(centre[1]), 6)],
                "line": _rgb(DESERT_OUTLINE if desert else OUTLINE),
                "width": 3 if desert else 1.5,
            }
        )
    return rows


def _near(series: pd.DataFrame, areas: pd.DataFrame, pad_km: float = 5.0) -> pd.Series:
    """True for series inside the areas' bounding box widened by ``pad_km``."""
    if areas.empty:
        return pd.Series(False, index=series.index)
    pad_lat = pad_km / 111.2
    pad_lon = pad_lat / math.cos(math.radians(float(areas["latitude"].mean())))
    lat, lon = areas["latitude"], areas["longitude"]
    return series["latitude"].between(lat.min() - pad_lat, lat.max() + pad_lat) & series[
        "longitude"
    ].between(lon.min() - pad_lon, lon.max() + pad_lon)


def _area_rows(areas: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Areas with a fill colour for their distance band and tooltip lines (counts redacted)."""
    a = areas.copy()
    a["fill"] = [_rgb(distance_band(km)[1], 190) for km in a["nearest_km"]]
    a["title"] = a["lsoa_name"].fillna(a["lsoa_code"]) + " (" + a["lsoa_code"] + ")"
    pcn = a["pcn_code"].map(names).fillna(a["pcn_code"])
    a["line1"] = pcn + " · population " + a["population"].map("{:,}".format)
    a["line1"] += " · IMD decile " + a["imd_decile"].astype(str)
    a["line2"] = [
        "No suitable session held"
        if pd.isna(km)
        else f"Nearest suitable session: {km:.1f} km ({n})"
        for km, n in zip(a["nearest_km"], a["nearest_name"], strict=True)
    ]
    shown = ~suppressed(a["referred_people"])
    a["line3"] = "Referred people: " + a["referred_people"].map("{:,}".format).where(
        shown, REDACTED
    )
    return a.assign(shown=shown)


def _session_rows(series: pd.DataFrame, ok: pd.Series, step_m: float) -> pd.DataFrame:
    """Series fanned out around their place, coloured by activity group, with tooltip lines."""
    s = _fan_out(series.assign(ok=ok.to_numpy()), step_m)
    colours = activity_colours(s.loc[s["ok"], "activity_group"].tolist())
    group = s["activity_group"].fillna("Other activities")
    s["fill"] = [_rgb(colours.get(g, OTHER_COLOUR)) for g in group]
    free = s["is_free"].astype("boolean").fillna(False).to_numpy()
    price = s["price_min"].map(lambda p: "price not given" if pd.isna(p) else f"£{p:.2f}")
    s["title"] = s["name"].fillna("(unnamed session)")
    s["line1"] = s["activity_group"].fillna("Activity not classified") + " · "
    s["line1"] += (
        np.where(free, "free", price) + " · SP-readiness " + s["sp_ready_score"].map(_pct)
    )
    s["line2"] = s["place_name"].fillna("") + ", " + s["postcode"].fillna("postcode not given")
    s["line3"] = "Source: " + s["publisher_name"].fillna("publisher not named")
    return s.round({"plot_lon": 6, "plot_lat": 6})


def supply_deck(
    areas: pd.DataFrame,
    series: pd.DataFrame,
    ok: pd.Series,
    pcns: pd.DataFrame,
    practices: pd.DataFrame,
) -> pdk.Deck:
    """The supply map. ``areas``: in-view rows of :func:`analysis.metrics.supply.area_coverage`;
    ``series`` with its ``ok`` mask (suitable for the profile; only those within 5 km of the
    areas' bounding box are drawn); ``pcns``: rows of
    :func:`~analysis.metrics.supply.pcn_coverage` (name, desert); ``practices``: in view."""
    names = dict(zip(pcns["pcn_code"], pcns["pcn_name"], strict=True))
    spacing = _spacing_m(areas["latitude"].to_numpy(), areas["longitude"].to_numpy())
    near = _near(series, areas)  # sessions around the areas in view, not the whole country
    a, s = _area_rows(areas, names), _session_rows(series[near], ok[near], max(spacing / 12, 25))
    rings = a[a["shown"]].copy()
    biggest = max(float(rings["referred_people"].max()) if len(rings) else 1.0, 1.0)
    rings["radius"] = (0.6 * spacing * np.sqrt(rings["referred_people"] / biggest)).round(1)
    rings["radius"] = rings["radius"].clip(lower=round(0.2 * spacing, 1))
    p = practices.assign(line2="", line3="", mark="+")
    p["title"] = p["practice_name"].fillna(p["practice_code"]) + " (" + p["practice_code"] + ")"
    p["line1"] = "GP practice · " + p["pcn_code"].map(names).fillna(p["pcn_code"])
    outlines = _outlines(areas, pcns, pad_m=0.75 * spacing)
    tip, at, dot = ["title", "line1", "line2", "line3"], "[longitude, latitude]", "'pixels'"
    # fmt: off
    named = outlines if len(outlines) <= MAX_PCN_NAMES else []  # else too crowded to read
    step = round(spacing / 5, 1)  # session dots grow with zoom, from 3 px
    layers = [
        pdk.Layer("PolygonLayer", id="pcn-outlines", data=outlines, get_polygon="polygon",
                  filled=False, get_line_color="line", get_line_width="width",
                  line_width_units=dot),
        pdk.Layer("ScatterplotLayer", id="areas", data=_records(a, ["longitude", "latitude",
                  "fill", *tip]), get_position=at, get_fill_color="fill",
                  get_radius=round(0.65 * spacing, 1), radius_min_pixels=3, pickable=True),
        pdk.Layer("ScatterplotLayer", id="referred-people", data=_records(rings, ["longitude",
                  "latitude", "radius"]), get_position=at, get_radius="radius", filled=False,
                  stroked=True, get_line_color=[0, 0, 0, 230], line_width_min_pixels=1.5),
        pdk.Layer("ScatterplotLayer", id="other-sessions", data=_records(s[~s["ok"]], [
                  "plot_lon", "plot_lat", *tip]), get_position="[plot_lon, plot_lat]",
                  get_fill_color=_rgb(UNSUITABLE, 170), get_radius=round(step / 2, 1),
                  radius_min_pixels=1.5, radius_max_pixels=5, pickable=True),
        pdk.Layer("ScatterplotLayer", id="sessions", data=_records(s[s["ok"]], ["plot_lon",
                  "plot_lat", "fill", *tip]), get_position="[plot_lon, plot_lat]",
                  get_fill_color="fill", get_radius=step, radius_min_pixels=3,
                  radius_max_pixels=9, stroked=True, get_line_color=[20, 20, 20, 255],
                  line_width_min_pixels=1, pickable=True),
        pdk.Layer("TextLayer", id="practices", data=_records(p, ["longitude", "latitude",
                  "mark", *tip]), get_position=at, get_text="mark", get_size=round(spacing, 1),
                  size_units="'meters'", size_min_pixels=14, size_max_pixels=30,
                  get_color=[0, 0, 0], font_weight="'bold'", pickable=True),
        pdk.Layer("TextLayer", id="pcn-names", data=named, get_position="position",
                  get_text="label", get_size=13, get_color=[20, 20, 20], background=True,
                  get_background_color=[255, 255, 255, 210], font_family=f"'{FONT}'"),
    ]
    # fmt: on
    view = _view(areas) if len(areas) else pdk.ViewState(latitude=52.5, longitude=-1.5, zoom=6)
    return CompactDeck(layers=layers, initial_view_state=view, map_style=None, tooltip=TOOLTIP)


class CompactDeck(pdk.Deck):
    """A pydeck ``Deck`` whose JSON is written without indentation.

    The content is pydeck's own (same keys, sorted, same values); pydeck indents it, which makes
    Python fall back to its slow pure-Python encoder and the payload a third larger. Streamlit
    sends this JSON to the browser on every run, so a london-scale map costs a few MB less.
    """

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


# Table views: column → (heading, number format or "link:<text>"; None for plain text). The
# page turns these into Streamlit column configs; the exporter uses them as CSV/XLSX headings.
# fmt: off
PCN_TABLE = {
    "pcn_name": ("PCN", None), "arm": ("Arm", None), "population": ("Population", "localized"),
    "share_within_1km": ("% of people within 1 km", "percent"),
    "referred_located": ("Referred people (home known)", None),
    "referred_share_within_1km": ("% of referred people within 1 km", "percent"),
    "suitable_weekly_per_1000": ("Suitable sessions a week per 1,000", "%.2f"),
    "weekly_occurrences_per_1000": ("All sessions a week per 1,000", "%.2f"),
    "suitable_series": ("Suitable series", None), "live_series": ("Live series", None),
    "free_series": ("Free series", None), "gap": ("Supply gap", None),
}
AREA_TABLE = {
    "lsoa_code": ("Area", None), "lsoa_name": ("Name", None), "pcn_code": ("PCN", None),
    "population": ("Population", "localized"), "imd_decile": ("IMD decile", None),
    "nearest_km": ("Km to nearest", "%.2f"), "nearest_name": ("Nearest suitable session", None),
    "referred": ("Referred people", None),
}
FINDER_TABLE = {
    "distance_km": ("Km", "%.2f"), "name": ("Session", None), "activity_group": ("Activity", None),
    "next_sessions": ("Next sessions", None), "usually": ("Usually", None),
    "price": ("Price", None), "sp_ready_score": ("SP-readiness", "percent"),
    "postcode": ("Postcode", None), "source": ("Source", None),
    "dataset_url": ("Dataset site", "link:dataset site"), "url": ("Details", "link:open"),
}
# fmt: on


def highlight_deserts(table: pd.DataFrame) -> Styler:
    """The PCN table with desert rows shaded (the "Supply gap" column says so in words too)."""
    shade = ["background-color: #FBE3D6"] * len(table.columns)
    return table.style.apply(lambda r: shade if r["desert"] else [""] * len(r), axis=1)


def attribution_markdown(sessions: pd.DataFrame) -> str:
    """ "Source: publisher" links to each dataset site, as CC BY 4.0 requires."""
    rows = sessions.drop_duplicates("source")
    links = [
        f"[{source}]({url})" if isinstance(url, str) and url else source
        for source, url in zip(rows["source"], rows["dataset_url"], strict=True)
    ]
    return "Session data: " + "; ".join(links) + " (open data, CC BY 4.0)."


def map_legend_html(colours: dict[str, str]) -> str:
    """The map's legend as HTML: distance bands, activity colours, rings, practices, outlines."""

    def swatch(colour: str, label: str, shape: str = "square", border: str = "none") -> str:
        radius = "50%" if shape == "dot" else "2px"
        return (
            f'<div style="display:flex;align-items:center;gap:6px;margin:2px 0">'
            f'<span style="display:inline-block;width:14px;height:14px;flex:none;'
            f'background:{colour};border:{border};border-radius:{radius}"></span>'
            f"<span>{label}</span></div>"
        )

    parts = [
        '<div style="font-size:0.85rem;line-height:1.3">',
        "<b>Areas: distance to the nearest suitable session</b>",
    ]
    parts += [swatch(c, label) for _, label, c in DISTANCE_BANDS]
    parts.append('<b style="display:block;margin-top:6px">Suitable sessions</b>')
    parts += [
        swatch(c, g, "dot", "1px solid #111") for g, c in colours.items() if c != OTHER_COLOUR
    ]
    if OTHER_COLOUR in colours.values():
        parts.append(swatch(OTHER_COLOUR, "Other activities", "dot", "1px solid #111"))
    ring, desert = "1.5px solid #000", f"3px solid {DESERT_OUTLINE}"
    parts += [
        '<b style="display:block;margin-top:6px">Also shown</b>',
        swatch(UNSUITABLE, "Other live sessions (not suitable)", "dot"),
        swatch(
            "none", f"Where referred people live (ring size; over {REDACTED[1:]})", "dot", ring
        ),
        PRACTICE_KEY,
        swatch("none", "PCN outline", "square", f"1.5px solid {OUTLINE}"),
        swatch("none", f"PCN under {DESERT_SHARE:.0%} within {ACCESS_KM:g} km", "square", desert),
        "</div>",
    ]
    return "".join(parts)


def coverage_figure(table: pd.DataFrame) -> go.Figure:
    """Per PCN: the share of its population (bars) and of its referred people (diamonds) within
    1 km of a suitable session, with the 40% desert line; deserts are drawn in vermillion."""
    fig = go.Figure()
    fig.update_layout(
        title={"text": f"People within {ACCESS_KM:g} km of a suitable session", "x": 0},
        template="plotly_white",
        font={"family": FONT, "size": 14},
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
        hoverlabel={"namelength": -1},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        xaxis={"title": {"text": "Share within 1 km (%)"}, "range": [0, 105], "ticksuffix": "%"},
    )
    if table.empty:
        fig.add_annotation(
            text="No PCNs in view", x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False
        )
        return fig
    rows = table.sort_values(["share_within_1km", "pcn_name"], ascending=[False, True])
    share = (rows["share_within_1km"] * 100).round(2)
    fig.add_trace(
        go.Bar(
            name="Population",
            orientation="h",
            y=rows["pcn_name"].tolist(),
            x=share.fillna(0).tolist(),
            text=[f"{v:.0f}%" for v in share.fillna(0)],
            textposition="auto",
            insidetextanchor="start",
            insidetextfont={"color": "#FFFFFF"},
            outsidetextfont={"color": "#111111"},
            marker={"color": [DESERT_OUTLINE if d else "#0072B2" for d in rows["desert"]]},
            hovertemplate="%{y}: %{x:.1f}% of the population<extra></extra>",
        )
    )
    referred = (rows["referred_share_within_1km"] * 100).round(2)
    fig.add_trace(
        go.Scatter(
            name="Referred people",
            mode="markers",
            y=rows["pcn_name"].tolist(),
            x=[None if pd.isna(v) else v for v in referred],
            marker={"symbol": "diamond", "size": 11, "color": "#000000"},
            hovertemplate="%{y}: %{x:.1f}% of referred people<extra></extra>",
        )
    )
    fig.add_vline(
        x=DESERT_SHARE * 100,
        line={"color": "#333333", "dash": "dash", "width": 1.5},
        annotation_text=f"{DESERT_SHARE:.0%}: desert below",
        annotation_position="top",
    )
    fig.update_layout(height=max(320, 60 + 40 * len(rows)), bargap=0.3)
    fig.update_yaxes(range=[-0.6, len(rows) - 0.4])  # no padding for the diamonds
    return fig
