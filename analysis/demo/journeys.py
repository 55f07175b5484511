"""Referral journeys: contact, first attendance, status and closing date.

Starters are contacted 0-20 days after referral (Poisson mean 4; the date is recorded for 95%)
and first attend 1-30 days after referral (log-normal, median 12 days, and after contact), so
every first attendance falls before the extraction date. Their status follows the
disengagement time T (``retention``): ``completed`` once 26 weeks have passed with T beyond
them (closed at week 26), ``withdrawn`` once T is past and four weeks without attendance have
elapsed (closed then), otherwise ``attending``. Non-starters referred in the last 45 days are
still open (``referred`` or ``contacted``); older ones are closed 7-45 days after contact as
``declined`` (44%), ``did_not_attend`` (30%), ``unable_to_contact`` (16%, never contacted) or
``not_suitable`` (10%).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.demo import dates

STATUSES = (
    "referred",
    "contacted",
    "attending",
    "completed",
    "declined",
    "did_not_attend",
    "unable_to_contact",
    "not_suitable",
    "withdrawn",
)
CLOSED_OUTCOMES = ("declined", "did_not_attend", "unable_to_contact", "not_suitable")
CLOSED_SHARES = (0.44, 0.30, 0.16, 0.10)
PROGRAMME_DAYS = 182
LAPSE_DAYS = 28
OPEN_WINDOW_DAYS = 45


@dataclass
class Journeys:
    contacted: np.ndarray
    first_attended: np.ndarray
    last_attended: np.ndarray
    status: np.ndarray
    closed: np.ndarray


def _status(names: list[str]) -> np.ndarray:
    return np.asarray([STATUSES.index(n) for n in names])


def build_journeys(
    referral_date: np.ndarray, started: np.ndarray, weeks: np.ndarray, rng: np.random.Generator
) -> Journeys:
    n = len(referral_date)
    extraction = dates.day(dates.EXTRACTION_DATE)
    nat = np.full(n, dates.NAT)
    contact_delay = np.minimum(rng.poisson(4.0, n), 20)
    first_delay = np.clip(np.round(rng.lognormal(np.log(12.0), 0.6, n)), 1, 30).astype(np.int64)
    first_delay = np.maximum(first_delay, contact_delay + 1)
    record_contact = rng.random(n) < 0.95
    contacted = referral_date + contact_delay
    first = np.where(started, referral_date + first_delay, nat)
    days_active = np.floor(np.nan_to_num(weeks) * 7).astype(np.int64)
    last = np.where(started, first + days_active, nat)

    status = np.zeros(n, dtype=np.int64)
    closed = nat.copy()
    # Starters.
    elapsed = (extraction - first).astype(np.int64)
    completed = started & (days_active >= PROGRAMME_DAYS) & (elapsed >= PROGRAMME_DAYS)
    withdrawn = started & (days_active < PROGRAMME_DAYS) & (last + LAPSE_DAYS <= extraction)
    status[started] = STATUSES.index("attending")
    status[completed] = STATUSES.index("completed")
    status[withdrawn] = STATUSES.index("withdrawn")
    closed[completed] = first[completed] + PROGRAMME_DAYS
    closed[withdrawn] = last[withdrawn] + LAPSE_DAYS
    # Non-starters.
    still_open = ~started & (referral_date > extraction - OPEN_WINDOW_DAYS)
    open_contacted = still_open & (rng.random(n) < 0.5)
    status[still_open] = np.where(
        open_contacted[still_open], STATUSES.index("contacted"), STATUSES.index("referred")
    )
    closed_out = ~started & ~still_open
    outcome = _status(list(CLOSED_OUTCOMES))[rng.choice(4, size=n, p=CLOSED_SHARES)]
    status[closed_out] = outcome[closed_out]
    never_contacted = (status == STATUSES.index("unable_to_contact")) | (
        status == STATUSES.index("referred")
    )
    contact_kept = np.where(started, record_contact, ~never_contacted)
    contacted = np.where(contact_kept, np.minimum(contacted, extraction), nat)
    contacted = np.where(started, np.minimum(contacted, first), contacted)
    close_after = np.where(np.isnat(contacted), referral_date, contacted) + rng.integers(7, 46, n)
    closed[closed_out] = np.minimum(close_after, extraction)[closed_out]
    return Journeys(
        contacted=contacted, first_attended=first, last_attended=last, status=status, closed=closed
    )
