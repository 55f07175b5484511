"""Follow-up contacts of starters: weeks 0 (baseline), 4, 12 and 26 after first attendance.

The baseline (week 0) is dated between referral (or contact) and first attendance, at most a
week before it. Week w is dated first attendance + 7w days + 0-6 days. A follow-up exists only
when its date is on or before the extraction date, and each scheduled follow-up is missing at
random with probability 0.12. ``still_attending`` is ``yes`` exactly when the disengagement
time T exceeds the time since first attendance on the follow-up date. On the first ``no``
follow-up ``last_attended_date`` = first attendance + floor(7T) days (the real last
attendance) in 95% of cases; later follow-ups after a ``no`` are kept with probability 0.6
(then ``no``, with the same last attended date for 80%). ``sessions_attended`` counts sessions
since the previous follow-up (Poisson, 1.4 a week while attending; recorded for 85%).
``stop_reason`` is recorded on 75% of ``no`` rows. Follow-ups are generated per chunk of
20,000 referrals, each chunk from its own random stream, so memory stays bounded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from analysis.demo import dates
from analysis.demo.outcomes import ONS4_ITEMS, Answers, answer, draw_baselines, metric_of_raw
from analysis.demo.referrals import Referrals
from analysis.demo.streams import stream

CHUNK_REFERRALS = 20_000
WEEKS = (0, 4, 12, 26)
MISSING_SHARE = 0.12
KEEP_AFTER_STOP = 0.6
LAST_ATTENDED_RECORDED = 0.95
LAST_ATTENDED_RECORDED_LATER = 0.8
SESSIONS_PER_WEEK = 1.4
SESSIONS_RECORDED = 0.85
STOP_REASONS = ("health", "cost", "time", "transport", "did_not_enjoy", "moved", "other")
STOP_REASON_SHARE = (0.25, 0.10, 0.20, 0.10, 0.15, 0.05, 0.15)
STOP_REASON_RECORDED = 0.75

FOLLOWUP_COLUMNS = (
    "referral_id",
    "followup_date",
    "followup_week",
    "still_attending",
    "sessions_attended",
    "last_attended_date",
    *(f"swemwbs_{k}" for k in range(1, 8)),
    *ONS4_ITEMS,
    "sipam_days",
    "stop_reason",
)


@dataclass
class FollowupChunk:
    """Follow-up rows of the starters among referrals ``first:stop``."""

    first: int
    stop: int
    referral: np.ndarray
    week: np.ndarray
    date: np.ndarray
    still: np.ndarray
    sessions: np.ndarray
    last_attended: np.ndarray
    answers: Answers
    stop_reason: np.ndarray

    def __len__(self) -> int:
        return len(self.referral)


@dataclass
class ChangeTally:
    """Observed week-12 SWEMWBS metric change (complete pairs) by still_attending."""

    total: dict[str, float] = field(default_factory=lambda: {"yes": 0.0, "no": 0.0})
    count: dict[str, int] = field(default_factory=lambda: {"yes": 0, "no": 0})

    def add(self, chunk: FollowupChunk) -> None:
        complete = (chunk.answers.swemwbs > 0).all(axis=1)
        score = np.where(
            complete,
            metric_of_raw(np.where(complete, chunk.answers.swemwbs.sum(axis=1), 7)),
            np.nan,
        )
        base = {
            r: s
            for r, w, s in zip(chunk.referral, chunk.week, score, strict=True)
            if w == 0 and not np.isnan(s)
        }
        for r, w, s, st in zip(chunk.referral, chunk.week, score, chunk.still, strict=True):
            if w == 12 and not np.isnan(s) and r in base:
                key = "yes" if st == 1 else "no"
                self.total[key] += float(s - base[r])
                self.count[key] += 1

    def means(self) -> dict[str, float | None]:
        return {
            k: (self.total[k] / self.count[k] if self.count[k] else None) for k in ("yes", "no")
        }


def followup_chunk(
    ref: Referrals, start: int, stop: int, seed: int, chunk_no: int
) -> FollowupChunk:
    """Follow-up rows for the starters among referrals ``start:stop``."""
    rng = stream(seed, "followups", chunk_no)
    extraction = dates.day(dates.EXTRACTION_DATE)
    who = start + np.flatnonzero(ref.uptake.started[start:stop])
    m = len(who)
    base = draw_baselines(rng, m)
    first = ref.journeys.first_attended[who]
    weeks_t = ref.retention.weeks[who]
    lower = np.where(
        np.isnat(ref.journeys.contacted[who]), ref.date[who], ref.journeys.contacted[who]
    )
    gap = np.minimum((first - lower).astype(np.int64), 7)
    reason = rng.choice(len(STOP_REASONS), size=m, p=STOP_REASON_SHARE)
    rows: list[tuple[np.ndarray, ...]] = []
    seen_no = np.zeros(m, dtype=bool)
    for w in WEEKS:
        if w == 0:
            date = first - np.floor(rng.random(m) * (gap + 1)).astype(np.int64)
        else:
            date = first + 7 * w + rng.integers(0, 7, m)
        exists = (date <= extraction) & (rng.random(m) >= MISSING_SHARE)
        days = (date - first).astype(np.int64)
        still = weeks_t > days / 7.0
        if w > 0:
            exists &= ~seen_no | (rng.random(m) < KEEP_AFTER_STOP)
            first_no = exists & ~still & ~seen_no
            later_no = exists & ~still & seen_no
            seen_no |= exists & ~still
            record_last = np.where(
                first_no,
                rng.random(m) < LAST_ATTENDED_RECORDED,
                later_no & (rng.random(m) < LAST_ATTENDED_RECORDED_LATER),
            )
            last = np.where(record_last, ref.journeys.last_attended[who], dates.NAT)
            prev = WEEKS[WEEKS.index(w) - 1]
            active = np.clip(np.minimum(weeks_t, days / 7.0) - prev, 0, None)
            sessions = np.where(
                rng.random(m) < SESSIONS_RECORDED, rng.poisson(SESSIONS_PER_WEEK * active), -1
            )
            stop_reason = np.where(~still & (rng.random(m) < STOP_REASON_RECORDED), reason, -1)
            still_code = still.astype(np.int8)
        else:
            last = np.full(m, dates.NAT)
            sessions = np.full(m, -1)
            stop_reason = np.full(m, -1)
            still_code = np.full(m, -1, dtype=np.int8)
        keep = np.flatnonzero(exists)
        rows.append(
            (
                keep,
                np.full(len(keep), w),
                date[keep],
                still_code[keep],
                sessions[keep],
                last[keep],
                stop_reason[keep],
            )
        )
    local = np.concatenate([r[0] for r in rows])
    week = np.concatenate([r[1] for r in rows])
    order = np.lexsort((week, local))
    local, week = local[order], week[order]
    cols = [np.concatenate([r[k] for r in rows])[order] for k in range(2, 7)]
    answers = answer(base, local, week, cols[1] != 0, rng)
    return FollowupChunk(
        first=start,
        stop=stop,
        referral=who[local],
        week=week,
        date=cols[0],
        still=cols[1],
        sessions=cols[2],
        last_attended=cols[3],
        answers=answers,
        stop_reason=cols[4],
    )


def iter_followups(ref: Referrals, seed: int) -> Iterator[FollowupChunk]:
    for chunk_no, start in enumerate(range(0, len(ref), CHUNK_REFERRALS)):
        yield followup_chunk(ref, start, min(start + CHUNK_REFERRALS, len(ref)), seed, chunk_no)


def _blank_unless(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    return np.where(present, values.astype(str), "").astype(object)


def followup_columns(ref: Referrals, chunk: FollowupChunk) -> list[np.ndarray]:
    """The ``followups.csv`` columns (as str arrays) for a chunk."""
    a = chunk.answers
    still = np.asarray(["", "no", "yes"], dtype=object)[chunk.still + 1]
    reasons = np.asarray(("", *STOP_REASONS), dtype=object)[chunk.stop_reason + 1]
    return [
        ref.referral_id[chunk.referral],
        dates.iso_dates(chunk.date),
        chunk.week.astype(str).astype(object),
        still,
        _blank_unless(chunk.sessions, chunk.sessions >= 0),
        dates.iso_dates(chunk.last_attended),
        *(_blank_unless(a.swemwbs[:, k], a.swemwbs[:, k] > 0) for k in range(7)),
        *(_blank_unless(a.ons4[:, k], a.ons4[:, k] >= 0) for k in range(4)),
        _blank_unless(a.sipam, a.sipam >= 0),
        reasons,
    ]
