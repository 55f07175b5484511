"""The input contract: every column a pilot supplies, its type and the rule it must meet.

This module is the single statement of docs/data-contract.md in code. Loaders read it to
validate rows; tests read it to feed one bad value per rule; the docs test checks that every
column here is documented.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FieldKind = Literal["text", "code", "number", "integer", "date", "enum", "bool", "list"]

# The UK bounding box used to catch swapped or mistyped coordinates (WGS84 degrees).
UK_LATITUDE = (49.8, 60.95)
UK_LONGITUDE = (-8.7, 1.8)
EARLIEST_REFERRAL = "2015-01-01"


@dataclass(frozen=True)
class Column:
    """One input column: what it holds and what makes a value valid."""

    name: str
    kind: FieldKind
    required: bool = False
    pattern: str | None = None  # full-match regular expression for codes (after upper-casing)
    choices: tuple[str, ...] = ()  # for enums and lists (after lower-casing)
    minimum: float | None = None
    maximum: float | None = None
    valid: str = ""  # plain-English statement of a valid value, quoted in reject reasons


@dataclass(frozen=True)
class Contract:
    """One input file kind: its columns, key and the table the accepted rows go to."""

    kind: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    table: str
    # Groups of columns of which at least one must be present in the header and filled per row.
    one_of: tuple[tuple[str, ...], ...] = field(default=())

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def required_headers(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


ODS_PRACTICE = r"[A-Z]\d{5}"
PCN_CODE = r"U\d{5}"
LSOA_CODE = r"[EW]01\d{6}"

REFERRAL_SOURCES = ("gp", "link_worker", "health_coach", "nurse", "self", "other")
AGE_BANDS = ("16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+", "unknown")
SEXES = ("female", "male", "other", "unknown")
ETHNICITIES = ("asian", "black", "mixed", "white", "other", "unknown")
CONDITIONS = (
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
)
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
STOP_REASONS = ("health", "cost", "time", "transport", "did_not_enjoy", "moved", "other")


def _lat(required: bool = True) -> Column:
    return Column(
        "latitude", "number", required, minimum=UK_LATITUDE[0], maximum=UK_LATITUDE[1],
        valid=f"WGS84 latitude inside the UK ({UK_LATITUDE[0]} to {UK_LATITUDE[1]})",
    )


def _lon(required: bool = True) -> Column:
    return Column(
        "longitude", "number", required, minimum=UK_LONGITUDE[0], maximum=UK_LONGITUDE[1],
        valid=f"WGS84 longitude inside the UK ({UK_LONGITUDE[0]} to {UK_LONGITUDE[1]})",
    )


PRACTICES = Contract(
    kind="practices",
    table="src_practices",
    key=("practice_code",),
    columns=(
        Column("practice_code", "code", True, ODS_PRACTICE, valid="an ODS code: a letter and 5 digits, e.g. F84001"),
        Column("practice_name", "text", True, valid="the practice name"),
        Column("pcn_code", "code", True, PCN_CODE, valid="a PCN code: U and 5 digits, e.g. U12345"),
        Column("pcn_name", "text", True, valid="the PCN name"),
        Column("sub_icb_code", "text", False, valid="the sub-ICB location code"),
        _lat(),
        _lon(),
        Column("registered_patients", "integer", True, minimum=0, valid="a whole number ≥ 0"),
    ),
)

AREAS = Contract(
    kind="areas",
    table="src_areas",
    key=("lsoa_code",),
    columns=(
        Column("lsoa_code", "code", True, LSOA_CODE, valid="an LSOA 2021 code: E01 or W01 and 6 digits"),
        Column("lsoa_name", "text", False, valid="the area name"),
        _lat(),
        _lon(),
        Column("population", "integer", True, minimum=0, valid="a whole number ≥ 0"),
        Column("imd_decile", "integer", True, minimum=1, maximum=10, valid="a whole number 1 (most deprived) to 10"),
        Column("pcn_code", "code", False, PCN_CODE, valid="a PCN code: U and 5 digits"),
    ),
)

_DATE = "a date as YYYY-MM-DD or DD/MM/YYYY"

REFERRALS = Contract(
    kind="referrals",
    table="src_referrals",
    key=("referral_id",),
    one_of=(("nhs_number", "patient_id"),),
    columns=(
        Column("referral_id", "text", True, valid="a unique referral identifier"),
        Column("nhs_number", "text", False, valid="a 10-digit NHS number with a valid check digit"),
        Column("patient_id", "text", False, valid="an already-pseudonymous patient identifier"),
        Column("referral_date", "date", True, valid=f"{_DATE}, from {EARLIEST_REFERRAL}, not in the future"),
        Column("practice_code", "code", True, ODS_PRACTICE, valid="the ODS code of a loaded practice"),
        Column("referral_source", "enum", True, choices=REFERRAL_SOURCES, valid="one of " + ", ".join(REFERRAL_SOURCES)),
        Column("link_worker_id", "text", False, valid="the link worker's identifier"),
        Column("age_band", "enum", True, choices=AGE_BANDS, valid="one of " + ", ".join(AGE_BANDS)),
        Column("sex", "enum", True, choices=SEXES, valid="one of " + ", ".join(SEXES)),
        Column("ethnicity", "enum", True, choices=ETHNICITIES, valid="one of " + ", ".join(ETHNICITIES)),
        Column("lsoa_code", "code", False, LSOA_CODE, valid="the LSOA code of a loaded area"),
        Column("conditions", "list", False, choices=CONDITIONS, valid="';'-separated values from " + ", ".join(CONDITIONS)),
        Column("opportunity_id", "text", False, valid="the OpenActive @id of the session series"),
        Column("activity_id", "text", False, valid="an OpenActive activity-list concept id or uuid"),
        Column("contacted_date", "date", False, valid=f"{_DATE}, on or after referral_date"),
        Column("first_attended_date", "date", False, valid=f"{_DATE}, on or after referral_date and contacted_date"),
        Column("status", "enum", True, choices=STATUSES, valid="one of " + ", ".join(STATUSES)),
        Column("closed_date", "date", False, valid=f"{_DATE}, on or after referral_date"),
    ),
)

_SWEMWBS = tuple(
    Column(f"swemwbs_{i}", "integer", False, minimum=1, maximum=5, valid="a whole number 1 to 5")
    for i in range(1, 8)
)
_ONS4 = tuple(
    Column(f"ons4_{item}", "integer", False, minimum=0, maximum=10, valid="a whole number 0 to 10")
    for item in ("satisfied", "worthwhile", "happy", "anxious")
)

FOLLOWUPS = Contract(
    kind="followups",
    table="src_followups",
    key=("referral_id", "followup_week"),
    columns=(
        Column("referral_id", "text", True, valid="the referral_id of a loaded referral"),
        Column("followup_date", "date", True, valid=f"{_DATE}, on or after the referral date"),
        Column("followup_week", "integer", True, minimum=0, maximum=104, valid="a whole number 0 (baseline) to 104"),
        # Required except at week 0: the row rule in validate.py enforces that.
        Column("still_attending", "bool", False, valid="yes/no (also true/false, y/n, 1/0); required after week 0"),
        Column("sessions_attended", "integer", False, minimum=0, valid="a whole number ≥ 0"),
        Column("last_attended_date", "date", False, valid=f"{_DATE}, on or before followup_date"),
        *_SWEMWBS,
        *_ONS4,
        Column("sipam_days", "integer", False, minimum=0, maximum=7, valid="a whole number 0 to 7"),
        Column("stop_reason", "enum", False, choices=STOP_REASONS, valid="one of " + ", ".join(STOP_REASONS)),
    ),
)

CONTRACTS: dict[str, Contract] = {c.kind: c for c in (PRACTICES, AREAS, REFERRALS, FOLLOWUPS)}
