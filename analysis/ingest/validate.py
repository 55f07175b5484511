"""Check text cells against the contract: typed values for good rows, reasons for bad ones.

Every rule of docs/data-contract.md is applied here, column by column and then across columns
and against what the store already holds (practices, areas, referrals). The result names, for
each rejected row, every field that failed, the value and what would be valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from analysis.ingest import nhs_number
from analysis.ingest.contract import EARLIEST_REFERRAL, Contract
from analysis.ingest.parse import parse_column
from analysis.ingest.read import TEXT

PROBLEM_COLUMNS = ["row", "field", "value", "reason"]


@dataclass
class References:
    """Keys already in the store that inputs must point at."""

    practice_codes: set[str] = field(default_factory=set)
    lsoa_codes: set[str] = field(default_factory=set)
    referral_dates: pd.Series | None = None  # referral_date indexed by referral_id


@dataclass
class Checked:
    values: pd.DataFrame  # typed values of accepted rows, index = row number
    problems: pd.DataFrame  # one row per problem: row, field, value, reason


class _Problems:
    def __init__(self, cells: pd.DataFrame) -> None:
        self.cells = cells
        self.parts: list[pd.DataFrame] = []

    def add(self, mask: pd.Series, field_name: str, reason: str | pd.Series) -> None:
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        value = self.cells.loc[mask, field_name] if field_name in self.cells else ""
        if field_name == "nhs_number":
            value = value.map(lambda _: "[NHS number removed]")
        part = pd.DataFrame(
            {"row": self.cells.index[mask], "field": field_name, "value": value, "reason": reason[mask]
             if isinstance(reason, pd.Series) else reason}
        )
        self.parts.append(part)

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(columns=PROBLEM_COLUMNS)
        return pd.concat(self.parts, ignore_index=True)[PROBLEM_COLUMNS]


def check(cells: pd.DataFrame, contract: Contract, refs: References, today: date) -> Checked:
    """Parse and check every cell and row; return typed accepted rows and all problems."""
    if any(dtype != TEXT for dtype in cells.dtypes):
        cells = cells.astype(TEXT)
    problems = _Problems(cells)
    values = pd.DataFrame(index=cells.index)
    for column in contract.columns:
        parsed, bad = parse_column(cells[column.name], column)
        values[column.name] = parsed
        problems.add(bad, column.name, f"{column.name} '{{v}}' is not valid: expected {column.valid}")
        if column.required:
            missing = cells[column.name] == ""
            problems.add(missing, column.name, f"{column.name} is missing: expected {column.valid}")
        if column.minimum is not None or column.maximum is not None:
            number = values[column.name].astype("float64")
            low = number < column.minimum if column.minimum is not None else False
            high = number > column.maximum if column.maximum is not None else False
            problems.add(low | high, column.name, f"{column.name} '{{v}}' is out of range: expected {column.valid}")
    _row_rules(contract, cells, values, problems, refs, today)
    found = problems.frame()
    found["reason"] = [
        r.replace("{v}", str(v)) for r, v in zip(found["reason"], found["value"], strict=True)
    ]
    _duplicate_keys(contract, values, found, problems)
    found = problems.frame()
    found["reason"] = [
        r.replace("{v}", str(v)) for r, v in zip(found["reason"], found["value"], strict=True)
    ]
    accepted = values.loc[~values.index.isin(found["row"])]
    return Checked(accepted, found)


def _row_rules(
    contract: Contract,
    cells: pd.DataFrame,
    values: pd.DataFrame,
    problems: _Problems,
    refs: References,
    today: date,
) -> None:
    now = pd.Timestamp(today)
    for column in contract.columns:
        if column.kind == "date":
            problems.add(values[column.name] > now, column.name,
                         f"{column.name} '{{v}}' is in the future (after {today.isoformat()})")
    if contract.kind == "referrals":
        _referral_rules(cells, values, problems, refs)
    elif contract.kind == "followups":
        _followup_rules(values, problems, refs)


def _referral_rules(
    cells: pd.DataFrame, values: pd.DataFrame, problems: _Problems, refs: References
) -> None:
    nhs = nhs_number.normalise(cells["nhs_number"])
    has_nhs = nhs != ""
    problems.add(~has_nhs & (cells["patient_id"] == ""), "nhs_number",
                 "nhs_number and patient_id are both missing: one of them is required")
    problems.add(has_nhs & ~nhs_number.is_valid(nhs), "nhs_number",
                 "nhs_number is not a valid NHS number: expected 10 digits with a correct "
                 "Modulus 11 check digit")
    pid = nhs_number.normalise(cells["patient_id"])
    problems.add(nhs_number.is_valid(pid), "patient_id",
                 "patient_id looks like a raw NHS number: put it in nhs_number so it is "
                 "pseudonymised")
    referral = values["referral_date"]
    problems.add(referral < pd.Timestamp(EARLIEST_REFERRAL), "referral_date",
                 f"referral_date '{{v}}' is before {EARLIEST_REFERRAL}")
    for name in ("contacted_date", "first_attended_date", "closed_date"):
        problems.add(values[name] < referral, name,
                     f"{name} '{{v}}' is before referral_date")
    problems.add(values["first_attended_date"] < values["contacted_date"], "first_attended_date",
                 "first_attended_date '{v}' is before contacted_date")
    known = values["practice_code"].isin(refs.practice_codes)
    problems.add(values["practice_code"].notna() & ~known, "practice_code",
                 "practice_code '{v}' is not in the loaded practices (load practices first?)")
    known_area = values["lsoa_code"].isin(refs.lsoa_codes)
    problems.add(values["lsoa_code"].notna() & ~known_area, "lsoa_code",
                 "lsoa_code '{v}' is not in the loaded areas (load areas first?)")


def _followup_rules(values: pd.DataFrame, problems: _Problems, refs: References) -> None:
    dates = refs.referral_dates if refs.referral_dates is not None else pd.Series(dtype="datetime64[ns]")
    referral_date = values["referral_id"].map(dates)
    unknown = values["referral_id"].notna() & referral_date.isna()
    problems.add(unknown, "referral_id",
                 "referral_id '{v}' is not in the loaded referrals (load referrals first?)")
    problems.add(values["followup_date"] < referral_date, "followup_date",
                 "followup_date '{v}' is before the referral's referral_date")
    week = values["followup_week"]
    problems.add((week > 0) & values["still_attending"].isna() & (problems.cells["still_attending"] == ""),
                 "still_attending", "still_attending is missing: required after week 0 (yes/no)")
    problems.add(values["last_attended_date"] > values["followup_date"], "last_attended_date",
                 "last_attended_date '{v}' is after followup_date")


def _duplicate_keys(
    contract: Contract, values: pd.DataFrame, found: pd.DataFrame, problems: _Problems
) -> None:
    """A key repeated within one file: the first good row is kept, later ones are rejected."""
    key = list(contract.key)
    good = values.loc[~values.index.isin(found["row"]), key]
    repeated = good.duplicated(subset=key, keep="first")
    if not repeated.any():
        return
    first_row = good.reset_index().groupby(key, dropna=False)["index"].transform("first")
    first_row.index = good.index
    mask = pd.Series(False, index=values.index)
    mask[good.index[repeated]] = True
    reason = pd.Series("", index=values.index)
    reason[good.index[repeated]] = [
        f"duplicate {' + '.join(key)}: the same key is already on row {r} of this file"
        for r in first_row[repeated]
    ]
    problems.add(mask, key[0], reason)
