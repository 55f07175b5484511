"""One bad value per rule of the data contract: exactly that row is rejected, for that reason."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis.ingest.contract import CONTRACTS
from analysis.ingest.validate import References, check

TODAY = date(2026, 11, 21)

GOOD = {
    "practices": {
        "practice_code": "F84001", "practice_name": "Riverside Surgery", "pcn_code": "U12345",
        "pcn_name": "Riverside PCN", "sub_icb_code": "99Z", "latitude": "51.5",
        "longitude": "-0.1", "registered_patients": "8000",
    },
    "areas": {
        "lsoa_code": "E01000001", "lsoa_name": "Riverside 001A", "latitude": "51.5",
        "longitude": "-0.1", "population": "1500", "imd_decile": "3", "pcn_code": "U12345",
    },
    "referrals": {
        "referral_id": "R1", "nhs_number": "943 476 5919", "patient_id": "",
        "referral_date": "2025-01-06", "practice_code": "F84001", "referral_source": "gp",
        "link_worker_id": "LW1", "age_band": "45-54", "sex": "female", "ethnicity": "white",
        "lsoa_code": "E01000001", "conditions": "mental_health;msk",
        "opportunity_id": "https://example.org/session-series/1",
        "activity_id": "https://openactive.io/activity-list#c0b2c8e4-3f0b-4d56-b2a7-3c3bd4b6f37c",
        "contacted_date": "2025-01-08", "first_attended_date": "2025-01-13",
        "status": "attending", "closed_date": "",
    },
    "followups": {
        "referral_id": "R1", "followup_date": "2025-04-07", "followup_week": "12",
        "still_attending": "no", "sessions_attended": "9", "last_attended_date": "2025-03-24",
        **{f"swemwbs_{i}": "3" for i in range(1, 8)},
        "ons4_satisfied": "6", "ons4_worthwhile": "7", "ons4_happy": "6", "ons4_anxious": "4",
        "sipam_days": "3", "stop_reason": "time",
    },
}

REFS = References(
    practice_codes={"F84001"},
    lsoa_codes={"E01000001"},
    referral_dates=pd.Series(pd.to_datetime(["2025-01-06"]), index=["R1"]),
)

# (kind, column, bad value, field named in the reject, words the reason must contain)
CASES = [
    ("practices", "practice_code", "F8401", "practice_code", "a letter and 5 digits"),
    ("practices", "practice_code", "", "practice_code", "is missing"),
    ("practices", "practice_name", "", "practice_name", "is missing"),
    ("practices", "pcn_code", "X12345", "pcn_code", "U and 5 digits"),
    ("practices", "pcn_name", "", "pcn_name", "is missing"),
    ("practices", "latitude", "12.0", "latitude", "out of range"),
    ("practices", "latitude", "north", "latitude", "is not valid"),
    ("practices", "longitude", "5.2", "longitude", "out of range"),
    ("practices", "longitude", "", "longitude", "is missing"),
    ("practices", "registered_patients", "-1", "registered_patients", "out of range"),
    ("practices", "registered_patients", "12.5", "registered_patients", "whole number"),
    ("areas", "lsoa_code", "E02000001", "lsoa_code", "E01 or W01"),
    ("areas", "latitude", "", "latitude", "is missing"),
    ("areas", "population", "-5", "population", "out of range"),
    ("areas", "imd_decile", "0", "imd_decile", "out of range"),
    ("areas", "imd_decile", "11", "imd_decile", "out of range"),
    ("areas", "imd_decile", "", "imd_decile", "is missing"),
    ("areas", "pcn_code", "U1234", "pcn_code", "U and 5 digits"),
    ("referrals", "referral_id", "", "referral_id", "is missing"),
    ("referrals", "nhs_number", "943 476 5918", "nhs_number", "Modulus 11"),
    ("referrals", "nhs_number", "94347659", "nhs_number", "10 digits"),
    ("referrals", "patient_id", "9434765919", "patient_id", "looks like a raw NHS number"),
    ("referrals", "referral_date", "2024-02-30", "referral_date", "is not valid"),
    ("referrals", "referral_date", "05/13/2024", "referral_date", "is not valid"),
    ("referrals", "referral_date", "2024/01/05", "referral_date", "is not valid"),
    ("referrals", "referral_date", "3/4/24", "referral_date", "is not valid"),
    ("referrals", "referral_date", "2014-12-31", "referral_date", "before 2015-01-01"),
    ("referrals", "referral_date", "2026-11-22", "referral_date", "in the future"),
    ("referrals", "referral_date", "", "referral_date", "is missing"),
    ("referrals", "practice_code", "F99999", "practice_code", "not in the loaded practices"),
    ("referrals", "practice_code", "", "practice_code", "is missing"),
    ("referrals", "referral_source", "pharmacist", "referral_source", "one of gp, link_worker"),
    ("referrals", "referral_source", "", "referral_source", "is missing"),
    ("referrals", "age_band", "40-49", "age_band", "one of 16-24"),
    ("referrals", "sex", "f", "sex", "one of female"),
    ("referrals", "ethnicity", "british", "ethnicity", "one of asian"),
    ("referrals", "lsoa_code", "E01999999", "lsoa_code", "not in the loaded areas"),
    ("referrals", "lsoa_code", "ZZ", "lsoa_code", "is not valid"),
    ("referrals", "conditions", "mental_health;gout", "conditions", "';'-separated values"),
    ("referrals", "contacted_date", "2025-01-01", "contacted_date", "before referral_date"),
    ("referrals", "first_attended_date", "2025-01-02", "first_attended_date", "before referral_date"),
    ("referrals", "first_attended_date", "2025-01-07", "first_attended_date", "before contacted_date"),
    ("referrals", "status", "active", "status", "one of referred"),
    ("referrals", "status", "", "status", "is missing"),
    ("referrals", "closed_date", "2025-01-01", "closed_date", "before referral_date"),
    ("referrals", "closed_date", "31/02/2025", "closed_date", "is not valid"),
    ("followups", "referral_id", "R404", "referral_id", "not in the loaded referrals"),
    ("followups", "followup_date", "2025-01-01", "followup_date", "before the referral's"),
    ("followups", "followup_date", "", "followup_date", "is missing"),
    ("followups", "followup_week", "105", "followup_week", "out of range"),
    ("followups", "followup_week", "-1", "followup_week", "out of range"),
    ("followups", "followup_week", "twelve", "followup_week", "is not valid"),
    ("followups", "still_attending", "", "still_attending", "required after week 0"),
    ("followups", "still_attending", "maybe", "still_attending", "yes/no"),
    ("followups", "sessions_attended", "-2", "sessions_attended", "out of range"),
    ("followups", "last_attended_date", "2025-04-08", "last_attended_date", "after followup_date"),
    ("followups", "swemwbs_3", "6", "swemwbs_3", "1 to 5"),
    ("followups", "swemwbs_7", "0", "swemwbs_7", "1 to 5"),
    ("followups", "ons4_happy", "11", "ons4_happy", "0 to 10"),
    ("followups", "ons4_anxious", "-1", "ons4_anxious", "0 to 10"),
    ("followups", "sipam_days", "8", "sipam_days", "0 to 7"),
    ("followups", "stop_reason", "bored", "stop_reason", "one of health"),
]


# A second good row with a different key, so a test can see that only the bad row goes.
COMPANION_KEY = {
    "practices": {"practice_code": "F84002"},
    "areas": {"lsoa_code": "E01000002"},
    "referrals": {"referral_id": "R0"},
    "followups": {"followup_week": "4", "followup_date": "2025-02-03", "last_attended_date": ""},
}


def run(kind: str, rows: list[dict[str, str]]):
    contract = CONTRACTS[kind]
    cells = pd.DataFrame(rows, index=range(1, len(rows) + 1)).reindex(columns=contract.names)
    return check(cells.fillna(""), contract, REFS, TODAY)


@pytest.mark.parametrize("kind", sorted(GOOD))
def test_good_row_is_accepted(kind: str) -> None:
    result = run(kind, [GOOD[kind]])
    assert result.problems.empty, result.problems.to_dict("records")
    assert len(result.values) == 1


@pytest.mark.parametrize(("kind", "column", "value", "field", "words"), CASES)
def test_bad_value_rejects_exactly_that_row(kind, column, value, field, words) -> None:
    bad = {**GOOD[kind], column: value}
    result = run(kind, [GOOD[kind] | COMPANION_KEY[kind], bad])
    rejected_rows = set(result.problems["row"])
    assert rejected_rows == {2}, result.problems.to_dict("records")
    assert list(result.values.index) == [1]
    reasons = result.problems[result.problems["field"] == field]["reason"].tolist()
    assert any(words in r for r in reasons), reasons


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2025-03-04", "2025-03-04"), ("04/03/2025", "2025-03-04"), ("4/3/2025", "2025-03-04")],
)
def test_dates_iso_and_uk_day_first(text: str, expected: str) -> None:
    result = run("referrals", [GOOD["referrals"] | {"referral_date": text,
                                                    "contacted_date": "", "first_attended_date": ""}])
    assert result.problems.empty
    assert result.values["referral_date"].iloc[0] == pd.Timestamp(expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("yes", True), ("No", False), ("TRUE", True), ("false", False), ("y", True), ("N", False),
    ("1", True), ("0", False),
])
def test_still_attending_spellings(text: str, expected: bool) -> None:
    result = run("followups", [GOOD["followups"] | {"still_attending": text}])
    assert result.problems.empty
    assert bool(result.values["still_attending"].iloc[0]) is expected


def test_week_zero_needs_no_still_attending() -> None:
    baseline = GOOD["followups"] | {"followup_week": "0", "still_attending": "",
                                    "followup_date": "2025-01-13", "last_attended_date": ""}
    assert run("followups", [baseline]).problems.empty


def test_either_nhs_number_or_patient_id() -> None:
    only_pid = GOOD["referrals"] | {"nhs_number": "", "patient_id": "P-7f3a"}
    neither = GOOD["referrals"] | {"nhs_number": "", "patient_id": "", "referral_id": "R2"}
    result = run("referrals", [only_pid, neither])
    assert set(result.problems["row"]) == {2}
    assert "both missing" in result.problems["reason"].iloc[0]


def test_codes_and_enums_are_normalised() -> None:
    row = GOOD["referrals"] | {"practice_code": "f84001", "referral_source": "Link Worker",
                               "sex": "FEMALE", "conditions": " MSK ; mental_health;msk"}
    result = run("referrals", [row])
    assert result.problems.empty
    got = result.values.iloc[0]
    assert (got["practice_code"], got["referral_source"], got["sex"]) == ("F84001", "link_worker", "female")
    assert got["conditions"] == "msk;mental_health"


def test_duplicate_key_keeps_first_and_names_it() -> None:
    result = run("referrals", [GOOD["referrals"], GOOD["referrals"]])
    assert list(result.values.index) == [1]
    assert result.problems["reason"].iloc[0].endswith("already on row 1 of this file")


def test_reject_never_echoes_the_nhs_number() -> None:
    result = run("referrals", [GOOD["referrals"] | {"nhs_number": "943 476 5918"}])
    assert "943" not in " ".join(result.problems["value"].astype(str))
    assert "9434765918" not in " ".join(result.problems["reason"])
