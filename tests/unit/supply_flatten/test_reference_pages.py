"""Every reference page flattens, with the counts read off each file by hand."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from analysis.supply.activity_vocab import ACTIVITY_PREFIX
from analysis.supply.flatten import flatten_feeds, flatten_items
from tests.unit.supply_flatten.helpers import by_id, reference_items

DM_HORIZON = {"horizon_start": date(2018, 7, 1), "horizon_end": date(2019, 1, 1)}
REAL_HORIZON = {
    "horizon_start": date(2019, 12, 30),
    "horizon_end": date(2020, 2, 1),
    "reference_date": date(2020, 1, 6),
}

# file: (items, series, occurrences by source, orphans, places, schedules expanded/partial/invalid)
EXPECTED = {
    "dm_courseinstance.json": (1, 1, {"schedule": 3}, 0, 1, (1, 0, 0)),
    "dm_event.json": (1, 1, {"feed": 1}, 0, 1, (0, 0, 0)),
    "dm_facilityuse.json": (1, 1, {}, 0, 1, (0, 0, 0)),
    "dm_place.json": (1, 0, {}, 0, 1, (0, 0, 0)),
    "dm_scheduledsession_embedded_series.json": (1, 1, {"feed": 1}, 0, 1, (0, 1, 0)),
    "dm_scheduledsession_split.json": (1, 0, {"feed": 1}, 1, 0, (0, 0, 0)),
    "dm_sessionseries_embedded_sessions.json": (1, 1, {"embedded": 2}, 0, 1, (0, 1, 0)),
    "dm_sessionseries_eventseries_split.json": (1, 1, {}, 0, 1, (0, 1, 0)),
    "dm_sessionseries_split.json": (1, 1, {}, 0, 1, (0, 1, 0)),
    "dm_slot.json": (1, 0, {"feed": 1}, 1, 0, (0, 0, 0)),
    "dm_enums_2x.json": (0, 0, {}, 0, 0, (0, 0, 0)),
    "dm_rpde_feeditem_model.json": (0, 0, {}, 0, 0, (0, 0, 0)),
    "dm_rpde_feedpage_model.json": (0, 0, {}, 0, 0, (0, 0, 0)),
    "real_everyoneactive_page_20200106.json": (500, 250, {"embedded": 453}, 0, 67, (0, 0, 213)),
    "real_activenewham_page_20200102.json": (269, 198, {"embedded": 201}, 0, 5, (0, 0, 0)),
    "real_hartlepool_scheduledsession_items_readme.json": (3, 0, {"feed": 3}, 3, 0, (0, 0, 0)),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reference_file_flattens_with_expected_counts(name: str) -> None:
    horizon = REAL_HORIZON if name.startswith("real_") else DM_HORIZON
    supply = flatten_items(
        reference_items(name), feed_url=f"https://feed.example/{name}", **horizon
    )
    items, n_series, by_source, orphans, places, schedules = EXPECTED[name]
    report = supply.report
    assert report.items == items
    assert report.series == n_series == len(supply.series)
    assert report.occurrences_by_source == by_source
    assert report.orphan_occurrences == orphans
    assert report.places == places
    assert (
        report.schedules_expanded,
        report.partial_schedules_ignored,
        report.schedules_invalid,
    ) == schedules


def test_everyone_active_legacy_page() -> None:
    supply = flatten_items(
        reference_items("real_everyoneactive_page_20200106.json"), **REAL_HORIZON
    )
    report, rows = supply.report, supply.series
    assert (report.items_updated, report.items_deleted, report.tombstones_without_data) == (
        250,
        250,
        250,
    )
    # 127 activities are Concepts without an id: Bowls (37) and Soft Play (18) match by label.
    assert sum(not r["activity_ids"] for r in rows) == 72
    assert report.unmatched_activity_labels == [
        "Fitness Appointments",
        "G P Referral Sessions",
        "Group Exercise 16+ Yrs",
        "Gym Active 11-15 Yrs",
        "Toning Tables",
    ]
    ids = {i for r in rows for i in r["activity_ids"]}
    assert all(i.startswith(ACTIVITY_PREFIX) for i in ids)  # legacy http://…/activity-list/#
    assert {r["gender_restriction"] for r in rows} == {"NoRestriction"}  # ns#None
    ages = {(r["age_min"], r["age_max"]) for r in rows}
    assert ages == {(16, None), (0, 15), (0, None)}
    assert all(r["modified_at"] is None for r in rows)  # change numbers, not timestamps
    assert all(r["postcode"] for r in rows) and all(r["price_min"] for r in rows)
    assert {o["source"] for o in supply.occurrences} == {"embedded"}
    # endDate "…21:59:59Z" is read as 22:00
    first = by_id(supply.occurrences, "occurrence_id")[
        "http://everyoneactivelive-openactive.azurewebsites.net/api/sessions/0791K3220020319"
        "#/subEvent/790937172"
    ]
    assert (first["start_utc"], first["end_utc"], first["duration_minutes"]) == (
        datetime(2020, 1, 6, 20),
        datetime(2020, 1, 6, 22),
        120.0,
    )


def test_newham_string_activities_addresses_and_offer() -> None:
    supply = flatten_items(
        reference_items("real_activenewham_page_20200102.json"),
        feed_url="https://newham.example/feed",
        **REAL_HORIZON,
    )
    rows = supply.series
    # No @id on these items: keyed by feed URL + RPDE id.
    assert all(r["series_id"] == f"https://newham.example/feed#{r['rpde_id']}" for r in rows)
    labels = {label for r in rows for label in r["activity_labels"]}
    assert {"Indoor Cycling", "Gym Workout", "Bodypump™", "Zumba®", "Aqua Fit"} <= labels
    assert supply.report.unmatched_activity_labels == [
        "Afro Dance",
        "Circuits",
        "Group Gym",
        "SYNRGY360",
    ]
    assert sum(bool(r["unmatched_activity_labels"]) for r in rows) == 12
    assert sum(r["is_free"] is True for r in rows) == 35  # offer.price "0.00"
    assert {r["gender_restriction"] for r in rows} == {"NoRestriction"}  # "mixed"
    assert {r["postcode"] for r in rows} == {"E15 4JF", "E13 8SD", "E6 2RT", "E12 6QN", None}
    assert all(r["age_min"] == 18 and r["age_max"] is None for r in rows)  # no ageRange
    assert all(r["modified_at"] == r["freshness_at"] is not None for r in rows)  # ms epoch
    assert all(r["sp_is_fresh"] for r in rows)


def test_hartlepool_joins_by_super_event_url_not_rpde_id() -> None:
    sessions = reference_items("real_hartlepool_scheduledsession_items_readme.json")
    series_url = "https://activehartlepool.gs-signature.cloud/OpenActive/api/session-series/"
    parent = {
        "state": "updated",
        "kind": "SessionSeries",
        "id": "1POSTNPIL0925",
        "modified": 1,
        "data": {"@type": "SessionSeries", "@id": series_url + "1POSTNPIL0925", "name": "Pilates"},
    }
    # A decoy whose RPDE id is the last path segment of the sessions' @ids must not join.
    decoy = {
        "state": "updated",
        "kind": "SessionSeries",
        "id": "30044083",
        "modified": 2,
        "data": {"@type": "SessionSeries", "@id": series_url + "OTHER"},
    }
    supply = flatten_feeds(
        {
            "https://hartlepool.example/series": [parent, decoy],
            "https://hartlepool.example/sessions": sessions,
        },
        **REAL_HORIZON,
    )
    occurrences = supply.occurrences
    assert len(occurrences) == 3 and not any(o["orphan"] for o in occurrences)
    assert {o["series_id"] for o in occurrences} == {series_url + "1POSTNPIL0925"}
    assert {o["occurrence_id"].rsplit("/", 1)[-1] for o in occurrences} == {
        "30044083",
        "30044084",
        "30044085",
    }
    assert {s["rpde_id"] for s in supply.series} == {"1POSTNPIL0925", "30044083"}


def test_split_pages_join_and_slot_joins_through_individual_facility_use() -> None:
    supply = flatten_feeds(
        {
            "https://a.example/series": reference_items("dm_sessionseries_split.json"),
            "https://a.example/sessions": reference_items("dm_scheduledsession_split.json"),
            "https://a.example/facility-uses": reference_items("dm_facilityuse.json"),
            "https://a.example/slots": reference_items("dm_slot.json"),
        },
        **DM_HORIZON,
    )
    occ = {o["source"] + ":" + str(o["series_id"]): o for o in supply.occurrences}
    assert not any(o["orphan"] for o in supply.occurrences)
    assert "feed:https://opensessions.io/api/session-series/1402CBP20150217" in occ
    slot = occ["feed:http://www.example.org/facility-uses/1"]
    assert (slot["maximum_capacity"], slot["remaining_capacity"]) == (1, 1)


def test_event_series_and_course_properties_are_inherited() -> None:
    eventseries = flatten_items(
        reference_items("dm_sessionseries_eventseries_split.json"), **DM_HORIZON
    ).series[0]
    assert eventseries["parent_id"] == "https://opensessions.io/api/event-series/123456"
    assert eventseries["is_coached"] is True  # only on the EventSeries
    assert (eventseries["age_min"], eventseries["age_max"]) == (18, 30)
    assert eventseries["organiser_name"] == "Everyone Active"
    assert eventseries["activity_group"] == "Group Exercise"  # Bodypump™ → … → Group Exercise
    course = flatten_items(reference_items("dm_courseinstance.json"), **DM_HORIZON)
    row = course.series[0]
    assert (row["age_min"], row["age_max"]) == (11, 16)  # from instanceOfCourse
    assert row["activity_labels"] == ["Netball"]
    assert row["accessibility_information"].startswith("Please contact")
    assert row["organiser_name"] == "England Netball"
    assert [o["start_utc"] for o in course.occurrences] == [
        datetime(2018, 8, d, 8) for d in (1, 2, 3)
    ]  # 09:00 BST, repeatCount 3


def test_inverted_layout_builds_the_series_from_the_embedded_super_event() -> None:
    supply = flatten_items(
        reference_items("dm_scheduledsession_embedded_series.json"), **DM_HORIZON
    )
    (row,) = supply.series
    (occurrence,) = supply.occurrences
    assert (
        row["series_id"]
        == occurrence["series_id"]
        == ("https://opensessions.io/api/session-series/1402CBP20150217")
    )
    assert row["organiser_name"] == "Better" and row["price_min"] == 3.3
    assert occurrence["start_utc"] == datetime(2018, 10, 3, 19, 15)  # 20:15+01:00
