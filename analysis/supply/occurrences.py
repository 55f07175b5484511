"""Occurrence rows: explicit ones (feed items, sub-events) and ones generated from Schedules.

Explicit occurrences are keyed by ``@id``; when the same key arrives twice, a feed item beats
an embedded copy and then the newer RPDE ``modified`` wins. At the end every row is joined to
its series (inheriting duration, status and capacity), flagged cancelled or orphaned, and
generated rows that an explicit occurrence overrides (same ``@id``, or same series and start)
are dropped.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from analysis.supply.items import has_time, node_id, parse_duration, parse_utc, to_int
from analysis.supply.schedules import GeneratedOccurrence
from analysis.supply.series import NOT_HAPPENING, event_status

TOP, EMBEDDED = 2, 1
ONE_DAY, ONE_SECOND = timedelta(days=1), timedelta(seconds=1)
SeriesIndex = dict[str, tuple[tuple[int, int], dict[str, Any]]]


@dataclass(frozen=True)
class Defaults:
    """What an occurrence takes from its series when it does not say itself."""

    duration: timedelta | None
    status: str | None
    capacity: int | None


def naive_utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment is not None else None


def _end(node: dict[str, Any], start: datetime) -> datetime | None:
    end_text = node.get("endDate")
    end = parse_utc(end_text)
    if end is not None:
        if not has_time(end_text):
            end += ONE_DAY  # a date alone ends at the end of that day
        elif end.second == 59:
            end += ONE_SECOND  # publishers' "…:59:59Z" ends
    elif duration := parse_duration(node.get("duration")):
        end = start + duration
    return end if end is not None and end > start else None


class OccurrenceTable:
    """Explicit and generated occurrences, resolved against the series by ``rows``."""

    def __init__(self, counts: Counter[str]) -> None:
        self.counts = counts
        self.explicit: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {}
        self.generated: dict[str, dict[str, Any]] = {}

    def add_explicit(
        self,
        node: dict[str, Any],
        series_id: str | None,
        source: str,
        modified: int | None,
        fallback_id: str,
        own_id: str | None = None,
    ) -> None:
        """An occurrence published as an object: a feed item, a sub-event, or an event."""
        get = node.get
        start = parse_utc(get("startDate"))
        if start is None:
            self.counts["occurrences_without_start"] += 1
            return
        occurrence_id = own_id or node_id(node) or fallback_id
        rank = (TOP if source == "feed" else EMBEDDED, modified if modified is not None else -1)
        existing = self.explicit.get(occurrence_id)
        if existing is not None and existing[0] >= rank:
            self.counts["occurrence_duplicates"] += 1
            return
        capacity = get("maximumAttendeeCapacity")
        remaining = get("remainingAttendeeCapacity")
        self.explicit[occurrence_id] = (
            rank,
            {
                "occurrence_id": occurrence_id,
                "series_id": series_id,
                "start_utc": start,
                "end_utc": _end(node, start),
                "maximum_capacity": to_int(get("maximumUses") if capacity is None else capacity),
                "remaining_capacity": to_int(
                    get("remainingUses") if remaining is None else remaining
                ),
                "event_status": event_status(get("eventStatus")),
                "source": source,
            },
        )

    def add_generated(self, generated: GeneratedOccurrence, series_id: str) -> None:
        """An occurrence expanded from a full Schedule."""
        occurrence_id = generated.occurrence_id or (
            f"{series_id}#/schedule/{generated.start_utc:%Y-%m-%dT%H:%M:%SZ}"
        )
        self.generated[occurrence_id] = {
            "occurrence_id": occurrence_id,
            "series_id": series_id,
            "start_utc": naive_utc(generated.start_utc),
            "end_utc": naive_utc(generated.end_utc),
            "maximum_capacity": None,
            "remaining_capacity": None,
            "event_status": None,
            "source": "schedule",
        }

    @staticmethod
    def _complete(
        row: dict[str, Any],
        series: SeriesIndex,
        defaults: dict[str, Defaults],
        facility_of: dict[str, str],
    ) -> dict[str, Any]:
        series_id = row["series_id"]
        found = series.get(series_id) if series_id is not None else None
        if found is None and series_id in facility_of:
            series_id = row["series_id"] = facility_of[series_id]
            found = series.get(series_id)
        start, end, status = row["start_utc"], row["end_utc"], row["event_status"]
        if found is not None:
            inherited = defaults[series_id]
            if end is None and inherited.duration is not None:
                end = row["end_utc"] = start + inherited.duration
            if status is None:
                status = row["event_status"] = inherited.status
            if row["maximum_capacity"] is None:
                row["maximum_capacity"] = inherited.capacity
        row["duration_minutes"] = (end - start).total_seconds() / 60 if end is not None else None
        row["cancelled"] = status in NOT_HAPPENING
        row["orphan"] = found is None or found[1]["deleted"]
        return row

    def rows(
        self, series: SeriesIndex, defaults: dict[str, Defaults], facility_of: dict[str, str]
    ) -> list[dict[str, Any]]:
        """Every occurrence, joined; generated ones overridden by explicit ones dropped."""
        out = [self._complete(r, series, defaults, facility_of) for _, r in self.explicit.values()]
        if not self.generated:
            return out
        explicit_ids = {unquote(row["occurrence_id"]) for row in out}
        explicit_starts = {(row["series_id"], row["start_utc"]) for row in out}
        for occurrence_id, row in self.generated.items():
            if (
                unquote(occurrence_id) in explicit_ids
                or (row["series_id"], row["start_utc"]) in explicit_starts
            ):
                self.counts["generated_overridden"] += 1
                continue
            out.append(self._complete(row, series, defaults, facility_of))
        return out
