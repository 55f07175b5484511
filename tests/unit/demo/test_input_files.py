"""The input files follow DATA-CONTRACT.md; the faulty rows are exactly those listed in truth."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from analysis.demo import nhs_numbers
from tests.unit.demo.helpers import read_header, read_rows

EXTRACTION = dt.date(2026, 10, 31)
COLUMNS = {
    "practices.csv": [
        "practice_code",
        "practice_name",
        "pcn_code",
        "pcn_name",
        "sub_icb_code",
        "latitude",
        "longitude",
        "registered_patients",
    ],
    "areas.csv": [
        "lsoa_code",
        "lsoa_name",
        "latitude",
        "longitude",
        "population",
        "imd_decile",
        "pcn_code",
    ],
    "referrals.csv": [
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
    ],
    "followups.csv": [
        "referral_id",
        "followup_date",
        "followup_week",
        "still_attending",
        "sessions_attended",
        "last_attended_date",
        *(f"swemwbs_{k}" for k in range(1, 8)),
        "ons4_satisfied",
        "ons4_worthwhile",
        "ons4_happy",
        "ons4_anxious",
        "sipam_days",
        "stop_reason",
    ],
}
AGE_BANDS = {"16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+", "unknown"}
DATE_FIELDS = {
    "referrals.csv": ("referral_date", "contacted_date", "first_attended_date", "closed_date"),
    "followups.csv": ("followup_date", "last_attended_date"),
}


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _bad(demo: Path) -> dict[str, dict[int, dict[str, str]]]:
    out: dict[str, dict[int, dict[str, str]]] = {}
    for row in read_rows(demo / "truth/bad_rows.csv"):
        out.setdefault(row["file"], {})[int(row["row_number"])] = row
    return out


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_columns_match_the_contract(pilot_demo: Path, name: str) -> None:
    assert read_header(pilot_demo / name) == COLUMNS[name]


@pytest.mark.parametrize("name", sorted(DATE_FIELDS))
def test_no_date_after_extraction(pilot_demo: Path, name: str) -> None:
    bad = _bad(pilot_demo).get(name, {})
    for number, row in enumerate(read_rows(pilot_demo / name), start=1):
        if number in bad:
            continue
        for field in DATE_FIELDS[name]:
            day = _date(row[field])
            assert day is None or dt.date(2023, 10, 1) <= day <= EXTRACTION, (number, field)


def test_referral_ids_unique_and_followups_link(pilot_demo: Path) -> None:
    referrals = read_rows(pilot_demo / "referrals.csv")
    ids = {r["referral_id"] for r in referrals}
    assert len(ids) == len(referrals)
    bad = _bad(pilot_demo).get("followups.csv", {})
    keys = set()
    for number, row in enumerate(read_rows(pilot_demo / "followups.csv"), start=1):
        key = (row["referral_id"], row["followup_week"])
        assert key not in keys
        keys.add(key)
        if number not in bad:
            assert row["referral_id"] in ids


CHECKS: dict[str, Callable[[dict[str, str], dict[str, str], dict[str, set[str]]], bool]] = {
    "impossible_date": lambda row, f, ctx: _unparseable(row[f["field"]]),
    "nhs_number_check_digit": lambda row, f, ctx: not nhs_numbers.is_valid(row["nhs_number"]),
    "unknown_practice": lambda row, f, ctx: row["practice_code"] not in ctx["practices"],
    "attended_before_referral": lambda row, f, ctx: (
        row["first_attended_date"] < row["referral_date"]
    ),
    "invalid_age_band": lambda row, f, ctx: row["age_band"] not in AGE_BANDS,
    "unknown_referral": lambda row, f, ctx: row["referral_id"] not in ctx["referrals"],
    "sipam_out_of_range": lambda row, f, ctx: not 0 <= int(row["sipam_days"]) <= 7,
    "swemwbs_out_of_range": lambda row, f, ctx: not 1 <= int(row[f["field"]]) <= 5,
    "ons4_out_of_range": lambda row, f, ctx: not 0 <= int(row[f["field"]]) <= 10,
    "invalid_practice_code": lambda row, f, ctx: (
        not re.fullmatch(r"[A-Z]\d{5}", row["practice_code"])
    ),
    "latitude_outside_uk": lambda row, f, ctx: not 49.8 <= float(row["latitude"]) <= 60.9,
    "imd_decile_out_of_range": lambda row, f, ctx: not 1 <= int(row["imd_decile"]) <= 10,
    "invalid_lsoa_code": lambda row, f, ctx: not re.fullmatch(r"[EW]01\d{6}", row["lsoa_code"]),
}


def _unparseable(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return True
    return False


def test_listed_bad_rows_have_their_fault(pilot_demo: Path) -> None:
    bad = _bad(pilot_demo)
    ctx = {
        "practices": {
            r["practice_code"]
            for n, r in enumerate(read_rows(pilot_demo / "practices.csv"), start=1)
            if n not in bad["practices.csv"]
        },
        "referrals": {r["referral_id"] for r in read_rows(pilot_demo / "referrals.csv")},
    }
    kinds = set()
    for name, listed in bad.items():
        rows = read_rows(pilot_demo / name)
        for number, fault in listed.items():
            row = rows[number - 1]
            assert row[fault["field"]] == fault["value"], (name, number)
            assert fault["key"].split("|")[0] == row[COLUMNS[name][0]]
            assert CHECKS[fault["fault"]](row, fault, ctx), (name, number, fault["fault"])
            kinds.add(fault["fault"])
    assert kinds == set(CHECKS)
    n_referrals = len(read_rows(pilot_demo / "referrals.csv"))
    assert 5 <= len(bad["referrals.csv"]) <= max(5, 0.005 * n_referrals)
    assert len(bad["practices.csv"]) == 2 and len(bad["areas.csv"]) == 2


def test_unlisted_rows_are_clean(pilot_demo: Path) -> None:
    bad = _bad(pilot_demo)
    practices = read_rows(pilot_demo / "practices.csv")
    areas = read_rows(pilot_demo / "areas.csv")
    good_practices = {
        r["practice_code"]
        for n, r in enumerate(practices, start=1)
        if n not in bad["practices.csv"]
    }
    good_areas = {
        r["lsoa_code"] for n, r in enumerate(areas, start=1) if n not in bad["areas.csv"]
    }
    for n, p in enumerate(practices, start=1):
        if n not in bad["practices.csv"]:
            assert re.fullmatch(r"Z\d{5}", p["practice_code"])
            assert re.fullmatch(r"U9\d{4}", p["pcn_code"])
            assert 3_000 <= int(p["registered_patients"]) <= 20_000
            assert 49.8 <= float(p["latitude"]) <= 60.9
    for n, a in enumerate(areas, start=1):
        if n not in bad["areas.csv"]:
            assert re.fullmatch(r"E019\d{5}", a["lsoa_code"])
            assert 1 <= int(a["imd_decile"]) <= 10 and int(a["population"]) > 0
    blank = sum(not a["pcn_code"] for a in areas) / len(areas)
    assert 0.0 < blank < 0.12
    starters = {}
    for n, r in enumerate(read_rows(pilot_demo / "referrals.csv"), start=1):
        if n in bad["referrals.csv"]:
            continue
        assert r["practice_code"] in good_practices
        assert not r["lsoa_code"] or r["lsoa_code"] in good_areas
        assert r["age_band"] in AGE_BANDS
        referred = _date(r["referral_date"])
        contacted, first, closed = (
            _date(r[k]) for k in ("contacted_date", "first_attended_date", "closed_date")
        )
        assert contacted is None or contacted >= referred
        assert first is None or (first >= referred and (contacted is None or first >= contacted))
        assert closed is None or closed >= referred
        assert (first is not None) == (r["status"] in {"attending", "completed", "withdrawn"})
        assert (closed is None) == (r["status"] in {"attending", "referred", "contacted"})
        assert all(
            c
            in {
                "mental_health",
                "diabetes",
                "prediabetes",
                "msk",
                "cardiovascular",
                "respiratory",
                "obesity",
                "cancer",
                "long_covid",
                "loneliness",
                "other",
            }
            for c in r["conditions"].split(";")
            if c
        )
        if first:
            starters[r["referral_id"]] = (referred, first)
    for n, f in enumerate(read_rows(pilot_demo / "followups.csv"), start=1):
        if n in bad.get("followups.csv", {}):
            continue
        referred, first = starters[f["referral_id"]]
        day = _date(f["followup_date"])
        assert day >= referred
        assert f["followup_week"] in {"0", "4", "12", "26"}
        if f["followup_week"] == "0":
            assert f["still_attending"] == "" and day <= first
        else:
            assert f["still_attending"] in {"yes", "no"}
        last = _date(f["last_attended_date"])
        assert last is None or first <= last <= day
        items = [f[f"swemwbs_{k}"] for k in range(1, 8)]
        assert all(x == "" or 1 <= int(x) <= 5 for x in items)
        assert f["sipam_days"] == "" or 0 <= int(f["sipam_days"]) <= 7


def test_pilots_toml(pilot_demo: Path) -> None:
    doc = tomllib.loads((pilot_demo / "pilots.toml").read_text(encoding="utf-8"))
    assert doc["dataset"] == {
        "name": "Eastbrook (synthetic)",
        "synthetic": True,
        "seed": 20250301,
        "scale": "pilot",
        "extracted": dt.date(2026, 10, 31),
    }
    (pilot,) = doc["pilot"]
    assert pilot["go_live"] == dt.date(2025, 4, 1)
    assert len(pilot["pcn_codes"]) == 4 and len(pilot["comparison_pcn_codes"]) == 4
    assert not set(pilot["pcn_codes"]) & set(pilot["comparison_pcn_codes"])
    base = "https://demo.pilot-evaluation.invalid/openactive"
    assert doc["supply"]["feeds"] == [f"{base}/session-series", f"{base}/scheduled-sessions"]
