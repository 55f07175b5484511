"""The OpenActive Activity List: a small built-in subset, and a loader for the full list.

The Activity List (https://openactive.io/activity-list, CC BY 4.0, © OpenActive) is a SKOS
concept scheme: each concept has an ``id`` ``https://openactive.io/activity-list#<uuid>``, a
``prefLabel``, optional ``altLabel``s and ``broader`` links up to one of ~146 top-level concepts.
The built-in subset below holds 70 concepts (the demo's activities, those seen in the reference
pages, common social-prescribing activities, and every concept on their ``broader`` chains) so
flattening works offline. Pass the full list (a file path or its official URL) for real feeds.
"""

from __future__ import annotations

import json
import re
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ACTIVITY_LIST_URL = "https://openactive.io/activity-list/activity-list.jsonld"
ACTIVITY_PREFIX = "https://openactive.io/activity-list#"
_LOOSE = re.compile(r"[^a-z0-9]+")

# uuid | prefLabel | altLabels (;) | broader prefLabels (;), first broader = roll-up path.
_BUILT_IN = """
741097ba-21a0-4b7b-8099-86ddb562458a | Abs/Core |  | Group Exercise
678b9fc4-1860-4377-85b9-e4c01628582a | Aerobics |  | Group Exercise
6e31262b-ce37-4fc7-b3e3-d827ac5e8b42 | Aqua Aerobics |  | Water-Based Classes
9a4ecdc3-5f70-48e8-9718-8542db315230 | Aqua Fit |  | Aqua Aerobics
a7695eb1-2241-4c94-bea0-67922e643f2e | Aqua Jogging |  | Water-Based Classes
4d280e1b-a370-4582-ab4d-442b2eeaf5d4 | Athletics
c0360db0-a817-4bae-9167-40f89b49fc9e | Badminton
a9c4bd7d-a31c-4dee-bfe6-ca823b2e5bff | Bhangra |  | Dance
611363c5-8acf-4eeb-aeba-c33e9c70146e | Boccia
8a75b5bd-812d-4dfd-aff6-87f799770d8c | Body Attack |  | Functional Fitness; HIIT
c3bc55ef-1250-4542-9041-617e3764c7d7 | Body Combat™ |  | Martial Arts Fitness
f25c050b-b454-4b6c-9301-f696f787c8f2 | Body Conditioning |  | Group Exercise; Multi Fitness
0fca2365-5304-4fec-9c56-8b53c06020c3 | Bodyattack™ |  | Aerobics
b6402e8e-e405-4b97-8c76-4868324bc907 | Bodybalance™ |  | Pilates; Yoga
5e78bcbe-36db-425a-9064-bf96d09cc351 | Bodypump™ |  | Weight Training
b885f4f6-2242-4d11-9466-065d60402624 | Bowls | Lawn Bowls
9b84edd8-1934-409a-965e-77a74e9b3609 | Boxfit |  | Boxing Fitness
d4417bb3-383f-489b-b0c7-731b82f3b220 | Boxing
1eb737b6-9962-469d-98cc-0a2e4e86d356 | Boxing Fitness |  | Group Exercise
ee3cf3ee-082e-4f53-9cb2-3ef0589497ed | Chair Based Exercise |  | Group Exercise
16b8fad0-68a1-4159-892d-c9b59dce03c8 | Chair Yoga |  | Yoga
d22d1d7d-8a2f-4e18-88c8-80abcbdded9d | Circuit Training |  | Multi Fitness
d09970bc-e11c-40cc-a594-38e4ff32d611 | Climbing
09ed21f1-c969-434d-8866-7ff5c8b83ef9 | Cross Fit |  | HIIT
853eab30-5812-44a8-8996-9e9e107bc4f9 | Crossfit
6b533564-ee1d-4e6e-9532-b07f8b5ef60d | Cx Worx™ |  | Abs/Core
4a19873e-118e-43f4-b86e-05acba8fb1de | Cycling
6ca15167-51da-4d91-a1ae-8a45dc47b0ea | Dance
6b176d87-b82b-4fab-aec1-6d6f94ba8e4c | Dance Aerobics |  | Dance Fitness
d3b5104a-2e31-4cca-a278-ef8e0987a764 | Dance Fitness |  | Group Exercise
35f999ac-8ed5-46fa-87d0-1c7721aca77e | Falls and Exercise Management | FaME | Group Exercise
0a5f732d-e806-4e51-ad40-0a7de0239c8c | Football
493b7750-01d7-493f-811d-335929afeb77 | Functional Fitness |  | Group Exercise
5b880e93-4a16-4c37-86ac-ba2ffba68358 | Gardening
808e1337-0ab2-4db3-b269-0ee3565c3ac9 | General Fitness for Older Adults
7ae6067a-07f7-4aea-9e1f-eeeea5ae9047 | Golf
984068a7-5b7b-4989-bb33-f96953d8960c | Group Exercise | Keep-Fit
08d9368c-6c6c-44a3-84ef-a42ed00d529a | Gym Workout | Gym
21b6faae-c7cd-431f-9f2f-7d151e82de33 | HIIT |  | Multi Fitness
5f09c2ca-ceeb-4e0c-871f-e2d0b9971317 | Indoor Cycling | Group Cycling | Group Exercise
7231ae66-c9f4-4e1a-9bab-e454323c0b35 | Interval Training |  | Multi Fitness
2330f2d4-d0dc-4231-8dd9-07d37a452228 | Martial Arts
7a72e0e1-73ab-488e-872c-33e825360ddb | Martial Arts Fitness |  | Group Exercise
261395e5-9e11-4348-8bef-e0fafef0e765 | Multi Fitness |  | Group Exercise
fbdc35a8-3dd0-40ee-a7ca-6ff40b3e5f90 | Netball
c72e1713-25c1-4886-926a-4cd549bb4916 | Nordic Walking |  | Walking
3a6b1c08-7aa6-48d4-9690-dca9e0133057 | Pilates |  | Group Exercise
22368ce1-56d0-4ce9-ad45-bbb7e89ebb00 | Postural Stability Instruction | PSI | Group Exercise
2a41c553-84be-4970-b3d0-42f9ef6bd9a4 | Road Cycling |  | Cycling
2c2b9be5-9491-4958-bee8-70ced347d384 | Rpm™ |  | Indoor Cycling
5d528d2f-83df-482e-bfb9-fcaee5b85f4a | Rugby
72ddb2dc-7d75-424e-880a-d90eabe91381 | Running
a58a4e1b-ee15-437a-9d7e-de201b3daaf7 | Shbam™ |  | Dance Aerobics
b3a34a20-b4ef-402c-8763-a54ce9da422d | Soft Play | Tumble Tots
99363c95-ed8a-4fac-afd4-c55b138f0eba | Strength and Conditioning |  | Group Exercise
2750229d-b725-4171-9276-376be913957c | Swimming
dfaf6bb4-d2fe-4db5-a271-4ceeaaaf55b9 | Swimming Lessons |  | Swimming
1a05993d-b206-4efe-85da-646fa340bdf4 | Table Tennis
c16df6ed-a4a0-4275-a8c3-1c8cff56856f | Tai Chi |  | Martial Arts
f2ea7405-6098-4378-b0fe-4e398a659fc4 | Tennis
0082b27f-8be5-4ade-ae1f-5f0b2be9e164 | Trampolining
95092977-5a20-4d6e-b312-8fddabe71544 | Walking | Rambling
b8019b67-2ade-406f-a012-91a5c3869652 | Walking Football |  | Football
1e48de7e-4f8f-49bd-8ab3-9d92edf2cedc | Walking Netball |  | Netball
c130d312-c5de-44af-bc89-1d3d808113cc | Walking Rugby |  | Rugby
82057527-8288-4faa-bc2e-11aa734f61f1 | Water-Based Classes |  | Group Exercise
25905e33-e0a3-466c-986e-aaed6bccdaef | Weight Training |  | Group Exercise
bf1a5e00-cdcf-465d-8c5a-6f57040b7f7e | Yoga |  | Group Exercise
78503fa2-ed24-4a80-a224-e2e94581d8a8 | Zumba® |  | Dance Fitness
7f4fffb6-f136-46e0-9fac-7142567b41b5 | Zumba® Gold |  | Zumba®
"""


