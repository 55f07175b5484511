"""Ground truth written to ``truth/`` for tests (the product never reads it).

series.csv (live series), occurrences.csv (live ScheduledSession items), deleted.csv (every
deleted feed item), bad_rows.csv (every deliberately faulty input row), pcn_access.csv
(population within 1 km of a free session, per PCN), journeys.csv (per referral: the
covariates and draws of the planted models) and planted_effects.json (see ``effects``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.demo.access import pcn_population_within
from analysis.demo.concepts import ACTIVITIES
from analysis.demo.geography import Geography
from analysis.demo.opportunities import series_name
from analysis.demo.referrals import Referrals
from analysis.demo.supply import Occurrences, Series
from analysis.demo.venues import Venues
from analysis.demo.writer import CsvTable, FaultRow, fmt_coord

BOOL = np.asarray(["false", "true"], dtype=object)
CHUNK = 50_000


def _bool(values: np.ndarray) -> np.ndarray:
    return BOOL[np.asarray(values, dtype=np.int64)]


def write_series(path: Path, geo: Geography, series: Series, venues: Venues) -> int:
    live = np.flatnonzero(series.live)
    act = [ACTIVITIES[a] for a in series.activity[live]]
    org = venues.organisers
    cols = [
        series.at_id[live],
        series.identifier[live],
        np.asarray([series_name(series, venues, i) for i in live], dtype=object),
        np.asarray([a.concept_id for a in act], dtype=object),
        np.asarray([a.label for a in act], dtype=object),
        fmt_coord(series.lat[live]),
        fmt_coord(series.lon[live]),
        _bool(~series.no_geo[live]),
        venues.postcode[series.venue[live]],
        _bool(series.is_free[live]),
        np.char.mod("%.2f", series.price[live]).astype(object),
        geo.pcn_code[series.pcn[live]],
        np.asarray([org.name[o] for o in venues.organiser[series.venue[live]]], dtype=object),
        _bool(series.updated_later[live]),
        _bool(series.price_string[live]),
    ]
    header = (
        "series_id",
        "rpde_id",
        "name",
        "activity_id",
        "activity_label",
        "latitude",
        "longitude",
        "has_geo",
        "postcode",
        "is_free",
        "price",
        "pcn_code",
        "organiser",
        "updated_later",
        "price_as_string",
    )
    with CsvTable(path, header) as table:
        table.write_columns(cols)
        return table.rows


def write_occurrences(path: Path, series: Series, occ: Occurrences) -> int:
    header = (
        "occurrence_id",
        "rpde_id",
        "series_id",
        "start_utc",
        "end_utc",
        "cancelled",
        "orphan",
        "updated_later",
    )
    live = np.flatnonzero(~occ.deleted)
    with CsvTable(path, header) as table:
        for a in range(0, len(live), CHUNK):
            j = live[a : a + CHUNK]
            s = occ.series[j]
            start = occ.start_utc[j]
            end = start + series.minutes[s].astype("timedelta64[m]")
            table.write_columns(
                [
                    np.asarray(
                        [
                            f"{series.at_id[i]}/sessions/{q}"
                            for i, q in zip(s, occ.seq[j], strict=True)
                        ],
                        dtype=object,
                    ),
                    np.asarray([f"{x:020d}" for x in occ.rpde_id[j]], dtype=object),
                    series.at_id[s],
                    np.char.add(np.datetime_as_string(start, unit="s"), "Z"),
                    np.char.add(np.datetime_as_string(end, unit="s"), "Z"),
                    _bool(occ.cancelled[j]),
                    _bool(series.deleted[s]),
                    _bool(occ.updated_later[j]),
                ]
            )
        return table.rows


def write_deleted(path: Path, series: Series, occ: Occurrences) -> int:
    with CsvTable(path, ("feed", "kind", "rpde_id", "data_id")) as table:
        gone = np.flatnonzero(series.deleted)
        n = len(gone)
        table.write_columns(
            [
                np.full(n, "session-series", dtype=object),
                np.full(n, "SessionSeries", dtype=object),
                series.identifier[gone],
                series.at_id[gone],
            ]
        )
        j = np.flatnonzero(occ.deleted)
        table.write_columns(
            [
                np.full(len(j), "scheduled-sessions", dtype=object),
                np.full(len(j), "ScheduledSession", dtype=object),
                np.asarray([f"{x:020d}" for x in occ.rpde_id[j]], dtype=object),
                np.asarray(
                    [
                        f"{series.at_id[i]}/sessions/{q}"
                        for i, q in zip(occ.series[j], occ.seq[j], strict=True)
                    ],
                    dtype=object,
                ),
            ]
        )
        return table.rows


def write_bad_rows(path: Path, faults: list[FaultRow]) -> int:
    order = sorted(faults, key=lambda f: (f.file, f.row_number))
    with CsvTable(path, ("file", "row_number", "key", "field", "fault", "value")) as table:
        for f in order:
            table.write_columns(
                [
                    np.asarray([x], dtype=object)
                    for x in (f.file, str(f.row_number), f.key, f.field, f.fault, f.value)
                ]
            )
        return table.rows


def pcn_access(geo: Geography, series: Series) -> tuple[np.ndarray, np.ndarray]:
    """(population, population within 1 km of a free live series with coordinates) per PCN."""
    counted = series.is_free & series.live & ~series.no_geo
    return pcn_population_within(geo, series.lat[counted], series.lon[counted])


def write_pcn_access(path: Path, geo: Geography, series: Series) -> int:
    total, within = pcn_access(geo, series)
    role = np.full(geo.n_pcns, "other", dtype=object)
    role[geo.pilot_pcns] = "pilot"
    role[geo.comparison_pcns] = "comparison"
    header = (
        "pcn_code",
        "pcn_name",
        "role",
        "population",
        "population_within_1km_free",
        "share_within_1km_free",
        "desert",
    )
    with CsvTable(path, header) as table:
        table.write_columns(
            [
                geo.pcn_code,
                geo.pcn_name,
                role,
                total.astype(str).astype(object),
                within.astype(str).astype(object),
                np.char.mod("%.6f", within / total).astype(object),
                _bool(np.isin(np.arange(geo.n_pcns), geo.desert_pcns)),
            ]
        )
        return table.rows


def write_journeys(path: Path, geo: Geography, series: Series, ref: Referrals) -> int:
    header = (
        "referral_id",
        "person",
        "home_lsoa_code",
        "imd_decile",
        "series_id",
        "distance_km",
        "referred_series_free",
        "uptake_probability",
        "started",
        "disengagement_weeks",
    )
    with CsvTable(path, header) as table:
        for a in range(0, len(ref), CHUNK):
            s = slice(a, a + CHUNK)
            chosen = ref.choice.series[s]
            has = chosen >= 0
            area = ref.people.area[s]
            started = ref.uptake.started[s]
            table.write_columns(
                [
                    ref.referral_id[s],
                    ref.people.person[s].astype(str).astype(object),
                    geo.area_code[area],
                    geo.area_imd[area].astype(str),
                    np.where(has, series.at_id[np.maximum(chosen, 0)], ""),
                    np.where(
                        has, np.char.mod("%.6f", np.nan_to_num(ref.choice.distance_km[s])), ""
                    ),
                    _bool(has & series.is_free[np.maximum(chosen, 0)]),
                    np.char.mod("%.6f", ref.uptake.probability[s]),
                    _bool(started),
                    np.where(
                        started, np.char.mod("%.6f", np.nan_to_num(ref.retention.weeks[s])), ""
                    ),
                ]
            )
        return table.rows
