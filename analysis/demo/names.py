"""Fictional names for the synthetic place: districts, PCNs, practices, venues, organisers.

Everything here is invented. Telephone numbers come from the Ofcom range reserved for drama
(01632 960000-960999), web addresses sit under ``example.org`` and postcodes use the ``EB``
area, which does not exist, in the valid UK postcode format.
"""

from __future__ import annotations

import numpy as np

DISTRICTS = (
    "Eastbrook",
    "Larkmoor",
    "Fennick Vale",
    "Wrenhithe",
    "Pellbridge",
    "Dunmarsh",
    "Ottersby",
    "Corrowby",
    "Quillham",
    "Marrowgate",
    "Hexley Down",
    "Brindlecombe",
    "Tollmere",
    "Greyhithe",
    "Vellacott",
    "Strandmoor",
    "Halberry",
    "Amberwick",
    "Kestrel Vale",
    "Oakhollow",
    "Saltmere",
    "Thornaby Cross",
    "Wyvernholt",
    "Cinderlea",
)

PCN_SUFFIXES = (
    "Riverside",
    "Central",
    "North",
    "South",
    "East",
    "West",
    "Parkside",
    "Valley",
    "Heath",
    "Common",
    "Green",
    "Docks",
    "Hill",
    "Fields",
    "Gate",
    "Meadows",
    "Bridge",
    "Canal",
    "Market",
    "Junction",
    "Abbey",
    "Wharf",
)

STREETS = (
    "Mill Lane",
    "Station Road",
    "Church Street",
    "Park View",
    "Beech Grove",
    "Orchard Way",
    "Victoria Road",
    "Canal Street",
    "Market Place",
    "Abbey Road",
    "Chapel Row",
    "Elm Avenue",
    "Foundry Lane",
    "Granary Court",
    "High Street",
    "Holly Bank",
    "Kiln Road",
    "Linden Walk",
    "Maple Drive",
    "Meadow Close",
    "Quarry Hill",
    "Rope Walk",
    "Sandpit Lane",
    "Tannery Yard",
    "Weavers Row",
    "Willow Street",
    "Bridge End",
    "Castle Mews",
    "Ferry Road",
    "Cooper Lane",
)

PRACTICE_KINDS = (
    "Surgery",
    "Medical Centre",
    "Health Centre",
    "Family Practice",
    "Medical Practice",
)

WORDS = (
    "Heron",
    "Kingfisher",
    "Bramble",
    "Hawthorn",
    "Rowan",
    "Alder",
    "Juniper",
    "Linnet",
    "Sorrel",
    "Thistle",
    "Foxglove",
    "Larch",
    "Marigold",
    "Wren",
    "Otter",
    "Badger",
)

POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def district_names(n: int) -> list[str]:
    """``n`` distinct district names; beyond the base list, prefixed variants are used."""
    prefixes = ("", "Upper ", "Lower ", "Great ", "Little ", "North ", "South ", "East ", "West ")
    names = [f"{p}{d}" for p in prefixes for d in DISTRICTS]
    if n > len(names):
        names += [f"{d} {k}" for k in range(2, n // len(DISTRICTS) + 2) for d in DISTRICTS]
    return names[:n]


def slug(text: str) -> str:
    """Lower-case, hyphen-separated ASCII form of a name, for web addresses."""
    out = "".join(c.lower() if c.isalnum() else "-" for c in text)
    return "-".join(part for part in out.split("-") if part)


def pcn_names(districts: list[str]) -> list[str]:
    """A unique PCN name for each PCN, given the district each one sits in."""
    used: dict[str, int] = {}
    names = []
    for district in districts:
        k = used.get(district, 0)
        used[district] = k + 1
        suffix = PCN_SUFFIXES[k % len(PCN_SUFFIXES)]
        extra = f" {k // len(PCN_SUFFIXES) + 1}" if k >= len(PCN_SUFFIXES) else ""
        names.append(f"{district} {suffix}{extra} PCN")
    return names


def practice_names(rng: np.random.Generator, districts: list[str]) -> list[str]:
    """A unique practice name for each practice, given its district."""
    used: set[str] = set()
    names = []
    for district in districts:
        for _ in range(50):
            name = (
                f"{STREETS[rng.integers(len(STREETS))]} "
                f"{PRACTICE_KINDS[rng.integers(len(PRACTICE_KINDS))]}"
            )
            if name not in used:
                break
            name = f"{name}, {district}"
            if name not in used:
                break
        else:  # pragma: no cover - only with thousands of practices in one district
            name = f"{district} Practice {len(names) + 1}"
        used.add(name)
        names.append(name)
    return names


def venue_name(rng: np.random.Generator, kind: str, district: str) -> str:
    """An invented name for a venue of a kind (see ``concepts.VENUE_KINDS``)."""
    word = WORDS[rng.integers(len(WORDS))]
    street = STREETS[rng.integers(len(STREETS))].split()[0]
    if kind == "park":
        options = (
            f"{word} Park",
            f"{district} Common",
            f"{street} Recreation Ground",
            f"{word} Meadows",
        )
    elif kind == "community_hall":
        options = (
            f"{word} Community Centre",
            f"{street} Community Hall",
            f"St {word}'s Church Hall",
            f"{district} Library Hall",
        )
    elif kind == "leisure_centre":
        options = (
            f"{district} Leisure Centre",
            f"{word} Pool and Fitness Centre",
            f"{district} {word} Sports Centre",
        )
    else:
        options = (
            f"{word} Academy Sports Hall",
            f"{district} High School Sports Hall",
            f"{street} Primary School Hall",
        )
    return options[rng.integers(len(options))]


def organiser_name(rng: np.random.Generator, kind: str, district: str) -> str:
    """An invented organising body for a venue kind in a district."""
    if kind == "park":
        options = (
            f"{district} Health Walks",
            f"Friends of {district} Parks",
            f"{district} Active Outdoors",
        )
    elif kind == "community_hall":
        options = (
            f"{district} Wellbeing Collective",
            f"Active {district}",
            f"{district} Community Sports Network",
            f"{district} Tai Chi Circle",
        )
    elif kind == "leisure_centre":
        options = (f"{district} Leisure Trust", f"{district} Swimming Club")
    else:
        options = (f"{district} Schools Sport Partnership", f"{district} Community Sports Network")
    return options[rng.integers(len(options))]


def drama_telephone(rng: np.random.Generator) -> str:
    """A telephone number from the Ofcom drama range 01632 960000-960999."""
    return f"01632 960{rng.integers(0, 1000):03d}"


def postcode(rng: np.random.Generator, district_number: int) -> str:
    """A fictional postcode in the (non-existent) EB area, in valid UK format."""
    letters = POSTCODE_UNIT_LETTERS
    unit = letters[rng.integers(len(letters))] + letters[rng.integers(len(letters))]
    return f"EB{district_number} {rng.integers(1, 10)}{unit}"
