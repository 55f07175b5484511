"""Who a series is for: ages, gender restriction, levels and accessibility support.

Age defaults follow Modelling Opportunity Data 2.0: no ``ageRange`` means adults only (18+);
an ``ageRange`` without ``minValue`` has no minimum (0); ``minValue`` 0 and no ``maxValue``
means all ages. A missing ``maxValue`` is no upper limit (``None``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from analysis.supply.items import as_list, node_id, text, to_bool, to_int

ADULT_AGE = 18
_GENDER = {
    "norestriction": "NoRestriction",
    "none": "NoRestriction",
    "mixed": "NoRestriction",
    "any": "NoRestriction",
    "all": "NoRestriction",
    "unisex": "NoRestriction",
    "maleonly": "MaleOnly",
    "male": "MaleOnly",
    "men": "MaleOnly",
    "mens": "MaleOnly",
    "femaleonly": "FemaleOnly",
    "female": "FemaleOnly",
    "women": "FemaleOnly",
    "womens": "FemaleOnly",
    "ladies": "FemaleOnly",
}
_BEGINNER = re.compile(
    r"beginner|novice|introduct|all levels|all abilities|mixed abilit", re.IGNORECASE
)
ACCESSIBILITY_PREFIX = "https://openactive.io/accessibility-support#"
ACCESSIBILITY_LABELS = {
    ACCESSIBILITY_PREFIX + "1393f2dc-3fcc-4be9-a99f-f1e51f5ad277": "Visual impairment",
    ACCESSIBILITY_PREFIX + "2bfb7228-5969-4927-8435-38b5005a8771": "Hearing impairment",
    ACCESSIBILITY_PREFIX + "dd026873-6713-4ea1-af5a-08901f651d98": "Physical impairment",
    ACCESSIBILITY_PREFIX + "67902468-fd49-4238-8650-20a22d7f0e40": "Learning impairment",
    ACCESSIBILITY_PREFIX + "40b9b11f-bdd3-4aeb-8984-2ecf74a14c7a": "Mental health issues",
    ACCESSIBILITY_PREFIX
    + "69b689d4-be04-4e6d-be56-4ac72ec82444": "Social or behavioural problems",
}


@dataclass(frozen=True)
class AgeRange:
    age_min: int | None
    age_max: int | None
    given: bool


def age_range(value: Any) -> AgeRange:
    """Ages after the spec defaults (see the module docstring)."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict)), None)
    if not isinstance(value, dict):
        return AgeRange(ADULT_AGE, None, False)
    low, high = to_int(value.get("minValue")), to_int(value.get("maxValue"))
    if low is not None and low < 0:
        low = None
    if high is not None and (high < 0 or (low is not None and high < low)):
        high = None
    return AgeRange(low if low is not None else 0, high, True)


def gender_restriction(value: Any) -> str | None:
    """``NoRestriction``, ``MaleOnly`` or ``FemaleOnly`` from the official URL or a common
    variant (``oa:NoRestriction``, ``mixed``, ``http://openactive.io/ns#None``); unknown → None."""
    if isinstance(value, list):
        value = value[0] if value else None
    return _gender(value) if isinstance(value, str) else None


@lru_cache(maxsize=256)
def _gender(value: str) -> str | None:
    tail = re.split(r"[#/:]", value.strip())[-1]
    return _GENDER.get(re.sub(r"[^a-z]", "", tail.lower()))


def _concept_label(entry: Any, known: dict[str, str] | None = None) -> str | None:
    if isinstance(entry, dict):
        label = text(entry.get("prefLabel")) or text(entry.get("name"))
        if label is None and known:
            label = known.get(node_id(entry) or "")
        return label
    if known and isinstance(entry, str) and entry in known:
        return known[entry]
    return text(entry)


def levels(value: Any) -> list[str]:
    """Level labels (strings or Concepts), in order, without repeats."""
    out: list[str] = []
    for entry in as_list(value):
        label = _concept_label(entry)
        if label and label not in out:
            out.append(label)
    return out


def is_beginner(level_labels: list[str]) -> bool:
    """Whether any level welcomes beginners (beginner, novice, introductory, all levels)."""
    return any(_BEGINNER.search(label) for label in level_labels)


def accessibility_support(value: Any) -> list[str]:
    """Accessibility-support labels (Concepts, their ids, or plain strings)."""
    out: list[str] = []
    for entry in as_list(value):
        label = _concept_label(entry, ACCESSIBILITY_LABELS)
        if label and label not in out:
            out.append(label)
    return out


def wheelchair_flag(data: dict[str, Any]) -> bool | None:
    """``beta:isWheelchairAccessible`` (or the unprefixed spelling) as a boolean."""
    value = data.get("beta:isWheelchairAccessible")
    if value is None:
        value = data.get("isWheelchairAccessible")
    return to_bool(value)
