"""Referrals: who is referred, by whom, into which session, and what happens next.

Puts together the referral counts (effect 1), the people, the series chosen near home, uptake
(effect 2), disengagement times (effect 3) and the journey dates, as columnar arrays in
referral-date order. ``referral_columns`` renders a slice as the ``referrals.csv`` columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.demo import dates
from analysis.demo.concepts import ACTIVITIES
from analysis.demo.geography import Geography
from analysis.demo.journeys import STATUSES, Journeys, build_journeys
from analysis.demo.people import AGE_BANDS, ETHNICITIES, SEXES, People, draw_people
from analysis.demo.referral_counts import ReferralCounts, draw_counts, expand_counts
from analysis.demo.retention import Retention, draw_disengagement
from analysis.demo.session_choice import SessionChoice, choose_series
from analysis.demo.streams import stream
from analysis.demo.supply import Series
from analysis.demo.uptake import Uptake, draw_uptake, linear_predictor
from analysis.ingest.contract import CONDITIONS, REFERRAL_SOURCES

SOURCES = REFERRAL_SOURCES  # the data contract's values, in the order of SOURCE_SHARE
SOURCE_SHARE = (0.45, 0.25, 0.08, 0.10, 0.08, 0.04)
CONDITION_PREVALENCE = (0.38, 0.12, 0.08, 0.25, 0.12, 0.08, 0.20, 0.03, 0.03, 0.20, 0.06)
LINK_WORKER_RECORDED = 0.85
BARE_UUID_SHARE = 0.10

REFERRAL_COLUMNS = (
    "referral_id",
    "nhs_number",
    "patient_id",
    "referral_date",
    "practice_code",
    "referral_source",
    "link_worker_id",
    "age_band",
    "sex",
    "ethnicity",
    "lsoa_code",
    "conditions",
    "opportunity_id",
    "activity_id",
    "contacted_date",
    "first_attended_date",
    "status",
    "closed_date",
)
LSOA_RECORDED = 0.98


@dataclass
class Referrals:
    referral_id: np.ndarray
    date: np.ndarray
    practice: np.ndarray
    people: People
    source: np.ndarray
    link_worker: np.ndarray
    conditions: np.ndarray
    mental_health: np.ndarray
    lsoa_recorded: np.ndarray
    choice: SessionChoice
    activity_id: np.ndarray
    uptake: Uptake
    retention: Retention
    journeys: Journeys
    counts: ReferralCounts

    def __len__(self) -> int:
        return len(self.referral_id)


def _conditions(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    has = rng.random((n, len(CONDITIONS))) < np.asarray(CONDITION_PREVALENCE)
    names = np.asarray(CONDITIONS, dtype=object)
    text = np.asarray([";".join(names[row]) for row in has], dtype=object)
    return text, has[:, CONDITIONS.index("mental_health")]


def _activity_ids(series: Series, choice: SessionChoice, rng: np.random.Generator) -> np.ndarray:
    n = len(choice.series)
    act = np.where(
        choice.has_series,
        series.activity[np.maximum(choice.series, 0)],
        rng.integers(0, len(ACTIVITIES), n),
    )
    bare = rng.random(n) < BARE_UUID_SHARE
    blank = ~choice.has_series & (rng.random(n) < 0.4)
    ids = [
        ("" if b else (ACTIVITIES[a].uuid if u else ACTIVITIES[a].concept_id))
        for a, u, b in zip(act, bare, blank, strict=True)
    ]
    return np.asarray(ids, dtype=object)


def build_referrals(geo: Geography, series: Series, n_referrals: int, seed: int) -> Referrals:
    counts = draw_counts(geo, n_referrals, seed)
    draw = expand_counts(geo, counts, seed)
    n = len(draw.date)
    rng = stream(seed, "referrals")
    people = draw_people(geo, draw.practice, stream(seed, "people"))
    source = rng.choice(len(SOURCES), size=n, p=SOURCE_SHARE)
    pcn = geo.practice_pcn[draw.practice]
    workers = 2 + pcn % 3
    worker = np.floor(rng.random(n) * workers).astype(np.int64) + 1
    link_worker = np.asarray(
        [
            f"LW-{geo.pcn_code[p]}-{w}" if keep else ""
            for p, w, keep in zip(pcn, worker, rng.random(n) < LINK_WORKER_RECORDED, strict=True)
        ],
        dtype=object,
    )
    conditions, mental_health = _conditions(rng, n)
    choice = choose_series(geo, series, people.area, stream(seed, "session-choice"))
    free = choice.has_series & series.is_free[np.maximum(choice.series, 0)]
    imd_1_2 = geo.area_imd[people.area] <= 2
    lp = linear_predictor(
        imd_1_2,
        free,
        people.age_band,
        people.female,
        mental_health,
        source != SOURCES.index("gp"),
    )
    uptake = draw_uptake(lp, imd_1_2, free, stream(seed, "uptake"))
    retention = draw_disengagement(
        uptake.started,
        choice.distance_km,
        people.age_65_plus,
        people.female,
        stream(seed, "retention"),
    )
    journeys = build_journeys(draw.date, uptake.started, retention.weeks, stream(seed, "journeys"))
    return Referrals(
        referral_id=np.asarray([f"R{k:07d}" for k in range(1001, 1001 + n)], dtype=object),
        date=draw.date,
        practice=draw.practice,
        people=people,
        source=source,
        link_worker=link_worker,
        conditions=conditions,
        mental_health=mental_health,
        lsoa_recorded=rng.random(n) < LSOA_RECORDED,
        choice=choice,
        activity_id=_activity_ids(series, choice, rng),
        uptake=uptake,
        retention=retention,
        journeys=journeys,
        counts=counts,
    )


def referral_columns(
    ref: Referrals, geo: Geography, series: Series, start: int, stop: int
) -> list[np.ndarray]:
    """The ``referrals.csv`` columns (as str arrays) for rows ``start:stop``."""
    s = slice(start, stop)
    people, j = ref.people, ref.journeys
    chosen = ref.choice.series[s]
    opportunity = np.where(chosen >= 0, series.at_id[np.maximum(chosen, 0)], "")
    lsoa = np.where(ref.lsoa_recorded[s], geo.area_code[people.area[s]], "")
    return [
        ref.referral_id[s],
        people.nhs_number[s],
        people.patient_id[s],
        dates.iso_dates(ref.date[s]),
        geo.practice_code[ref.practice[s]],
        np.asarray(SOURCES, dtype=object)[ref.source[s]],
        ref.link_worker[s],
        np.asarray(AGE_BANDS, dtype=object)[people.age_band[s]],
        np.asarray(SEXES, dtype=object)[people.sex[s]],
        np.asarray(ETHNICITIES, dtype=object)[people.ethnicity[s]],
        lsoa,
        ref.conditions[s],
        opportunity,
        ref.activity_id[s],
        dates.iso_dates(j.contacted[s]),
        dates.iso_dates(j.first_attended[s]),
        np.asarray(STATUSES, dtype=object)[j.status[s]],
        dates.iso_dates(j.closed[s]),
    ]
