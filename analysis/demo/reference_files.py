"""Rows of ``practices.csv`` and ``areas.csv`` (columns as in DATA-CONTRACT.md)."""

from __future__ import annotations

from analysis.demo.geography import Geography
from analysis.demo.writer import fmt_coord

PRACTICE_COLUMNS = (
    "practice_code",
    "practice_name",
    "pcn_code",
    "pcn_name",
    "sub_icb_code",
    "latitude",
    "longitude",
    "registered_patients",
)
AREA_COLUMNS = (
    "lsoa_code",
    "lsoa_name",
    "latitude",
    "longitude",
    "population",
    "imd_decile",
    "pcn_code",
)


def practice_rows(geo: Geography) -> list[list[str]]:
    p = geo.practice_pcn
    lat, lon = fmt_coord(geo.practice_lat), fmt_coord(geo.practice_lon)
    return [
        [
            geo.practice_code[i],
            geo.practice_name[i],
            geo.pcn_code[p[i]],
            geo.pcn_name[p[i]],
            geo.pcn_sub_icb[p[i]],
            lat[i],
            lon[i],
            str(geo.practice_list[i]),
        ]
        for i in range(len(p))
    ]


def area_rows(geo: Geography) -> list[list[str]]:
    lat, lon = fmt_coord(geo.area_lat), fmt_coord(geo.area_lon)
    return [
        [
            geo.area_code[a],
            geo.area_name[a],
            lat[a],
            lon[a],
            str(geo.area_pop[a]),
            str(geo.area_imd[a]),
            "" if geo.area_pcn_blank[a] else geo.pcn_code[geo.area_pcn[a]],
        ]
        for a in range(len(geo.area_code))
    ]
