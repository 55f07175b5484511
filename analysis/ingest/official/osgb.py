"""British National Grid (OSGB36 easting/northing) to WGS84 latitude/longitude.

Ordnance Survey, "A guide to coordinate systems in Great Britain" (v3.6): the transverse
Mercator inverse of Annex C (Airy 1830 ellipsoid, National Grid projection constants), then the
OSGB36 → WGS84 Helmert transformation of section 6.6 (the published WGS84 → OSGB36 parameters,
reversed), via Cartesian coordinates. The Helmert step is good to about 5 m, ample for
population-weighted centroids and practice locations (OSTN15 would give centimetres).
"""

from __future__ import annotations

import numpy as np

# Airy 1830 ellipsoid and the National Grid projection (OS guide, Annex A and Table A.1).
AIRY_A, AIRY_B = 6377563.396, 6356256.909
F0 = 0.9996012717
LAT0, LON0 = np.radians(49.0), np.radians(-2.0)
E0, N0 = 400000.0, -100000.0
# GRS80 / WGS84 ellipsoid.
WGS_A, WGS_B = 6378137.000, 6356752.3141
# WGS84 → OSGB36 Helmert parameters (OS guide 6.6): metres, ppm, arc-seconds.
TX, TY, TZ = -446.448, 125.157, -542.060
SCALE_PPM = 20.4894
RX, RY, RZ = -0.1502, -0.2470, -0.8421


def _meridional_arc(phi: np.ndarray, b: float, n: float) -> np.ndarray:
    d, s = phi - LAT0, phi + LAT0
    return (
        b
        * F0
        * (
            (1 + n + 5 / 4 * n**2 + 5 / 4 * n**3) * d
            - (3 * n + 3 * n**2 + 21 / 8 * n**3) * np.sin(d) * np.cos(s)
            + (15 / 8 * n**2 + 15 / 8 * n**3) * np.sin(2 * d) * np.cos(2 * s)
            - 35 / 24 * n**3 * np.sin(3 * d) * np.cos(3 * s)
        )
    )


def grid_to_osgb36(easting: np.ndarray, northing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Annex C.2: National Grid E, N → OSGB36 latitude, longitude in degrees."""
    e = np.asarray(easting, dtype=float)
    north = np.asarray(northing, dtype=float)
    a, b = AIRY_A, AIRY_B
    e2 = (a**2 - b**2) / a**2
    n = (a - b) / (a + b)
    phi = (north - N0) / (a * F0) + LAT0
    for _ in range(20):  # iterate until N - N0 - M < 0.01 mm
        m = _meridional_arc(phi, b, n)
        step = north - N0 - m
        if np.all(np.abs(step) < 1e-5):
            break
        phi = phi + step / (a * F0)
    sin2 = np.sin(phi) ** 2
    nu = a * F0 / np.sqrt(1 - e2 * sin2)
    rho = a * F0 * (1 - e2) / (1 - e2 * sin2) ** 1.5
    eta2 = nu / rho - 1
    tan, sec = np.tan(phi), 1 / np.cos(phi)
    vii = tan / (2 * rho * nu)
    viii = tan / (24 * rho * nu**3) * (5 + 3 * tan**2 + eta2 - 9 * tan**2 * eta2)
    ix = tan / (720 * rho * nu**5) * (61 + 90 * tan**2 + 45 * tan**4)
    x = sec / nu
    xi = sec / (6 * nu**3) * (nu / rho + 2 * tan**2)
    xii = sec / (120 * nu**5) * (5 + 28 * tan**2 + 24 * tan**4)
    xiia = sec / (5040 * nu**7) * (61 + 662 * tan**2 + 1320 * tan**4 + 720 * tan**6)
    de = e - E0
    lat = phi - vii * de**2 + viii * de**4 - ix * de**6
    lon = LON0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7
    return np.degrees(lat), np.degrees(lon)


def _to_cartesian(lat: np.ndarray, lon: np.ndarray, a: float, b: float) -> np.ndarray:
    phi, lam = np.radians(lat), np.radians(lon)
    e2 = (a**2 - b**2) / a**2
    nu = a / np.sqrt(1 - e2 * np.sin(phi) ** 2)
    return np.vstack(
        (
            nu * np.cos(phi) * np.cos(lam),
            nu * np.cos(phi) * np.sin(lam),
            (1 - e2) * nu * np.sin(phi),
        )
    )


def _from_cartesian(xyz: np.ndarray, a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    x, y, z = xyz
    e2 = (a**2 - b**2) / a**2
    p = np.sqrt(x**2 + y**2)
    phi = np.arctan2(z, p * (1 - e2))
    for _ in range(10):
        nu = a / np.sqrt(1 - e2 * np.sin(phi) ** 2)
        phi = np.arctan2(z + e2 * nu * np.sin(phi), p)
    return np.degrees(phi), np.degrees(np.arctan2(y, x))


def osgb36_to_wgs84(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Helmert OSGB36 → WGS84: the inverse of the published WGS84 → OSGB36 parameters."""
    xyz = _to_cartesian(np.asarray(lat, float), np.asarray(lon, float), AIRY_A, AIRY_B)
    s = -SCALE_PPM * 1e-6
    rx, ry, rz = (np.radians(-r / 3600) for r in (RX, RY, RZ))
    rotation = np.array([[1 + s, -rz, ry], [rz, 1 + s, -rx], [-ry, rx, 1 + s]])
    moved = rotation @ xyz + np.array([[-TX], [-TY], [-TZ]])
    return _from_cartesian(moved, WGS_A, WGS_B)


def grid_to_wgs84(easting: np.ndarray, northing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """National Grid easting/northing (metres) → WGS84 latitude, longitude (degrees)."""
    lat, lon = grid_to_osgb36(easting, northing)
    return osgb36_to_wgs84(lat, lon)
