"""Deliberately faulty input rows, each one listed in ``truth/bad_rows.csv``.

Faulty rows are extra rows: they are generated like the others and then one field is
corrupted, so every loader should reject them and the accepted rows are exactly the planted
sample. Rates: about 0.2% of referrals and of follow-ups (at least one row of every kind), two
practices and two areas.

referrals.csv: impossible_date (``referral_date`` such as 2024-02-30), nhs_number_check_digit
(Modulus-11 check fails), unknown_practice (``practice_code`` not in practices.csv),
attended_before_referral (``first_attended_date`` before ``referral_date``), invalid_age_band
(``40-49``).
followups.csv (week 8, a week no planted follow-up uses): unknown_referral, impossible_date
(2025-02-29), sipam_out_of_range (9), swemwbs_out_of_range (an item of 6),
ons4_out_of_range (``ons4_happy`` 11).
practices.csv: invalid_practice_code (five characters), latitude_outside_uk (Paris).
areas.csv: imd_decile_out_of_range (11), invalid_lsoa_code (eight characters).
"""

from __future__ import annotations

import numpy as np

from analysis.demo import dates, nhs_numbers
from analysis.demo.followups import FOLLOWUP_COLUMNS
from analysis.demo.geography import Geography
from analysis.demo.reference_files import AREA_COLUMNS, PRACTICE_COLUMNS
from analysis.demo.referrals import REFERRAL_COLUMNS, Referrals, referral_columns
from analysis.demo.supply import Series
from analysis.demo.writer import FaultRow

REFERRAL_FAULT_SHARE = 0.002
FOLLOWUP_FAULTS_PER_REFERRAL = 0.004
IMPOSSIBLE_DATES = ("2024-02-30", "2023-11-31", "2025-04-31", "2026-06-31", "2025-02-29")
FAULT_WEEK = 8


def _by_position(faults: list[FaultRow], positions: np.ndarray) -> dict[int, list[FaultRow]]:
    out: dict[int, list[FaultRow]] = {}
    for pos, fault in zip(positions, faults, strict=True):
        out.setdefault(int(pos), []).append(fault)
    return out


def referral_faults(
    ref: Referrals, geo: Geography, series: Series, rng: np.random.Generator
) -> dict[int, list[FaultRow]]:
    """Faulty referral rows keyed by the planted row they are written before."""
    kinds = (
        "impossible_date",
        "nhs_number_check_digit",
        "unknown_practice",
        "attended_before_referral",
        "invalid_age_band",
    )
    n = max(len(kinds), round(REFERRAL_FAULT_SHARE * len(ref)))
    used = np.asarray(
        [int(x.replace(" ", "")) for x in ref.people.nhs_number if x], dtype=np.int64
    )
    fresh = [int(x) for x in nhs_numbers.unused_numbers(rng, n, used)]
    codes = set(geo.practice_code)
    col = {c: k for k, c in enumerate(REFERRAL_COLUMNS)}
    faults = []
    for j in range(n):
        kind = kinds[j % len(kinds)]
        base = int(rng.integers(len(ref)))
        values = [str(c[0]) for c in referral_columns(ref, geo, series, base, base + 1)]
        values[col["referral_id"]] = f"R{1001 + len(ref) + j:07d}"
        values[col["nhs_number"]] = f"{fresh[j]:010d}"
        values[col["patient_id"]] = ""
        if kind == "impossible_date":
            field, value = "referral_date", IMPOSSIBLE_DATES[j % len(IMPOSSIBLE_DATES)]
        elif kind == "nhs_number_check_digit":
            field, value = "nhs_number", nhs_numbers.with_wrong_check_digit(fresh[j], rng)
        elif kind == "unknown_practice":
            value = next(
                c
                for c in (f"Z{rng.integers(10000, 100000)}" for _ in range(1000))
                if c not in codes
            )
            field = "practice_code"
        elif kind == "attended_before_referral":
            referred = np.datetime64(values[col["referral_date"]], "D")
            field = "first_attended_date"
            value = str(referred - int(rng.integers(3, 21)))
            values[col["contacted_date"]] = ""
            values[col["status"]] = "attending"
            values[col["closed_date"]] = ""
        else:
            field, value = "age_band", "40-49"
        values[col[field]] = value
        faults.append(FaultRow("referrals.csv", values[0], field, kind, value, values))
    return _by_position(faults, rng.integers(0, len(ref) + 1, size=n))


