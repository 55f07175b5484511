"""RPDE rules: the modified comparison, next resolution, the last page and the loop detector."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.supply.rpde import (
    BadContent,
    FeedStopped,
    LoopDetector,
    Order,
    compare_modified,
    is_last_page,
    kind_class,
    parse_modified,
    parse_page,
    resolve_next,
    rpde_id,
)


def cmp(incoming, stored) -> Order:
    new, old = parse_modified(incoming), parse_modified(stored)
    assert new is not None and old is not None
    return compare_modified(new, old.key)


@pytest.mark.parametrize(
    ("incoming", "stored", "order"),
    [
        (5, 4, Order.NEWER),
        (4, 4, Order.SAME),
        (3, 4, Order.OLDER),
        ("10", 9, Order.NEWER),  # all-digit string compared as an integer, not as text
        (10, "9", Order.NEWER),
        ("0010", 10, Order.SAME),
        ("2025-06-01T10:00:00Z", "2025-05-31T23:59:59Z", Order.NEWER),  # strings with strings
        ("2025-06-01T10:00:00Z", "2025-06-01T10:00:00Z", Order.SAME),
        ("abc", "abd", Order.OLDER),
        ("2025-06-01T10:00:00Z", 1700000000, Order.MIXED),  # cannot be ordered: incoming wins
        (1700000000, "2025-06-01T10:00:00Z", Order.MIXED),
        (2**60 + 1, 2**60, Order.NEWER),  # SQL Server rowversion sizes
    ],
)
def test_modified_comparison(incoming, stored, order) -> None:
    assert cmp(incoming, stored) is order
    assert order.accepted is (order is not Order.OLDER)


@given(st.integers(min_value=0, max_value=2**100), st.integers(min_value=0, max_value=2**100))
def test_integer_and_digit_string_forms_agree(a: int, b: int) -> None:
    expected = cmp(a, b)
    assert cmp(str(a), b) is expected and cmp(a, str(b)) is expected
    assert cmp(str(a), str(b)) is expected


@pytest.mark.parametrize("value", [None, True, 1.5, "", [], {}])
def test_unusable_modified(value) -> None:
    assert parse_modified(value) is None


def test_modified_text_and_type_are_kept() -> None:
    m = parse_modified("00042")
    assert m is not None and (m.raw, m.number, m.was_string) == ("00042", 42, True)
    m = parse_modified(-3)
    assert m is not None and (m.raw, m.number, m.was_string) == ("-3", -3, False)
    assert parse_modified("9" * 50).number is None  # too big for the store: compared as text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("abc", "abc"),
        (17, "17"),
        ("00000000000030044083", "00000000000030044083"),
        (True, None),
        (None, None),
        ("", None),
        (1.5, None),
    ],
)
def test_rpde_id(value, expected) -> None:
    assert rpde_id(value) == expected


PAGE = "https://feed.example/api/rpde/sessions?afterTimestamp=1&afterId=x"


@pytest.mark.parametrize(
    ("raw", "url", "relative"),
    [
        # absolute: used byte for byte, escapes untouched
        (
            "https://feed.example/r?afterId=a%26b&afterTimestamp=2025-01-01T00%3A00%2B00%3A00",
            "https://feed.example/r?afterId=a%26b&afterTimestamp=2025-01-01T00%3A00%2B00%3A00",
            False,
        ),
        (
            "http://other.example/x?afterChangeNumber=5",
            "http://other.example/x?afterChangeNumber=5",
            False,
        ),
        # query-only relative keeps the path (a known fault of naive resolvers)
        (
            "?afterTimestamp=2&afterId=y%2Bz",
            "https://feed.example/api/rpde/sessions?afterTimestamp=2&afterId=y%2Bz",
            True,
        ),
        (
            "/api/rpde/sessions?afterChangeNumber=9",
            "https://feed.example/api/rpde/sessions?afterChangeNumber=9",
            True,
        ),
        ("sessions?page=2", "https://feed.example/api/rpde/sessions?page=2", True),
        ("//cdn.example/feed?after=3", "https://cdn.example/feed?after=3", True),
    ],
)
def test_next_resolution(raw: str, url: str, relative: bool) -> None:
    assert resolve_next(PAGE, raw) == (url, relative)


@pytest.mark.parametrize("raw", ["javascript:alert(1)", "ftp://feed.example/x", "mailto:a@b"])
def test_next_that_is_not_http_stops_the_feed(raw: str) -> None:
    with pytest.raises(FeedStopped) as exc:
        resolve_next(PAGE, raw)
    assert exc.value.fault == "invalid_next"


def test_last_page_needs_no_items_and_next_equal_to_itself() -> None:
    assert is_last_page(PAGE, PAGE, [])
    assert not is_last_page(PAGE, PAGE + "&more", [])  # in-stream filtering: keep going
    assert not is_last_page(PAGE, PAGE, [{"id": 1}])  # items on it: not the end


@pytest.mark.parametrize(
    ("body", "fault"),
    [
        (b'{"next": "https://a/b", "items": [{"id": 1, "sta', "truncated"),
        (b"", "truncated"),
        (b"<html>Bad gateway</html>", "non_json"),
        (b"\xff\xfe garbage", "non_json"),
        (b'{"items": []}', "invalid_page"),
        (b'{"next": "https://a/b"}', "invalid_page"),
        (b"[1, 2]", "invalid_page"),
        (b'{"next": "https://a/b", "items": [1,, 2]}', "non_json"),
    ],
)
def test_unusable_pages(body: bytes, fault: str) -> None:
    with pytest.raises(BadContent) as exc:
        parse_page("https://a/b", body)
    assert exc.value.fault == fault


def test_page_parses_with_or_without_license() -> None:
    page = parse_page("u", b'\xef\xbb\xbf{"next": "https://a/b", "items": [], "license": "x"}')
    assert (page.next_raw, page.items, page.has_license) == ("https://a/b", [], True)
    assert not parse_page("u", b'{"next": "https://a/b", "items": []}').has_license


def items(*ids: int) -> list[dict]:
    return [{"id": i, "modified": i, "state": "updated"} for i in ids]


def test_loop_detector_progress_is_not_a_loop() -> None:
    d = LoopDetector(patience=2)
    for k in range(50):
        assert not d.visit(f"u{k}", f"u{k + 1}", items(k))
    assert d.stalled == 0


def test_loop_detector_stops_a_self_referencing_page_after_patience() -> None:
    d = LoopDetector(patience=2)
    results = [d.visit("u1", "u1", items(1)) for _ in range(4)]
    assert results == [False, False, False, True]


def test_loop_detector_recovers_from_a_transient_loop() -> None:
    d = LoopDetector(patience=2)
    assert not d.visit("u1", "u2", items(1))
    assert not d.visit("u2", "u3", items(2))
    assert not d.visit("u3", "u2", items(3))  # next leads back once
    assert not d.visit("u2", "u3", items(2))  # a repeat: stalled 1
    assert d.stalled == 1
    assert not d.visit("u3", "u4", items(3))  # same URL, new next: progress again
    assert d.stalled == 0


def test_loop_detector_same_items_under_new_urls_are_no_progress() -> None:
    d = LoopDetector(patience=1)
    assert not d.visit("u?t=1", "u?t=2", items(7))
    assert not d.visit("u?t=2", "u?t=3", items(7))
    assert d.visit("u?t=3", "u?t=4", items(7))


def test_loop_detector_empty_filtered_pages_are_not_a_loop() -> None:
    d = LoopDetector(patience=1)
    assert not any(d.visit(f"u{k}", f"u{k + 1}", []) for k in range(20))


@pytest.mark.parametrize(
    ("kind", "group"),
    [
        ("SessionSeries", "series"),
        ("ScheduledSession", "occurrence"),
        ("Slot", "occurrence"),
        ("IndividualFacilityUse/Slot", "occurrence"),
        ("FacilityUse/Slot", "occurrence"),
        ("SessionSeries.ScheduledSession", "series"),
        ("ScheduledSession.SessionSeries", "occurrence"),
        ("session", "series"),
        ("Event", "series"),
        ("CourseInstance", "series"),
        ("FacilityUse", "series"),
        ("Place", None),
        (None, None),
    ],
)
def test_kind_class(kind, group) -> None:
    assert kind_class(kind) == group
