"""The Supply & gaps page's session finder: locating an area or a postcode and the suitable
sessions nearest it, with their next occurrences, usual times, price and attribution."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from analysis.access import great_circle_km
from analysis.metrics.supply_load import SupplyData
from analysis.metrics.supply_times import LONDON, SessionTimes, matching_occurrences

# fmt: off
__all__ = [
    "FINDER_COLUMNS", "Located", "area_choices", "locate_area", "locate_postcode",
    "nearest_sessions", "normalise_postcode",
]
# fmt: on

# fmt: off
FINDER_COLUMNS = ["distance_km", "name", "activity_group", "next_sessions", "usually", "price",
                  "sp_ready_score", "postcode", "url", "source", "dataset_url", "series_id"]
# fmt: on
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9])([A-Z]{2})$")


@dataclass(frozen=True)
class Located:
    """Where a finder search starts: coordinates and how they were found."""

    latitude: float
    longitude: float
    label: str


def normalise_postcode(text: str) -> str | None:
    """A UK postcode in upper case with one space ("eb98wj" → "EB9 8WJ"); None if not one."""
    found = POSTCODE.match(re.sub(r"\s+", "", text or "").upper())
    return f"{found[1]} {found[2]}{found[3]}" if found else None


def locate_postcode(text: str, places: pd.DataFrame) -> Located | None:
    """Coordinates for a postcode from the session places held: the postcode itself, else the
    centre of the places in its sector (e.g. "EB9 8"); None when neither is known."""
    postcode = normalise_postcode(text)
    if postcode is None or places.empty:
        return None
    found, label = places[places["postcode"] == postcode], f"postcode {postcode}"
    if found.empty:
        sector = postcode[:-2]
        found = places[places["postcode"].str.upper().str.startswith(sector)]
        label = f"the centre of postcode sector {sector} (postcode {postcode} not held)"
    if found.empty:
        return None
    return Located(float(found["latitude"].mean()), float(found["longitude"].mean()), label)


def area_choices(areas: pd.DataFrame) -> dict[str, str]:
    """LSOA code → "name (code)" for an area picker, by name."""
    rows = areas.sort_values(["lsoa_name", "lsoa_code"])
    labels = rows["lsoa_name"] + " (" + rows["lsoa_code"] + ")"
    return dict(zip(rows["lsoa_code"], labels, strict=True))


def locate_area(areas: pd.DataFrame, code: str | None) -> Located | None:
    """An area's population-weighted centroid, labelled with its name; None if unknown."""
    row = areas[areas["lsoa_code"] == code]
    if row.empty:
        return None
    name = f"{row['lsoa_name'].iloc[0]} ({code})"
    return Located(float(row["latitude"].iloc[0]), float(row["longitude"].iloc[0]), name)


def _price(row: pd.Series) -> str:
    if (pd.notna(row["is_free"]) and bool(row["is_free"])) or row["price_min"] == 0:
        return "Free"
    return "Price not given" if pd.isna(row["price_min"]) else f"From £{row['price_min']:.2f}"


def _usual(slots: pd.Series) -> str:
    """The regular weekly slots of a series ("Mondays 10:00 · Thursdays 18:30") from slots
    written "<ISO weekday> <day>s <time>": up to three that recur, most frequent first (ties in
    weekday order); else its most frequent slot."""
    counts = slots.value_counts(sort=False)
    ranked = sorted(counts.index, key=lambda slot: (-counts[slot], slot))
    recurring = [slot for slot in ranked if counts[slot] >= 2][:3]
    return " · ".join(slot[2:] for slot in recurring or ranked[:1])


def nearest_sessions(
    data: SupplyData,
    ok: pd.Series,
    where: Located,
    now: pd.Timestamp,
    times: SessionTimes | None = None,
    limit: int = 10,
    read: Callable[[list[str]], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """The ``limit`` suitable sessions nearest a point, nearest first: distance, the next
    occurrences (at the chosen times) after ``now`` (Europe/London), the usual day and time,
    price, SP-readiness and the publisher's attribution. Occurrences come from ``data``, or
    when it holds none (read from a store) from ``read(series ids)``."""
    chosen = data.series[ok.to_numpy()].copy()
    columns = FINDER_COLUMNS
    if chosen.empty:
        return pd.DataFrame(columns=columns)
    chosen["distance_km"] = great_circle_km(
        where.latitude, where.longitude, chosen["latitude"], chosen["longitude"]
    )
    top = chosen.sort_values(["distance_km", "series_id"]).head(limit).copy()
    if data.occurrences is not None:
        occ = data.occurrences[data.occurrences["series_id"].isin(top["series_id"])]
    elif read is not None:
        occ = read(top["series_id"].tolist())
    else:
        raise ValueError("nearest_sessions needs the occurrences or a way to read them")
    occ = occ[matching_occurrences(occ, times or SessionTimes())]
    now = pd.Timestamp(now)
    local_now = now.tz_convert(LONDON).tz_localize(None) if now.tzinfo else now
    upcoming = occ[occ["start_local"] >= local_now].groupby("series_id")["start_local"]
    top["next_sessions"] = top["series_id"].map(
        upcoming.apply(lambda s: ", ".join(t.strftime("%a %-d %b %H:%M") for t in s.head(3)))
    )
    top["next_sessions"] = top["next_sessions"].fillna(f"none after {local_now:%-d %b %Y}")
    slot = occ["start_local"].dt.strftime("%u %As %H:%M")
    top["usually"] = top["series_id"].map(slot.groupby(occ["series_id"]).agg(_usual)).fillna("")
    top["price"] = top.apply(_price, axis=1)
    top["source"] = "Source: " + top["publisher_name"].fillna(top["dataset_url"]).fillna(
        "publisher not named"
    )
    return top[columns].reset_index(drop=True)
