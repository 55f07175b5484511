"""The people referred: home area, demographics and identifiers.

Each referral belongs to a person. About 4% of referrals are a second referral of someone
referred earlier at the same practice, and then carry that person's home area, demographics and
identifier. A person's home area is drawn from the areas of their practice's PCN in proportion
to population (areas in IMD deciles 1-3 weighted 1.4x, as referral need is higher there).
About 10% of people are identified by an already-pseudonymous ``patient_id``; the rest by a
valid test-range NHS number, written plain or in the spaced 3-3-4 form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.demo import nhs_numbers
from analysis.demo.geography import Geography

AGE_BANDS = ("16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+", "unknown")
AGE_SHARE = (0.06, 0.10, 0.14, 0.18, 0.20, 0.18, 0.13, 0.01)
SEXES = ("female", "male", "other", "unknown")
SEX_SHARE = (0.58, 0.41, 0.003, 0.007)
ETHNICITIES = ("asian", "black", "mixed", "white", "other", "unknown")
ETHNICITY_SHARE = (0.12, 0.07, 0.04, 0.70, 0.03, 0.04)
REPEAT_SHARE = 0.04
PATIENT_ID_SHARE = 0.10
SPACED_SHARE_OF_NHS = 1 / 9
DEPRIVED_AREA_WEIGHT = 1.4


@dataclass
class People:
    """Per referral: the person index and their attributes."""

    person: np.ndarray
    area: np.ndarray
    age_band: np.ndarray
    sex: np.ndarray
    ethnicity: np.ndarray
    nhs_number: np.ndarray
    patient_id: np.ndarray

    @property
    def age_65_plus(self) -> np.ndarray:
        return np.isin(self.age_band, [AGE_BANDS.index("65-74"), AGE_BANDS.index("75+")])

    @property
    def female(self) -> np.ndarray:
        return self.sex == SEXES.index("female")


def _home_areas(geo: Geography, pcn: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An area of each given PCN, drawn in proportion to (deprivation-weighted) population."""
    weight = geo.area_pop * np.where(geo.area_imd <= 3, DEPRIVED_AREA_WEIGHT, 1.0)
    order = np.lexsort((np.arange(len(weight)), geo.area_pcn))
    pcn_sorted = geo.area_pcn[order]
    w = weight[order]
    cum = np.cumsum(w)
    seg_start = np.searchsorted(pcn_sorted, np.arange(geo.n_pcns))
    seg_end = np.searchsorted(pcn_sorted, np.arange(geo.n_pcns), side="right")
    before = cum[seg_start] - w[seg_start]
    total = cum[seg_end - 1] - before
    pick = np.searchsorted(cum, before[pcn] + rng.random(len(pcn)) * total[pcn], side="right")
    return order[np.clip(pick, seg_start[pcn], seg_end[pcn] - 1)]


def _people_of(practice: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Person index per referral (referrals already sorted by date)."""
    n = len(practice)
    person = np.arange(n)
    repeat = rng.random(n) < REPEAT_SHARE
    u = rng.random(n)
    order = np.lexsort((np.arange(n), practice))
    starts = np.searchsorted(practice[order], practice[order])
    for pos in np.flatnonzero(repeat[order]):
        k = pos - starts[pos]
        if k > 0:
            earlier = order[starts[pos] + int(u[order[pos]] * k)]
            person[order[pos]] = person[earlier]
    _, dense = np.unique(person, return_inverse=True)
    return dense


def draw_people(geo: Geography, practice: np.ndarray, rng: np.random.Generator) -> People:
    """People for referrals sorted by date, with their practices."""
    person = _people_of(practice, rng)
    n_people = int(person.max()) + 1 if len(person) else 0
    first = np.unique(person, return_index=True)[1]
    area = _home_areas(geo, geo.practice_pcn[practice[first]], rng)
    age = rng.choice(len(AGE_BANDS), size=n_people, p=AGE_SHARE)
    sex = rng.choice(len(SEXES), size=n_people, p=SEX_SHARE)
    eth = rng.choice(len(ETHNICITIES), size=n_people, p=ETHNICITY_SHARE)
    uses_patient_id = rng.random(n_people) < PATIENT_ID_SHARE
    numbers = np.zeros(n_people, dtype=np.int64)
    numbers[~uses_patient_id] = nhs_numbers.valid_numbers(rng, int((~uses_patient_id).sum()))
    hex_ids = rng.choice(2**48, size=n_people, replace=False)
    spaced = rng.random(len(person)) < SPACED_SHARE_OF_NHS
    nhs = np.empty(len(person), dtype=object)
    pid = np.empty(len(person), dtype=object)
    for i, p in enumerate(person):
        if uses_patient_id[p]:
            nhs[i], pid[i] = "", f"P-{hex_ids[p]:012x}"
        else:
            number = int(numbers[p])
            nhs[i] = nhs_numbers.spaced(number) if spaced[i] else f"{number:010d}"
            pid[i] = ""
    return People(
        person=person,
        area=area[person],
        age_band=age[person],
        sex=sex[person],
        ethnicity=eth[person],
        nhs_number=nhs,
        patient_id=pid,
    )
