"""SP-readiness: how much of what a link worker needs a series publishes (METHODS.md).

Ten criteria, each a boolean column ``sp_<name>``; ``sp_ready_score`` is the share met (0–1).
The freshness criterion uses ``freshness_at``: the RPDE ``modified`` when it is a timestamp,
else the data's ``dateModified``, else when the harvester last received the item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

FRESH_DAYS = 90
MIN_DESCRIPTION_CHARS = 50


@dataclass(frozen=True)
class Criterion:
    column: str  # the boolean column in supply_series
    name: str  # short name: completeness columns are ``missing_<name>``
    fields: str  # the OpenActive properties a publisher adds to meet it


CRITERIA: tuple[Criterion, ...] = (
    Criterion("sp_has_location", "location", "location.geo or location.address.postalCode"),
    Criterion("sp_has_price", "price", "offers[].price or isAccessibleForFree"),
    Criterion("sp_has_age_range", "age_range", "ageRange"),
    Criterion(
        "sp_has_accessibility",
        "accessibility",
        "accessibilitySupport, accessibilityInformation or beta:isWheelchairAccessible",
    ),
    Criterion("sp_has_level", "level", "level"),
    Criterion("sp_has_leader", "leader", "leader or isCoached"),
    Criterion(
        "sp_has_organiser_contact", "organiser_contact", "organizer.email or organizer.telephone"
    ),
    Criterion("sp_has_url", "url", "url"),
    Criterion("sp_is_fresh", "recent_update", f"an update within {FRESH_DAYS} days"),
    Criterion(
        "sp_has_description", "description", f"description of {MIN_DESCRIPTION_CHARS}+ characters"
    ),
)
CRITERION_COLUMNS = tuple(c.column for c in CRITERIA)


def _present(value: Any) -> bool:
    return value is not None and value != [] and value != ""


def is_fresh(freshness_at: datetime | None, reference: date) -> bool:
    """Modified on or after ``reference`` − 90 days (later dates count as fresh)."""
    if freshness_at is None:
        return False
    return freshness_at.date() >= reference - timedelta(days=FRESH_DAYS)


def sp_criteria(row: dict[str, Any], reference: date) -> dict[str, bool]:
    """The ten criteria for one series row (flattened columns, see ``docs/supply.md``)."""
    return {
        "sp_has_location": _present(row.get("postcode"))
        or (row.get("latitude") is not None and row.get("longitude") is not None),
        "sp_has_price": bool(row.get("price_given"))
        or row.get("price_min") is not None
        or row.get("is_free") is not None,
        "sp_has_age_range": bool(row.get("age_range_given")),
        "sp_has_accessibility": _present(row.get("accessibility_support"))
        or _present(row.get("accessibility_information"))
        or row.get("wheelchair_accessible") is not None,
        "sp_has_level": _present(row.get("levels")),
        "sp_has_leader": bool(row.get("leader_present")) or row.get("is_coached") is not None,
        "sp_has_organiser_contact": bool(row.get("organiser_has_contact")),
        "sp_has_url": _present(row.get("url")),
        "sp_is_fresh": is_fresh(row.get("freshness_at"), reference),
        "sp_has_description": (row.get("description_chars") or 0) >= MIN_DESCRIPTION_CHARS,
    }


def sp_score(criteria: dict[str, bool]) -> float:
    """Share of the criteria met, 0–1."""
    return sum(criteria[c] for c in CRITERION_COLUMNS) / len(CRITERION_COLUMNS)


def add_sp_readiness(row: dict[str, Any], reference: date) -> dict[str, Any]:
    """``row`` with the ``sp_*`` columns and ``sp_ready_score`` added (in place)."""
    criteria = sp_criteria(row, reference)
    row.update(criteria)
    row["sp_ready_score"] = sp_score(criteria)
    return row
