"""One series row from an opportunity's (inherited) data, and the inheritance rule.

Inheritance (Modelling Opportunity Data 2.0 §5.6.7): a child takes every property of its parent
that it does not set itself; ``@type``, ``@id``, ``url``, ``identifier`` and ``eventSchedule``
are never inherited, and ``offers`` only pass from a SessionSeries to its ScheduledSessions.
Personal data never enters a row: a Person organiser's name, leaders' and contributors' names
and any e-mail or telephone are reduced to flags.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from analysis.supply.activities import normalise_activities
from analysis.supply.activity_vocab import ActivityVocabulary
from analysis.supply.audience import (
    accessibility_support,
    age_range,
    gender_restriction,
    is_beginner,
    levels,
    wheelchair_flag,
)
from analysis.supply.items import (
    as_list,
    clean_url,
    node_type,
    parse_date,
    short_type,
    text,
    to_bool,
)
from analysis.supply.offers import OFFER_KEYS, cost
from analysis.supply.places import PlaceInfo

NEVER_INHERITED = frozenset(
    {
        "@type",
        "type",
        "@id",
        "id",
        "url",
        "identifier",
        "eventSchedule",
        "@context",
        "subEvent",
        "superEvent",
        "instanceOfCourse",
    }
)
EVENT_STATUSES = frozenset(
    {"EventScheduled", "EventCancelled", "EventPostponed", "EventRescheduled", "EventMovedOnline"}
)
NOT_HAPPENING = frozenset({"EventCancelled", "EventPostponed"})
_TAGS = re.compile(r"<[^>]+>")
_STATUS_SEEN: dict[str, str | None] = {}


def inherit(
    parent: dict[str, Any] | None, child: dict[str, Any], *, offers: bool = False
) -> dict[str, Any]:
    """The child's effective data: parent properties it does not set, then its own."""
    if not parent:
        return child
    merged = {
        k: v
        for k, v in parent.items()
        if k not in NEVER_INHERITED and (offers or k not in OFFER_KEYS)
    }
    if any(k in child for k in OFFER_KEYS):
        for key in OFFER_KEYS:
            merged.pop(key, None)
    merged.update((k, v) for k, v in child.items() if v is not None)
    return merged


def event_status(value: Any) -> str | None:
    """``EventScheduled``, ``EventCancelled``, … from the schema.org URL; else ``None``."""
    if value.__class__ is str and value in _STATUS_SEEN:
        return _STATUS_SEEN[value]
    status = short_type(value)
    status = status if status in EVENT_STATUSES else None
    if value.__class__ is str and len(_STATUS_SEEN) < 256:
        _STATUS_SEEN[value] = status
    return status


def _organiser(data: dict[str, Any]) -> tuple[str | None, bool | None, bool]:
    """Organisation name (never a person's), whether the organiser is a Person, and
    whether any contact route (e-mail, telephone, contact point) is published."""
    org = data.get("organizer")
    if org is None:
        org = data.get("provider")
    if isinstance(org, list):
        org = next((o for o in org if isinstance(o, dict)), None)
    series_contact = bool(data.get("beta:contactPoint") or data.get("contactPoint"))
    if not isinstance(org, dict):
        return None, None, series_contact
    is_person = node_type(org) == "Person"
    contact = bool(
        text(org.get("email"))
        or text(org.get("telephone"))
        or org.get("contactPoint")
        or org.get("beta:contactPoint")
    )
    name = None if is_person else (text(org.get("name")) or text(org.get("legalName")))
    return name, is_person, contact or series_contact


def _image(value: Any) -> str | None:
    for entry in as_list(value):
        url = clean_url(entry)
        if url:
            return url
    return None


def description_chars(data: dict[str, Any]) -> int:
    """Characters of the description (or, failing that, the formatted one without tags)."""
    description = text(data.get("description"))
    if description is None:
        formatted = data.get("beta:formattedDescription")
        description = text(_TAGS.sub(" ", formatted)) if isinstance(formatted, str) else None
    return len(description) if description else 0


def series_dates(
    data: dict[str, Any], schedules: list[dict[str, Any]]
) -> tuple[date | None, date | None]:
    """The series' own start and end dates, else the span of its full Schedules."""
    start, end = parse_date(data.get("startDate")), parse_date(data.get("endDate"))
    if start is None:
        starts = [d for d in (parse_date(s.get("startDate")) for s in schedules) if d]
        start = min(starts) if starts else None
    if end is None and schedules:
        ends = [parse_date(s.get("endDate")) for s in schedules]
        known = [d for d in ends if d is not None]
        end = max(known) if len(known) == len(ends) else None  # one open-ended → no end
    return start, end


def series_columns(
    data: dict[str, Any], vocab: ActivityVocabulary, place: PlaceInfo
) -> dict[str, Any]:
    """The descriptive columns of a series row from its effective data."""
    acts = normalise_activities(data.get("activity"), vocab)
    org_name, org_is_person, org_contact = _organiser(data)
    ages = age_range(data.get("ageRange"))
    price = cost(data)
    level_labels = levels(data.get("level") if "level" in data else data.get("imin:level"))
    support = accessibility_support(data.get("accessibilitySupport"))
    wheelchair = wheelchair_flag(data)
    if wheelchair is None:
        wheelchair = place.wheelchair
    coached = to_bool(data.get("isCoached"))
    schedules = [
        s
        for s in as_list(data.get("eventSchedule"))
        if isinstance(s, dict) and node_type(s) == "Schedule"
    ]
    start, end = series_dates(data, schedules)
    return {
        "name": text(data.get("name")),
        "description_chars": description_chars(data),
        "activity_ids": acts.ids,
        "activity_labels": acts.labels,
        "unmatched_activity_labels": acts.unmatched,
        "activity_group": acts.group,
        "organiser_name": org_name,
        "organiser_is_person": org_is_person,
        "organiser_has_contact": org_contact,
        "leader_present": bool(as_list(data.get("leader")) or as_list(data.get("contributor"))),
        "is_coached": coached,
        "place_key": place.key,
        "place_id": place.place_id,
        "place_name": place.name,
        "postcode": place.postcode,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "price_min": price.price_min,
        "price_max": price.price_max,
        "is_free": price.is_free,
        "first_session_free": price.first_session_free,
        "price_given": price.price_given,
        "age_range_given": ages.given,
        "age_min": ages.age_min,
        "age_max": ages.age_max,
        "gender_restriction": gender_restriction(data.get("genderRestriction")),
        "levels": level_labels,
        "is_beginner": is_beginner(level_labels),
        "accessibility_support": support,
        "accessibility_information": text(data.get("accessibilityInformation")),
        "wheelchair_accessible": wheelchair,
        "url": clean_url(data.get("url")),
        "image_url": _image(data.get("image")),
        "start_date": start,
        "end_date": end,
        "event_status": event_status(data.get("eventStatus")),
    }
