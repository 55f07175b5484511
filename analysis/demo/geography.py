"""Reference geography of the synthetic place: PCNs, GP practices and small areas (LSOAs).

Small-area centroids are scattered over a square of ``extent_km`` (part uniform, part clustered
round a few town centres). PCNs are k-means clusters of the areas, districts are clusters of
PCNs, and each PCN's practices sit near its areas. An area's catchment PCN is the PCN of its
nearest practice (great-circle), so an area whose ``pcn_code`` is left blank in ``areas.csv``
(about 5%) is assigned to the same PCN by the documented fallback rule. Deprivation is a smooth
random field (a few deprived pockets plus noise) ranked into deciles, so it is spatially
clustered.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from analysis.demo import names
from analysis.demo.geo import PointIndex, to_lat_lon
from analysis.demo.scales import Scale
from analysis.demo.streams import stream

BLANK_PCN_SHARE = 0.05


@dataclass
class Geography:
    """PCNs, practices and areas as parallel numpy arrays (indices link them)."""

    districts: list[str]
    pcn_code: np.ndarray
    pcn_name: np.ndarray
    pcn_district: np.ndarray
    pcn_sub_icb: np.ndarray
    practice_code: np.ndarray
    practice_name: np.ndarray
    practice_pcn: np.ndarray
    practice_lat: np.ndarray
    practice_lon: np.ndarray
    practice_list: np.ndarray
    area_code: np.ndarray
    area_name: np.ndarray
    area_lat: np.ndarray
    area_lon: np.ndarray
    area_pop: np.ndarray
    area_imd: np.ndarray
    area_pcn: np.ndarray
    area_pcn_blank: np.ndarray
    pilot_pcns: np.ndarray
    comparison_pcns: np.ndarray
    desert_pcns: np.ndarray

    @property
    def n_pcns(self) -> int:
        return len(self.pcn_code)

    @property
    def pcn_list_size(self) -> np.ndarray:
        return np.bincount(
            self.practice_pcn, weights=self.practice_list, minlength=self.n_pcns
        ).astype(np.int64)

    @property
    def pcn_population(self) -> np.ndarray:
        return np.bincount(self.area_pcn, weights=self.area_pop, minlength=self.n_pcns).astype(
            np.int64
        )

    @property
    def area_district(self) -> np.ndarray:
        return self.pcn_district[self.area_pcn]


def kmeans(points: np.ndarray, k: int, rng: np.random.Generator, rounds: int = 12) -> np.ndarray:
    """Lloyd's k-means: (k, 2) centres for (n, 2) points, started from k random points."""
    centres = points[rng.choice(len(points), size=k, replace=False)].copy()
    for _ in range(rounds):
        _, label = cKDTree(centres).query(points)
        sums = np.zeros_like(centres)
        np.add.at(sums, label, points)
        counts = np.bincount(label, minlength=k)
        filled = counts > 0
        centres[filled] = sums[filled] / counts[filled, None]
    return centres


def balanced_labels(points: np.ndarray, centres: np.ndarray, rounds: int = 60) -> np.ndarray:
    """Assign points to centres so that clusters are of similar size.

    A power diagram: each point goes to the centre minimising squared distance minus that
    centre's weight, and weights grow for clusters below the mean size and shrink above it.
    Only each point's 12 nearest centres are considered, so memory stays linear.
    """
    k = len(centres)
    near = min(12, k)
    dist, idx = cKDTree(centres).query(points, k=near)
    dist, idx = dist.reshape(len(points), near), idx.reshape(len(points), near)
    d2 = dist**2
    target = len(points) / k
    weight = np.zeros(k)
    step = float(np.median(d2[:, 0])) + 1e-9
    label = idx[:, 0]
    for _ in range(rounds):
        label = idx[np.arange(len(points)), np.argmin(d2 - weight[idx], axis=1)]
        size = np.bincount(label, minlength=k)
        weight += step * (target - size) / target
    return label


