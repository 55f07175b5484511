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
from pathlib import Path

from analysis.cli_parser import build_parser
from analysis.errors import InputError, StoreError
from analysis.store import resolve_store_path


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
    from analysis.supply.flatten_reuse import flatten_line, flatten_or_reuse, horizon
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
        start, end = horizon(args.supply_start, args.supply_weeks)
        supply = flatten_or_reuse(con, horizon_start=start, horizon_end=end)
    finally:
        con.close()
    if args.json:
        print(json.dumps({**report.summary(), "supply": supply}, default=str))
    else:
        print("\n".join(report.text_lines()))
        print(flatten_line(supply, start, end))
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
            print("  supply: harvested items, horizon and code unchanged since they were last "
                  "flattened (by pilot harvest or a build); tables kept (--reflatten to redo)")
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


SERVER_ENV = {"OPENBLAS_NUM_THREADS": "1"}
"""The server's defaults (a variable already set wins). One BLAS thread: the pages' models
multiply small matrices, where extra BLAS threads only spin and, on a machine with few cores
shared with the server's own threads, made a model fit 10-30x slower."""


def _serve(args: argparse.Namespace) -> int:
    import dashboard

    store = resolve_store_path(args.store).resolve()
    if not store.exists():
        raise StoreError(f"{store}: no store here yet; run 'make demo' or 'pilot load' first")
    app = Path(dashboard.__file__).resolve().parent / "app.py"
    env = {**SERVER_ENV, **os.environ, "PILOT_STORE": str(store)}
    command = [sys.executable, "-m", "dashboard.launch", str(app),
               "--server.port", str(args.port), "--server.headless", "true"]
    print(f"serving the dashboard on http://localhost:{args.port} (store: {store})")
    return subprocess.call(command, env=env, cwd=app.parent.parent)


COMMANDS = {"demo": _demo, "load": _load, "reference": _reference, "harvest": _harvest, "feeds": _feeds, "build": _build,
            "export": _export, "serve": _serve}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
