"""Walking RPDE items into series and occurrence rows (the layouts of ``docs/supply.md``).

Items arrive in any order. Series are keyed by ``@id`` (or feed URL + RPDE id), occurrences by
``@id`` (or a key derived from their series and start). Joins to a parent happen at the end,
by the exact ``superEvent``/``facilityUse`` URL, so a ScheduledSession that arrives before its
SessionSeries still joins, and one whose series is unknown or deleted is kept as an orphan.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from analysis.supply.activity_vocab import ActivityVocabulary
from analysis.supply.items import (
    as_list,
    kind_type,
    modified_epoch,
    node_id,
    node_type,
    parse_datetime,
    parse_duration,
    to_int,
)
from analysis.supply.occurrences import EMBEDDED, TOP, Defaults, OccurrenceTable, naive_utc
from analysis.supply.places import place_info
from analysis.supply.schedules import expand_schedule
from analysis.supply.series import inherit, series_columns

SERIES_TYPES = frozenset(
    {
        "SessionSeries",
        "Event",
        "CourseInstance",
        "HeadlineEvent",
        "FacilityUse",
        "IndividualFacilityUse",
        "OnDemandEvent",
    }
)
NESTED_SERIES_TYPES = frozenset(
    {"SessionSeries", "CourseInstance", "EventSeries", "FacilityUse", "HeadlineEvent"}
)
OCCURRENCE_TYPES = frozenset({"ScheduledSession", "Slot"})
PARENT_TYPES = frozenset({"EventSeries", "Course"})
SELF_OCCURRING = frozenset({"Event", "CourseInstance", "HeadlineEvent"})
FACILITY_TYPES = frozenset({"FacilityUse", "IndividualFacilityUse"})
_ID_ONLY = frozenset({"@id", "id", "@type", "type"})


@dataclass(slots=True)
class ItemMeta:
    """An RPDE item's envelope and its store bookkeeping."""

    feed_url: str
    rpde_id: str
    kind: str | None
    state: str
    modified_raw: str | None = None
    modified_int: int | None = None
    first_seen_at: datetime | None = None
    last_seen_at: datetime | None = None
    deleted_at: datetime | None = None
    publisher_name: str | None = None
    dataset_url: str | None = None


