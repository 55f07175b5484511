"""The ``pilot`` command line.

Exit status: 0 success, 1 the input or store was unusable, 2 wrong arguments. Every failure is
one human-readable line on stderr, never a traceback (set PILOT_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import NoReturn

from analysis.errors import InputError, StoreError
from analysis.store import resolve_store_path

DEMO_SCALES = ("pilot", "london", "national")
"""The named demo scales (analysis.demo.scales.SCALES), listed here to keep the parser light."""

LOAD_KINDS = ("practices", "areas", "referrals", "followups", "pilots")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pilot", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = sub.add_parser("demo", help="write a synthetic place: input files and RPDE feed pages")
    demo.add_argument("--scale", choices=DEMO_SCALES, default="pilot")
    demo.add_argument("--seed", type=int, default=20250301)
    demo.add_argument("--out", type=Path, default=Path("data/demo"))
    demo.add_argument("--json", action="store_true", help="print a JSON summary")

    load = sub.add_parser("load", help="load one input file into the store")
    load.add_argument("kind", choices=LOAD_KINDS)
    load.add_argument("file", type=Path)
    load.add_argument("--store", help="store path (default $PILOT_STORE or data/pilot.duckdb)")
    load.add_argument("--rejects-dir", type=Path, help="where rejects CSVs go (default: beside the store)")
    load.add_argument("--json", action="store_true", help="print a JSON summary")

    reference = sub.add_parser(
        "reference", help="load the official NHS and ONS reference files as published: "
        "practices, areas and catchments (see docs/reference-files.md)")
    reference.add_argument(
        "files", nargs="+", type=_reference_file, metavar="[KIND=]FILE",
        help="official files, recognised by their headers; prefix KIND= to insist on a kind "
             "(" + ", ".join(_reference_kinds()) + ")")
    reference.add_argument("--store", help="store path (default $PILOT_STORE or data/pilot.duckdb)")
    reference.add_argument("--out", type=Path,
                           help="folder for the contract CSVs written (default: reference/ "
                                "beside the store)")
    reference.add_argument("--rejects-dir", type=Path,
                           help="where rejects CSVs go (default: beside the store)")
    reference.add_argument("--json", action="store_true", help="print a JSON summary")

    harvest = sub.add_parser("harvest", help="harvest OpenActive RPDE feeds into the store "
                             "(incremental, resumable)")
    harvest.add_argument("sources", nargs="+", metavar="FEED_URL_OR_DIR",
                         help="a feed URL, a dataset site URL or .jsonld/.html file, or a "
                              "feeds directory with manifest.json (e.g. a demo's feeds/)")
    harvest.add_argument("--store", help="store path (default $PILOT_STORE or data/pilot.duckdb)")
    harvest.add_argument("--max-pages", type=_positive_int, default=None,
                         help="stop each feed after this many pages in one run")
    harvest.add_argument("--json", action="store_true", help="print a JSON summary")

    feeds = sub.add_parser("feeds", help="list a dataset site's feeds, or the datasets in "
                           "the OpenActive catalogue")
    feeds.add_argument("source", nargs="?", metavar="DATASET_SITE_URL_OR_FILE")
    feeds.add_argument("--catalogue", nargs="?", const="default", metavar="URL_OR_FILE",
                       help="list datasets from a catalogue collection (default: OpenActive's)")
    feeds.add_argument("--json", action="store_true", help="print JSON")

    build = sub.add_parser("build", help="rebuild the joined tables and marts")
    build.add_argument("--store")
    build.add_argument("--supply-start", type=date.fromisoformat, metavar="YYYY-MM-DD",
                       help="first day over which full OpenActive schedules are expanded "
                            "(default: today)")
    build.add_argument("--supply-weeks", type=int, default=12,
                       help="weeks of schedules to expand (default 12)")
    build.add_argument("--reflatten", action="store_true",
                       help="flatten the harvested items again even when they, the horizon and "
                            "the code are unchanged since the last build")
    build.add_argument("--json", action="store_true")

    export = sub.add_parser("export", help="write tables, figures, a methods note and a data "
                            "dictionary to a folder and a zip (disclosure control on)")
    export.add_argument("--out", type=Path, required=True, help="folder to write (DIR.zip beside)")
    export.add_argument("--store", help="store path (default $PILOT_STORE or data/pilot.duckdb)")
    export.add_argument("--format", default="png,svg,pdf,csv,xlsx",
                        help="comma-separated: png,svg,pdf,csv,xlsx (default all)")
    export.add_argument("--pilot", help="a pilot name: its pilot and comparison PCNs as arms")
    export.add_argument("--no-disclosure-control", action="store_true",
                        help="write raw counts (an analyst's working copy; never share it)")
    export.add_argument("--json", action="store_true", help="print a JSON summary")

    serve = sub.add_parser("serve", help="serve the dashboard")
    serve.add_argument("--store")
    serve.add_argument("--port", type=int, default=8501)
    return parser


def _demo(args: argparse.Namespace) -> int:
    from analysis.demo import generate_demo

    summary = generate_demo(scale=args.scale, seed=args.seed, out=args.out)
    data = summary if isinstance(summary, dict) else vars(summary)
    if args.json:
        print(json.dumps(data, default=str))
    else:
        print(f"synthetic '{args.scale}' place written to {args.out}")
        for name, value in data.items():
            print(f"  {name}: {value}")
    return 0


def _load(args: argparse.Namespace) -> int:
    from analysis.ingest.loaders import default_rejects_dir, load_file
    from analysis.ingest.pilots import load_pilots
    from analysis.store import open_store

    store = resolve_store_path(args.store)
    con = open_store(store)
    try:
        if args.kind == "pilots":
            summary = load_pilots(con, args.file)
        else:
            rejects_dir = args.rejects_dir or default_rejects_dir(store)
            summary = load_file(con, args.kind, args.file, rejects_dir=rejects_dir)
    finally:
        con.close()
    if args.json:
        print(summary.to_json())
    else:
        print(f"{summary.kind}: {summary.rows} rows read, {summary.accepted} accepted, "
              f"{summary.rejected} rejected")
        if summary.rejected:
            detail = ", ".join(f"{k} {v}" for k, v in summary.rejects_by_field.items())
            print(f"  rejected by field: {detail}")
            if summary.rejects_file:
                print(f"  reasons for each rejected row: {summary.rejects_file}")
        if summary.unknown_columns:
            print(f"  columns not in the contract, ignored: {', '.join(summary.unknown_columns)}")
    return 0


def _reference_kinds() -> tuple[str, ...]:
    from analysis.ingest.official.detect import BY_SOURCE  # light: no statistics imports

    return tuple(BY_SOURCE)


def _reference_file(text: str) -> tuple[str | None, Path]:
    kind, sep, rest = text.partition("=")
    if sep and kind in _reference_kinds():
        return kind, Path(rest)
    if sep and "/" not in kind and "." not in kind:
        raise argparse.ArgumentTypeError(
            f"unknown kind {kind!r}: expected one of {', '.join(_reference_kinds())}")
    return None, Path(text)


def _reference(args: argparse.Namespace) -> int:
    from analysis.ingest.loaders import default_rejects_dir
    from analysis.ingest.official.run import recognise, run_reference
    from analysis.store import open_store

    store = resolve_store_path(args.store)
    out_dir = args.out or store.parent / "reference"
    rejects_dir = args.rejects_dir or default_rejects_dir(store)
    recognise(args.files)  # refuse a wrong file before the store is opened or created
    con = open_store(store)
    try:
        report = run_reference(con, args.files, out_dir=out_dir, rejects_dir=rejects_dir)
    finally:
        con.close()
    if args.json:
        print(report.to_json())
        return 0
    for f in report.files:
        print(f"{f['source']}: {f['rows']} rows read, {f['accepted']} accepted, "
              f"{f['rejected']} rejected ({f['file']})")
        if f.get("rejects_file"):
            print(f"  reasons for each rejected row: {f['rejects_file']}")
    for name, summary in (("practices", report.practices), ("areas", report.areas)):
        if summary:
            print(f"{name}: {summary['rows']} written to {report.out_dir}, "
                  f"{summary['accepted']} loaded, {summary['rejected']} rejected")
            if summary.get("incomplete"):
                print(f"  {summary['incomplete']} areas not in all three ONS/IoD files: "
                      f"{summary['incomplete_rejects_file']}")
    if report.catchment_shares is not None:
        print(f"catchment shares: {report.catchment_shares} practice × LSOA rows")
    return 0


def _harvest(args: argparse.Namespace) -> int:
    from analysis.store import open_store
    from analysis.supply.harvest import HarvestOptions, harvest
    from analysis.supply.harvest_report import Progress
    from analysis.supply.rpde_client import HttpClient
    from analysis.supply.sources import dataset_sources, sources_for

    client = HttpClient()
    sources = sources_for(args.sources, client)
    options = HarvestOptions() if args.max_pages is None else HarvestOptions(args.max_pages)
    con = open_store(resolve_store_path(args.store))
    try:
        report = harvest(con, sources, options, Progress(),
                         expand=lambda _source, site: dataset_sources(site, client))
    finally:
        con.close()
    if args.json:
        print(json.dumps(report.summary()))
    else:
        print("\n".join(report.text_lines()))
    failure = report.failure_line()
    if failure:
        print(f"pilot harvest: {failure}", file=sys.stderr)
        return 1
    return 0


def _feeds(args: argparse.Namespace) -> int:
    from analysis.supply.discovery import CATALOGUE_URL, read_catalogue, read_dataset
    from analysis.supply.rpde_client import HttpClient

    if (args.source is None) == (args.catalogue is None):
        print("pilot feeds: give either DATASET_SITE_URL_OR_FILE or --catalogue "
              "(see 'pilot feeds --help')", file=sys.stderr)
        return 2
    client = HttpClient()
    if args.source is not None:
        site = read_dataset(args.source, client)
        if args.json:
            print(json.dumps(site.to_dict()))
        else:
            print(f"{site.name or '(unnamed dataset)'}: {site.publisher_name or '?'} "
                  f"<{site.url}>")
            for f in site.feeds:
                print(f"{f.name or '-'}\t{f.type or '-'}\t{f.url}")
        return 0
    source = CATALOGUE_URL if args.catalogue == "default" else args.catalogue
    catalogues = read_catalogue(source, client)
    if args.json:
        print(json.dumps({"catalogues": [vars(c) for c in catalogues],
                          "datasets": sum(len(c.datasets) for c in catalogues)}))
    else:
        for c in catalogues:
            for url in c.datasets:
                print(f"{url}\t{c.name or c.url}")
    for c in catalogues:
        if c.error:
            print(f"pilot feeds: warning: catalogue {c.url}: {c.error}", file=sys.stderr)
    if catalogues and all(c.error for c in catalogues):
        print("pilot feeds: no catalogue could be read", file=sys.stderr)
        return 1
    return 0


def _build(args: argparse.Namespace) -> int:
    from analysis.model.build import build
    from analysis.store import open_store

    con = open_store(resolve_store_path(args.store))
    try:
        report = build(con, supply_start=args.supply_start, supply_weeks=args.supply_weeks,
                       reflatten=args.reflatten)
    finally:
        con.close()
    if args.json:
        print(json.dumps({"rows": report.rows, "supply": report.supply,
                          "seconds": round(report.seconds, 3)}, default=str))
    else:
        print(f"built {len(report.rows)} models in {report.seconds:.1f} s; all data tests passed")
        if report.supply.get("reused"):
            print("  supply: harvested items, horizon and code unchanged since the last build; "
                  "flattened tables kept (--reflatten to redo)")
        for name, rows in report.rows.items():
            print(f"  {name}: {rows} rows")
    return 0


def _export(args: argparse.Namespace) -> int:
    from analysis.export.audit import ExportEvent, audit_log_path, local_user, record_export
    from analysis.export.bundle import export_bundle, parse_formats
    from analysis.store import open_store

    formats = parse_formats(args.format)
    store = resolve_store_path(args.store)
    if not store.exists():
        raise StoreError(f"{store}: no store here yet; run 'make demo' or 'pilot load' first")
    event = ExportEvent(user=local_user(), role="local", channel="cli", what="bundle",
                        formats=formats, disclosure_control=not args.no_disclosure_control,
                        pilot=args.pilot, destination=str(Path(args.out).resolve()))
    con = open_store(store, read_only=True)
    try:  # the audit line is written once the inputs are checked, before any file
        report = export_bundle(con, args.out, formats, args.pilot,
                               disclosure_control=not args.no_disclosure_control,
                               before_writing=lambda: record_export(event, audit_log_path(store)))
    finally:
        con.close()
    if args.json:
        print(json.dumps(report.to_dict()))
    else:
        state = "on" if report.disclosure_control else "OFF (raw counts: do not share)"
        print(f"exported {len(report.tables)} tables and {len(report.figures)} figures "
              f"({len(report.files)} files) to {report.out_dir} and {report.zip_path} in "
              f"{report.seconds:.1f} s; disclosure control {state}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import dashboard

    store = resolve_store_path(args.store).resolve()
    if not store.exists():
        raise StoreError(f"{store}: no store here yet; run 'make demo' or 'pilot load' first")
    app = Path(dashboard.__file__).resolve().parent / "app.py"
    env = {**os.environ, "PILOT_STORE": str(store)}
    command = [sys.executable, "-m", "dashboard.launch", str(app),
               "--server.port", str(args.port), "--server.headless", "true"]
    print(f"serving the dashboard on http://localhost:{args.port} (store: {store})")
    return subprocess.call(command, env=env, cwd=app.parent.parent)


COMMANDS = {"demo": _demo, "load": _load, "reference": _reference, "harvest": _harvest, "feeds": _feeds, "build": _build,
            "export": _export, "serve": _serve}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (InputError, StoreError) as exc:
        print(f"pilot {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"pilot {args.command}: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("PILOT_DEBUG"):
            raise
        from analysis.model.build import BuildError

        if isinstance(exc, BuildError):
            print(f"pilot build: {exc}", file=sys.stderr)
            return 1
        first = str(exc).splitlines()[0] if str(exc) else ""
        print(f"pilot {args.command}: unexpected {type(exc).__name__}: {first} "
              "(rerun with PILOT_DEBUG=1 for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
