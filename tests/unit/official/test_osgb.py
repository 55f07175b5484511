"""British National Grid → WGS84 against Ordnance Survey's worked example and a known point."""

from __future__ import annotations

import numpy as np

from analysis.ingest.official.osgb import grid_to_osgb36, grid_to_wgs84


def _degrees(d: int, m: int, s: float) -> float:
    return d + m / 60 + s / 3600


def test_os_worked_example_transverse_mercator_inverse() -> None:
    # OS "A guide to coordinate systems in Great Britain", Annex C.2: E 651409.903,
    # N 313177.270 → OSGB36 52°39'27.2531"N, 1°43'4.5177"E.
    lat, lon = grid_to_osgb36(np.array([651409.903]), np.array([313177.270]))
    assert abs(lat[0] - _degrees(52, 39, 27.2531)) < 0.0001 / 3600
    assert abs(lon[0] - _degrees(1, 43, 4.5177)) < 0.0001 / 3600


def test_helmert_to_wgs84_within_a_few_metres() -> None:
    # SW1A 1AA in the ONS Postcode Directory: oseast1m 529090, osnrth1m 179645,
    # lat 51.501009, long -0.141588 (the directory uses OSTN15; Helmert is good to ~5 m).
    lat, lon = grid_to_wgs84(np.array([529090.0]), np.array([179645.0]))
    metres_north = (lat[0] - 51.501009) * 111_320
    metres_east = (lon[0] - -0.141588) * 111_320 * np.cos(np.radians(51.5))
    assert np.hypot(metres_north, metres_east) < 5


def test_wgs84_shift_is_about_a_hundred_metres_east() -> None:
    # OSGB36 and WGS84 longitudes differ by roughly 0.0015° (≈ 100 m) in southern England.
    osgb_lat, osgb_lon = grid_to_osgb36(np.array([529090.0]), np.array([179645.0]))
    lat, lon = grid_to_wgs84(np.array([529090.0]), np.array([179645.0]))
    assert 0.001 < (osgb_lon[0] - lon[0]) < 0.002
    assert abs(lat[0] - osgb_lat[0]) < 0.001
