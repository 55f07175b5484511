"""Turning ``pilot harvest`` arguments into feeds to harvest.

- ``http(s)://...``: a feed's first page URL; when the URL has never been harvested and turns
  out to be a dataset site, its feeds are harvested instead, with attribution.
- a directory (or its ``manifest.json``): every feed in the page manifest, read from disk.
- a ``.jsonld``/``.html`` file: a dataset site; its feeds are harvested over HTTP(S).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from analysis.errors import InputError
from analysis.supply.discovery import DatasetSite, dataset_from_body, read_dataset
from analysis.supply.harvest import FeedSource
from analysis.supply.local_feeds import LocalFetcher, find_manifest, read_manifest
from analysis.supply.rpde_client import HttpClient


def label_for(url: str) -> str:
    parts = urlsplit(url)
    tail = parts.path.rstrip("/").rsplit("/", 1)[-1]
    return f"{parts.netloc}/{tail}" if tail else parts.netloc or url


def dataset_sources(site: DatasetSite, client: HttpClient) -> list[FeedSource]:
    return [
        FeedSource(
            feed_url=f.url,
            fetcher=client,
            label=label_for(f.url),
            publisher_name=site.publisher_name,
            dataset_url=site.url,
        )
        for f in site.feeds
    ]


def directory_sources(path: Path) -> list[FeedSource]:
    manifest = read_manifest(path)
    publisher = dataset_url = None
    if manifest.dataset_file is not None:
        site = dataset_from_body(
            manifest.dataset_file.resolve().as_uri(), manifest.dataset_file.read_bytes()
        )
        if site is not None:
            publisher, dataset_url = site.publisher_name, site.url
    return [
        FeedSource(
            feed_url=f.first_url,
            fetcher=LocalFetcher(manifest.folder, f.pages),
            label=f.name,
            publisher_name=publisher,
            dataset_url=dataset_url,
        )
        for f in manifest.feeds
    ]


def sources_for(arguments: list[str], client: HttpClient) -> list[FeedSource]:
    """Feeds for the command-line arguments; InputError names an unusable argument."""
    sources: list[FeedSource] = []
    for arg in arguments:
        if arg.startswith(("http://", "https://")):
            if not urlsplit(arg).hostname:
                raise InputError(f"{arg}: not a usable URL (no host)")
            sources.append(
                FeedSource(
                    feed_url=arg, fetcher=client, label=label_for(arg), may_be_dataset_site=True
                )
            )
            continue
        path = Path(arg)
        if path.is_dir() or (path.is_file() and find_manifest(path) == path):
            sources.extend(directory_sources(path))
        elif path.is_file():
            sources.extend(dataset_sources(read_dataset(arg, client), client))
        else:
            raise InputError(
                f"{arg}: not an http(s) feed URL, a feeds directory with "
                "manifest.json, or a dataset site file"
            )
    return sources
