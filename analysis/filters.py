"""The filter set shared by every page, every export and the metrics: one frozen value.

A :class:`Filters` says which referrals a view is about: a pilot (its pilot and comparison PCNs),
a period of referral dates, and optionally a subset of PCNs, referral sources and conditions.
It round-trips through URL query parameters so a view can be shared as a link; the keys are the
dashboard's widget keys (``pilot``, ``start``, ``end``, ``pcn``, ``source``, ``condition``,
``activity``). Pure Python: no Streamlit, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

__all__ = ["QUERY_KEYS", "Filters"]

QUERY_KEYS: dict[str, str] = {
    "pilot": "pilot",
    "start": "start",
    "end": "end",
    "pcn_codes": "pcn",
    "referral_sources": "source",
    "conditions": "condition",
    "activity_groups": "activity",
}
"""Filters field → URL query-parameter name."""

_LIST_FIELDS = ("pcn_codes", "referral_sources", "conditions", "activity_groups")


@dataclass(frozen=True)
class Filters:
    """Which referrals a view covers. Empty tuples and ``None`` mean "no restriction".

    * ``pilot`` — a pilot name; ``None`` treats all PCNs as one group.
    * ``start``, ``end`` — inclusive bounds on the referral date.
    * ``pcn_codes`` — restrict to these PCNs (within the pilot's arms when a pilot is set).
    * ``referral_sources``, ``conditions`` — restrict referrals (any listed condition matches).
    * ``activity_groups`` — reserved for the supply model; the metrics refuse it until then.
    """

    pilot: str | None = None
    start: date | None = None
    end: date | None = None
    pcn_codes: tuple[str, ...] = ()
    referral_sources: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    activity_groups: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in _LIST_FIELDS:
            value = getattr(self, name)
            if isinstance(value, str):
                raise TypeError(f"{name} must be a tuple of strings, not a single string")
            # Normalise any iterable (list, set) to a sorted, de-duplicated tuple so that equal
            # selections are equal values (and equal cache keys).
            object.__setattr__(self, name, tuple(sorted({str(v) for v in value})))
        if self.pilot is not None and not str(self.pilot).strip():
            object.__setattr__(self, "pilot", None)
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")

    def to_query_params(self) -> dict[str, str | list[str]]:
        """URL query parameters for this view; fields left at their default are omitted."""
        params: dict[str, str | list[str]] = {}
        if self.pilot is not None:
            params[QUERY_KEYS["pilot"]] = self.pilot
        for name in ("start", "end"):
            value: date | None = getattr(self, name)
            if value is not None:
                params[QUERY_KEYS[name]] = value.isoformat()
        for name in _LIST_FIELDS:
            values: tuple[str, ...] = getattr(self, name)
            if values:
                params[QUERY_KEYS[name]] = list(values)
        return params

    @classmethod
    def from_query_params(cls, params: Mapping[str, str | Sequence[str]]) -> Filters:
        """Read a view from URL query parameters; unknown keys and unreadable values are ignored.

        A value may be a string or a list of strings (repeated keys); for single-valued keys the
        last value wins, as in a browser.
        """

        def values(key: str) -> list[str]:
            raw = params.get(key)
            if raw is None:
                return []
            items = [raw] if isinstance(raw, str) else list(raw)
            return [s.strip() for s in items if isinstance(s, str) and s.strip()]

        def last(key: str) -> str | None:
            found = values(key)
            return found[-1] if found else None

        start = _parse_date(last(QUERY_KEYS["start"]))
        end = _parse_date(last(QUERY_KEYS["end"]))
        if start and end and start > end:
            start, end = end, start
        lists = {name: tuple(values(QUERY_KEYS[name])) for name in _LIST_FIELDS}
        return cls(pilot=last(QUERY_KEYS["pilot"]), start=start, end=end, **lists)


def _parse_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