@dataclass(frozen=True)
class Concept:
    """One activity concept: canonical id, preferred and alternative labels, broader ids."""

    id: str
    pref_label: str
    alt_labels: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()


def exact_key(label: str) -> str:
    """Case- and spacing-insensitive form of a label."""
    return " ".join(label.casefold().split())


def loose_key(label: str) -> str:
    """Letters and digits only (``Body Pump`` and ``Bodypump™`` agree)."""
    return _LOOSE.sub("", label.casefold())


@dataclass
class ActivityVocabulary:
    """Concepts by id, with label look-ups and the roll-up to a top-level concept."""

    concepts: dict[str, Concept]
    source: str = "built-in"
    _exact: dict[str, str] = field(default_factory=dict, repr=False)
    _loose: dict[str, str | None] = field(default_factory=dict, repr=False)
    _top: dict[str, str | None] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        alternatives: dict[str, str] = {}
        for concept in self.concepts.values():
            self._exact.setdefault(exact_key(concept.pref_label), concept.id)
            for alt in concept.alt_labels:
                alternatives.setdefault(exact_key(alt), concept.id)
        for key, concept_id in alternatives.items():
            self._exact.setdefault(key, concept_id)
        for concept in self.concepts.values():
            for label in (concept.pref_label, *concept.alt_labels):
                key = loose_key(label)
                if key and self._loose.get(key, concept.id) != concept.id:
                    self._loose[key] = None  # ambiguous: never guess
                else:
                    self._loose.setdefault(key, concept.id)

    def __len__(self) -> int:
        return len(self.concepts)

    def __contains__(self, concept_id: object) -> bool:
        return concept_id in self.concepts

    def label(self, concept_id: str) -> str | None:
        concept = self.concepts.get(concept_id)
        return concept.pref_label if concept else None

    def match_label(self, label: str) -> str | None:
        """The concept id for a label: exact prefLabel, then altLabel, then a unique loose
        match (punctuation, spaces and ™/® ignored); ``None`` when nothing or several match."""
        found = self._exact.get(exact_key(label))
        if found is None:
            found = self._loose.get(loose_key(label))
        return found

    def top_label(self, concept_id: str) -> str | None:
        """The prefLabel of the top-level concept reached by following the first known
        ``broader`` link (cycle-safe); ``None`` for ids not in the vocabulary."""
        if concept_id in self._top:
            return self._top[concept_id]
        current, seen = self.concepts.get(concept_id), set()
        while current is not None and current.id not in seen:
            seen.add(current.id)
            parent = next((self.concepts[b] for b in current.broader if b in self.concepts), None)
            if parent is None:
                break
            current = parent
        result = current.pref_label if current is not None else None
        self._top[concept_id] = result
        return result


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(";") if part.strip())


