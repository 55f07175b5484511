"""Reading dataset sites and catalogues from the reference JSON-LD documents."""

from __future__ import annotations

import json

from analysis.supply.discovery import (
    dataset_from_body,
    jsonld_documents,
    read_catalogue,
    read_dataset,
)
from analysis.supply.rpde_client import FetchPolicy, HttpClient
from tests.conftest import shared_path

OFFLINE = HttpClient(FetchPolicy(tries=1))


def test_dataset_site_jsonld_lists_feeds_with_types_from_additional_type() -> None:
    path = shared_path("reference", "openactive", "dataset_site_example.jsonld")
    site = read_dataset(str(path), OFFLINE)
    assert site.name == "Fusion Lifestyle Sessions and Facilities"
    assert site.publisher_name == "Fusion Lifestyle"
    assert site.url == "https://opendata.fusion-lifestyle.com/OpenActive/"
    assert [(f.name, f.type, f.url) for f in site.feeds][:2] == [
        (
            "ScheduledSession",
            "https://openactive.io/ScheduledSession",
            "https://www.example.com/feeds/scheduled-sessions",
        ),
        (
            "SessionSeries",
            "https://openactive.io/SessionSeries",
            "https://www.example.com/feeds/session-series",
        ),
    ]
    slot = site.feeds[4]
    assert (slot.name, slot.type) == ("Slot for FacilityUse", "https://openactive.io/Slot")
    assert len(site.feeds) == 6


def test_jsonld_in_the_html_body_and_with_comments_is_found() -> None:
    doc = json.loads(
        shared_path("reference", "openactive", "dataset_site_example.jsonld").read_text("utf-8")
    )
    html = (
        "<!doctype html><html><head><title>x</title>"
        '<script type="application/ld+json">{not json</script></head><body><p>hi</p>'
        '<script TYPE="application/ld+json; charset=utf-8"><!--'
        f"{json.dumps(doc)}-->"
        "</script></body></html>"
    ).encode()
    assert len(jsonld_documents(html)) == 1
    site = dataset_from_body("https://opendata.fusion-lifestyle.com/OpenActive/", html)
    assert site is not None and len(site.feeds) == 6


def test_relative_content_urls_and_graph_layout() -> None:
    body = json.dumps(
        {
            "@graph": [
                {"@type": "Organization", "name": "Someone"},
                {
                    "@type": ["schema:Dataset"],
                    "url": "https://site.example/openactive/",
                    "publisher": {"name": "Parks Trust"},
                    "distribution": {
                        "name": "SessionSeries",
                        "contentUrl": "feeds/series",
                        "additionalType": "https://openactive.io/SessionSeries",
                    },
                },
            ]
        }
    ).encode()
    site = dataset_from_body("https://site.example/openactive/index.html", body)
    assert site is not None and site.publisher_name == "Parks Trust"
    assert [f.url for f in site.feeds] == ["https://site.example/openactive/feeds/series"]


def test_not_a_dataset_site() -> None:
    assert dataset_from_body("https://x/", b"<html><body>hello</body></html>") is None
    assert dataset_from_body("https://x/", b'{"next": "https://x/", "items": []}') is None


def test_a_catalogue_file_lists_its_datasets() -> None:
    path = shared_path("reference", "openactive", "catalog_singular.jsonld")
    [catalogue] = read_catalogue(str(path), OFFLINE)
    assert catalogue.name == "OpenActive Data Catalog for Singular Datasets"
    assert "https://openactive.opensessions.io/" in catalogue.datasets
    assert len(catalogue.datasets) == 23 and catalogue.error is None
