"""Filters: a frozen value that round-trips through URL query parameters."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from datetime import date

import pytest

from analysis.filters import QUERY_KEYS, Filters


@pytest.mark.parametrize(
    ("filters", "params"),
    [
        (Filters(), {}),
        (Filters(pilot="Northside"), {"pilot": "Northside"}),
        (
            Filters(start=date(2025, 1, 1), end=date(2025, 3, 31)),
            {"start": "2025-01-01", "end": "2025-03-31"},
        ),
        (Filters(pcn_codes=("U10002", "U10001")), {"pcn": ["U10001", "U10002"]}),
        (
            Filters(referral_sources=("gp",), conditions=("msk",), activity_groups=("swim",)),
            {"source": ["gp"], "condition": ["msk"], "activity": ["swim"]},
        ),
    ],
)
def test_to_and_from_query_params(filters: Filters, params: dict) -> None:
    assert filters.to_query_params() == params
    assert Filters.from_query_params(params) == filters


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"pcn": "U10001"}, Filters(pcn_codes=("U10001",))),  # one repeated key reads as a str
        ({"start": "not-a-date", "end": "2025-02-30"}, Filters()),  # unreadable: ignored
        (
            {"start": "2025-06-01", "end": "2025-01-01"},  # reversed: put in order
            Filters(start=date(2025, 1, 1), end=date(2025, 6, 1)),
        ),
        ({"pilot": ["A", "B"]}, Filters(pilot="B")),  # single-valued: the last wins
        ({"pilot": "  "}, Filters()),
        ({"utm_source": "email", "pcn": ["", " U10001 "]}, Filters(pcn_codes=("U10001",))),
    ],
)
def test_from_query_params_is_forgiving(params: dict, expected: Filters) -> None:
    assert Filters.from_query_params(params) == expected


def test_selections_are_normalised_so_equal_views_are_equal() -> None:
    assert Filters(pcn_codes=["U2", "U1", "U2"]) == Filters(pcn_codes=("U1", "U2"))
    assert hash(Filters(pcn_codes=("U2", "U1"))) == hash(Filters(pcn_codes=("U1", "U2")))


def test_filters_are_frozen_and_validated() -> None:
    with pytest.raises(FrozenInstanceError):
        Filters().pilot = "x"  # type: ignore[misc]
    with pytest.raises(ValueError, match="after end"):
        Filters(start=date(2025, 2, 1), end=date(2025, 1, 1))
    with pytest.raises(TypeError, match="tuple of strings"):
        Filters(pcn_codes="U10001")  # type: ignore[arg-type]
    assert replace(Filters(), pilot="P").pilot == "P"


def test_query_keys_are_the_dashboard_widget_keys() -> None:
    assert [QUERY_KEYS[k] for k in ("pilot", "start", "end", "pcn_codes")] == [
        "pilot", "start", "end", "pcn"]  # fmt: skip
