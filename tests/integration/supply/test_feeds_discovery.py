"""``pilot feeds`` over a loopback server, and harvesting feeds found through a dataset site
(attribution stored on rpde_feeds)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from analysis.cli import main
from tests.conftest import shared_path
from tests.integration.supply.rpde_server import FeedServer, Reply, RpdeFeed, json_reply
from tests.integration.supply.test_harvest_faults import item


def dataset_doc(server: FeedServer, *paths: str) -> dict:
    doc = json.loads(
        shared_path("reference", "openactive", "dataset_site_example.jsonld").read_text("utf-8")
    )
    doc["url"] = doc["@id"] = server.url("/site/")
    kinds = ["SessionSeries", "ScheduledSession"]
    doc["distribution"] = [
        {
            "@type": "DataDownload",
            "name": kind,
            "additionalType": f"https://openactive.io/{kind}",
            "contentUrl": server.url(path),
            "encodingFormat": "application/vnd.openactive.rpde+json; version=1",
        }
        for kind, path in zip(kinds, paths, strict=False)
    ]
    return doc


def html_page(doc: dict) -> Reply:
    html = (
        "<!DOCTYPE html><html><head><title>Open data</title></head><body>"
        '<h1>Our open data</h1><script type="application/ld+json">'
        f"{json.dumps(doc)}</script></body></html>"
    )
    return Reply(body=html.encode(), headers={"Content-Type": "text/html"})


def test_feeds_lists_a_dataset_site_served_as_html(
    server: FeedServer, fast_env: None, capsys
) -> None:
    doc = dataset_doc(server, "/rpde/series", "/rpde/sessions")
    server.routes["/site/"] = lambda _q: html_page(doc)
    assert main(["feeds", server.url("/site/")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Fusion Lifestyle Sessions and Facilities: Fusion Lifestyle")
    assert lines[1:] == [
        f"SessionSeries\thttps://openactive.io/SessionSeries\t{server.url('/rpde/series')}",
        f"ScheduledSession\thttps://openactive.io/ScheduledSession\t{server.url('/rpde/sessions')}",
    ]
    assert main(["feeds", server.url("/site/"), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["dataset"]["publisher"] == "Fusion Lifestyle"
    assert [f["type"] for f in listed["feeds"]] == [
        "https://openactive.io/SessionSeries",
        "https://openactive.io/ScheduledSession",
    ]


def test_feeds_catalogue_follows_has_part_to_each_catalogue(
    server: FeedServer, fast_env: None, capsys
) -> None:
    ref = Path(shared_path("reference", "openactive", "catalog_collection.jsonld"))
    collection = json.loads(ref.read_text("utf-8"))
    singular = json.loads((ref.parent / "catalog_singular.jsonld").read_text("utf-8"))
    preview = json.loads((ref.parent / "catalog_singular_preview.jsonld").read_text("utf-8"))
    collection["hasPart"] = [
        server.url("/cat/singular.jsonld"),
        "/cat/preview.jsonld",
        server.url("/cat/missing.jsonld"),
    ]
    server.routes["/collection.jsonld"] = lambda _q: json_reply(collection)
    server.routes["/cat/singular.jsonld"] = lambda _q: json_reply(singular)
    server.routes["/cat/preview.jsonld"] = lambda _q: json_reply(preview)

    assert main(["feeds", "--catalogue", server.url("/collection.jsonld"), "--json"]) == 0
    out, err = capsys.readouterr()
    listing = json.loads(out)
    assert listing["datasets"] == len(singular["dataset"]) + len(preview["dataset"])
    by_url = {c["url"]: c for c in listing["catalogues"]}
    assert (
        "https://openactive.opensessions.io/"
        in by_url[server.url("/cat/singular.jsonld")]["datasets"]
    )
    assert "HTTP 404" in by_url[server.url("/cat/missing.jsonld")]["error"]
    assert err.count("\n") == 1 and "warning" in err

    assert main(["feeds", "--catalogue", server.url("/collection.jsonld")]) == 0
    text = capsys.readouterr().out.splitlines()
    assert (
        "https://openactive.opensessions.io/\tOpenActive Data Catalog for Singular Datasets"
    ) in text


def test_feeds_arguments_and_unreadable_sources(tmp_path: Path, capsys) -> None:
    assert main(["feeds"]) == 2
    assert "either" in capsys.readouterr().err
    bad = tmp_path / "page.html"
    bad.write_text("<html>no data here</html>", encoding="utf-8")
    assert main(["feeds", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no JSON-LD Dataset" in err


def test_harvesting_a_dataset_site_url_stores_attribution(
    server: FeedServer, tmp_path: Path, fast_env: None, capsys
) -> None:
    series = RpdeFeed(
        server, "/rpde/series", [item("s-1", "SessionSeries", 1), item("s-2", "SessionSeries", 2)]
    )
    sessions = RpdeFeed(server, "/rpde/sessions", [item("o-1", "ScheduledSession", 1)])
    doc = dataset_doc(server, "/rpde/series", "/rpde/sessions")
    server.routes["/site/"] = lambda _q: html_page(doc)
    store = str(tmp_path / "s.duckdb")
    assert main(["harvest", server.url("/site/"), "--store", store, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["feeds"], summary["series"], summary["occurrences"]) == (2, 2, 1)
    con = duckdb.connect(store, read_only=True)
    assert sorted(
        con.execute("SELECT feed_url, publisher_name, dataset_url FROM rpde_feeds").fetchall()
    ) == [
        (series.first_url, "Fusion Lifestyle", server.url("/site/")),
        (sessions.first_url, "Fusion Lifestyle", server.url("/site/")),
    ]
    con.close()

    # The same from a saved dataset-site file.
    saved = tmp_path / "dataset.jsonld"
    saved.write_text(json.dumps(doc), encoding="utf-8")
    store2 = str(tmp_path / "s2.duckdb")
    assert main(["harvest", str(saved), "--store", store2]) == 0
    con = duckdb.connect(store2, read_only=True)
    assert con.execute(
        "SELECT count(DISTINCT publisher_name), count(*) FROM rpde_feeds"
    ).fetchone() == (1, 2)
    con.close()
