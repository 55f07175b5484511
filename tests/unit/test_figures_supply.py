"""Supply & gaps figures: the deck JSON (layers, rows, colours, tooltips, no token, no NaN), the
coverage chart and the legend, built from the small frames of the metrics tests."""

from __future__ import annotations

import dataclasses
import json
import math

import pandas as pd
import pytest

from analysis.access import DEFAULT_PROFILE
from analysis.figures import supply as f
from analysis.figures import supply_map, supply_map_rows
from analysis.metrics import supply as m
from tests.unit.test_metrics_supply import LAT, LON, small_data


def built(
    referred: list[int] | None = None,
) -> tuple[m.SupplyData, pd.Series, pd.DataFrame, pd.DataFrame]:
    data = small_data()
    ok = m.matching_series(data, DEFAULT_PROFILE, m.SessionTimes())
    areas = m.area_coverage(data, ok)
    if referred is not None:
        areas["referred_people"] = referred
    practices = pd.DataFrame(
        {
            "practice_code": ["A00001"],
            "practice_name": ["Surgery"],
            "pcn_code": ["P1"],
            "latitude": [LAT],
            "longitude": [LON],
        }
    )
    data = m.SupplyData(
        data.series,
        data.occurrences,
        data.areas,
        data.referred,
        data.pcns,
        practices,
        data.places,
        data.weeks,
    )
    return data, ok, areas, m.pcn_coverage(data, areas, ok)


def deck_json(referred: list[int] | None = None) -> dict:
    data, ok, areas, pcns = built(referred)
    deck = f.supply_deck(areas, data.series, ok, pcns, data.practices)

    def no_nan(token: str) -> float:
        raise AssertionError(f"{token} in the deck JSON")

    spec = json.loads(deck.to_json(), parse_constant=no_nan)
    spec["tooltip"] = deck._tooltip
    return spec


def layers(spec: dict) -> dict[str, dict]:
    return {layer["id"]: layer for layer in spec["layers"]}


def test_deck_layers_rows_and_basemap() -> None:
    spec = deck_json(referred=[20, 3, 9, 0])
    by_id = layers(spec)
    assert [(lay["@@type"], lay["id"]) for lay in spec["layers"]] == [
        ("PolygonLayer", "pcn-outlines"),
        ("ScatterplotLayer", "areas"),
        ("ScatterplotLayer", "referred-people"),
        ("ScatterplotLayer", "other-sessions"),
        ("ScatterplotLayer", "sessions"),
        ("TextLayer", "practices"),
        ("TextLayer", "pcn-names"),
    ]
    assert len(by_id["areas"]["data"]) == 4
    assert len(by_id["referred-people"]["data"]) == 2  # only areas with more than 7 people
    assert len(by_id["sessions"]["data"]) == 2 and len(by_id["other-sessions"]["data"]) == 1
    assert len(by_id["practices"]["data"]) == 1 and len(by_id["pcn-outlines"]["data"]) == 2
    assert spec["mapProvider"] == "carto" and "mapStyle" not in spec  # Carto, no token
    assert "mapbox" not in json.dumps(spec).lower()
    view = spec["initialViewState"]
    assert LAT < view["latitude"] < LAT + 0.06 and 10 < view["zoom"] < 18


def test_areas_coloured_by_distance_and_counts_redacted_in_tooltips() -> None:
    spec = deck_json(referred=[20, 3, 9, 0])
    areas = layers(spec)["areas"]["data"]
    assert areas[0]["fill"][:3] == f.rgb(f.distance_band(0.0)[1])[:3]
    assert areas[2]["fill"][:3] == f.rgb(f.DISTANCE_BANDS[-1][2])[:3]  # over 3 km
    assert [a["line3"] for a in areas] == [
        "Referred people: 20",
        "Referred people: ≤7",
        "Referred people: 9",
        "Referred people: ≤7",
    ]
    for layer in ("areas", "sessions", "other-sessions", "practices"):
        for row in layers(spec)[layer]["data"]:
            assert {"title", "line1", "line2", "line3"} <= set(row), layer
    assert "{title}" in spec["tooltip"]["html"]


