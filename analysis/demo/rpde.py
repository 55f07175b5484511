"""Writing RPDE 1.0 feed pages, the page manifest and the dataset site.

Each feed is ordered by change number (``afterChangeNumber``): ``modified`` is an integer that
increases along the feed and items are sorted by (modified, id). A page holds 500 items; its
``next`` is the feed URL with ``?afterChangeNumber=`` the ``modified`` of its last item. The last
page has no items and ``next`` equal to its own URL. Pages are built one at a time from the
supply arrays, so memory does not grow with the feed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from analysis.demo.venues import DEMO_HOST

BASE_URL = f"{DEMO_HOST}/openactive"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
PAGE_SIZE = 500
ENCODING_FORMAT = "application/vnd.openactive.rpde+json; version=1"


@dataclass
class FeedPages:
    """What was written for one feed: its first URL and page URL -> file (relative to feeds/)."""

    name: str
    kind: str
    first_url: str
    pages: dict[str, str] = field(default_factory=dict)
    items: int = 0


def feed_url(name: str, base_url: str = BASE_URL) -> str:
    return f"{base_url}/{name}"


def dump_json(obj: Any, path: Path, indent: int | None = None) -> None:
    """Write JSON deterministically (UTF-8, key order as built, trailing newline)."""
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(obj, ensure_ascii=False, indent=indent, separators=separators)
    path.write_text(text + "\n", encoding="utf-8")


def write_feed(
    feeds_dir: Path,
    name: str,
    kind: str,
    rpde_ids: list[str],
    modified: np.ndarray,
    deleted: np.ndarray,
    build_data: Callable[[np.ndarray], list[dict[str, Any]]],
    page_size: int = PAGE_SIZE,
) -> FeedPages:
    """Write the pages of one feed. Row ``i`` becomes an item with id ``rpde_ids[i]``;
    ``build_data(rows)`` returns the ``data`` objects of a page's live rows, in order."""
    if len(np.unique(modified)) != len(modified):
        raise ValueError(f"feed {name}: change numbers must be unique")
    order = np.argsort(modified, kind="stable")
    folder = feeds_dir / name
    folder.mkdir(parents=True, exist_ok=True)
    url = feed_url(name)
    result = FeedPages(name=name, kind=kind, first_url=url, items=len(order))
    n_pages = -(-len(order) // page_size)
    for p in range(n_pages + 1):
        chunk = order[p * page_size : (p + 1) * page_size]
        live = chunk[~deleted[chunk]]
        data = dict(zip(live.tolist(), build_data(live), strict=True)) if len(live) else {}
        items = []
        for i in chunk.tolist():
            item: dict[str, Any] = {
                "state": "deleted" if deleted[i] else "updated",
                "kind": kind,
                "id": rpde_ids[i],
                "modified": int(modified[i]),
            }
            if not deleted[i]:
                item["data"] = data[i]
            items.append(item)
        nxt = (
            f"{feed_url(name)}?afterChangeNumber={int(modified[chunk[-1]])}" if len(chunk) else url
        )
        file = f"{name}/page-{p + 1:05d}.json"
        dump_json({"next": nxt, "items": items, "license": LICENSE}, feeds_dir / file)
        result.pages[url] = file
        url = nxt
    return result


def manifest(feeds: list[FeedPages]) -> dict[str, Any]:
    """The page map a harvester or a test HTTP server reads pages from."""
    return {
        "base_url": BASE_URL,
        "feeds": {
            f.name: {
                "kind": f.kind,
                "first_url": f.first_url,
                "items": f.items,
                "pages": dict(f.pages),
            }
            for f in feeds
        },
    }


def dataset_site(place_name: str, feeds: list[FeedPages], modified: str) -> dict[str, Any]:
    """A dataset-site JSON-LD document listing the feeds."""
    return {
        "@context": ["https://schema.org/", "https://openactive.io/"],
        "@type": "Dataset",
        "@id": f"{DEMO_HOST}/openactive/",
        "url": f"{DEMO_HOST}/openactive/",
        "name": f"{place_name} Active Sessions (synthetic)",
        "description": f"Synthetic sessions and activities in {place_name}, a fictional place "
        "built to demonstrate the pilot evaluation dashboard. Not real data.",
        "keywords": [
            "Sessions",
            "Activities",
            "Physical Activity",
            "Social Prescribing",
            "OpenActive",
            "Synthetic",
        ],
        "license": LICENSE,
        "distribution": [
            {
                "@type": "DataDownload",
                "name": f.kind,
                "additionalType": f"https://openactive.io/{f.kind}",
                "contentUrl": f.first_url,
                "encodingFormat": ENCODING_FORMAT,
                "identifier": f.kind,
            }
            for f in feeds
        ],
        "documentation": "https://permalink.openactive.io/dataset-site/open-data-documentation",
        "inLanguage": ["en-GB"],
        "publisher": {
            "@type": "Organization",
            "name": f"{place_name} Active Partnership (synthetic)",
            "description": "An invented publisher for a synthetic demonstration place.",
            "url": f"{DEMO_HOST}/",
            "email": "data@pilot-evaluation.invalid",
        },
        "dateModified": modified,
        "schemaVersion": "https://openactive.io/modelling-opportunity-data/2.0/",
    }
