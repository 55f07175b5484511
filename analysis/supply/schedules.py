"""Expanding a full ``Schedule`` into occurrences; a ``PartialSchedule`` is never expanded.

A Schedule is an iCalendar recurrence rule written in JSON (Modelling Opportunity Data 2.0
§5.6.9): ``startDate``/``startTime`` are local times in ``scheduleTimezone`` (default
Europe/London), ``repeatFrequency`` is ``PnD``/``PnW``/``PnM``/``PnY``, ``byDay`` holds
schema.org day URLs or iCal codes (``WE``), ``endDate`` is the last local date (inclusive),
``repeatCount`` counts occurrences from the start (``exceptDate`` removes occurrences after
counting, as in RFC 5545), and ``duration`` (or ``endTime`` − ``startTime``) gives each end.
Occurrences are rendered to UTC, so a 10:00 class is 09:00Z in summer and 10:00Z in winter.
``idTemplate``/``urlTemplate`` have ``{startDate}``/``{endDate}`` replaced by
``YYYY-MM-DDThh:mm:ssZ``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from analysis.supply.items import (
    LONDON,
    as_list,
    has_time,
    node_type,
    parse_date,
    parse_datetime,
    parse_duration,
    to_int,
)

_FREQUENCY = re.compile(r"^P(\d+)([DWMY])$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?")
_DAYS = {
    name: i
    for i, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
}
_DAYS.update({code: i for i, code in enumerate(("mo", "tu", "we", "th", "fr", "sa", "su"))})
MAX_CANDIDATES = 20_000
STAMP = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class GeneratedOccurrence:
    """One occurrence generated from a Schedule (times are aware UTC)."""

    start_utc: datetime
    end_utc: datetime | None
    occurrence_id: str | None
    url: str | None


@dataclass(frozen=True)
class Expansion:
    """``status``: ``expanded`` (a valid Schedule, possibly with nothing in the horizon),
    ``partial`` (a PartialSchedule: ignored) or ``invalid`` (missing or unreadable parts)."""

    status: str
    occurrences: list[GeneratedOccurrence]


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return LONDON


def weekday(value: Any) -> int | None:
    """0 (Monday) … 6 (Sunday) from ``https://schema.org/Wednesday``, ``schema:Wednesday``,
    ``Wednesday`` or ``WE``; ``PublicHolidays`` and unknown values give ``None``."""
    if not isinstance(value, str):
        return None
    tail = re.split(r"[/#:]", value.strip())[-1].lower()
    return _DAYS.get(re.sub(r"^[+-]?\d+", "", tail))


def _clock(value: Any) -> time | None:
    if not isinstance(value, str):
        return None
    match = _TIME.match(value.strip())
    if not match:
        return None
    hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def _month_days(
    year: int, month: int, by_month_day: list[int], by_day: set[int], default_day: int
) -> list[int]:
    last = calendar.monthrange(year, month)[1]
    if by_month_day:
        days = {d if d > 0 else last + 1 + d for d in by_month_day}
        return sorted(d for d in days if 1 <= d <= last)
    if by_day:
        return [d for d in range(1, last + 1) if calendar.weekday(year, month, d) in by_day]
    return [default_day] if default_day <= last else []


def _candidates(
    start: date,
    unit: str,
    interval: int,
    from_day: date,
    until: date,
    by_day: set[int],
    by_month_day: list[int],
    by_month: set[int],
) -> Iterator[date]:
    """Dates of the rule in order, from the rule's period containing ``from_day`` to the
    period containing ``until`` (the caller stops at ``until`` itself)."""
    if unit == "D":
        k = max(0, (from_day - start).days // interval)
        while (day := start + timedelta(days=k * interval)) <= until:
            if (
                (not by_day or day.weekday() in by_day)
                and (not by_month or day.month in by_month)
                and (not by_month_day or day.day in by_month_day)
            ):
                yield day
            k += 1
    elif unit == "W":
        anchor = start - timedelta(days=start.weekday())
        days = sorted(by_day) or [start.weekday()]
        k = max(0, (from_day - anchor).days // 7 // interval)
        while (week := anchor + timedelta(days=7 * k * interval)) <= until:
            for offset in days:
                day = week + timedelta(days=offset)
                if day >= start and (not by_month or day.month in by_month):
                    yield day
            k += 1
    else:
        step = interval * (12 if unit == "Y" else 1)
        months_since = (from_day.year - start.year) * 12 + from_day.month - start.month
        k = max(0, months_since // step)
        while (year := start.year + (start.month - 1 + k * step) // 12) <= until.year:
            month0 = (start.month - 1 + k * step) % 12
            months = [month0 + 1]
            if unit == "Y" and by_month:
                months = sorted(by_month)
            elif unit == "Y" and (by_day or by_month_day):
                months = list(range(1, 13))  # RFC 5545: BYDAY/BYMONTHDAY span the year
            for month in months:
                if unit == "M" and by_month and month not in by_month:
                    continue
                for d in _month_days(year, month, by_month_day, by_day, start.day):
                    day = date(year, month, d)
                    if day >= start:
                        yield day
            k += 1


def _fill(template: Any, start: datetime, end: datetime | None) -> str | None:
    if not isinstance(template, str) or not template.strip():
        return None
    filled = template.strip().replace("{startDate}", start.strftime(STAMP))
    if "{endDate}" in filled:
        if end is None:
            return None
        filled = filled.replace("{endDate}", end.strftime(STAMP))
    return filled


def _exceptions(value: Any, zone: ZoneInfo) -> tuple[set[date], set[datetime]]:
    dates, instants = set(), set()
    for entry in as_list(value):
        if has_time(entry):
            moment = parse_datetime(entry, zone)
            if moment is not None:
                instants.add(moment)
        else:
            day = parse_date(entry, zone)
            if day is not None:
                dates.add(day)
    return dates, instants


def expand_schedule(
    schedule: Any,
    horizon_start: datetime,
    horizon_end: datetime,
    default_duration: timedelta | None = None,
) -> Expansion:
    """Occurrences of ``schedule`` starting in [horizon_start, horizon_end) (aware datetimes)."""
    kind = node_type(schedule)
    if kind == "PartialSchedule":
        return Expansion("partial", [])
    if kind != "Schedule" or not isinstance(schedule, dict):
        return Expansion("invalid", [])
    freq = _FREQUENCY.match(str(schedule.get("repeatFrequency", "")).strip().upper())
    zone = _zone(
        str(schedule.get("scheduleTimezone") or schedule.get("beta:timeZone") or "Europe/London")
    )
    start_day = parse_date(schedule.get("startDate"), zone)
    start_time = _clock(schedule.get("startTime"))
    if not freq or int(freq.group(1)) < 1 or start_day is None or start_time is None:
        return Expansion("invalid", [])
    interval, unit = int(freq.group(1)), freq.group(2)
    end_day = parse_date(schedule.get("endDate"), zone)
    duration = parse_duration(schedule.get("duration"))
    end_time = _clock(schedule.get("endTime"))
    if duration is None and end_time is not None:
        span = datetime.combine(start_day, end_time) - datetime.combine(start_day, start_time)
        duration = span if span > timedelta(0) else span + timedelta(days=1)
    duration = duration or default_duration
    count = to_int(schedule.get("repeatCount"))
    count = count if count is not None and count > 0 else None
    except_days, except_instants = _exceptions(schedule.get("exceptDate"), zone)
    by_day = {d for d in map(weekday, as_list(schedule.get("byDay"))) if d is not None}
    by_month_day = [
        d for d in map(to_int, as_list(schedule.get("byMonthDay"))) if d is not None and d != 0
    ]
    by_month = {m for m in map(to_int, as_list(schedule.get("byMonth"))) if m and 1 <= m <= 12}

    first_local = horizon_start.astimezone(zone).date() - timedelta(days=1)
    last_local = horizon_end.astimezone(zone).date() + timedelta(days=1)
    if end_day is not None:
        last_local = min(last_local, end_day)
    from_day = start_day if count is not None else max(start_day, first_local)
    out: list[GeneratedOccurrence] = []
    for n, day in enumerate(
        _candidates(
            start_day, unit, interval, from_day, last_local, by_day, by_month_day, by_month
        )
    ):
        if day > last_local or n >= MAX_CANDIDATES or (count is not None and n >= count):
            break
        start = datetime.combine(day, start_time, tzinfo=zone).astimezone(UTC)
        if day in except_days or start in except_instants:
            continue
        if not horizon_start <= start < horizon_end:
            continue
        end = start + duration if duration is not None else None
        out.append(
            GeneratedOccurrence(
                start,
                end,
                _fill(schedule.get("idTemplate"), start, end),
                _fill(schedule.get("urlTemplate"), start, end),
            )
        )
    return Expansion("expanded", out)
