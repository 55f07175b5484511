"""Defensive readers for OpenActive JSON-LD as publishers really write it.

Nothing here expands JSON-LD: keys are read as plain JSON, accepting the common faults listed in
``docs/supply.md`` (``id``/``type`` without ``@``, prefixed types, one object where a list is
expected, numbers as strings, ``https://https://`` URLs, stray ``\\r\\n`` in text).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
_TYPE_PREFIXES = (
    "https://schema.org/",
    "http://schema.org/",
    "https://openactive.io/",
    "http://openactive.io/",
    "schema:",
    "oa:",
)
_DURATION = re.compile(
    r"^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)
_SPACES = re.compile(r"\s+")
_DOUBLE_SCHEME = re.compile(r"^(?:https?://)+(?=https?://)", re.IGNORECASE)
_OFFSETS: dict[str, timedelta] = {}
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")

# RPDE ``kind`` values (and legacy spellings) mapped to the data type they carry.
KIND_TYPES = {
    "sessionseries": "SessionSeries",
    "sessionseries.scheduledsession": "SessionSeries",
    "scheduledsession": "ScheduledSession",
    "scheduledsession.sessionseries": "ScheduledSession",
    "session": "Event",
    "event": "Event",
    "courseinstance": "CourseInstance",
    "headlineevent": "HeadlineEvent",
    "eventseries": "EventSeries",
    "facilityuse": "FacilityUse",
    "individualfacilityuse": "IndividualFacilityUse",
    "facilityuse/slot": "Slot",
    "individualfacilityuse/slot": "Slot",
    "slot": "Slot",
    "ondemandevent": "OnDemandEvent",
    "place": "Place",
    "course": "Course",
}


def as_list(value: Any) -> list[Any]:
    """A list whatever was published: ``None`` → ``[]``, one object → ``[object]``."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def node_id(node: Any) -> str | None:
    """``@id`` of a JSON-LD node, falling back to ``id``; a bare string is its own id."""
    if isinstance(node, str):
        return node.strip() or None
    if not isinstance(node, dict):
        return None
    value = node.get("@id")
    if value is None:
        value = node.get("id")
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return None


def short_type(value: Any) -> str | None:
    """A type name without its vocabulary prefix: ``schema:Event`` → ``Event``."""
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, str):
        return None
    value = value.strip()
    for prefix in _TYPE_PREFIXES:
        if value.startswith(prefix):
            value = value[len(prefix) :]
            break
    return value.lstrip("#") or None


def node_type(node: Any) -> str | None:
    """``@type`` of a node, falling back to ``type``, without its vocabulary prefix."""
    if not isinstance(node, dict):
        return None
    value = node.get("@type")
    if value is None:
        value = node.get("type")
    if value.__class__ is str and ":" not in value:  # the common case: a bare type name
        return value.strip() or None
    return short_type(value)


def kind_type(kind: Any) -> str | None:
    """The data type an RPDE ``kind`` announces (``session`` → ``Event``), or ``None``."""
    if not isinstance(kind, str):
        return None
    return KIND_TYPES.get(kind.strip().lower())


def text(value: Any) -> str | None:
    """Trimmed text with runs of whitespace (including ``\\r\\n``) collapsed; ``None`` if empty."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value:
        return None
    if "  " in value or "\n" in value or "\r" in value or "\t" in value:
        value = _SPACES.sub(" ", value)
    return value


def clean_url(value: Any) -> str | None:
    """An http(s) URL, repairing doubled schemes (``https://https://``); else ``None``."""
    if isinstance(value, dict):
        value = value.get("url") or node_id(value)
    if not isinstance(value, str):
        return None
    value = value.strip()
    value = _DOUBLE_SCHEME.sub("", value)
    if not value.lower().startswith(("http://", "https://")) or len(value) < 10:
        return None
    return value


def to_float(value: Any) -> float | None:
    """A number from a number or a numeric string (``"0.00"``, ``"£5.50"``); else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if math.isnan(value) else float(value)
    if isinstance(value, str):
        match = _NUMBER.search(value.replace(",", ""))
        if match:
            return float(match.group(0))
    return None


def to_int(value: Any) -> int | None:
    """An integer from a number or numeric string; fractional values are truncated."""
    if value.__class__ is int:
        return value
    number = to_float(value)
    return int(number) if number is not None else None


def to_bool(value: Any) -> bool | None:
    """``True``/``False`` from a boolean or the strings ``true``/``false``; else ``None``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "yes", "1"):
            return True
        if lowered in ("false", "no", "0"):
            return False
    return None


def parse_datetime(value: Any, tz: ZoneInfo = LONDON) -> datetime | None:
    """An aware UTC datetime from ISO 8601 text. No designator → local time in ``tz``;
    a date alone → local midnight."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def _offset(designator: str) -> timedelta:
    offset = _OFFSETS.get(designator)
    if offset is None:
        sign = -1 if designator[0] == "-" else 1
        offset = timedelta(hours=sign * int(designator[1:3]), minutes=sign * int(designator[4:6]))
        if len(_OFFSETS) < 256:
            _OFFSETS[designator] = offset
    return offset


def parse_utc(value: Any) -> datetime | None:
    """Like ``parse_datetime`` but naive UTC (the form stored in the tables). The usual
    ``…Z`` and ``…±hh:mm`` forms take a fast path without time-zone objects."""
    if value.__class__ is not str or len(value) < 10:
        return None
    try:
        if value[-1] == "Z":
            return datetime.fromisoformat(value[:-1])
        if len(value) >= 25 and value[-3] == ":" and value[-6] in "+-":
            return datetime.fromisoformat(value[:-6]) - _offset(value[-6:])
    except ValueError:
        pass
    moment = parse_datetime(value)
    return moment.replace(tzinfo=None) if moment is not None else None


def has_time(value: Any) -> bool:
    """Whether an ISO string carries a time of day (``2020-01-06T20:00Z``), not a date alone."""
    return isinstance(value, str) and "T" in value[8:]


def parse_date(value: Any, tz: ZoneInfo = LONDON) -> date | None:
    """A calendar date from a date or date-time string (date-times read in local time)."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    if has_time(value):
        moment = parse_datetime(value, tz)
        return moment.astimezone(tz).date() if moment else None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def parse_duration(value: Any) -> timedelta | None:
    """An ISO 8601 duration (``PT45M``, ``PT2H40M0S``, ``P3D``); months count as 30 days.
    Zero, negative or unreadable durations give ``None``."""
    return _duration(value) if value.__class__ is str else None


@lru_cache(maxsize=1024)
def _duration(value: str) -> timedelta | None:
    value = value.strip().upper()
    match = _DURATION.match(value)
    if not match or value in ("P", "PT"):
        return None
    years, months, weeks, days, hours, minutes, seconds = (
        float(g) if g else 0.0 for g in match.groups()
    )
    total = timedelta(
        days=365 * years + 30 * months + 7 * weeks + days,
        hours=hours,
        minutes=minutes,
        seconds=seconds,
    )
    return total if total > timedelta(0) else None


def modified_epoch(modified: Any) -> datetime | None:
    """RPDE ``modified`` as a naive UTC time when it is a Unix epoch in seconds or
    milliseconds (2000–2100); change numbers and anything else give ``None``."""
    if isinstance(modified, str) and modified.strip().isdigit():
        modified = int(modified.strip())
    if not isinstance(modified, int) or isinstance(modified, bool):
        return None
    if 946_684_800 <= modified < 4_102_444_800:
        seconds = float(modified)
    elif 946_684_800_000 <= modified < 4_102_444_800_000:
        seconds = modified / 1000
    else:
        return None
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
