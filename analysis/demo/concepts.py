"""OpenActive vocabulary used by the synthetic supply feed.

The activity concepts are real entries of the OpenActive Activity List
(https://openactive.io/activity-list), copied by identifier and preferred label. Each carries
the kinds of venue it runs at, whether it is usually a morning or evening session, and its
usual length. The accessibility-support concepts are the real OpenActive list.
"""

from __future__ import annotations

from dataclasses import dataclass

ACTIVITY_SCHEME = "https://openactive.io/activity-list"
ACCESSIBILITY_SCHEME = "https://openactive.io/accessibility-support"

VENUE_KINDS = ("park", "community_hall", "leisure_centre", "school_sports_hall")


@dataclass(frozen=True)
class Activity:
    """One OpenActive activity concept and how the demo schedules it."""

    uuid: str
    label: str
    venues: tuple[str, ...]
    daytime: bool
    minutes: int

    @property
    def concept_id(self) -> str:
        return f"{ACTIVITY_SCHEME}#{self.uuid}"


ACTIVITIES: tuple[Activity, ...] = (
    Activity("95092977-5a20-4d6e-b312-8fddabe71544", "Walking", ("park",), True, 60),
    Activity("c72e1713-25c1-4886-926a-4cd549bb4916", "Nordic Walking", ("park",), True, 60),
    Activity("72ddb2dc-7d75-424e-880a-d90eabe91381", "Running", ("park",), False, 45),
    Activity("4a19873e-118e-43f4-b86e-05acba8fb1de", "Cycling", ("park",), True, 90),
    Activity(
        "c16df6ed-a4a0-4275-a8c3-1c8cff56856f", "Tai Chi", ("park", "community_hall"), True, 60
    ),
    Activity(
        "bf1a5e00-cdcf-465d-8c5a-6f57040b7f7e",
        "Yoga",
        ("community_hall", "leisure_centre"),
        False,
        60,
    ),
    Activity("16b8fad0-68a1-4159-892d-c9b59dce03c8", "Chair Yoga", ("community_hall",), True, 45),
    Activity(
        "ee3cf3ee-082e-4f53-9cb2-3ef0589497ed",
        "Chair Based Exercise",
        ("community_hall",),
        True,
        45,
    ),
    Activity(
        "3a6b1c08-7aa6-48d4-9690-dca9e0133057",
        "Pilates",
        ("community_hall", "leisure_centre"),
        False,
        45,
    ),
    Activity("6ca15167-51da-4d91-a1ae-8a45dc47b0ea", "Dance", ("community_hall",), False, 60),
    Activity(
        "678b9fc4-1860-4377-85b9-e4c01628582a",
        "Aerobics",
        ("community_hall", "leisure_centre"),
        False,
        45,
    ),
    Activity("2750229d-b725-4171-9276-376be913957c", "Swimming", ("leisure_centre",), True, 45),
    Activity(
        "6e31262b-ce37-4fc7-b3e3-d827ac5e8b42", "Aqua Aerobics", ("leisure_centre",), True, 45
    ),
    Activity("08d9368c-6c6c-44a3-84ef-a42ed00d529a", "Gym Workout", ("leisure_centre",), True, 60),
    Activity(
        "99363c95-ed8a-4fac-afd4-c55b138f0eba",
        "Strength and Conditioning",
        ("leisure_centre", "school_sports_hall"),
        False,
        45,
    ),
    Activity(
        "c0360db0-a817-4bae-9167-40f89b49fc9e",
        "Badminton",
        ("leisure_centre", "school_sports_hall"),
        False,
        60,
    ),
    Activity(
        "1a05993d-b206-4efe-85da-646fa340bdf4",
        "Table Tennis",
        ("community_hall", "school_sports_hall"),
        False,
        60,
    ),
    Activity(
        "b8019b67-2ade-406f-a012-91a5c3869652",
        "Walking Football",
        ("school_sports_hall", "park"),
        True,
        60,
    ),
    Activity(
        "0a5f732d-e806-4e51-ad40-0a7de0239c8c", "Football", ("school_sports_hall",), False, 60
    ),
    Activity(
        "1e48de7e-4f8f-49bd-8ab3-9d92edf2cedc",
        "Walking Netball",
        ("school_sports_hall",),
        True,
        60,
    ),
)


@dataclass(frozen=True)
class AccessibilityConcept:
    uuid: str
    label: str

    @property
    def concept_id(self) -> str:
        return f"{ACCESSIBILITY_SCHEME}#{self.uuid}"


ACCESSIBILITY_SUPPORT: tuple[AccessibilityConcept, ...] = (
    AccessibilityConcept("1393f2dc-3fcc-4be9-a99f-f1e51f5ad277", "Visual impairment"),
    AccessibilityConcept("2bfb7228-5969-4927-8435-38b5005a8771", "Hearing impairment"),
    AccessibilityConcept("dd026873-6713-4ea1-af5a-08901f651d98", "Physical impairment"),
    AccessibilityConcept("67902468-fd49-4238-8650-20a22d7f0e40", "Learning impairment"),
    AccessibilityConcept("40b9b11f-bdd3-4aeb-8984-2ecf74a14c7a", "Mental health issues"),
    AccessibilityConcept("69b689d4-be04-4e6d-be56-4ac72ec82444", "Social or behavioural problems"),
)


def activity_concept(activity: Activity) -> dict[str, str]:
    """The JSON-LD Concept for an activity, as a series' ``activity`` entry."""
    return {
        "@type": "Concept",
        "@id": activity.concept_id,
        "prefLabel": activity.label,
        "inScheme": ACTIVITY_SCHEME,
    }


def accessibility_concept(concept: AccessibilityConcept) -> dict[str, str]:
    """The JSON-LD Concept for an accessibility-support entry."""
    return {
        "@type": "Concept",
        "@id": concept.concept_id,
        "prefLabel": concept.label,
        "inScheme": ACCESSIBILITY_SCHEME,
    }
