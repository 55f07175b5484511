"""RPDE 1.0 rules a consumer applies to each page, kept free of I/O so they can be unit-tested.

- ``parse_page``: bytes → ``Page``; a truncated, non-JSON or malformed page raises
  ``BadContent`` (the fetcher retries those).
- ``resolve_next``: ``next`` is an opaque cursor, used exactly as received; a relative one is
  resolved against the page URL with ``urljoin`` (never unquoted or rebuilt) and reported.
- ``parse_modified`` / ``compare_modified``: like is compared with like (integers, all-digit
  strings as integers, otherwise strings); an integer against a non-numeric string cannot be
  ordered, so the incoming item (later in the feed, so newer) wins and the fault is reported.
- ``LoopDetector``: a page URL seen again with the same content is no progress; more than
  ``patience`` such pages in a row is a loop.
- ``kind_class``: whether a ``kind`` is a series-like opportunity or an occurrence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from urllib.parse import urljoin, urlsplit

INT128_LIMIT = 2**127
SERIES_KINDS = frozenset(
    {
        "SessionSeries",
        "EventSeries",
        "Event",
        "CourseInstance",
        "Course",
        "FacilityUse",
        "IndividualFacilityUse",
        "HeadlineEvent",
        "OnDemandEvent",
        "session",
    }
)
OCCURRENCE_KINDS = frozenset({"ScheduledSession", "Slot"})


class BadContent(Exception):
    """A page that cannot be used as received; fetching it again may help."""

    def __init__(self, fault: str, detail: str) -> None:
        super().__init__(detail)
        self.fault = fault
        self.detail = detail


class FeedStopped(Exception):
    """The feed cannot go on in this run: a one-line ``message`` and the fault type."""

    def __init__(self, fault: str, message: str) -> None:
        super().__init__(message)
        self.fault = fault
        self.message = message


@dataclass
class Page:
    url: str
    next_raw: str
    items: list[Any]
    has_license: bool


@dataclass(frozen=True)
class Modified:
    """An item's ``modified``: its text as received and, when it is one, its integer value."""

    raw: str
    number: int | None
    was_string: bool

    @property
    def key(self) -> int | str:
        """What the store remembers to compare against: the integer, else the text."""
        return self.number if self.number is not None else self.raw


class Order(Enum):
    NEWER = "newer"
    SAME = "same"
    OLDER = "older"
    MIXED = "mixed"  # integer against non-numeric string: incoming accepted, fault reported

    @property
    def accepted(self) -> bool:
        return self is not Order.OLDER