def followup_faults(ref: Referrals, rng: np.random.Generator) -> dict[int, list[FaultRow]]:
    """Faulty follow-up rows keyed by the referral index whose rows they follow."""
    kinds = (
        "unknown_referral",
        "impossible_date",
        "sipam_out_of_range",
        "swemwbs_out_of_range",
        "ons4_out_of_range",
    )
    n = max(len(kinds), round(FOLLOWUP_FAULTS_PER_REFERRAL * len(ref)))
    when = ref.journeys.first_attended + 7 * FAULT_WEEK
    eligible = np.flatnonzero(ref.uptake.started & (when <= dates.day(dates.EXTRACTION_DATE)))
    chosen = rng.choice(eligible, size=min(n, len(eligible)), replace=False)
    col = {c: k for k, c in enumerate(FOLLOWUP_COLUMNS)}
    faults: dict[int, list[FaultRow]] = {}
    for j, i in enumerate(chosen):
        kind = kinds[j % len(kinds)]
        still = ref.retention.weeks[i] > FAULT_WEEK
        values = [""] * len(FOLLOWUP_COLUMNS)
        values[col["referral_id"]] = str(ref.referral_id[i])
        values[col["followup_date"]] = str(when[i])
        values[col["followup_week"]] = str(FAULT_WEEK)
        values[col["still_attending"]] = "yes" if still else "no"
        for k in range(1, 8):
            values[col[f"swemwbs_{k}"]] = str(rng.integers(1, 6))
        for name in ("ons4_satisfied", "ons4_worthwhile", "ons4_happy", "ons4_anxious"):
            values[col[name]] = str(rng.integers(0, 11))
        values[col["sipam_days"]] = str(rng.integers(0, 8))
        if kind == "unknown_referral":
            field, value = "referral_id", f"R9{rng.integers(0, 1_000_000):06d}"
        elif kind == "impossible_date":
            field, value = "followup_date", "2025-02-29"
        elif kind == "sipam_out_of_range":
            field, value = "sipam_days", "9"
        elif kind == "swemwbs_out_of_range":
            field, value = f"swemwbs_{rng.integers(1, 8)}", "6"
        else:
            field, value = "ons4_happy", "11"
        values[col[field]] = value
        key = f"{values[0]}|{FAULT_WEEK}"
        faults.setdefault(int(i), []).append(
            FaultRow("followups.csv", key, field, kind, value, values)
        )
    return faults


def practice_faults(
    geo: Geography, rows: list[list[str]], rng: np.random.Generator
) -> dict[int, list[FaultRow]]:
    """Two faulty practice rows (``rows`` are the planted rows as strings)."""
    used = set(geo.practice_code)
    bad_code = f"Z{rng.integers(1000, 10000)}"
    new_code = next(
        c for c in (f"Z{rng.integers(10000, 100000)}" for _ in range(1000)) if c not in used
    )
    col = {c: k for k, c in enumerate(PRACTICE_COLUMNS)}
    first = list(rows[int(rng.integers(len(rows)))])
    first[col["practice_code"]] = bad_code
    first[col["practice_name"]] = f"{first[col['practice_name']]} Branch"
    second = list(rows[int(rng.integers(len(rows)))])
    second[col["practice_code"]] = new_code
    second[col["practice_name"]] = f"{second[col['practice_name']]} Annexe"
    second[col["latitude"]], second[col["longitude"]] = "48.856600", "2.352200"
    faults = [
        FaultRow(
            "practices.csv", bad_code, "practice_code", "invalid_practice_code", bad_code, first
        ),
        FaultRow(
            "practices.csv", new_code, "latitude", "latitude_outside_uk", "48.856600", second
        ),
    ]
    return _by_position(faults, rng.integers(0, len(rows) + 1, size=2))


def area_faults(
    geo: Geography, rows: list[list[str]], rng: np.random.Generator
) -> dict[int, list[FaultRow]]:
    """Two faulty area rows (``rows`` are the planted rows as strings)."""
    used = set(geo.area_code)
    new_code = next(
        c for c in (f"E019{rng.integers(0, 100000):05d}" for _ in range(1000)) if c not in used
    )
    bad_code = f"E019{rng.integers(0, 10000):04d}"
    col = {c: k for k, c in enumerate(AREA_COLUMNS)}
    first = list(rows[int(rng.integers(len(rows)))])
    first[col["lsoa_code"]] = new_code
    first[col["imd_decile"]] = "11"
    second = list(rows[int(rng.integers(len(rows)))])
    second[col["lsoa_code"]] = bad_code
    faults = [
        FaultRow("areas.csv", new_code, "imd_decile", "imd_decile_out_of_range", "11", first),
        FaultRow("areas.csv", bad_code, "lsoa_code", "invalid_lsoa_code", bad_code, second),
    ]
    return _by_position(faults, rng.integers(0, len(rows) + 1, size=2))
