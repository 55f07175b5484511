"""Feed layouts, inheritance, orphans, cancellations, deletions and personal data."""

from __future__ import annotations

from datetime import datetime

from analysis.supply.series import inherit
from tests.unit.supply_flatten.helpers import (
    FEED,
    SESSIONS,
    by_id,
    flat,
    item,
    series,
    session,
)

S1, S2 = "https://example.org/series/1", "https://example.org/series/2"


def test_inherit_rule() -> None:
    parent = {
        "@type": "SessionSeries",
        "@id": S1,
        "url": "u",
        "identifier": 1,
        "name": "P",
        "eventSchedule": [{}],
        "offers": [{"price": 1}],
        "level": ["Beginner"],
    }
    child = {"@type": "ScheduledSession", "name": "C", "level": None}
    merged = inherit(parent, child)
    assert merged == {"@type": "ScheduledSession", "name": "C", "level": ["Beginner"]}
    assert inherit(parent, child, offers=True)["offers"] == [{"price": 1}]
    assert inherit(parent, {"offer": {"price": 2}}, offers=True).get("offers") is None


def test_split_feed_joins_on_super_event_url_in_any_order() -> None:
    sessions = [
        item(
            session(f"{S1}/s/{n}", S1, f"2025-10-0{n}T10:00:00Z", f"2025-10-0{n}T11:00:00Z"),
            f"s{n}",
            "ScheduledSession",
        )
        for n in (1, 2)
    ]
    supply = flat({SESSIONS: sessions, FEED: [item(series(), "EB1")]})
    assert {o["series_id"] for o in supply.occurrences} == {S1}
    assert not any(o["orphan"] for o in supply.occurrences)
    assert supply.report.orphan_rate == 0.0


def test_orphans_unknown_and_deleted_series() -> None:
    feeds = {
        FEED: [item(series(S2, name="Gone"), "EB2", state="deleted")],
        SESSIONS: [
            item(session(f"{S1}/s/1", S1, "2025-10-01T10:00:00Z"), "a", "ScheduledSession"),
            item(session(f"{S2}/s/1", S2, "2025-10-01T10:00:00Z"), "b", "ScheduledSession"),
            item(
                session(f"{S2}/s/2", S2, "2025-10-08T10:00:00Z"),
                "c",
                "ScheduledSession",
                state="deleted",
            ),
            item(session("https://x/s/9", None, "2025-10-01T10:00:00Z"), "d", "ScheduledSession"),
        ],
    }
    supply = flat(feeds)
    occurrences = by_id(supply.occurrences, "occurrence_id")
    assert set(occurrences) == {f"{S1}/s/1", f"{S2}/s/1", "https://x/s/9"}  # deleted one gone
    assert all(o["orphan"] for o in occurrences.values())
    assert occurrences["https://x/s/9"]["series_id"] is None
    (gone,) = supply.series
    assert gone["deleted"] is True and gone["name"] == "Gone"
    assert supply.report.orphan_rate == 1.0 and supply.report.series_deleted == 1


def test_cancelled_and_inherited_status_duration_and_capacity() -> None:
    data = series(
        S1,
        duration="PT45M",
        maximumAttendeeCapacity=20,
        subEvent=[
            {"@type": "ScheduledSession", "startDate": "2025-10-01T10:00:00Z"},
            {
                "@type": "ScheduledSession",
                "startDate": "2025-10-08T10:00:00Z",
                "eventStatus": "https://schema.org/EventCancelled",
            },
            {
                "@type": "ScheduledSession",
                "startDate": "2025-10-15T10:00:00Z",
                "eventStatus": "https://schema.org/EventPostponed",
            },
        ],
    )
    cancelled_series = series(
        S2,
        eventStatus="https://schema.org/EventCancelled",
        subEvent=[{"@type": "ScheduledSession", "startDate": "2025-10-01T10:00:00Z"}],
    )
    supply = flat(
        {
            FEED: [
                item(data, "1", "SessionSeries.ScheduledSession"),
                item(cancelled_series, "2", "SessionSeries.ScheduledSession"),
            ]
        }
    )
    rows = sorted(supply.occurrences, key=lambda o: (o["series_id"], o["start_utc"]))
    assert [o["cancelled"] for o in rows] == [False, True, True, True]
    assert rows[0]["duration_minutes"] == 45.0 and rows[0]["maximum_capacity"] == 20
    assert {o["source"] for o in rows} == {"embedded"}
    assert supply.report.occurrences_cancelled == 3


def test_newest_copy_of_a_series_wins_and_top_level_beats_embedded() -> None:
    old = item(series(S1, name="Old"), "1", modified=5)
    new = item(series(S1, name="New"), "1b", modified=9)
    embedded = item(
        session(f"{S1}/s/1", series(S1, name="Embedded"), "2025-10-01T10:00:00Z"),
        "s",
        "ScheduledSession.SessionSeries",
        modified=99,
    )
    supply = flat({FEED: [new, old], SESSIONS: [embedded]})
    (row,) = supply.series
    assert row["name"] == "New"
    assert not supply.occurrences[0]["orphan"]


