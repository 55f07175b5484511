"""NHS ODS epraccur.csv: every GP practice and prescribing setting, with status and dates.

The file has no header row; fields are in the published order (27 of them): 1 organisation
code, 2 name, 10 postcode, 11 open date, 12 close date (YYYYMMDD), 13 status code (A active,
C closed, D dormant, P proposed), 26 prescribing setting (4 = GP practice).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from analysis.ingest.contract import ODS_PRACTICE
from analysis.ingest.official.detect import Detected
from analysis.ingest.official.records import Problems, SourceResult, codes, read_body

POSITIONS = {
    "practice_code": 0,
    "name": 1,
    "postcode": 9,
    "open_date": 10,
    "close_date": 11,
    "status": 12,
}
SETTING_POSITION = 25
STATUSES = {"A", "C", "D", "P"}


def _dates(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    parsed = pd.to_datetime(cells.where(cells != ""), format="%Y%m%d", errors="coerce")
    return parsed, (cells != "") & parsed.isna()


def read_epraccur(detected: Detected, today: date) -> SourceResult:
    positions = dict(POSITIONS)
    body_first = read_body(detected, {**positions, "setting": SETTING_POSITION})
    body = body_first if len(body_first.cells) else read_body(detected, positions)
    cells = body.cells
    problems = Problems(cells)
    values = pd.DataFrame(index=cells.index)
    values["practice_code"] = codes(cells["practice_code"])
    values["postcode"] = codes(cells["postcode"])
    values["open_date"], bad_open = _dates(cells["open_date"])
    values["close_date"], bad_close = _dates(cells["close_date"])
    values["status"] = cells["status"].str.upper()
    values["setting"] = cells.get("setting", "")
    problems.add(
        ~values["practice_code"].str.fullmatch(ODS_PRACTICE),
        "practice_code",
        "organisation code '{v}' is not a practice ODS code (a letter and 5 digits)",
    )
    problems.add(bad_open, "open_date", "open date '{v}' is not a date as YYYYMMDD")
    problems.add(bad_close, "close_date", "close date '{v}' is not a date as YYYYMMDD")
    problems.add(
        ~values["status"].isin(STATUSES), "status", "status code '{v}' is not one of A, C, D, P"
    )
    result = problems.result(
        body, values, detected.source, detected.layout.title, detected.sheet.path
    )
    accepted = result.accepted
    closed = accepted["status"].isin(["C", "D"]) | (accepted["close_date"] <= pd.Timestamp(today))
    result.accepted = accepted.assign(current=~closed)
    result.notes["closed"] = int(closed.sum())
    return result
