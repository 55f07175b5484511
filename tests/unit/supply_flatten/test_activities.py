"""Activity normalisation, label matching and the roll-up to a top-level group."""

from __future__ import annotations

import pytest

from analysis.supply.activities import normalise_activities, normalise_activity_id
from analysis.supply.activity_vocab import (
    ACTIVITY_PREFIX,
    built_in_vocabulary,
    load_activity_list,
    vocabulary_from_jsonld,
)
from tests.conftest import shared_path

YOGA = ACTIVITY_PREFIX + "bf1a5e00-cdcf-465d-8c5a-6f57040b7f7e"
RPM = ACTIVITY_PREFIX + "2c2b9be5-9491-4958-bee8-70ced347d384"
VOCAB = built_in_vocabulary()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (YOGA, YOGA),
        ("http://openactive.io/activity-list/#bf1a5e00-cdcf-465d-8c5a-6f57040b7f7e", YOGA),
        ("https://www.openactive.io/activity-list/#BF1A5E00-CDCF-465D-8C5A-6F57040B7F7E", YOGA),
        ("bf1a5e00-cdcf-465d-8c5a-6f57040b7f7e", YOGA),
        ("https://example.org/my-list#bf1a5e00-cdcf-465d-8c5a-6f57040b7f7e", None),
        ("https://openactive.io/activity-list#not-a-uuid", None),
        (None, None),
    ],
)
def test_activity_id_spellings(value, expected) -> None:
    assert normalise_activity_id(value) == expected


@pytest.mark.parametrize(
    ("value", "ids", "labels", "unmatched", "group"),
    [
        ([{"@id": YOGA, "prefLabel": "Yoga"}], [YOGA], ["Yoga"], [], "Group Exercise"),
        (
            [
                {
                    "id": "http://openactive.io/activity-list/#2c2b9be5-9491-4958-bee8-70ced347d384",
                    "prefLabel": "Rpm",
                }
            ],
            [RPM],
            ["Rpm™"],
            [],
            "Group Exercise",
        ),
        (
            [{"type": "Concept", "prefLabel": "Bowls"}],
            [ACTIVITY_PREFIX + "b885f4f6-2242-4d11-9466-065d60402624"],
            ["Bowls"],
            [],
            "Bowls",
        ),
        (
            ["Group Cycling"],
            [ACTIVITY_PREFIX + "5f09c2ca-ceeb-4e0c-871f-e2d0b9971317"],
            ["Indoor Cycling"],
            [],
            "Group Exercise",
        ),  # altLabel
        (
            ["Body Pump"],
            [ACTIVITY_PREFIX + "5e78bcbe-36db-425a-9064-bf96d09cc351"],
            ["Bodypump™"],
            [],
            "Group Exercise",
        ),  # loose match ignores spaces and ™
        (
            ["gym"],
            [ACTIVITY_PREFIX + "08d9368c-6c6c-44a3-84ef-a42ed00d529a"],
            ["Gym Workout"],
            [],
            "Gym Workout",
        ),
        (["Circuits", "Yoga"], [YOGA], ["Yoga"], ["Circuits"], "Group Exercise"),
        (["Gym Active 11-15 Yrs"], [], [], ["Gym Active 11-15 Yrs"], None),
        ("Yoga", [YOGA], ["Yoga"], [], "Group Exercise"),  # one string, not a list
        ([{"@id": YOGA}, YOGA], [YOGA], ["Yoga"], [], "Group Exercise"),  # repeats dropped
        (
            [
                {
                    "@id": ACTIVITY_PREFIX + "00000000-0000-4000-8000-000000000000",
                    "prefLabel": "New",
                }
            ],
            [ACTIVITY_PREFIX + "00000000-0000-4000-8000-000000000000"],
            ["New"],
            [],
            None,
        ),
        (None, [], [], [], None),
    ],
)
def test_normalise_activities(value, ids, labels, unmatched, group) -> None:
    result = normalise_activities(value, VOCAB)
    assert (result.ids, result.labels, result.unmatched, result.group) == (
        ids,
        labels,
        unmatched,
        group,
    )


def test_ambiguous_loose_labels_are_not_guessed() -> None:
    assert (
        VOCAB.match_label("crossfit") == ACTIVITY_PREFIX + "853eab30-5812-44a8-8996-9e9e107bc4f9"
    )
    assert VOCAB.match_label("cross-fit!") is None  # "Crossfit" and "Cross Fit" both fit


def test_built_in_subset_agrees_with_the_official_list() -> None:
    full = load_activity_list(shared_path("reference", "openactive", "activity_list.jsonld"))
    assert len(full) == 768 and 60 <= len(VOCAB) <= 80
    for concept_id, concept in VOCAB.concepts.items():
        assert full.label(concept_id) == concept.pref_label
        assert full.top_label(concept_id) == VOCAB.top_label(concept_id)


def test_vocabulary_from_jsonld_accepts_at_id_and_graph() -> None:
    vocab = vocabulary_from_jsonld(
        {
            "@graph": [
                {"@id": ACTIVITY_PREFIX + "a", "prefLabel": "Top"},
                {
                    "@id": ACTIVITY_PREFIX + "b",
                    "prefLabel": "Child",
                    "altLabel": "Kid",
                    "broader": [{"@id": ACTIVITY_PREFIX + "a"}],
                },
            ]
        },
        source="test",
    )
    assert vocab.top_label(ACTIVITY_PREFIX + "b") == "Top"
    assert vocab.match_label("kid") == ACTIVITY_PREFIX + "b"
    with pytest.raises(ValueError, match="no activity concepts"):
        vocabulary_from_jsonld({"concept": []}, source="empty")