def test_event_series_parent_by_url_and_place_feed_lookup() -> None:
    parent = item(
        {
            "@type": "EventSeries",
            "@id": "https://example.org/es/1",
            "ageRange": {"minValue": 50},
            "isCoached": True,
            "organizer": {"@type": "Organization", "name": "Club", "telephone": "0113 496 0000"},
        },
        "es1",
        "EventSeries",
    )
    place = item(
        {
            "@type": "Place",
            "@id": "https://example.org/places/7",
            "name": "Park Hall",
            "address": {"postalCode": "ls1 4ap"},
            "geo": {"latitude": 53.8, "longitude": -1.55},
        },
        "p7",
        "Place",
    )
    child = item(
        series(S1, superEvent="https://example.org/es/1", location="https://example.org/places/7"),
        "1",
    )
    supply = flat(
        {
            FEED: [child],
            "https://example.org/event-series": [parent],
            "https://example.org/places": [place],
        }
    )
    (row,) = supply.series
    assert (row["parent_id"], row["age_min"], row["is_coached"]) == (
        "https://example.org/es/1",
        50,
        True,
    )
    assert (row["organiser_name"], row["organiser_has_contact"]) == ("Club", True)
    assert (row["place_name"], row["postcode"], row["latitude"]) == ("Park Hall", "LS1 4AP", 53.8)
    (place_row,) = supply.places
    assert place_row["place_key"] == "https://example.org/places/7"
    assert place_row["series_count"] == 1


def test_facility_use_with_embedded_slots_counts_as_supply() -> None:
    facility = {
        "@type": "FacilityUse",
        "@id": "https://example.org/fu/1",
        "name": "Court",
        "provider": {"@type": "Organization", "name": "Leisure Ltd"},
        "individualFacilityUse": [
            {
                "@type": "IndividualFacilityUse",
                "@id": "https://example.org/fu/1/ifu/1",
                "event": [
                    {
                        "@type": "Slot",
                        "startDate": "2025-10-01T10:00:00Z",
                        "duration": "PT30M",
                        "maximumUses": 1,
                        "remainingUses": 0,
                    }
                ],
            }
        ],
    }
    slot = {
        "@type": "Slot",
        "@id": "https://example.org/slot/2",
        "facilityUse": "https://example.org/fu/1/ifu/1",
        "startDate": "2025-10-01T11:00:00Z",
        "endDate": "2025-10-01T11:30:00Z",
    }
    supply = flat(
        {
            FEED: [item(facility, "fu1", "FacilityUse")],
            SESSIONS: [item(slot, "slot2", "IndividualFacilityUse/Slot")],
        }
    )
    assert {(o["series_id"], o["source"], o["orphan"]) for o in supply.occurrences} == {
        ("https://example.org/fu/1", "embedded", False),
        ("https://example.org/fu/1", "feed", False),
    }
    assert supply.series[0]["organiser_name"] == "Leisure Ltd"


def test_personal_data_is_reduced_to_flags() -> None:
    data = series(
        S1,
        organizer={"@type": "Person", "name": "Jane Smith", "email": "jane@example.org"},
        leader=[
            {
                "@type": "Person",
                "givenName": "Nicole",
                "familyName": "Smith",
                "telephone": "07700 900000",
            }
        ],
    )
    supply = flat({FEED: [item(data)]})
    (row,) = supply.series
    assert row["organiser_name"] is None and row["organiser_is_person"] is True
    assert row["organiser_has_contact"] is True and row["leader_present"] is True
    flattened = repr(supply.series) + repr(supply.places)
    for personal in ("Jane", "Nicole", "Smith", "jane@example.org", "07700"):
        assert personal not in flattened


def test_standalone_event_is_its_own_occurrence_and_unreadable_items_are_counted() -> None:
    event = {
        "@type": "Event",
        "@id": "https://example.org/e/1",
        "name": "Ride",
        "startDate": "2025-10-05T10:00:00+01:00",
        "endDate": "2025-10-05T12:40:00+01:00",
    }
    supply = flat({FEED: [item(event, "e1", "Event"), {"state": "updated"}, "junk"]})
    (occurrence,) = supply.occurrences
    assert occurrence["occurrence_id"] == "https://example.org/e/1"
    assert occurrence["start_utc"] == datetime(2025, 10, 5, 9)
    assert occurrence["duration_minutes"] == 160.0
    assert supply.report.unreadable_items == 2


def test_everyone_active_style_faults_in_one_item() -> None:
    data = {
        "@context": "https://www.openactive.io/ns/oa.jsonld",
        "type": "Event",
        "id": "https://example.org/sessions/1",
        "name": "Swim",
        "genderRestriction": "http://openactive.io/ns#None",
        "activity": [{"type": "Concept", "prefLabel": "Swimming"}],
        "location": {
            "type": "Place",
            "url": "https://https://www.example.org/centre",
            "telephone": " 0300 456 0552\r\n",
            "address": {"postalCode": "pl2 3dg"},
        },
        "eventSchedule": {"type": "Schedule", "byDay": ["http://schema.org/Monday"]},
        "offer": {"price": "4.50"},
        "url": "https://https://book.example.org/1",
        "subEvent": [
            {
                "type": "Event",
                "startDate": "2025-10-06T20:00:00Z",
                "endDate": "2025-10-06T21:59:59Z",
                "identifier": 7,
            }
        ],
    }
    supply = flat({FEED: [item(data, "1", "session")]})
    (row,) = supply.series
    assert row["series_id"] == "https://example.org/sessions/1"
    assert row["url"] == "https://book.example.org/1"
    assert (row["gender_restriction"], row["postcode"], row["price_min"]) == (
        "NoRestriction",
        "PL2 3DG",
        4.5,
    )
    assert row["activity_labels"] == ["Swimming"]
    (occurrence,) = supply.occurrences
    assert occurrence["occurrence_id"] == "https://example.org/sessions/1#/subEvent/7"
    assert occurrence["duration_minutes"] == 120.0
    assert supply.report.schedules_invalid == 1
