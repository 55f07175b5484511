"""Activities of a series: canonical Activity List ids, labels, and a top-level group.

Publishers give ``activity`` as Concepts with ``@id`` (the standard), Concepts with legacy
``id`` values (``http://openactive.io/activity-list/#<uuid>``), Concepts with only a
``prefLabel``, or plain strings. Ids are normalised to ``https://openactive.io/activity-list#<uuid>``;
labels without an id are matched through the vocabulary's prefLabel/altLabel and, when nothing
matches, kept in ``unmatched``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from analysis.supply.activity_vocab import ACTIVITY_PREFIX, ActivityVocabulary
from analysis.supply.items import as_list, node_id, text

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


@dataclass(frozen=True)
class Activities:
    """The normalised activities of one series."""

    ids: list[str]
    labels: list[str]
    unmatched: list[str]
    group: str | None


NO_ACTIVITIES = Activities([], [], [], None)


def normalise_activity_id(value: Any) -> str | None:
    """The canonical id for an Activity List reference in any of its published spellings
    (``https``/``http``, ``www.``, ``/activity-list/#``, a bare uuid); ``None`` for ids from
    other schemes or without a uuid."""
    return _activity_id(value) if isinstance(value, str) else None


@lru_cache(maxsize=4096)
def _activity_id(value: str) -> str | None:
    value = value.strip()
    match = _UUID.search(value)
    if not match:
        return None
    if match.start() > 0 and "activity-list" not in value.lower():
        return None
    return ACTIVITY_PREFIX + match.group(0).lower()


def _label(entry: Any) -> str | None:
    if isinstance(entry, dict):
        return text(entry.get("prefLabel")) or text(entry.get("name"))
    return text(entry)


def normalise_activities(value: Any, vocab: ActivityVocabulary) -> Activities:
    """Ids, labels (the vocabulary's prefLabel when the id is known, else the publisher's),
    unmatched labels, and the top-level group of the first activity the vocabulary knows."""
    entries = as_list(value)
    if not entries:
        return NO_ACTIVITIES
    ids: list[str] = []
    labels: list[str] = []
    unmatched: list[str] = []
    for entry in entries:
        published = _label(entry)
        concept_id = None
        if isinstance(entry, dict):
            concept_id = normalise_activity_id(node_id(entry))
        elif isinstance(entry, str) and _UUID.search(entry):
            concept_id = normalise_activity_id(entry)
            published = None
        if concept_id is None and published is not None:
            concept_id = vocab.match_label(published)
            if concept_id is None:
                if published not in unmatched:
                    unmatched.append(published)
                continue
        if concept_id is None or concept_id in ids:
            continue
        ids.append(concept_id)
        label = vocab.label(concept_id) or published
        if label is not None:
            labels.append(label)
    group = next((g for g in map(vocab.top_label, ids) if g is not None), None)
    return Activities(ids, labels, unmatched, group)