@dataclass
class FaultLog:
    """Faults seen while reading one page (or failing to), counted by (page URL, type)."""

    counts: dict[tuple[str | None, str], int] = field(default_factory=dict)
    details: dict[tuple[str | None, str], str] = field(default_factory=dict)

    def add(self, page_url: str | None, fault: str, detail: str = "", n: int = 1) -> None:
        key = (page_url, fault)
        self.counts[key] = self.counts.get(key, 0) + n
        self.details.setdefault(key, detail)

    def rows(self) -> list[tuple[str | None, str, str, int]]:
        return [
            (url, fault, self.details[(url, fault)], n) for (url, fault), n in self.counts.items()
        ]

    def by_type(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for (_, fault), n in self.counts.items():
            out[fault] = out.get(fault, 0) + n
        return out


def parse_page(url: str, body: bytes) -> Page:
    """An RPDE page from its bytes, or ``BadContent`` saying what is wrong with it."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadContent("non_json", f"not UTF-8 text ({exc.reason})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        stripped = text.strip()
        if not stripped:
            raise BadContent("truncated", "empty response body") from None
        if stripped[0] in "{[" and stripped[-1] not in "}]":
            raise BadContent("truncated", f"JSON ends early ({len(body)} bytes)") from None
        raise BadContent("non_json", f"not JSON ({exc.msg} at character {exc.pos})") from None
    if not isinstance(doc, dict):
        raise BadContent("invalid_page", "JSON is not an RPDE page object")
    items, nxt = doc.get("items"), doc.get("next")
    if not isinstance(items, list):
        raise BadContent("invalid_page", "page has no 'items' list")
    if not isinstance(nxt, str) or not nxt:
        raise BadContent("invalid_page", "page has no 'next' URL")
    return Page(url=url, next_raw=nxt, items=items, has_license="license" in doc)


def resolve_next(page_url: str, raw: str) -> tuple[str, bool]:
    """(the URL to request next, whether ``raw`` was relative). Never unquotes or rebuilds."""
    parts = urlsplit(raw)
    if parts.scheme in ("http", "https") and parts.netloc:
        return raw, False
    if parts.scheme and parts.scheme not in ("http", "https"):
        raise FeedStopped("invalid_next", f"'next' is not an http(s) URL: {raw[:200]}")
    resolved = urljoin(page_url, raw)
    if urlsplit(resolved).scheme not in ("http", "https"):
        raise FeedStopped("invalid_next", f"'next' cannot be resolved to a URL: {raw[:200]}")
    return resolved, True


def is_last_page(page_url: str, next_url: str, items: list[Any]) -> bool:
    """The last page has no items and ``next`` equal to its own URL (both required)."""
    return not items and next_url == page_url


def parse_modified(value: Any) -> Modified | None:
    """``modified`` as received, or None when it is neither an integer nor a string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value if -INT128_LIMIT < value < INT128_LIMIT else None
        return Modified(str(value), number, was_string=False)
    if isinstance(value, str) and value:
        number = int(value) if value.isascii() and value.isdigit() else None
        if number is not None and number >= INT128_LIMIT:
            number = None
        return Modified(value, number, was_string=True)
    return None


def compare_modified(incoming: Modified, stored: int | str) -> Order:
    """How ``incoming`` stands against a stored ``Modified.key``."""
    if incoming.number is not None and isinstance(stored, int):
        a: int | str = incoming.number
    elif incoming.number is None and isinstance(stored, str):
        a = incoming.raw
    else:
        return Order.MIXED
    if a == stored:
        return Order.SAME
    return Order.NEWER if a > stored else Order.OLDER  # type: ignore[operator]


def rpde_id(value: Any) -> str | None:
    """The item ``id`` as text (string or integer ids), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value:
        return value
    return None


def kind_class(kind: str | None) -> str | None:
    """'series' (SessionSeries and other bookable parents), 'occurrence' (ScheduledSession,
    slots) or None (Place and anything unknown). A combined kind counts by its first part."""
    if not kind:
        return None
    head = kind.split(".")[0]
    if head in OCCURRENCE_KINDS or head.endswith("/Slot"):
        return "occurrence"
    if head in SERIES_KINDS:
        return "series"
    return None


def page_signature(next_url: str, items: list[Any]) -> tuple[int, int]:
    """(content signature including ``next``, item signature): hashes of ids, modified, state."""
    summary = tuple(
        (str(i.get("id")), str(i.get("modified")), str(i.get("state")))
        if isinstance(i, dict)
        else ("?", repr(i)[:100], "?")
        for i in items
    )
    items_sig = hash(summary)
    return hash((next_url, items_sig)), items_sig


class LoopDetector:
    """Counts pages in a row that bring nothing new in this run; too many is a loop.

    A page is no progress when the same URL already gave the same content in this run, or when
    its (non-empty) items are exactly those of a page read under another URL.
    """

    def __init__(self, patience: int = 3) -> None:
        self.patience = patience
        self._pages: set[tuple[str, int]] = set()
        self._contents: dict[int, str] = {}  # items signature -> URL it was first read from
        self.visited: set[str] = set()
        self.stalled = 0

    def visit(self, url: str, next_url: str, items: list[Any]) -> bool:
        """Record a page read; True when it confirms a loop."""
        content, items_sig = page_signature(next_url, items)
        first_url = self._contents.get(items_sig) if items else None
        repeat = (url, content) in self._pages or (first_url is not None and first_url != url)
        self._pages.add((url, content))
        if items:
            self._contents.setdefault(items_sig, url)
        self.visited.add(url)
        self.stalled = self.stalled + 1 if repeat else 0
        return self.stalled > self.patience
