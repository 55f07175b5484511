"""Which of a page's items are applied, and the faults counted while deciding."""

from __future__ import annotations

import json

from analysis.supply.page_items import page_table, prepare_items
from analysis.supply.rpde import FaultLog
from tests.conftest import shared_path


def it(rid, modified, state="updated", **data):
    out = {"id": rid, "kind": "SessionSeries", "state": state, "modified": modified}
    if state == "updated":
        out["data"] = {"@id": f"https://x/{rid}", **data}
    return out


def test_new_newer_same_and_older_against_the_store() -> None:
    known = {"a": 5, "b": 5, "c": 5, "d": "2025-01-01"}
    faults = FaultLog()
    rows = prepare_items(
        [it("a", 6), it("b", 5), it("c", 4), it("d", 7), it("e", 1), it("f", 2, state="deleted")],
        known,
        faults,
        "p",
    )
    assert [r.rid for r in rows.rows] == ["a", "b", "d", "e", "f"]
    assert rows.new == [False, False, False, True, True]
    assert (rows.updated, rows.deleted, rows.unchanged) == (3, 1, 1)
    assert faults.by_type() == {"stale_item": 1, "mixed_modified": 1}


def test_duplicates_on_a_page_keep_the_newest() -> None:
    faults = FaultLog()
    rows = prepare_items(
        [it("a", 2, v=2), it("a", 1, v=1), it("b", 1, v=1), it("b", 1, v=3)], {}, faults, "p"
    )
    data = {r.rid: r.data["v"] for r in rows.rows}
    assert data == {"a": 2, "b": 3}  # equal modified: the later one wins
    assert faults.by_type() == {"duplicate_in_page": 2}


def test_invalid_items_are_skipped_and_counted() -> None:
    faults = FaultLog()
    rows = prepare_items(
        [
            {"id": "a"},
            {"id": "b", "state": "gone", "modified": 1},
            {"state": "updated", "modified": 1},
            "junk",
            {"id": "c", "state": "updated", "modified": 1.5},
            {"id": "d", "state": "updated", "modified": "7", "kind": "X"},
        ],
        {},
        faults,
        "p",
    )
    assert rows.rows == []
    assert faults.by_type() == {"invalid_item": 5, "string_modified": 1, "updated_without_data": 1}


def test_page_table_columns() -> None:
    rows = prepare_items(
        [it("a", 2**70, name="Yoga"), it("b", "x", state="deleted")], {}, FaultLog(), "p"
    )
    table = page_table(rows).to_pylist()
    assert table[0]["modified_int"] == str(2**70) and table[0]["data_id"] == "https://x/a"
    assert json.loads(table[0]["data_json"]) == {"@id": "https://x/a", "name": "Yoga"}
    assert table[1]["data_json"] is None and table[1]["modified_int"] is None


def test_real_pages_are_read_without_crashing() -> None:
    """The captured Newham and Everyone Active pages (legacy kinds, ms-epoch modified)."""
    for name, updated, deleted in [
        ("real_activenewham_page_20200102.json", 198, 71),
        ("real_everyoneactive_page_20200106.json", 250, 250),
    ]:
        page = json.loads(shared_path("reference", "openactive", name).read_text("utf-8"))
        faults = FaultLog()
        rows = prepare_items(page["items"], {}, faults, "p")
        assert (rows.updated, rows.deleted) == (updated, deleted), name
        assert faults.by_type() == {}
