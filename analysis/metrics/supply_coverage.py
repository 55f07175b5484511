"""Coverage for a suitability profile: which live series suit it, each area's distance to the
nearest suitable one, and each PCN's share of people within 1 km (and the table shown).

Distances come from :mod:`analysis.access` (k-d tree, great-circle km): with the default
profile and no time filter they reproduce ``mart_area_access.nearest_suitable_km`` and
``mart_pcn_access.share_within_1km_suitable``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.access import ACCESS_KM, SuitabilityProfile
from analysis.access import nearest as nearest_km
from analysis.access import suitable as suitable_series
from analysis.metrics.supply_disclosure import redact_counts, redact_share
from analysis.metrics.supply_load import ReferredPeople, SupplyData
from analysis.metrics.supply_times import SessionTimes, timely_counts

# fmt: off
__all__ = [
    "DESERT_SHARE", "PCN_COLUMNS", "area_coverage", "area_reach", "matching_series",
    "pcn_coverage", "pcn_reach", "pcn_referred", "pcn_table", "referred_people",
]
# fmt: on

DESERT_SHARE = 0.40  # a PCN with less of its population within 1 km is a supply desert
# fmt: off
PCN_COLUMNS = [  # the columns of pcn_coverage, in order
    "pcn_code", "pcn_name", "arm", "population", "live_series", "free_series",
    "weekly_occurrences_per_1000", "population_within_1km", "share_within_1km",
    "referred_located", "referred_within_1km", "referred_share_within_1km", "suitable_series",
    "suitable_weekly_per_1000", "desert",
]
# fmt: on


def matching_series(
    data: SupplyData, profile: SuitabilityProfile, times: SessionTimes
) -> pd.Series:
    """True for the live series that suit the profile (and, with a time filter, have an
    occurrence at the chosen times)."""
    ok = suitable_series(data.series, profile)
    if times.active:
        timely = timely_counts(data.time_slots, times)
        ok &= data.series["series_id"].isin(timely.index)
    return ok


def _coords(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return frame["latitude"].to_numpy(), frame["longitude"].to_numpy()


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator ÷ denominator, missing where the denominator is 0."""
    return numerator / denominator.where(denominator > 0)


def area_reach(data: SupplyData, ok: pd.Series) -> pd.DataFrame:
    """Areas with ``nearest_km`` (to a suitable series; NaN when there is none), the nearest
    series' name and ``within_1km``: the part of :func:`area_coverage` that the referral
    period and the referral filters do not change."""
    areas = data.areas.copy()
    chosen = data.series.loc[ok.to_numpy(), ["latitude", "longitude", "name"]]
    km, index = nearest_km(*_coords(areas), *_coords(chosen))
    found = index >= 0
    areas["nearest_km"] = np.where(found, km, np.nan)
    names = chosen["name"].fillna("(unnamed)").to_numpy(dtype=object)
    areas["nearest_name"] = np.where(
        found, names[np.where(found, index, 0)] if len(names) else None, None
    )
    areas["within_1km"] = areas["nearest_km"].le(ACCESS_KM)
    return areas