def test_sessions_coloured_by_activity_and_fanned_out_at_a_shared_place() -> None:
    data, ok, areas, pcns = built()
    series = data.series.assign(place_key="same", latitude=LAT, longitude=LON)
    deck = f.supply_deck(areas, series, ok, pcns, data.practices)
    spec = json.loads(deck.to_json())
    sessions = layers(spec)["sessions"]["data"]
    assert sessions[0]["fill"] == f.rgb(f.OKABE_ITO[0])
    assert sessions[0]["line3"] == "Source: Pub" and "free" in sessions[0]["line1"]
    spots = {(s["plot_lon"], s["plot_lat"]) for s in sessions}
    assert len(spots) == 2  # one place, two visible points


def test_desert_pcn_outlined_and_named() -> None:
    outlines = layers(deck_json())["pcn-outlines"]["data"]
    by_code = {o["pcn_code"]: o for o in outlines}
    assert by_code["P2"]["line"][:3] == f.rgb(f.DESERT_OUTLINE)[:3]
    assert by_code["P2"]["label"].endswith("(under 40%)")
    assert by_code["P1"]["width"] < by_code["P2"]["width"]


def test_activity_colours_okabe_ito_then_black() -> None:
    groups = [f"g{i}" for i in range(9) for _ in range(9 - i)]
    colours = f.activity_colours(groups)
    assert list(colours)[:2] == ["g0", "g1"]
    assert [colours[f"g{i}"] for i in range(7)] == list(f.OKABE_ITO)
    assert colours["g7"] == colours["g8"] == "#000000"


@pytest.mark.parametrize(
    ("km", "label"),
    [
        (0.0, "under 0.5 km"),
        (0.5, "under 0.5 km"),
        (0.9, "0.5 to 1 km"),
        (2.5, "2 to 3 km"),
        (7.0, "over 3 km or none"),
        (math.nan, "over 3 km or none"),
    ],
)
def test_distance_bands(km: float, label: str) -> None:
    assert f.distance_band(km)[0] == label


def test_coverage_figure_marks_deserts_and_hides_redacted_shares() -> None:
    _, _, _, pcns = built()
    rows = m.pcn_table(pcns)
    fig = f.coverage_figure(rows).to_dict()
    bars, diamonds = fig["data"]
    assert list(bars["y"]) == ["One", "Two"]  # best covered first (drawn at the bottom)
    colours = dict(zip(bars["y"], bars["marker"]["color"], strict=True))
    assert colours["Two"] == f.DESERT_OUTLINE and colours["One"] == "#0072B2"
    assert list(diamonds["x"]) == [None, None]  # referred counts ≤ 7 are not shown
    assert fig["layout"]["shapes"][0]["x0"] == 40
    assert f.coverage_figure(rows.iloc[0:0]).to_dict()["layout"]["annotations"]


def test_coverage_legend_is_clear_of_the_desert_label() -> None:
    _, _, _, pcns = built()
    layout = f.coverage_figure(m.pcn_table(pcns)).to_dict()["layout"]
    (label,) = layout["annotations"]
    assert label["text"] == "40%: desert below"
    # the label stands on top of the plot, ending at the line; the legend is under the chart
    assert (label["yref"], label["y"], label["yanchor"]) == ("y domain", 1, "bottom")
    assert label["xanchor"] == "right" and label["x"] == 40
    legend = layout["legend"]
    assert (legend["yref"], legend["y"], legend["yanchor"]) == ("container", 0, "bottom")
    assert layout["margin"]["b"] >= 40


