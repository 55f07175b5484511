"""A small hand-written place for loader tests: a few practices, areas, referrals, follow-ups."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

PRACTICES = [
    ["practice_code", "practice_name", "pcn_code", "pcn_name", "sub_icb_code", "latitude",
     "longitude", "registered_patients"],
    ["F84001", "Riverside Surgery", "U12345", "Riverside PCN", "99Z", "51.50", "-0.10", "8000"],
    ["F84002", "Hill Surgery", "U12345", "Riverside PCN", "99Z", "51.52", "-0.12", "6000"],
    ["F84003", "Park Practice", "U23456", "Parkside PCN", "99Z", "51.45", "-0.20", "9000"],
]
AREAS = [
    ["lsoa_code", "lsoa_name", "latitude", "longitude", "population", "imd_decile", "pcn_code"],
    ["E01000001", "Riverside 001A", "51.50", "-0.10", "1500", "2", "U12345"],
    ["E01000002", "Riverside 001B", "51.51", "-0.11", "1600", "5", ""],
    ["E01000003", "Parkside 001A", "51.45", "-0.21", "1700", "9", "U23456"],
]
REFERRALS = [
    ["referral_id", "nhs_number", "patient_id", "referral_date", "practice_code",
     "referral_source", "link_worker_id", "age_band", "sex", "ethnicity", "lsoa_code",
     "conditions", "opportunity_id", "activity_id", "contacted_date", "first_attended_date",
     "status", "closed_date"],
    ["R1", "943 476 5919", "", "2025-01-06", "F84001", "gp", "LW1", "45-54", "female", "white",
     "E01000001", "mental_health", "", "", "2025-01-08", "2025-01-13", "attending", ""],
    ["R2", "", "P-77", "2025-02-03", "F84003", "self", "", "75+", "male", "asian", "E01000003",
     "", "", "", "2025-02-04", "", "declined", "2025-02-04"],
    ["R3", "4010232137", "", "2025-02-10", "F84002", "nurse", "LW2", "25-34", "other", "mixed",
     "", "msk;obesity", "", "", "", "", "referred", ""],
    ["R4", "943 476 5919", "", "2025-03-15", "F84002", "gp", "LW1", "45-54", "female",
     "white", "E01000002", "", "", "", "2025-03-20", "2025-03-22", "withdrawn", "2025-05-01"],
    ["R5", "9434765918", "", "2025-03-15", "F84002", "gp", "LW1", "45-54", "female",
     "white", "E01000002", "", "", "", "", "", "referred", ""],
]
FOLLOWUPS = [
    ["referral_id", "followup_date", "followup_week", "still_attending", "last_attended_date",
     "swemwbs_1", "swemwbs_2", "swemwbs_3", "swemwbs_4", "swemwbs_5", "swemwbs_6", "swemwbs_7"],
    ["R1", "2025-01-13", "0", "", "", "3", "3", "2", "3", "3", "2", "3"],
    ["R1", "2025-02-10", "4", "yes", "", "", "", "", "", "", "", ""],
    ["R1", "2025-04-07", "12", "yes", "", "4", "3", "3", "3", "4", "3", "3"],
    ["R4", "2025-04-19", "4", "no", "2025-04-10", "", "", "", "", "", "", ""],
    ["R9", "2025-04-19", "4", "no", "", "", "", "", "", "", "", ""],
]
PILOTS = """
[[pilot]]
name = "Riverside live feed"
pcn_codes = ["U12345"]
comparison_pcn_codes = ["U23456"]
go_live = 2025-02-01
description = "Live OpenActive feed in the referral system"
"""

NHS_NUMBERS = ["9434765919", "4010232137", "9434765918"]


def write_csv(path: Path, rows: list[list[str]], **kwargs) -> Path:
    with path.open("w", newline="", encoding=kwargs.pop("encoding", "utf-8")) as fh:
        csv.writer(fh, **kwargs).writerows(rows)
    return path


def write_place(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "practices.csv", PRACTICES)
    write_csv(folder / "areas.csv", AREAS)
    write_csv(folder / "referrals.csv", REFERRALS)
    write_csv(folder / "followups.csv", FOLLOWUPS)
    (folder / "pilots.toml").write_text(PILOTS, encoding="utf-8")
    return folder


@pytest.fixture
def place(tmp_path: Path) -> Path:
    return write_place(tmp_path / "place")
