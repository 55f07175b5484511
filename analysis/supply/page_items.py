"""A page's items → the rows to apply: checks, within-page duplicates, the ``modified`` rule.

An item needs an ``id`` (string or integer), a ``state`` ('updated' or 'deleted') and a
``modified`` (integer or string); others are skipped as ``invalid_item``. When an id appears
twice on a page the newer one is kept (``duplicate_in_page``). Against the store, an item is
applied when its ``modified`` is at least the stored one (``stale_item`` otherwise), and when
the two cannot be ordered (an integer against a non-numeric string) the incoming one wins
(``mixed_modified``). A string ``modified`` is reported (``string_modified``): RPDE asks for
integers. An 'updated' item without ``data`` is skipped (``updated_without_data``). Deleted
items carry no data (any sent is ignored, ``deleted_with_data``); the store keeps the last data
it had.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from analysis.supply.rpde import (
    FaultLog,
    Modified,
    Order,
    compare_modified,
    parse_modified,
    rpde_id,
)

PAGE_SCHEMA = pa.schema(
    [
        ("rpde_id", pa.string()),
        ("kind", pa.string()),
        ("state", pa.string()),
        ("modified_raw", pa.string()),
        ("modified_int", pa.string()),
        ("data_id", pa.string()),
        ("data_json", pa.string()),
        ("is_new", pa.bool_()),
    ]
)

# Applying a page: new ids are inserted; known ids are upserted (a deletion keeps the last
# data and the first deletion time).
INSERT_NEW = """
INSERT INTO rpde_items (feed_url, rpde_id, kind, state, modified_raw, modified_int, data_id,
                        data_json, first_seen_at, last_seen_at, deleted_at)
SELECT $feed, rpde_id, kind, state, modified_raw, CAST(modified_int AS HUGEINT), data_id,
       data_json, $now, $now, CASE WHEN state = 'deleted' THEN $now END
FROM rpde_page WHERE is_new
"""
UPSERT_KNOWN = (
    INSERT_NEW.replace("WHERE is_new", "WHERE NOT is_new")
    + """
ON CONFLICT (feed_url, rpde_id) DO UPDATE SET
    kind = COALESCE(EXCLUDED.kind, rpde_items.kind),
    state = EXCLUDED.state,
    modified_raw = EXCLUDED.modified_raw,
    modified_int = EXCLUDED.modified_int,
    data_id = CASE WHEN EXCLUDED.state = 'deleted' THEN rpde_items.data_id
                   ELSE EXCLUDED.data_id END,
    data_json = CASE WHEN EXCLUDED.state = 'deleted' THEN rpde_items.data_json
                     ELSE EXCLUDED.data_json END,
    last_seen_at = EXCLUDED.last_seen_at,
    deleted_at = CASE WHEN EXCLUDED.state = 'deleted'
                      THEN COALESCE(rpde_items.deleted_at, EXCLUDED.last_seen_at) END
"""
)


@dataclass
class Incoming:
    rid: str
    kind: str | None
    state: str
    modified: Modified
    data: dict[str, Any] | None


@dataclass
class PageRows:
    rows: list[Incoming] = field(default_factory=list)
    new: list[bool] = field(default_factory=list)
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0


def prepare_items(
    items: list[Any], known: dict[str, int | str], faults: FaultLog, page_url: str
) -> PageRows:
    """Which of a page's items to apply, given the stored ``modified`` keys (``known``)."""
    chosen: dict[str, Incoming] = {}
    for item in items:
        rid = rpde_id(item.get("id")) if isinstance(item, dict) else None
        state = item.get("state") if isinstance(item, dict) else None
        mod = parse_modified(item.get("modified")) if isinstance(item, dict) else None
        if rid is None or state not in ("updated", "deleted") or mod is None:
            faults.add(
                page_url,
                "invalid_item",
                f"item without a usable id, state or "
                f"modified: {json.dumps(item, default=str)[:200]}",
            )
            continue
        if mod.was_string:
            faults.add(page_url, "string_modified", f"id {rid}: modified {mod.raw!r}")
        data = item.get("data")
        if state == "updated" and not isinstance(data, dict):
            faults.add(page_url, "updated_without_data", f"id {rid}: skipped")
            continue
        if state == "deleted" and data is not None:
            faults.add(page_url, "deleted_with_data", f"id {rid}: data ignored")
        kind = item.get("kind")
        incoming = Incoming(
            rid,
            kind if isinstance(kind, str) else None,
            state,
            mod,
            data if isinstance(data, dict) and state == "updated" else None,
        )
        previous = chosen.get(rid)
        if previous is not None:
            faults.add(page_url, "duplicate_in_page", f"id {rid} appears twice on the page")
            if compare_modified(mod, previous.modified.key) is Order.OLDER:
                continue
        chosen[rid] = incoming
    out = PageRows()
    for inc in chosen.values():
        stored = known.get(inc.rid)
        order = Order.NEWER if stored is None else compare_modified(inc.modified, stored)
        if order is Order.MIXED:
            faults.add(
                page_url,
                "mixed_modified",
                f"id {inc.rid}: modified {inc.modified.raw!r} "
                f"after {stored!r}; integer and text cannot be ordered, newest taken",
            )
        if order is Order.OLDER:
            faults.add(
                page_url,
                "stale_item",
                f"id {inc.rid}: modified {inc.modified.raw!r} "
                f"is older than the stored {stored!r}; ignored",
            )
            continue
        out.rows.append(inc)
        out.new.append(stored is None)
        if order is Order.SAME:
            out.unchanged += 1
        elif inc.state == "deleted":
            out.deleted += 1
        else:
            out.updated += 1
    return out


def page_table(rows: PageRows) -> pa.Table:
    def data_id(d: dict[str, Any] | None) -> str | None:
        value = (d.get("@id") or d.get("id")) if d else None
        return value if isinstance(value, str) else None

    r = rows.rows
    columns = [
        [x.rid for x in r],
        [x.kind for x in r],
        [x.state for x in r],
        [x.modified.raw for x in r],
        [None if x.modified.number is None else str(x.modified.number) for x in r],
        [data_id(x.data) for x in r],
        [
            None
            if x.data is None
            else json.dumps(x.data, ensure_ascii=False, separators=(",", ":"))
            for x in r
        ],
        rows.new,
    ]
    return pa.Table.from_arrays(
        [pa.array(c, type=f.type) for c, f in zip(columns, PAGE_SCHEMA, strict=True)],
        schema=PAGE_SCHEMA,
    )