def test_legend_and_attribution() -> None:
    html = f.map_legend_html({"Walking": f.OKABE_ITO[0], "Other": "#000000"})
    assert "Walking" in html and "over 3 km or none" in html and "GP practice" in html
    assert "Other activities" in html and "over 7" in html
    found = pd.DataFrame(
        {
            "source": ["Source: Pub", "Source: Pub", "Source: Other"],
            "dataset_url": ["https://a.invalid/", "https://a.invalid/", None],
        }
    )
    text = f.attribution_markdown(found)
    assert text.startswith("Session data: [Source: Pub](https://a.invalid/); Source: Other")
    assert "CC BY 4.0" in text


def test_highlight_deserts_shades_only_desert_rows() -> None:
    _, _, _, pcns = built()
    styler = f.highlight_deserts(m.pcn_table(pcns))
    styler._compute()
    shaded = {row for (row, _), css in styler.ctx.items() if css}
    assert shaded == {1}  # P2, the desert


def test_only_sessions_near_the_areas_in_view_are_drawn() -> None:
    data, ok, areas, pcns = built()
    far = data.series.assign(latitude=data.series["latitude"] + 1.0)  # about 111 km north
    series = pd.concat([data.series, far.assign(series_id=far["series_id"] + "-far")])
    mask = pd.concat([ok, ok])
    spec = json.loads(f.supply_deck(areas, series, mask, pcns, data.practices).to_json())
    assert len(layers(spec)["sessions"]["data"]) == ok.sum()
    assert len(layers(spec)["other-sessions"]["data"]) == (~ok).sum()


def test_pcn_names_left_off_a_crowded_map(monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(layers(deck_json())["pcn-names"]["data"]) == 2
    monkeypatch.setattr(supply_map, "MAX_PCN_NAMES", 1)
    assert layers(deck_json())["pcn-names"]["data"] == []


def test_records_encoded_from_a_frame_are_the_values_json_writes() -> None:
    frame = pd.DataFrame(
        {
            "plot_lon": [-0.123456, 51.5, -1.180955],
            "plot_lat": [52.679227, float("nan"), 0.000001],
            "fill": [[230, 159, 0, 255], [0, 0, 0, 255], [86, 180, 233, 255]],
            "title": ["Café · £2.50 – “quoted” \\ slash/", "tab\there", "🏊 pool"],
        }
    )
    records = supply_map._records(frame, list(frame.columns))
    from_frame = supply_map.EncodedRecords("x", frame).records
    written = json.dumps(records, sort_keys=True, separators=(",", ":"))
    assert json.loads(from_frame) == json.loads(written)  # the same values, in the same order
    assert list(json.loads(from_frame)[0]) == sorted(frame.columns)
    assert json.loads(from_frame)[1]["plot_lat"] is None


def test_area_records_joined_around_the_referred_line_are_the_records_written() -> None:
    data, ok, areas, pcns = built([20, 3, 9, 0])
    base = supply_map.map_base(areas, data.series, ok, pcns, data.practices)
    assert len(base.area_pieces) == len(areas) + 1
    unsplit = dataclasses.replace(base, area_pieces=())
    for people in ([20, 3, 9, 0], [0, 0, 0, 0], [1200, 8, 7, 31]):
        joined = supply_map.deck_for(base, pd.Series(people)).to_json()
        assert joined == supply_map.deck_for(unsplit, pd.Series(people)).to_json()
        lines = [a["line3"] for a in layers(json.loads(joined))["areas"]["data"]]
        expected = [f"Referred people: {n:,}" if n > 7 else "Referred people: ≤7" for n in people]
        assert lines == expected


def test_band_fills_and_distinct_labels_match_one_value_at_a_time() -> None:
    km = pd.Series([0.0, 0.5, 0.500001, 1.0, 2.5, 3.0, 3.1, math.nan, math.inf])
    assert supply_map_rows._band_fills(km, 190) == [f.rgb(f.distance_band(k)[1], 190) for k in km]
    scores = pd.Series([0.125, None, 0.5, 0.125, 1.0, math.nan])
    labels = supply_map_rows._each_distinct(scores, supply_map_rows._pct)
    assert labels.tolist() == [supply_map_rows._pct(s) for s in scores]
    assert labels[1] == labels[5] == "not known"