def built_in_vocabulary() -> ActivityVocabulary:
    """The 70-concept subset shipped with the code."""
    rows = [
        [c.strip() for c in line.split("|")] + ["", ""] for line in _BUILT_IN.strip().splitlines()
    ]
    by_label = {row[1]: ACTIVITY_PREFIX + row[0] for row in rows}
    concepts = {
        ACTIVITY_PREFIX + row[0]: Concept(
            id=ACTIVITY_PREFIX + row[0],
            pref_label=row[1],
            alt_labels=_split(row[2]),
            broader=tuple(by_label[b] for b in _split(row[3])),
        )
        for row in rows
    }
    return ActivityVocabulary(concepts, source="built-in")


def _ids(value: Any) -> tuple[str, ...]:
    out = []
    for entry in value if isinstance(value, list) else [value]:
        if isinstance(entry, dict):
            entry = entry.get("id") or entry.get("@id")
        if isinstance(entry, str) and entry:
            out.append(entry)
    return tuple(out)


def _labels(value: Any) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    return tuple(v for v in values if isinstance(v, str) and v.strip())


def vocabulary_from_jsonld(document: dict[str, Any], source: str) -> ActivityVocabulary:
    """A vocabulary from the Activity List JSON-LD (``concept`` or ``@graph``; ``id``/``@id``)."""
    entries = document.get("concept") or document.get("@graph") or []
    concepts = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        concept_id = entry.get("id") or entry.get("@id")
        label = entry.get("prefLabel")
        if not isinstance(concept_id, str) or not isinstance(label, str):
            continue
        concepts[concept_id] = Concept(
            concept_id, label, _labels(entry.get("altLabel")), _ids(entry.get("broader"))
        )
    if not concepts:
        raise ValueError(f"{source} holds no activity concepts")
    return ActivityVocabulary(concepts, source=source)


def load_activity_list(
    source: str | Path | None = None, *, timeout: float = 30.0
) -> ActivityVocabulary:
    """The Activity List from a file path or an http(s) URL (e.g. ``ACTIVITY_LIST_URL``);
    the built-in subset when ``source`` is ``None``."""
    if source is None:
        return built_in_vocabulary()
    name = str(source)
    if name.startswith(("http://", "https://")):
        request = urllib.request.Request(name, headers={"Accept": "application/ld+json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            document = json.loads(response.read().decode("utf-8"))
    else:
        document = json.loads(Path(name).read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise TypeError(f"{name} is not an activity-list JSON-LD document")
    return vocabulary_from_jsonld(document, source=name)
