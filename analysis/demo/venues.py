"""Venues where sessions run, and the organisations that run them.

Venues are placed near small-area centroids in proportion to population, more thinly in the
supply-desert PCNs. Each has a kind (park, community hall, leisure centre, school sports hall),
an invented name and street address, a fictional ``EB`` postcode and an organiser.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.demo import names
from analysis.demo.concepts import VENUE_KINDS
from analysis.demo.geo import to_lat_lon, to_xy
from analysis.demo.geography import Geography
from analysis.demo.streams import stream

SERIES_PER_VENUE = 3.0
KIND_SHARE = {
    "park": 0.30,
    "community_hall": 0.40,
    "leisure_centre": 0.12,
    "school_sports_hall": 0.18,
}
DESERT_VENUE_DENSITY = 0.3
DEMO_HOST = "https://demo.pilot-evaluation.invalid"


@dataclass
class Organisers:
    name: list[str]
    org_id: list[str]
    url: list[str]
    email: list[str | None]
    telephone: list[str | None]


@dataclass
class Venues:
    kind: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    area: np.ndarray
    name: np.ndarray
    street: np.ndarray
    locality: np.ndarray
    postcode: np.ndarray
    organiser: np.ndarray
    organisers: Organisers

    def __len__(self) -> int:
        return len(self.kind)


def _organisers(rng: np.random.Generator, labels: list[str]) -> tuple[np.ndarray, Organisers]:
    unique = sorted(set(labels))
    index = {name: i for i, name in enumerate(unique)}
    has_email = rng.random(len(unique)) < 0.6
    has_phone = rng.random(len(unique)) < 0.5
    orgs = Organisers(
        name=unique,
        org_id=[f"{DEMO_HOST}/organisers/{names.slug(n)}" for n in unique],
        url=[f"https://{names.slug(n)}.example.org/" for n in unique],
        email=[
            f"hello@{names.slug(n)}.example.org" if e else None
            for n, e in zip(unique, has_email, strict=True)
        ],
        telephone=[names.drama_telephone(rng) if t else None for t in has_phone],
    )
    return np.asarray([index[n] for n in labels], dtype=np.int64), orgs


def build_venues(geo: Geography, n_series: int, seed: int) -> Venues:
    """Place about ``n_series / 3`` venues across the place."""
    rng = stream(seed, "venues")
    n = max(8, round(n_series / SERIES_PER_VENUE))
    kinds = np.asarray(VENUE_KINDS, dtype=object)
    kind = kinds[rng.choice(len(kinds), size=n, p=[KIND_SHARE[k] for k in VENUE_KINDS])]
    weight = geo.area_pop * np.where(
        np.isin(geo.area_pcn, geo.desert_pcns), DESERT_VENUE_DENSITY, 1.0
    )
    area = rng.choice(len(weight), size=n, p=weight / weight.sum())
    x, y = to_xy(geo.area_lat[area], geo.area_lon[area])
    lat, lon = to_lat_lon(x + rng.normal(0, 0.35, n), y + rng.normal(0, 0.35, n))
    district = geo.area_district[area]
    district_name = [geo.districts[d] for d in district]
    venue_names = [names.venue_name(rng, k, d) for k, d in zip(kind, district_name, strict=True)]
    street = [
        f"{rng.integers(1, 200)} {names.STREETS[rng.integers(len(names.STREETS))]}"
        for _ in range(n)
    ]
    # Postcode districts follow a coarse grid over the place: EB1, EB2, ...
    cell = (np.floor((x - x.min()) / 3.0) + 1000 * np.floor((y - y.min()) / 3.0)).astype(int)
    _, cell_number = np.unique(cell, return_inverse=True)
    codes = [names.postcode(rng, int(c) + 1) for c in cell_number]
    organiser, orgs = _organisers(
        rng, [names.organiser_name(rng, k, d) for k, d in zip(kind, district_name, strict=True)]
    )
    return Venues(
        kind=kind,
        lat=lat,
        lon=lon,
        area=area,
        name=np.asarray(venue_names, dtype=object),
        street=np.asarray(street, dtype=object),
        locality=np.asarray(district_name, dtype=object),
        postcode=np.asarray(codes, dtype=object),
        organiser=organiser,
        organisers=orgs,
    )
