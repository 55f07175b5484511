"""The filter set shared by every page, every export and the metrics: one frozen value.

A :class:`Filters` says which referrals a view is about: a pilot (its pilot and comparison PCNs),
a period of referral dates, and optionally a subset of PCNs, referral sources, conditions, the
activity group of the session referred into, and the person's age band, sex, ethnicity and home
IMD quintile. It round-trips through URL query parameters so a view can be shared as a link; the
keys are the dashboard's widget keys (``pilot``, ``start``, ``end``, ``pcn``, ``source``,
``condition``, ``activity``, ``age``, ``sex``, ``ethnicity``, ``imd``). Pure Python: no
Streamlit and no database; :func:`journey_predicate` writes the SQL condition the metrics run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

__all__ = [
    "FIELD_LABELS",
    "JOURNEY_COLUMNS",
    "LIST_FIELDS",
    "PERSON_FIELDS",
    "QUERY_KEYS",
    "UNKNOWN",
    "Filters",
    "filter_phrase",
    "journey_predicate",
]

QUERY_KEYS: dict[str, str] = {
    "pilot": "pilot",
    "start": "start",
    "end": "end",
    "pcn_codes": "pcn",
    "referral_sources": "source",
    "conditions": "condition",
    "activity_groups": "activity",
    "age_bands": "age",
    "sexes": "sex",
    "ethnicities": "ethnicity",
    "imd_quintiles": "imd",
}
"""Filters field → URL query-parameter name."""

PERSON_FIELDS = ("age_bands", "sexes", "ethnicities", "imd_quintiles")
"""The fields that restrict referrals by who was referred."""
LIST_FIELDS = (
    "pcn_codes", "referral_sources", "conditions", "activity_groups", *PERSON_FIELDS,
)  # fmt: skip
"""The multi-valued fields (a tuple of strings each; empty means no restriction)."""
FIELD_LABELS: dict[str, str] = {
    "pilot": "pilot",
    "start": "period start",
    "end": "period end",
    "pcn_codes": "PCNs",
    "referral_sources": "referral source",
    "conditions": "condition",
    "activity_groups": "activity group",
    "age_bands": "age band",
    "sexes": "sex",
    "ethnicities": "ethnicity",
    "imd_quintiles": "IMD quintile",
}
"""Filters field → plain-English name, for messages such as "not applied here"."""


@dataclass(frozen=True)
class Filters:
    """Which referrals a view covers. Empty tuples and ``None`` mean "no restriction".

    * ``pilot`` — a pilot name; ``None`` treats all PCNs as one group.
    * ``start``, ``end`` — inclusive bounds on the referral date.
    * ``pcn_codes`` — restrict to these PCNs (within the pilot's arms when a pilot is set).
    * ``referral_sources``, ``conditions`` — restrict referrals (any listed condition matches).
    * ``activity_groups`` — restrict to referrals into a session series of these top-level
      activity groups (referrals naming no known series are then left out).
    * ``age_bands``, ``sexes``, ``ethnicities``, ``imd_quintiles`` — restrict by who was
      referred; ``"unknown"`` selects referrals with the value missing or recorded as unknown.
      IMD quintiles are the text ``"1"`` (most deprived) to ``"5"``.
    """

    pilot: str | None = None
    start: date | None = None
    end: date | None = None
    pcn_codes: tuple[str, ...] = ()
    referral_sources: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    activity_groups: tuple[str, ...] = ()
    age_bands: tuple[str, ...] = ()
    sexes: tuple[str, ...] = ()
    ethnicities: tuple[str, ...] = ()
    imd_quintiles: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in LIST_FIELDS:
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

    def narrowed_by(self) -> tuple[str, ...]:
        """The fields that restrict the view beyond the pilot and period, in declaration order
        (e.g. ``("pcn_codes", "sexes")``), so a page can say which filters it applies."""
        return tuple(name for name in LIST_FIELDS if getattr(self, name))

    def to_query_params(self) -> dict[str, str | list[str]]:
        """URL query parameters for this view; fields left at their default are omitted."""
        params: dict[str, str | list[str]] = {}
        if self.pilot is not None:
            params[QUERY_KEYS["pilot"]] = self.pilot
        for name in ("start", "end"):
            value: date | None = getattr(self, name)
            if value is not None:
                params[QUERY_KEYS[name]] = value.isoformat()
        for name in LIST_FIELDS:
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
        lists = {name: tuple(values(QUERY_KEYS[name])) for name in LIST_FIELDS}
        return cls(pilot=last(QUERY_KEYS["pilot"]), start=start, end=end, **lists)


UNKNOWN = "unknown"
"""The group of referrals whose value is missing (or recorded as unknown)."""
JOURNEY_COLUMNS: dict[str, tuple[str, str]] = {
    "referral_sources": ("referral_source", "list_contains"),
    "conditions": ("conditions", "list_has_any"),
    "activity_groups": ("session_activity_group", "list_contains"),
    "age_bands": (f"coalesce(age_band, '{UNKNOWN}')", "list_contains"),
    "sexes": (f"coalesce(sex, '{UNKNOWN}')", "list_contains"),
    "ethnicities": (f"coalesce(ethnicity, '{UNKNOWN}')", "list_contains"),
    "imd_quintiles": (f"coalesce(CAST(imd_quintile AS VARCHAR), '{UNKNOWN}')", "list_contains"),
}
"""Referral-level Filters field → (its SQL value over ``journeys``, how a selection matches)."""


def journey_predicate(filters: Filters) -> tuple[str, dict[str, list[str]]]:
    """The filter's restrictions on single referrals as a SQL condition over ``journeys``
    columns, with its named parameters (``$f_<field>``); ``"TRUE"`` when there are none.

    Covers referral source, condition (any listed condition matches), the activity group of
    the session referred into (referrals naming no known session are left out), age band,
    sex, ethnicity and home IMD quintile (``"unknown"`` matches a missing value). The period
    and the PCNs are applied by the metrics (:class:`analysis.metrics.overview.View`).
    """
    clauses, params = [], {}
    for field, (column, match) in JOURNEY_COLUMNS.items():
        values = list(getattr(filters, field))
        if values:
            if match == "list_has_any":
                clauses.append(f"list_has_any({column}, $f_{field}::VARCHAR[])")
            else:
                clauses.append(f"list_contains($f_{field}::VARCHAR[], {column})")
            params[f"f_{field}"] = values
    return (" AND ".join(clauses) or "TRUE"), params


def filter_phrase(fields: Sequence[str]) -> str:
    """Filters fields (or plain names) as a phrase: ``("sexes",)`` → "the sex filter",
    ``("pcn_codes", "sexes", "period")`` → "the PCNs, sex and period filters"."""
    names = [FIELD_LABELS.get(f, f) for f in fields]
    if not names:
        return "no filter"
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"the {listed} filter{'s' if len(names) > 1 else ''}"


def _parse_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
