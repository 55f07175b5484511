"""Finding feeds: dataset sites and the OpenActive data catalogues.

- A **dataset site** is an HTML page with a ``<script type="application/ld+json">`` block (read
  anywhere in the page, not only in ``<head>``) or a bare ``.jsonld`` document, holding a
  schema.org ``Dataset`` whose ``distribution[]`` lists its RPDE feeds: ``name``,
  ``additionalType`` (the type IRI, used as the feed's type) and ``contentUrl``.
- The **catalogue collection** (``hasPart[]``) lists data catalogues, and each catalogue's
  ``dataset[]`` lists dataset-site URLs.

Publisher name and dataset URL travel with each feed so harvested items can be attributed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from analysis.errors import InputError
from analysis.supply.rpde import BadContent, FaultLog, FeedStopped
from analysis.supply.rpde_client import HttpClient

CATALOGUE_URL = "https://openactive.io/data-catalogs/data-catalog-collection.jsonld"
JSONLD_ACCEPT = "application/ld+json, application/json, text/html"


@dataclass
class FeedLink:
    name: str | None
    type: str | None
    url: str
    identifier: str | None = None
    encoding_format: str | None = None


@dataclass
class DatasetSite:
    url: str
    name: str | None
    publisher_name: str | None
    license: str | None
    feeds: list[FeedLink]

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": {
                "name": self.name,
                "url": self.url,
                "publisher": self.publisher_name,
                "license": self.license,
            },
            "feeds": [vars(f) for f in self.feeds],
        }


@dataclass
class Catalogue:
    url: str
    name: str | None = None
    datasets: list[str] = field(default_factory=list)
    error: str | None = None


class _JsonLdScripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._inside = False
        self._parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            kind = (dict(attrs).get("type") or "").split(";")[0].strip().lower()
            self._inside = kind == "application/ld+json"
            self._parts = []

    def handle_data(self, data: str) -> None:
        if self._inside:
            self._parts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._inside:
            self.blocks.append("".join(self._parts))
            self._inside = False


def jsonld_documents(body: bytes) -> list[Any]:
    """The JSON-LD documents in a response: the whole body when it is JSON, else every
    ``application/ld+json`` script in the HTML. Blocks that are not valid JSON are skipped."""
    text = body.decode("utf-8-sig", errors="replace")
    if text.lstrip()[:1] in ("{", "["):
        try:
            return [json.loads(text)]
        except json.JSONDecodeError:
            return []
    parser = _JsonLdScripts()
    parser.feed(text)
    parser.close()
    docs = []
    for block in parser.blocks:
        cleaned = block.strip().removeprefix("<!--").removesuffix("-->").strip()
        cleaned = cleaned.removeprefix("//<![CDATA[").removesuffix("//]]>").strip()
        try:
            docs.append(json.loads(cleaned))
        except json.JSONDecodeError:
            continue
    return docs


def _nodes(value: Any) -> list[dict[str, Any]]:
    """Every object in a JSON-LD value (top level, lists and ``@graph``), depth first."""
    if isinstance(value, list):
        return [n for v in value for n in _nodes(v)]
    if isinstance(value, dict):
        return [value, *_nodes(value.get("@graph", []))]
    return []


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type", node.get("type"))
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).rsplit("/", 1)[-1].removeprefix("schema:") for v in values if v}


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _text(value.get("@id") or value.get("url") or value.get("name"))
    return None


def dataset_from_documents(docs: list[Any], base_url: str) -> DatasetSite | None:
    """The first ``Dataset`` (with a ``distribution``) in the documents, else None."""
    for node in (n for d in docs for n in _nodes(d)):
        if "Dataset" not in _types(node) or "distribution" not in node:
            continue
        dataset_url = _text(node.get("url")) or _text(node.get("@id")) or base_url
        dataset_url = urljoin(base_url, dataset_url)
        publisher = node.get("publisher")
        publisher_name = (
            _text(publisher.get("name")) if isinstance(publisher, dict) else (_text(publisher))
        )
        dist = node.get("distribution")
        feeds = []
        for entry in dist if isinstance(dist, list) else [dist]:
            if not isinstance(entry, dict) or not _text(entry.get("contentUrl")):
                continue
            feeds.append(
                FeedLink(
                    name=_text(entry.get("name")),
                    type=_text(entry.get("additionalType")),
                    url=urljoin(dataset_url, _text(entry.get("contentUrl")) or ""),
                    identifier=_text(entry.get("identifier")),
                    encoding_format=_text(entry.get("encodingFormat")),
                )
            )
        return DatasetSite(
            url=dataset_url,
            name=_text(node.get("name")),
            publisher_name=publisher_name,
            license=_text(node.get("license")),
            feeds=feeds,
        )
    return None


def dataset_from_body(url: str, body: bytes) -> DatasetSite | None:
    return dataset_from_documents(jsonld_documents(body), url)


def _read(source: str, client: HttpClient) -> tuple[str, bytes]:
    """(base URL, bytes) of a local file or an http(s) URL; InputError when unreadable."""
    if source.startswith(("http://", "https://")):
        try:
            body = client.fetch(source, lambda _url, b: b, FaultLog(), accept=JSONLD_ACCEPT)
        except FeedStopped as exc:
            raise InputError(f"{source}: {exc.message}") from None
        return source, body
    path = Path(source)
    try:
        return path.resolve().as_uri(), path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"{source}: cannot read ({exc.strerror or exc}); give a dataset "
            "site URL or a .jsonld/.html file"
        ) from None


def read_dataset(source: str, client: HttpClient) -> DatasetSite:
    """The dataset site at ``source`` (URL or file); InputError when it has no Dataset."""
    base, body = _read(source, client)
    site = dataset_from_body(base, body)
    if site is None:
        raise InputError(
            f"{source}: no JSON-LD Dataset with a 'distribution' list found "
            "(is this an OpenActive dataset site?)"
        )
    return site


def _catalogue_from_doc(url: str, doc: Any) -> Catalogue:
    node = next((n for n in _nodes(doc) if "dataset" in n), None)
    if node is None:
        return Catalogue(url, error="no 'dataset' list in this catalogue")
    raw = node.get("dataset")
    urls = [u for u in (_text(v) for v in (raw if isinstance(raw, list) else [raw])) if u]
    return Catalogue(url, name=_text(node.get("name")), datasets=urls)


def read_catalogue(source: str, client: HttpClient) -> list[Catalogue]:
    """Every catalogue under a collection (``hasPart``) with its dataset-site URLs; a
    catalogue document given directly is listed on its own. Unreadable catalogues carry an
    ``error`` instead of failing the whole listing."""
    base, body = _read(source, client)
    docs = jsonld_documents(body)
    collection = next((n for d in docs for n in _nodes(d) if "hasPart" in n), None)
    if collection is None:
        if any("dataset" in n for d in docs for n in _nodes(d)):
            return [_catalogue_from_doc(source, docs)]
        raise InputError(
            f"{source}: neither a catalogue collection ('hasPart') nor a catalogue ('dataset')"
        )
    parts = collection.get("hasPart")
    catalogues = []
    for part in parts if isinstance(parts, list) else [parts]:
        if isinstance(part, dict) and "dataset" in part:
            catalogues.append(_catalogue_from_doc(_text(part.get("@id")) or source, part))
            continue
        url = _text(part)
        if not url:
            continue
        url = urljoin(base, url)
        try:
            body = client.fetch(url, _json_doc, FaultLog(), accept=JSONLD_ACCEPT)
        except FeedStopped as exc:
            catalogues.append(Catalogue(url, error=exc.message))
            continue
        catalogues.append(_catalogue_from_doc(url, body))
    return catalogues


def _json_doc(url: str, body: bytes) -> Any:
    docs = jsonld_documents(body)
    if not docs:
        raise BadContent("non_json", f"{url} is not a JSON(-LD) document")
    return docs
