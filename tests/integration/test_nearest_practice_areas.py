"""Areas loaded without a PCN take the PCN of their nearest practice (great-circle distance),
checked against a plain haversine over every practice."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def test_areas_without_a_pcn_take_the_nearest_practices(demo_store: Path) -> None:
    with duckdb.connect(str(demo_store), read_only=True) as con:
        practices = con.execute(
            "SELECT pcn_code, latitude, longitude FROM src_practices"
        ).fetchall()
        areas = con.execute(
            "SELECT s.lsoa_code, s.pcn_code, a.latitude, a.longitude FROM stg_areas AS s "
            "JOIN src_areas AS a USING (lsoa_code) WHERE s.pcn_assignment = 'nearest_practice'"
        ).fetchall()
        unassigned = con.execute("SELECT count(*) FROM src_areas WHERE pcn_code IS NULL").fetchone()
    assert len(areas) == unassigned[0] > 0
    for lsoa, pcn, lat, lon in areas:
        distances = sorted((haversine_km(lat, lon, plat, plon), code)
                           for code, plat, plon in practices)  # fmt: skip
        nearest = [code for d, code in distances if d - distances[0][0] < 1e-9]
        assert pcn in nearest, lsoa
