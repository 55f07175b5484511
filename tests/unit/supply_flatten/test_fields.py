"""Table-driven tests of the field readers: ages, cost, postcodes, gender, urls, times."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from analysis.supply.audience import (
    accessibility_support,
    age_range,
    gender_restriction,
    is_beginner,
    levels,
)
from analysis.supply.items import (
    clean_url,
    modified_epoch,
    node_id,
    node_type,
    parse_duration,
    parse_utc,
    text,
)
from analysis.supply.offers import cost
from analysis.supply.places import normalise_postcode, place_info


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, (18, None, False)),  # no ageRange: adults only
        ({"maxValue": 15}, (0, 15, True)),  # no minValue: no minimum
        ({"minValue": 0}, (0, None, True)),  # all ages
        ({"minValue": 16}, (16, None, True)),
        ({"minValue": 11, "maxValue": 16}, (11, 16, True)),
        ({"minValue": "50"}, (50, None, True)),  # a number as a string
        ({"type": "QuantitativeValue", "name": "All Ages", "minValue": 0}, (0, None, True)),
        ({"minValue": 30, "maxValue": 20}, (30, None, True)),  # impossible max dropped
        ([{"minValue": 21, "maxValue": 29}], (21, 29, True)),
    ],
)
def test_age_range_defaults(value, expected) -> None:
    ages = age_range(value)
    assert (ages.age_min, ages.age_max, ages.given) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"offers": [{"price": 0}]}, (0.0, 0.0, True, True)),
        ({"offer": {"price": "0.00"}}, (0.0, 0.0, True, True)),  # singular, string price
        ({"offers": [{"price": 3.3}, {"price": "5.95"}]}, (3.3, 5.95, False, True)),
        ({"offers": [{"price": 0}, {"price": 2.6}]}, (0.0, 2.6, False, True)),
        ({"isAccessibleForFree": True}, (None, None, True, True)),
        ({"isAccessibleForFree": True, "offers": [{"price": 4}]}, (4.0, 4.0, True, True)),
        ({"isAccessibleForFree": False}, (None, None, False, True)),
        ({"offers": {"price": "£4.50"}}, (4.5, 4.5, False, True)),
        ({"offers": [{"name": "Member"}]}, (None, None, None, False)),  # no price at all
        ({}, (None, None, None, False)),
    ],
)
def test_price_and_free(data, expected) -> None:
    c = cost(data)
    assert (c.price_min, c.price_max, c.is_free, c.price_given) == expected


def test_first_session_free_flag() -> None:
    assert cost({"beta:isFirstSessionAccessibleForFree": True}).first_session_free is True
    assert cost({}).first_session_free is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("TS4 3AE", "TS4 3AE"),
        ("ts43ae", "TS4 3AE"),
        ("  sw1a   1aa ", None),  # two spaces inside is not a postcode
        ("sw1a 1aa", "SW1A 1AA"),
        ("Newham Leisure Centre, 281, Prince Regent Lane, London, E13 8SD, England", "E13 8SD"),
        ("Atherton Leisure Centre, Romford Road, London, E15 4JF, England", "E15 4JF"),
        ("Tony Carr ( M.B.E.) Gym", None),
        ("EC1A1BB", "EC1A 1BB"),
        (None, None),
    ],
)
def test_postcode_normalisation_and_extraction(value, expected) -> None:
    assert normalise_postcode(value) == expected


def test_place_from_string_address_and_invalid_geo() -> None:
    place = place_info(
        {
            "name": "Hall",
            "address": "1 Road, London, e13 8sd",
            "geo": {"latitude": "0", "longitude": 0},
        }
    )
    assert (place.postcode, place.latitude, place.longitude) == ("E13 8SD", None, None)
    assert place.key == "postcode:E13 8SD|hall"
    assert (
        place_info(
            "https://x.example/places/1",
            {
                "https://x.example/places/1": {
                    "name": "Pool",
                    "geo": {"latitude": 51.5, "longitude": -0.1},
                }
            },
        ).name
        == "Pool"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://openactive.io/NoRestriction", "NoRestriction"),
        ("https://openactive.io/FemaleOnly", "FemaleOnly"),
        ("oa:MaleOnly", "MaleOnly"),
        ("http://openactive.io/ns#None", "NoRestriction"),
        ("mixed", "NoRestriction"),
        ("Ladies", "FemaleOnly"),
        ("https://openactive.io/Sometimes", None),
        ("", None),
        (None, None),
    ],
)
def test_gender_normalisation(value, expected) -> None:
    assert gender_restriction(value) == expected


def test_levels_accessibility_and_beginner() -> None:
    assert levels(["Beginner", {"prefLabel": "Intermediate"}, "Beginner"]) == [
        "Beginner",
        "Intermediate",
    ]
    assert is_beginner(["All Levels"]) and not is_beginner(["Advanced"])
    assert accessibility_support(
        [
            {
                "@id": "https://openactive.io/accessibility-support#2bfb7228-5969-4927-8435-38b5005a8771"
            },
            "Hearing Impairment",
        ]
    ) == ["Hearing impairment", "Hearing Impairment"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://https://www.example.com/centre", "https://www.example.com/centre"),
        ("http://https://www.example.com/", "https://www.example.com/"),
        (" https://example.com/a ", "https://example.com/a"),
        ("www.example.com", None),
        ({"url": "https://example.com/i.png"}, "https://example.com/i.png"),
    ],
)
def test_clean_url(value, expected) -> None:
    assert clean_url(value) == expected


def test_id_type_and_text_faults() -> None:
    assert node_id({"id": "https://a/1"}) == node_id({"@id": "https://a/1"}) == "https://a/1"
    assert node_type({"type": "Event"}) == node_type({"@type": "schema:Event"}) == "Event"
    assert node_type({"@type": "https://openactive.io/SessionSeries"}) == "SessionSeries"
    assert text(" 0300 456 0552\r\n") == "0300 456 0552"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-09-07T09:00:00+01:00", datetime(2026, 9, 7, 8)),
        ("2026-09-07T08:00:00Z", datetime(2026, 9, 7, 8)),
        ("2018-10-03T20:15:00-05:30", datetime(2018, 10, 4, 1, 45)),
        ("2026-01-05T14:00:00", datetime(2026, 1, 5, 14)),  # no designator: London (GMT)
        ("2026-07-05T14:00:00", datetime(2026, 7, 5, 13)),  # no designator: London (BST)
        ("not a date", None),
    ],
)
def test_datetimes_to_naive_utc(value, expected) -> None:
    assert parse_utc(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("PT45M", timedelta(minutes=45)),
        ("PT2H40M0S", timedelta(hours=2, minutes=40)),
        ("P3D", timedelta(days=3)),
        ("PT0S", None),
        ("1 hour", None),
    ],
)
def test_durations(value, expected) -> None:
    assert parse_duration(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1521565719, datetime(2018, 3, 20, 17, 8, 39)),  # seconds
        (1577953842982, datetime(2020, 1, 2, 8, 30, 42, 982000)),  # milliseconds
        ("1521565719", datetime(2018, 3, 20, 17, 8, 39)),
        (287775378, None),  # a change number
        (2757133, None),
        (2**60, None),
    ],
)
def test_modified_epoch(value, expected) -> None:
    assert modified_epoch(value) == expected
