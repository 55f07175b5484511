"""Where a series happens: place id, name, UK postcode and coordinates.

``location`` may be a Place object (``address`` a PostalAddress or, as a fault, one string),
a URL pointing at a record in a Place feed, or absent. Postcodes are normalised to upper case
with one space (``E13 8SD``), and regexed out of a string address when no ``postalCode`` is
given. Coordinates outside the valid range, or exactly (0, 0), are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from analysis.supply.items import as_list, node_id, text, to_bool, to_float

_POSTCODE = re.compile(r"\b(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})\b", re.IGNORECASE)
_ADDRESS_PARTS = ("postalCode", "streetAddress", "addressLocality", "addressRegion")


@dataclass(frozen=True)
class PlaceInfo:
    """The location of a series as flattened columns."""

    place_id: str | None
    name: str | None
    postcode: str | None
    latitude: float | None
    longitude: float | None
    wheelchair: bool | None

    @property
    def key(self) -> str | None:
        """A stable key for the place: its ``@id``, else postcode + name, else rounded
        coordinates + name; ``None`` when nothing identifies it."""
        if self.place_id and self.place_id.startswith(("http://", "https://")):
            return self.place_id
        name = " ".join((self.name or "").casefold().split())
        if self.postcode:
            return f"postcode:{self.postcode}|{name}"
        if self.latitude is not None and self.longitude is not None:
            return f"geo:{self.latitude:.4f},{self.longitude:.4f}|{name}"
        if self.place_id:
            return f"id:{self.place_id}|{name}"
        return None


NO_PLACE = PlaceInfo(None, None, None, None, None, None)


def normalise_postcode(value: Any) -> str | None:
    """A UK postcode in upper case with a single space, found anywhere in ``value``."""
    return _postcode(value) if isinstance(value, str) else None


@lru_cache(maxsize=4096)
def _postcode(value: str) -> str | None:
    match = _POSTCODE.search(value.upper())
    if not match:
        return None
    compact = match.group(1).replace(" ", "")
    return f"{compact[:-3]} {compact[-3:]}"


def address_postcode(address: Any) -> str | None:
    """The postcode of a PostalAddress (``postalCode`` first, then the other lines), or of a
    one-string address."""
    if isinstance(address, str):
        return normalise_postcode(address)
    if isinstance(address, dict):
        for part in _ADDRESS_PARTS:
            found = normalise_postcode(address.get(part))
            if found:
                return found
    return None


def coordinates(geo: Any) -> tuple[float | None, float | None]:
    """Latitude and longitude from GeoCoordinates (numbers or strings), validated."""
    if isinstance(geo, list):
        geo = geo[0] if geo else None
    if not isinstance(geo, dict):
        return None, None
    lat, lon = to_float(geo.get("latitude")), to_float(geo.get("longitude"))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    if lat == 0 and lon == 0:
        return None, None
    return lat, lon


def _wheelchair_feature(place: dict[str, Any]) -> bool | None:
    for feature in as_list(place.get("amenityFeature")):
        if isinstance(feature, dict) and "wheelchair" in str(feature.get("name", "")).lower():
            return to_bool(feature.get("value"))
    return None


def place_info(location: Any, place_index: dict[str, dict[str, Any]] | None = None) -> PlaceInfo:
    """Flatten a ``location``. A URL (or an object with only an ``@id``) is looked up in
    ``place_index`` (Place feed records by ``@id``) and the published fields win."""
    if isinstance(location, list):
        location = next((loc for loc in location if isinstance(loc, dict | str)), None)
    if isinstance(location, str):
        location = {"@id": location}
    if not isinstance(location, dict):
        return NO_PLACE
    place_id = node_id(location) or text(location.get("identifier"))
    if place_index and place_id in place_index:
        location = {**place_index[place_id], **location}
    lat, lon = coordinates(location.get("geo"))
    address = location.get("address")
    name = text(location.get("name"))
    if name is None and isinstance(address, str):
        name = text(address.split(",")[0])
    return PlaceInfo(
        place_id=place_id,
        name=name,
        postcode=address_postcode(address) or normalise_postcode(location.get("postalCode")),
        latitude=lat,
        longitude=lon,
        wheelchair=_wheelchair_feature(location),
    )


def place_rows(
    series_rows: list[dict[str, Any]], place_feed: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """One row per place key: the first non-empty name, postcode and coordinates seen, and
    the number of live (not deleted) series there. Places published in a Place feed but not
    used by any series are listed with a count of 0."""
    places: dict[str, dict[str, Any]] = {}
    fields = ("place_id", "name", "postcode", "latitude", "longitude")
    for row in series_rows:
        key = row.get("place_key")
        if key is None:
            continue
        values = (
            row.get("place_id"),
            row.get("place_name"),
            row.get("postcode"),
            row.get("latitude"),
            row.get("longitude"),
        )
        place = places.get(key)
        if place is None:
            place = places[key] = {
                "place_key": key,
                **dict(zip(fields, values, strict=True)),
                "series_count": 0,
            }
        else:
            for field_name, value in zip(fields, values, strict=True):
                if place[field_name] is None:
                    place[field_name] = value
        if not row.get("deleted"):
            place["series_count"] += 1
    for data in place_feed.values():
        info = place_info(data)
        if info.key is not None and info.key not in places:
            places[info.key] = {
                "place_key": info.key,
                "place_id": info.place_id,
                "name": info.name,
                "postcode": info.postcode,
                "latitude": info.latitude,
                "longitude": info.longitude,
                "series_count": 0,
            }
    return list(places.values())