class Collector:
    """Accumulates rows from items; ``finish`` resolves joins, defaults and overrides."""

    def __init__(
        self, vocab: ActivityVocabulary, horizon_start: datetime, horizon_end: datetime
    ) -> None:
        self.vocab = vocab
        self.horizon = (horizon_start, horizon_end)
        self.series: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {}
        self.defaults: dict[str, Defaults] = {}
        self.parents: dict[str, dict[str, Any]] = {}
        self.places: dict[str, dict[str, Any]] = {}
        self.facility_of: dict[str, str] = {}
        self.deferred: list[tuple[ItemMeta, dict[str, Any], str]] = []
        self.counts: Counter[str] = Counter()
        self.occurrences = OccurrenceTable(self.counts)
        self.finishing = False

    # -- items ---------------------------------------------------------------------------
    def add(self, meta: ItemMeta, data: Any) -> None:
        self.counts["items"] += 1
        deleted = meta.state == "deleted"
        self.counts["items_deleted" if deleted else "items_updated"] += 1
        if not isinstance(data, dict):
            self.counts["tombstones_without_data" if deleted else "updated_without_data"] += 1
            return
        kind = node_type(data) or kind_type(meta.kind)
        if kind == "Event" and kind_type(meta.kind) in OCCURRENCE_TYPES:
            kind = "ScheduledSession"
        if kind in SERIES_TYPES:
            self._series_item(meta, data, kind, deleted)
        elif kind in OCCURRENCE_TYPES:
            self._occurrence_item(meta, data, kind, deleted)
        elif kind in PARENT_TYPES:
            self._parent_item(meta, data, kind, deleted)
        elif kind == "Place":
            place_id = node_id(data)
            if place_id and not deleted:
                self.places[place_id] = data
            self.counts["place_items"] += 1
        else:
            self.counts["other_type_items"] += 1

    def _needs_lookup(self, data: dict[str, Any]) -> bool:
        location = data.get("location")
        return (
            isinstance(data.get("superEvent"), str)
            or isinstance(data.get("instanceOfCourse"), str)
            or isinstance(location, str)
            or (isinstance(location, dict) and location.keys() <= _ID_ONLY)
        )

    def _parent(self, node: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
        for key in ("superEvent", "instanceOfCourse"):
            ref = node.get(key)
            if isinstance(ref, dict):
                return ref, node_id(ref)
            if isinstance(ref, str) and ref.strip():
                return self.parents.get(ref.strip()), ref.strip()
        return None, None

    def _series_item(self, meta: ItemMeta, data: dict[str, Any], kind: str, deleted: bool) -> None:
        if not self.finishing and self._needs_lookup(data):
            self.deferred.append((meta, data, kind))
            return
        parent, parent_id = self._parent(data)
        fallback = f"{meta.feed_url}#{meta.rpde_id}"
        self._series_node(meta, data, kind, parent, parent_id, fallback, top=True, deleted=deleted)

    def _parent_item(self, meta: ItemMeta, data: dict[str, Any], kind: str, deleted: bool) -> None:
        parent_id = node_id(data)
        if parent_id and not deleted:
            self.parents[parent_id] = data
        children = [c for c in as_list(data.get("subEvent")) if isinstance(c, dict)]
        acts_as_series = kind == "EventSeries" and (
            any(node_type(c) not in NESTED_SERIES_TYPES for c in children)
            or any(node_type(s) == "Schedule" for s in as_list(data.get("eventSchedule")))
        )
        if acts_as_series:
            self._series_item(meta, data, kind, deleted)
            return
        self.counts["parent_items"] += 1
        if deleted:
            return
        base = parent_id or f"{meta.feed_url}#{meta.rpde_id}"
        for i, child in enumerate(children):
            child_type = node_type(child) or "SessionSeries"
            self._series_node(meta, child, child_type, data, parent_id, f"{base}#/subEvent/{i}")

    def _occurrence_item(
        self, meta: ItemMeta, data: dict[str, Any], kind: str, deleted: bool
    ) -> None:
        ref = (
            data.get("superEvent")
            if kind == "ScheduledSession"
            else (data.get("facilityUse") or data.get("superEvent"))
        )
        series_id = None
        if isinstance(ref, dict):
            fallback = f"{meta.feed_url}#{meta.rpde_id}/superEvent"
            if not deleted:
                parent, parent_id = self._parent(ref)
                default_type = "FacilityUse" if kind == "Slot" else "SessionSeries"
                ref_type = node_type(ref) or default_type
                self._series_node(meta, ref, ref_type, parent, parent_id, fallback)
            series_id = node_id(ref) or fallback
        elif isinstance(ref, str):
            series_id = ref.strip() or None
        if deleted:
            self.counts["occurrence_items_deleted"] += 1
            return
        self.occurrences.add_explicit(
            data, series_id, "feed", meta.modified_int, f"{meta.feed_url}#{meta.rpde_id}"
        )

    # -- series --------------------------------------------------------------------------
    def _series_node(
        self,
        meta: ItemMeta,
        node: dict[str, Any],
        kind: str,
        parent: dict[str, Any] | None,
        parent_id: str | None,
        fallback_id: str,
        *,
        top: bool = False,
        deleted: bool = False,
    ) -> None:
        series_id = node_id(node) or fallback_id
        rank = (
            TOP if top else EMBEDDED,
            meta.modified_int if meta.modified_int is not None else -1,
        )
        existing = self.series.get(series_id)
        if existing is not None and existing[0] >= rank:
            self.counts["series_duplicates"] += 1
            return
        effective = inherit(parent, node)
        place = place_info(effective.get("location"), self.places)
        modified_at = modified_epoch(meta.modified_int)
        row = {
            "series_id": series_id,
            "feed_url": meta.feed_url,
            "rpde_id": meta.rpde_id,
            "kind": meta.kind,
            "series_type": kind,
            "parent_id": parent_id,
            "publisher_name": meta.publisher_name,
            "dataset_url": meta.dataset_url,
            **series_columns(effective, self.vocab, place),
            "modified_raw": meta.modified_raw,
            "modified_at": modified_at,
            "freshness_at": modified_at
            or naive_utc(parse_datetime(effective.get("dateModified")))
            or meta.last_seen_at,
            "first_seen_at": meta.first_seen_at,
            "deleted": deleted,
            "deleted_at": meta.deleted_at if deleted else None,
        }
        self.series[series_id] = (rank, row)
        defaults = Defaults(
            parse_duration(effective.get("duration")),
            row["event_status"],
            to_int(effective.get("maximumAttendeeCapacity")),
        )
        self.defaults[series_id] = defaults
        if not deleted:
            self._children(meta, node, kind, effective, series_id, defaults)

    def _children(
        self,
        meta: ItemMeta,
        node: dict[str, Any],
        kind: str,
        effective: dict[str, Any],
        series_id: str,
        defaults: Defaults,
    ) -> None:
        children = as_list(node.get("subEvent"))
        if kind in FACILITY_TYPES:
            children = children + as_list(node.get("event"))
        occurrences = 0
        for i, child in enumerate(children):
            if not isinstance(child, dict):
                continue
            child_type = node_type(child)
            if child_type in NESTED_SERIES_TYPES:
                fallback = f"{series_id}#/subEvent/{i}"
                self._series_node(meta, child, child_type, effective, series_id, fallback)
                continue
            occurrences += 1
            key = child.get("identifier")
            key = key if isinstance(key, str | int) else child.get("startDate", i)
            self.occurrences.add_explicit(
                child, series_id, "embedded", meta.modified_int, f"{series_id}#/subEvent/{key}"
            )
        for unit in as_list(node.get("individualFacilityUse")):
            if not isinstance(unit, dict):
                continue
            if (unit_id := node_id(unit)) is not None:
                self.facility_of[unit_id] = series_id
            for slot in as_list(unit.get("event")) + as_list(unit.get("subEvent")):
                if isinstance(slot, dict):
                    occurrences += 1
                    self.occurrences.add_explicit(
                        slot,
                        series_id,
                        "embedded",
                        meta.modified_int,
                        f"{unit_id or series_id}#/event/{slot.get('startDate')}",
                    )
        full = 0
        for schedule in as_list(node.get("eventSchedule")):
            expansion = expand_schedule(schedule, *self.horizon, defaults.duration)
            self.counts[f"schedules_{expansion.status}"] += 1
            if expansion.status == "expanded":
                full += 1
                for generated in expansion.occurrences:
                    self.occurrences.add_generated(generated, series_id)
        if not occurrences and not full and kind in SELF_OCCURRING and node.get("startDate"):
            self.occurrences.add_explicit(
                node, series_id, "feed", meta.modified_int, series_id, own_id=series_id
            )

    # -- finish --------------------------------------------------------------------------
    def finish(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Series rows and occurrence rows, joined and de-duplicated."""
        self.finishing = True
        deferred, self.deferred = self.deferred, []
        for meta, data, kind in deferred:
            self._series_item(meta, data, kind, meta.state == "deleted")
        occurrences = self.occurrences.rows(self.series, self.defaults, self.facility_of)
        return [row for _, row in self.series.values()], occurrences
