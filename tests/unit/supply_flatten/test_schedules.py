"""Expanding full Schedules in Europe/London; PartialSchedules are never expanded."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from analysis.supply.schedules import expand_schedule, weekday
from tests.unit.supply_flatten.helpers import FEED, SESSIONS, flat, item, series, session

AUTUMN = (datetime(2025, 10, 1, tzinfo=UTC), datetime(2025, 11, 13, tzinfo=UTC))
WEDNESDAY_CLASS = {
    "@type": "Schedule",
    "repeatFrequency": "P1W",
    "startDate": "2025-10-01",
    "startTime": "10:00",
    "endTime": "11:00",
    "byDay": ["https://schema.org/Wednesday"],
    "scheduleTimezone": "Europe/London",
}


def starts(schedule: dict, horizon=AUTUMN) -> list[str]:
    return [
        o.start_utc.strftime("%m-%d %H:%M")
        for o in expand_schedule(schedule, *horizon).occurrences
    ]


def test_weekly_wednesday_class_across_the_late_october_clock_change() -> None:
    # BST ends on Sunday 26 October 2025: 10:00 local is 09:00Z before, 10:00Z after.
    assert starts(WEDNESDAY_CLASS) == [
        "10-01 09:00",
        "10-08 09:00",
        "10-15 09:00",
        "10-22 09:00",
        "10-29 10:00",
        "11-05 10:00",
        "11-12 10:00",
    ]
    ends = [o.end_utc - o.start_utc for o in expand_schedule(WEDNESDAY_CLASS, *AUTUMN).occurrences]
    assert {e.total_seconds() for e in ends} == {3600}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"exceptDate": ["2025-10-15"]},
            [
                "10-01 09:00",
                "10-08 09:00",
                "10-22 09:00",
                "10-29 10:00",
                "11-05 10:00",
                "11-12 10:00",
            ],
        ),
        (
            {"exceptDate": ["2025-10-29T10:00:00Z"]},  # an instant, as in the developer docs
            [
                "10-01 09:00",
                "10-08 09:00",
                "10-15 09:00",
                "10-22 09:00",
                "11-05 10:00",
                "11-12 10:00",
            ],
        ),
        ({"repeatCount": 3}, ["10-01 09:00", "10-08 09:00", "10-15 09:00"]),
        ({"repeatCount": 3, "exceptDate": ["2025-10-08"]}, ["10-01 09:00", "10-15 09:00"]),
        ({"endDate": "2025-10-22"}, ["10-01 09:00", "10-08 09:00", "10-15 09:00", "10-22 09:00"]),
        ({"repeatFrequency": "P2W"}, ["10-01 09:00", "10-15 09:00", "10-29 10:00", "11-12 10:00"]),
        (
            {"repeatFrequency": "P2W", "byDay": ["WE", "FR"]},
            [
                "10-01 09:00",
                "10-03 09:00",
                "10-15 09:00",
                "10-17 09:00",
                "10-29 10:00",
                "10-31 10:00",
                "11-12 10:00",
            ],
        ),
        (
            {"byDay": ["schema:Monday", "http://schema.org/Thursday"], "endDate": "2025-10-09"},
            ["10-02 09:00", "10-06 09:00", "10-09 09:00"],
        ),
        (
            {"repeatFrequency": "P1D", "endDate": "2025-10-03", "byDay": []},
            ["10-01 09:00", "10-02 09:00", "10-03 09:00"],
        ),
        (
            {"repeatFrequency": "P1M", "byDay": [], "startDate": "2025-09-05"},
            ["10-05 09:00", "11-05 10:00"],
        ),
        ({"repeatFrequency": "P1M", "byDay": [], "byMonthDay": [-1]}, ["10-31 10:00"]),
        (
            {"scheduleTimezone": "Europe/Paris"},
            [
                "10-01 08:00",
                "10-08 08:00",
                "10-15 08:00",
                "10-22 08:00",
                "10-29 09:00",
                "11-05 09:00",
                "11-12 09:00",
            ],
        ),
        (
            {"startDate": "2020-01-01", "endDate": "2030-01-01"},  # long-running: only the horizon
            [
                "10-01 09:00",
                "10-08 09:00",
                "10-15 09:00",
                "10-22 09:00",
                "10-29 10:00",
                "11-05 10:00",
                "11-12 10:00",
            ],
        ),
    ],
)
def test_schedule_rules(changes, expected) -> None:
    assert starts({**WEDNESDAY_CLASS, **changes}) == expected


@pytest.mark.parametrize(
    ("schedule", "status"),
    [
        ({**WEDNESDAY_CLASS, "@type": "PartialSchedule"}, "partial"),
        (
            {"type": "Schedule", "byDay": ["http://schema.org/Monday"]},
            "invalid",
        ),  # Everyone Active
        ({**WEDNESDAY_CLASS, "repeatFrequency": "weekly"}, "invalid"),
        ({**WEDNESDAY_CLASS, "startTime": None}, "invalid"),
        ({k: v for k, v in WEDNESDAY_CLASS.items() if k != "startDate"}, "invalid"),
        (WEDNESDAY_CLASS, "expanded"),
    ],
)
def test_partial_and_incomplete_schedules_are_not_expanded(schedule, status) -> None:
    expansion = expand_schedule(schedule, *AUTUMN)
    assert expansion.status == status
    assert bool(expansion.occurrences) == (status == "expanded")


def test_id_and_url_templates() -> None:
    schedule = {
        **WEDNESDAY_CLASS,
        "repeatCount": 1,
        "idTemplate": "https://api.example.org/series/1/{startDate}",
        "urlTemplate": "https://example.org/book?from={startDate}&to={endDate}",
    }
    (only,) = expand_schedule(schedule, *AUTUMN).occurrences
    assert only.occurrence_id == "https://api.example.org/series/1/2025-10-01T09:00:00Z"
    assert only.url == "https://example.org/book?from=2025-10-01T09:00:00Z&to=2025-10-01T10:00:00Z"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://schema.org/Wednesday", 2),
        ("http://schema.org/Sunday", 6),
        ("WE", 2),
        ("schema:Monday", 0),
        ("https://schema.org/PublicHolidays", None),
        (3, None),
    ],
)
def test_weekday_spellings(value, expected) -> None:
    assert weekday(value) == expected


def test_explicit_sessions_override_generated_ones_and_cancellations_count() -> None:
    template = "https://example.org/series/1/sessions/{startDate}"
    data = series(
        eventSchedule=[
            {**WEDNESDAY_CLASS, "idTemplate": template, "scheduledEventType": "ScheduledSession"}
        ],
        duration="PT1H",
    )
    explicit = [
        # same @id as the generated 8 October occurrence, rescheduled and cancelled
        item(
            session(
                template.replace("{startDate}", "2025-10-08T09:00:00Z"),
                "https://example.org/series/1",
                "2025-10-08T12:00:00Z",
                eventStatus="https://schema.org/EventCancelled",
            ),
            "s1",
            "ScheduledSession",
        ),
        # no matching @id, but the same series and start as the 15 October occurrence
        item(
            session(
                "https://example.org/other-id",
                "https://example.org/series/1",
                "2025-10-15T10:00:00+01:00",
                maximumAttendeeCapacity=12,
            ),
            "s2",
            "ScheduledSession",
        ),
    ]
    supply = flat(
        {FEED: [item(data)], SESSIONS: explicit},
        horizon_start=datetime(2025, 10, 1),
        horizon_end=datetime(2025, 10, 23),
    )
    rows = sorted(supply.occurrences, key=lambda o: o["start_utc"])
    assert [(o["start_utc"].strftime("%d %H"), o["source"], o["cancelled"]) for o in rows] == [
        ("01 09", "schedule", False),
        ("08 12", "feed", True),
        ("15 09", "feed", False),
        ("22 09", "schedule", False),
    ]
    assert supply.report.generated_overridden == 2
    assert rows[2]["maximum_capacity"] == 12 and rows[2]["duration_minutes"] == 60.0


def test_partial_schedule_in_a_series_gives_no_occurrences() -> None:
    data = series(eventSchedule=[{**WEDNESDAY_CLASS, "@type": "PartialSchedule"}])
    supply = flat({FEED: [item(data)]})
    assert supply.occurrences == [] and supply.report.partial_schedules_ignored == 1


def test_event_schedule_as_an_object_and_never_inherited() -> None:
    parent = {
        "@type": "EventSeries",
        "@id": "https://example.org/es/1",
        "eventSchedule": WEDNESDAY_CLASS,
    }
    data = series(superEvent=parent)
    supply = flat(
        {FEED: [item(data)]},
        horizon_start=datetime(2025, 10, 1),
        horizon_end=datetime(2025, 10, 9),
    )
    assert supply.occurrences == []  # the parent's schedule is not the series'
    own = flat(
        {FEED: [item(series(eventSchedule=WEDNESDAY_CLASS))]},
        horizon_start=datetime(2025, 10, 1),
        horizon_end=datetime(2025, 10, 9),
    )
    assert [o["source"] for o in own.occurrences] == ["schedule", "schedule"]
