"""The JSON-LD ``data`` of each feed item: SessionSeries and ScheduledSession.

Shapes follow the OpenActive Modelling Opportunity Data 2.0 split-feed examples. Optional
properties are present for some series and absent for others (``Series.traits`` holds one
uniform draw per property), so SP-readiness varies. No personal names are published: a leader,
when present, is described by role only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from analysis.demo.concepts import (
    ACCESSIBILITY_SUPPORT,
    ACTIVITIES,
    accessibility_concept,
    activity_concept,
)
from analysis.demo.dates import uk_offset_hours
from analysis.demo.supply import Occurrences, Series
from analysis.demo.venues import DEMO_HOST, Venues

CONTEXT = ["https://openactive.io/", "https://openactive.io/ns-beta"]
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
KIND_BLURB = {
    "park": "We meet at the main gate whatever the weather; wear comfortable shoes and bring "
    "water.",
    "community_hall": "The hall is warm, step-free and has chairs for anyone who needs a rest.",
    "leisure_centre": "Changing rooms and lockers are available; please arrive ten minutes "
    "early for your first visit.",
    "school_sports_hall": "Equipment is provided. Enter through the community entrance after "
    "school hours.",
}
MIN_AGE = {
    "Chair Based Exercise": 50,
    "Chair Yoga": 50,
    "Walking Football": 50,
    "Walking Netball": 40,
    "Gym Workout": 16,
    "Swimming": 16,
}


def _duration(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest else "")


def _clock(minute: int) -> str:
    return f"{int(minute) // 60:02d}:{int(minute) % 60:02d}"


def timestamp(local: np.datetime64, offset_hours: int, utc_style: bool) -> str:
    """An ISO date-time with a zone designator: UTC ``Z`` or the local ``+hh:00`` offset."""
    if utc_style:
        utc = local - np.timedelta64(int(offset_hours), "h")
        return f"{np.datetime_as_string(utc, unit='s')}Z"
    return f"{np.datetime_as_string(local, unit='s')}+{int(offset_hours):02d}:00"


def _offers(series: Series, i: int) -> tuple[list[dict[str, Any]], bool]:
    if series.is_free[i]:
        price: Any = "0.00" if series.price_string[i] else 0
        offer = {
            "@type": "Offer",
            "identifier": "free",
            "name": "Free",
            "price": price,
            "priceCurrency": "GBP",
        }
        return [offer], not series.price_string[i]
    offer = {
        "@type": "Offer",
        "identifier": "payg",
        "name": "Pay as you go",
        "price": float(series.price[i]),
        "priceCurrency": "GBP",
    }
    return [offer], False


def series_name(series: Series, venues: Venues, i: int) -> str:
    """The published name of series ``i``."""
    act = ACTIVITIES[series.activity[i]]
    v = series.venue[i]
    styles = (
        f"{act.label} at {venues.name[v]}",
        f"Gentle {act.label}",
        f"{act.label} for Beginners",
        f"{venues.locality[v]} {act.label} Group",
    )
    return styles[int(series.traits[i, 7] * 4) % 4]


def series_data(series: Series, venues: Venues, i: int, window_end: str) -> dict[str, Any]:
    """The ``data`` object of series ``i``."""
    act = ACTIVITIES[series.activity[i]]
    v = series.venue[i]
    trait = series.traits[i]
    kind = str(venues.kind[v])
    venue_name = str(venues.name[v])
    name = series_name(series, venues, i)
    if trait[0] < 0.15:
        description = f"{act.label} session."
    else:
        description = (
            f"A friendly {act.label.lower()} session at {venue_name} for adults of "
            f"all abilities. {KIND_BLURB[kind]} No experience needed."
        )
    org = venues.organisers
    o = venues.organiser[v]
    organiser: dict[str, Any] = {
        "@type": "Organization",
        "@id": org.org_id[o],
        "name": org.name[o],
        "url": org.url[o],
    }
    if org.email[o]:
        organiser["email"] = org.email[o]
    if org.telephone[o]:
        organiser["telephone"] = org.telephone[o]
    location: dict[str, Any] = {
        "@type": "Place",
        "@id": f"{DEMO_HOST}/places/{v}",
        "name": venue_name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": str(venues.street[v]),
            "addressLocality": str(venues.locality[v]),
            "postalCode": str(venues.postcode[v]),
            "addressCountry": "GB",
        },
    }
    if not series.no_geo[i]:
        location["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(series.lat[i]),
            "longitude": float(series.lon[i]),
        }
    offers, free_flag = _offers(series, i)
    start, minutes = int(series.start_minute[i]), int(series.minutes[i])
    by_day = [f"https://schema.org/{DAYS[d]}" for d in series.days[i] if d >= 0]
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "SessionSeries",
        "@id": str(series.at_id[i]),
        "identifier": str(series.identifier[i]),
        "name": name,
        "description": description,
        "url": f"{DEMO_HOST}/book/{series.identifier[i]}",
        "activity": [activity_concept(act)],
        "organizer": organiser,
        "location": location,
        "offers": offers,
    }
    if free_flag:
        data["isAccessibleForFree"] = True
    if trait[1] < 0.8:
        data["ageRange"] = {"@type": "QuantitativeValue", "minValue": MIN_AGE.get(act.label, 18)}
    if trait[7] < 0.7:
        data["genderRestriction"] = "https://openactive.io/NoRestriction"
    if trait[2] < 0.4:
        data["level"] = ["Beginner"]
    elif trait[2] < 0.5:
        data["level"] = ["Intermediate"]
    if trait[3] < 0.25:
        picks = [ACCESSIBILITY_SUPPORT[int(trait[3] * 24) % 6], ACCESSIBILITY_SUPPORT[4]]
        data["accessibilitySupport"] = [accessibility_concept(c) for c in dict.fromkeys(picks)]
    if trait[4] < 0.3:
        data["beta:isWheelchairAccessible"] = True
    elif trait[4] < 0.4:
        data["beta:isWheelchairAccessible"] = False
    if trait[5] < 0.5:
        data["isCoached"] = True
    if trait[5] < 0.3:
        data["leader"] = [{"@type": "Person", "jobTitle": "Qualified session leader"}]
    data["eventSchedule"] = [
        {
            "@type": "PartialSchedule",
            "repeatFrequency": "P1W",
            "byDay": by_day,
            "startTime": _clock(start),
            "endTime": _clock(start + minutes),
            "duration": _duration(minutes),
            "scheduleTimezone": "Europe/London",
        }
    ]
    data["duration"] = _duration(minutes)
    first_day = np.asarray([series.first_day[i]], dtype="datetime64[D]")
    first = first_day[0].astype("datetime64[m]") + np.timedelta64(start, "m")
    data["startDate"] = timestamp(first, int(uk_offset_hours(first_day)[0]), bool(trait[6] < 0.5))
    data["endDate"] = window_end
    return data


def timestamps(local: np.ndarray, offset_hours: np.ndarray, utc_style: np.ndarray) -> np.ndarray:
    """Vectorised ``timestamp`` for arrays of local wall-clock minutes."""
    utc = local - offset_hours.astype("timedelta64[h]")
    as_utc = np.char.add(np.datetime_as_string(utc, unit="s"), "Z")
    suffix = np.char.add(np.char.add("+", np.char.zfill(offset_hours.astype(str), 2)), ":00")
    as_local = np.char.add(np.datetime_as_string(local, unit="s"), suffix)
    return np.where(utc_style, as_utc, as_local).astype(object)


class SessionRenderer:
    """Builds the ScheduledSession ``data`` objects of a page (date-times formatted together)."""

    def __init__(self, series: Series, occ: Occurrences) -> None:
        self.series = series
        self.occ = occ
        self.duration = [_duration(m) for m in series.minutes]

    def __call__(self, rows: np.ndarray) -> list[dict[str, Any]]:
        series, occ = self.series, self.occ
        s_idx = occ.series[rows]
        utc_style = series.traits[s_idx, 6] < 0.5
        local = occ.local_start[rows]
        offset = occ.offset_hours[rows]
        start = timestamps(local, offset, utc_style)
        end = timestamps(local + series.minutes[s_idx].astype("timedelta64[m]"), offset, utc_style)
        out = []
        for k, j in enumerate(rows.tolist()):
            i = s_idx[k]
            status = "EventCancelled" if occ.cancelled[j] else "EventScheduled"
            out.append(
                {
                    "@context": CONTEXT,
                    "@type": "ScheduledSession",
                    "@id": f"{series.at_id[i]}/sessions/{occ.seq[j]}",
                    "identifier": str(occ.rpde_id[j]),
                    "superEvent": str(series.at_id[i]),
                    "startDate": start[k],
                    "endDate": end[k],
                    "duration": self.duration[i],
                    "eventStatus": f"https://schema.org/{status}",
                    "maximumAttendeeCapacity": int(series.capacity[i]),
                    "remainingAttendeeCapacity": int(occ.remaining[j]),
                    "url": f"{DEMO_HOST}/book/{series.identifier[i]}?session={occ.seq[j]}",
                }
            )
        return out