def _area_points(scale: Scale, rng: np.random.Generator) -> np.ndarray:
    half = scale.extent_km / 2
    n = scale.n_areas
    n_towns = max(3, n // 400)
    towns = rng.uniform(-0.8 * half, 0.8 * half, size=(n_towns, 2))
    clustered = rng.random(n) < 0.45
    pts = rng.uniform(-half, half, size=(n, 2))
    town = rng.integers(0, n_towns, size=n)
    around = towns[town] + rng.normal(0.0, scale.extent_km / 12, size=(n, 2))
    pts[clustered] = np.clip(around[clustered], -half, half)
    return pts


def _imd_deciles(points: np.ndarray, scale: Scale, rng: np.random.Generator) -> np.ndarray:
    half = scale.extent_km / 2
    n_pockets = max(4, len(points) // 150)
    centres = rng.uniform(-half, half, size=(n_pockets, 2))
    spread = rng.uniform(scale.extent_km / 15, scale.extent_km / 6, size=n_pockets)
    d2 = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    score = np.exp(-d2 / (2 * spread[None, :] ** 2)).sum(axis=1)
    score = score / score.std() + 0.35 * rng.normal(size=len(points))
    rank = np.argsort(np.argsort(-score, kind="stable"), kind="stable")
    return 1 + (rank * 10) // len(points)


def _unique_codes(rng: np.random.Generator, n: int, low: int, high: int) -> np.ndarray:
    return np.sort(rng.choice(np.arange(low, high), size=n, replace=False))


def _choose_deserts(pcn_xy: np.ndarray, area_counts: np.ndarray, scale: Scale) -> np.ndarray:
    """The outermost PCNs, kept apart from each other, become supply deserts."""
    order = np.argsort(-np.hypot(pcn_xy[:, 0], pcn_xy[:, 1]), kind="stable")
    chosen: list[int] = []
    for p in order:
        if area_counts[p] < 4:
            continue
        if all(np.hypot(*(pcn_xy[p] - pcn_xy[q])) > scale.extent_km / 3 for q in chosen):
            chosen.append(int(p))
        if len(chosen) == scale.n_desert_pcns:
            break
    return np.asarray(sorted(chosen), dtype=np.int64)


def build_geography(scale: Scale, seed: int) -> Geography:
    """Build the PCNs, practices and areas of a scale."""
    rng = stream(seed, "geography")
    pts = _area_points(scale, rng)
    pcn_xy = kmeans(pts, scale.n_pcns, rng)
    cluster = balanced_labels(pts, pcn_xy)
    for p in range(scale.n_pcns):
        if (cluster == p).any():
            pcn_xy[p] = pts[cluster == p].mean(axis=0)
    if scale.n_districts > 1:
        dist_xy = kmeans(pcn_xy, scale.n_districts, rng)
        _, pcn_district = cKDTree(dist_xy).query(pcn_xy)
    else:
        pcn_district = np.zeros(scale.n_pcns, dtype=np.int64)
    districts = names.district_names(scale.n_districts)

    # Practices: at least two per PCN, the rest in proportion to the PCN's areas.
    per_cluster = np.bincount(cluster, minlength=scale.n_pcns)
    extra = rng.multinomial(
        scale.n_practices - 2 * scale.n_pcns,
        np.maximum(per_cluster, 1) / np.maximum(per_cluster, 1).sum(),
    )
    n_per_pcn = 2 + extra
    practice_pcn = np.repeat(np.arange(scale.n_pcns), n_per_pcn)
    practice_xy = np.empty((len(practice_pcn), 2))
    for p in range(scale.n_pcns):
        mine = np.flatnonzero(cluster == p)
        anchor = pcn_xy[p] if len(mine) == 0 else pts[rng.choice(mine, size=n_per_pcn[p])]
        # Pull practices halfway towards the PCN's middle so catchments stay contiguous.
        anchor = pcn_xy[p] + 0.5 * (anchor - pcn_xy[p])
        practice_xy[practice_pcn == p] = anchor + rng.normal(0, 0.15, size=(n_per_pcn[p], 2))
    practice_lat, practice_lon = to_lat_lon(practice_xy[:, 0], practice_xy[:, 1])
    area_lat, area_lon = to_lat_lon(pts[:, 0], pts[:, 1])

    # Catchment = PCN of the nearest practice (the rule a loader applies to blank pcn_code).
    nearest_practice, _ = PointIndex(practice_lat, practice_lon).nearest(area_lat, area_lon)
    area_pcn = practice_pcn[nearest_practice]
    area_counts = np.bincount(area_pcn, minlength=scale.n_pcns)
    if (area_counts == 0).any():
        raise RuntimeError("a PCN has no areas; choose another seed or scale")

    list_size = np.clip(
        np.round(rng.lognormal(np.log(7_500), 0.45, len(practice_pcn))), 3_000, 20_000
    ).astype(np.int64)
    population = np.clip(np.round(rng.normal(1_720, 140, scale.n_areas)), 1_400, 2_100)
    imd = _imd_deciles(pts, scale, rng)

    pcn_codes = np.asarray(
        [f"U9{c:04d}" for c in _unique_codes(rng, scale.n_pcns, 1000, 10000)], dtype=object
    )
    district_names = [districts[d] for d in pcn_district]
    pcn_name = np.asarray(names.pcn_names(district_names), dtype=object)
    sub_icb = np.asarray(
        ["99" + "ZYXWV"[d * 5 // max(scale.n_districts, 5)] for d in pcn_district], dtype=object
    )

    practice_codes = np.asarray(
        [f"Z{c:05d}" for c in _unique_codes(rng, len(practice_pcn), 10000, 100000)], dtype=object
    )
    practice_name = np.asarray(
        names.practice_names(rng, [district_names[p] for p in practice_pcn]), dtype=object
    )

    # Area codes run district by district, like real LSOA codes run by local authority.
    area_district = pcn_district[area_pcn]
    order = np.lexsort((rng.random(scale.n_areas), area_district))
    area_code = np.empty(scale.n_areas, dtype=object)
    area_name = np.empty(scale.n_areas, dtype=object)
    numbers = _unique_codes(rng, scale.n_areas, 0, 100000)
    within = np.zeros(scale.n_districts, dtype=np.int64)
    for rank, a in enumerate(order):
        d = area_district[a]
        k = within[d]
        within[d] += 1
        area_code[a] = f"E019{numbers[rank]:05d}"
        area_name[a] = f"{districts[d]} {k // 4 + 1:03d}{'ABCD'[k % 4]}"

    roles = rng.permutation(scale.n_pcns)
    pilot = np.sort(roles[: scale.n_pilot_pcns])
    comparison = np.sort(roles[scale.n_pilot_pcns : scale.n_pilot_pcns + scale.n_comparison_pcns])
    return Geography(
        districts=districts,
        pcn_code=pcn_codes,
        pcn_name=pcn_name,
        pcn_district=pcn_district,
        pcn_sub_icb=sub_icb,
        practice_code=practice_codes,
        practice_name=practice_name,
        practice_pcn=practice_pcn,
        practice_lat=practice_lat,
        practice_lon=practice_lon,
        practice_list=list_size,
        area_code=area_code,
        area_name=area_name,
        area_lat=area_lat,
        area_lon=area_lon,
        area_pop=population.astype(np.int64),
        area_imd=imd.astype(np.int64),
        area_pcn=area_pcn,
        area_pcn_blank=rng.random(scale.n_areas) < BLANK_PCN_SHARE,
        pilot_pcns=pilot,
        comparison_pcns=comparison,
        desert_pcns=_choose_deserts(pcn_xy, area_counts, scale),
    )