def _people_by(group: np.ndarray, person: np.ndarray, groups: int) -> np.ndarray:
    """Distinct people in each of ``groups`` groups (numbered from 0), from pairs of a group
    and a person's number."""
    if len(person) == 0:
        return np.zeros(groups, dtype=np.int64)
    people = int(person.max()) + 1
    pairs = np.sort(group * people + person)  # sorted: faster here than np.unique's hashing
    first = np.ones(len(pairs), dtype=bool)
    first[1:] = pairs[1:] != pairs[:-1]
    return np.bincount(pairs[first] // people, minlength=groups).astype(np.int64)


def _area_rows(areas: pd.DataFrame, people: ReferredPeople) -> np.ndarray | None:
    """None when ``areas`` are the areas ``people`` are numbered by, in order; else the
    position in ``people.lsoa_codes`` of each area's code (-1 where not held)."""
    codes = areas["lsoa_code"].to_numpy()
    if len(codes) == len(people.lsoa_codes) and (codes == people.lsoa_codes).all():
        return None
    return pd.Index(people.lsoa_codes).get_indexer(codes)


def _numbered(referred: pd.DataFrame | ReferredPeople, areas: pd.DataFrame) -> ReferredPeople:
    """The people referred as :class:`ReferredPeople`: as read from a store, or numbered here
    from rows (patient_key, pcn_code, lsoa_code), the areas by ``areas``' codes."""
    if isinstance(referred, ReferredPeople):
        return referred
    lsoa_codes = pd.unique(areas["lsoa_code"].to_numpy(dtype=object))
    person = pd.factorize(referred["patient_key"])[0]
    pcn, pcn_codes = pd.factorize(referred["pcn_code"], use_na_sentinel=False)
    area = pd.Index(lsoa_codes).get_indexer(referred["lsoa_code"])
    return ReferredPeople(
        person=person.astype(np.int64),
        pcn=pcn.astype(np.int64),
        area=area.astype(np.int64),
        pcn_codes=tuple(pcn_codes),
        lsoa_codes=np.asarray(lsoa_codes, dtype=object),
    )


def referred_people(areas: pd.DataFrame, referred: pd.DataFrame | ReferredPeople) -> pd.Series:
    """Distinct people referred in view living in each of ``areas`` (0 where none)."""
    referred = _numbered(referred, areas)
    home = referred.area >= 0
    held = len(referred.lsoa_codes)
    counts = _people_by(referred.area[home], referred.person[home], held)
    rows = _area_rows(areas, referred)
    if rows is not None:  # areas in another order, or only some of them
        counts = np.where(rows >= 0, counts[rows], 0)
    return pd.Series(counts, index=areas.index, name="lsoa_code")


def area_coverage(data: SupplyData, ok: pd.Series) -> pd.DataFrame:
    """Areas with ``nearest_km`` (to a suitable series; NaN when there is none), the nearest
    series' name, ``within_1km`` and ``referred_people`` (distinct people referred in view)."""
    areas = area_reach(data, ok)
    areas["referred_people"] = referred_people(areas, data.referred)
    return areas


def pcn_reach(
    data: SupplyData, areas: pd.DataFrame, ok: pd.Series, times: SessionTimes | None = None
) -> pd.DataFrame:
    """The part of :func:`pcn_coverage` that the referral period and the referral filters do
    not change (everything but the referred people's columns); ``areas``: :func:`area_reach`
    rows."""
    keep = "pcn_code pcn_name arm population live_series free_series weekly_occurrences_per_1000"
    out = data.pcns[keep.split()].copy()
    times = times or SessionTimes()
    within = areas["population"].where(areas["within_1km"], 0).groupby(areas["pcn_code"]).sum()
    out["population_within_1km"] = out["pcn_code"].map(within).fillna(0).astype("int64")
    out["share_within_1km"] = _ratio(out["population_within_1km"], out["population"])
    chosen = data.series.loc[ok.to_numpy(), ["series_id", "pcn_code"]]
    out["suitable_series"] = out["pcn_code"].map(chosen.groupby("pcn_code").size())
    out["suitable_series"] = out["suitable_series"].fillna(0).astype("int64")
    if times.active or data.occurrence_counts is None:
        timely = timely_counts(data.time_slots, times)
    else:  # every occurrence counts
        timely = data.occurrence_counts
    per_series = chosen["series_id"].map(timely).fillna(0)
    weekly = per_series.groupby(chosen["pcn_code"]).sum() / max(data.weeks, 1)
    out["suitable_weekly_per_1000"] = 1000 * _ratio(
        out["pcn_code"].map(weekly).fillna(0), out["population"]
    )
    out["desert"] = out["share_within_1km"].lt(DESERT_SHARE)
    return out


def _pcn_people(areas: pd.DataFrame, people: ReferredPeople) -> tuple[pd.Series, pd.Series]:
    """PCN code → distinct people whose home is one of ``areas``, and those whose home area is
    within 1 km of a suitable session (``areas``: :func:`area_reach` rows)."""
    near_rows = areas["nearest_km"].le(ACCESS_KM).to_numpy()
    if _area_rows(areas, people) is None:
        known_areas, near_areas = np.ones(len(near_rows), dtype=bool), near_rows
    else:  # by code: an area held more than once is near if any of its rows is
        codes = pd.Index(people.lsoa_codes)
        known_areas = codes.isin(areas["lsoa_code"])
        near_areas = codes.isin(areas.loc[near_rows, "lsoa_code"])
    home = people.area >= 0
    known, near = home.copy(), home.copy()
    known[home], near[home] = known_areas[people.area[home]], near_areas[people.area[home]]
    near &= known
    located = _people_by(people.pcn[known], people.person[known], len(people.pcn_codes))
    within = _people_by(people.pcn[near], people.person[near], len(people.pcn_codes))
    return pd.Series(located, index=people.pcn_codes), pd.Series(within, index=people.pcn_codes)


def pcn_referred(
    reach: pd.DataFrame, areas: pd.DataFrame, referred: pd.DataFrame | ReferredPeople
) -> pd.DataFrame:
    """:func:`pcn_reach` rows with the referred people's columns added: those whose home area
    is known (``referred_located``), those within 1 km and their share."""
    located, near = _pcn_people(areas, _numbered(referred, areas))
    out = reach.copy()
    out["referred_located"] = out["pcn_code"].map(located).fillna(0).astype("int64")
    out["referred_within_1km"] = out["pcn_code"].map(near).fillna(0).astype("int64")
    out["referred_share_within_1km"] = _ratio(out["referred_within_1km"], out["referred_located"])
    return out[PCN_COLUMNS]


def pcn_coverage(
    data: SupplyData, areas: pd.DataFrame, ok: pd.Series, times: SessionTimes | None = None
) -> pd.DataFrame:
    """One row per PCN in view: the share of its population (and of its referred people, by
    practice) within 1 km of a suitable session, suitable weekly sessions per 1,000 people,
    the mart's weekly supply of all sessions, live/free/suitable series and a desert flag."""
    return pcn_referred(pcn_reach(data, areas, ok, times), areas, data.referred)


def pcn_table(pcns: pd.DataFrame) -> pd.DataFrame:
    """:func:`pcn_coverage` rows as shown to commissioners: referred-people counts redacted,
    shares built from a redacted count hidden, and a plain "Supply gap" note for deserts."""
    return pcns.assign(
        referred_located=redact_counts(pcns["referred_located"]),
        referred_within_1km=redact_counts(pcns["referred_within_1km"]),
        referred_share_within_1km=redact_share(
            pcns["referred_share_within_1km"],
            pcns["referred_located"],
            pcns["referred_within_1km"],
        ),
        gap=pcns["desert"].map({True: f"Desert: under {DESERT_SHARE:.0%} within 1 km"}).fillna(""),
    )
