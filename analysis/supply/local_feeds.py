"""Directory mode: harvesting RPDE pages saved on disk, such as the demo's ``feeds/`` folder.

The folder holds ``manifest.json``::

    {"base_url": "...", "feeds": {"session-series": {"first_url": "...", "kind": "...",
                                                     "pages": {"<page url>": "<file>", ...}}}}

Each page is read from the file its URL maps to, and ``next`` is followed through that map
exactly as over HTTP, so the cursor, transactions, resume and faults behave the same. A
``next`` that is not in the map stops the feed (like a 404). ``dataset.jsonld`` beside the
manifest, when present, gives the publisher and dataset URL for attribution.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from analysis.errors import InputError
from analysis.supply.rpde import BadContent, FaultLog, FeedStopped

T = TypeVar("T")
MANIFEST = "manifest.json"
DATASET_FILE = "dataset.jsonld"


@dataclass
class LocalFeed:
    name: str
    first_url: str
    kind: str | None
    pages: dict[str, str]


@dataclass
class Manifest:
    folder: Path
    base_url: str | None
    feeds: list[LocalFeed]

    @property
    def dataset_file(self) -> Path | None:
        path = self.folder / DATASET_FILE
        return path if path.is_file() else None


def find_manifest(path: Path) -> Path | None:
    """The manifest for a feeds folder, a demo folder (``DIR/feeds/``) or the file itself."""
    if path.is_file() and path.name == MANIFEST:
        return path
    for candidate in (path / MANIFEST, path / "feeds" / MANIFEST):
        if candidate.is_file():
            return candidate
    return None


def read_manifest(path: Path) -> Manifest:
    """Read and check a manifest; ``InputError`` with a one-line reason when unusable."""
    found = find_manifest(path)
    if found is None:
        raise InputError(
            f"{path}: no {MANIFEST} here or in {path / 'feeds'}; "
            "a feeds directory needs the page manifest 'pilot demo' writes"
        )
    try:
        doc = json.loads(found.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{found}: cannot read the manifest ({exc})") from None
    feeds_doc = doc.get("feeds") if isinstance(doc, dict) else None
    if not isinstance(feeds_doc, dict) or not feeds_doc:
        raise InputError(f"{found}: the manifest lists no feeds (expected a 'feeds' object)")
    feeds = []
    for name, entry in feeds_doc.items():
        pages = entry.get("pages") if isinstance(entry, dict) else None
        first = entry.get("first_url") if isinstance(entry, dict) else None
        if (
            not isinstance(first, str)
            or not isinstance(pages, dict)
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in pages.items())
        ):
            raise InputError(
                f"{found}: feed '{name}' needs 'first_url' and a 'pages' map of page URL to file"
            )
        kind = entry.get("kind")
        feeds.append(
            LocalFeed(str(name), first, kind if isinstance(kind, str) else None, dict(pages))
        )
    base = doc.get("base_url")
    return Manifest(found.parent, base if isinstance(base, str) else None, feeds)


class LocalFetcher:
    """Reads pages of one manifest feed from disk; the same interface as ``HttpClient``."""

    def __init__(self, folder: Path, pages: dict[str, str]) -> None:
        self.folder = folder
        self.pages = pages
        self.requests = 0

    def fetch(
        self,
        url: str,
        parse: Callable[[str, bytes], T],
        faults: FaultLog,
        accept: str = "application/json",
    ) -> T:
        file = self.pages.get(url)
        if file is None:
            raise FeedStopped(
                "page_not_in_manifest", f"page {url} is not in the manifest's page map"
            )
        path = self.folder / file
        self.requests += 1
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise FeedStopped(
                "missing_page_file", f"cannot read {path}: {exc.strerror or exc}"
            ) from None
        try:
            return parse(url, body)
        except BadContent as exc:
            faults.add(url, exc.fault, exc.detail)
            raise FeedStopped(exc.fault, f"{path}: {exc.detail}") from None
