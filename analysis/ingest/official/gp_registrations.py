"""NHS Digital 'Patients Registered at a GP Practice': the practice mapping file, the practice
totals file and the practice-by-LSOA file, read row by row with a reason for every reject.
"""

from __future__ import annotations

import pandas as pd

from analysis.ingest.contract import LSOA_CODE, ODS_PRACTICE, PCN_CODE
from analysis.ingest.official.detect import Detected
from analysis.ingest.official.records import (
    Problems,
    SourceResult,
    codes,
    read_body,
    whole_numbers,
)

ALL = "ALL"


def _duplicates(values: pd.DataFrame, key: list[str], problems: Problems, field: str) -> None:
    good = values.loc[~values.index.isin(problems.rejected_rows())]
    repeated = good.duplicated(subset=key, keep="first")
    mask = pd.Series(False, index=values.index)
    mask[good.index[repeated]] = True
    problems.add(mask, field, f"duplicate {' + '.join(key)}: already on an earlier row")


def read_practice_map(detected: Detected) -> SourceResult:
    body = read_body(detected)
    cells = body.cells
    problems = Problems(cells)
    values = pd.DataFrame(index=cells.index)
    values["practice_code"] = codes(cells["practice_code"])
    values["practice_name"] = cells["practice_name"]
    values["postcode"] = codes(cells["postcode"])
    values["pcn_code"] = codes(cells["pcn_code"])
    values["pcn_name"] = cells["pcn_name"]
    values["sub_icb_code"] = cells.get("sub_icb_code", pd.Series("", index=cells.index))
    problems.add(
        ~values["practice_code"].str.fullmatch(ODS_PRACTICE),
        "practice_code",
        "PRACTICE_CODE '{v}' is not a practice ODS code (a letter and 5 digits)",
    )
    problems.add(cells["practice_name"] == "", "practice_name", "PRACTICE_NAME is missing")
    problems.add(
        ~values["pcn_code"].str.fullmatch(PCN_CODE),
        "pcn_code",
        "PCN_CODE '{v}' is not a PCN code (U and 5 digits): the practice is in no PCN",
    )
    problems.add(cells["pcn_name"] == "", "pcn_name", "PCN_NAME is missing")
    _duplicates(values, ["practice_code"], problems, "practice_code")
    return problems.result(
        body, values, detected.source, detected.layout.title, detected.sheet.path
    )


def read_practice_totals(detected: Detected) -> SourceResult:
    """One all-ages, all-sexes row per practice; other breakdown rows are accepted, not used."""
    body = read_body(detected)
    cells = body.cells
    problems = Problems(cells)
    values = pd.DataFrame(index=cells.index)
    values["practice_code"] = codes(cells["code"])
    values["registered_patients"], bad = whole_numbers(cells["patients"])
    is_gp = cells["type"].str.upper().isin(["GP", ""]) if "type" in cells else True
    values["used"] = is_gp & (cells["sex"].str.upper() == ALL) & (cells["age"].str.upper() == ALL)
    problems.add(bad, "patients", "NUMBER_OF_PATIENTS '{v}' is not a whole number ≥ 0")
    problems.add(
        values["used"] & ~values["practice_code"].str.fullmatch(ODS_PRACTICE),
        "code",
        "CODE '{v}' is not a practice ODS code (a letter and 5 digits)",
    )
    dup = _repeats(values, values["used"], ["practice_code"])
    problems.add(dup, "code", "duplicate all-ages total for practice '{v}'")
    return _used_rows(problems.result(
        body, values, detected.source, detected.layout.title, detected.sheet.path
    ))  # fmt: skip


def read_practice_lsoa(detected: Detected) -> SourceResult:
    """Registered patients of each practice living in each LSOA (the all-persons rows)."""
    body = read_body(detected)
    cells = body.cells
    problems = Problems(cells)
    values = pd.DataFrame(index=cells.index)
    values["practice_code"] = codes(cells["practice_code"])
    values["lsoa_code"] = codes(cells["lsoa_code"])
    values["patients"], bad = whole_numbers(cells["patients"])
    sex = cells["sex"].str.upper() if "sex" in cells else pd.Series(ALL, index=cells.index)
    problems.add(
        ~values["practice_code"].str.fullmatch(ODS_PRACTICE),
        "practice_code",
        "PRACTICE_CODE '{v}' is not a practice ODS code (a letter and 5 digits)",
    )
    problems.add(
        ~values["lsoa_code"].str.fullmatch(LSOA_CODE),
        "lsoa_code",
        "LSOA_CODE '{v}' is not an LSOA code (E01 or W01 and 6 digits)",
    )
    problems.add(bad, "patients", "NUMBER_OF_PATIENTS '{v}' is not a whole number ≥ 0")
    values["used"] = sex == ALL
    candidates = values["used"] & ~values.index.isin(problems.rejected_rows())
    dup = _repeats(values, candidates, ["practice_code", "lsoa_code"])
    problems.add(dup, "lsoa_code", "duplicate practice + LSOA: already on an earlier row")
    return _used_rows(problems.result(
        body, values, detected.source, detected.layout.title, detected.sheet.path
    ))  # fmt: skip


def _repeats(values: pd.DataFrame, among: pd.Series, key: list[str]) -> pd.Series:
    """Rows of ``among`` whose ``key`` already stood on an earlier row of ``among``."""
    rows = values.loc[among]
    mask = pd.Series(False, index=values.index)
    mask[rows.index[rows.duplicated(subset=key, keep="first")]] = True
    return mask


def _used_rows(result: SourceResult) -> SourceResult:
    """Keep the accepted rows marked ``used``; the others are accepted but not kept."""
    used = result.accepted["used"]
    result.notes["used"] = int(used.sum())
    result.accepted_not_kept = int((~used).sum())
    result.accepted = result.accepted.loc[used].drop(columns="used")
    return result
