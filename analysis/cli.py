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
from typing import NoReturn

from analysis.errors import InputError, StoreError
from analysis.store import resolve_store_path

LOAD_KINDS = ("practices", "areas", "referrals", "followups", "pilots")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pilot", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = sub.add_parser("demo", help="write a synthetic place: input files and RPDE feed pages")
    demo.add_argument("--scale", choices=("pilot", "london"), default="pilot")
    demo.add_argument("--seed", type=int, default=20250301)
    demo.add_argument("--out", type=Path, default=Path("data/demo"))
    demo.add_argument("--json", action="store_true", help="print a JSON summary")

    load = sub.add_parser("load", help="load one input file into the store")
    load.add_argument("kind", choices=LOAD_KINDS)
    load.add_argument("file", type=Path)
    load.add_argument("--store", help="store path (default $PILOT_STORE or data/pilot.duckdb)")
    load.add_argument("--rejects-dir", type=Path, help="where rejects CSVs go (default: beside the store)")
    load.add_argument("--json", action="store_true", help="print a JSON summary")

    build = sub.add_parser("build", help="rebuild the joined tables and marts")
    build.add_argument("--store")
    build.add_argument("--json", action="store_true")

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


def _build(args: argparse.Namespace) -> int:
    from analysis.model.build import build
    from analysis.store import open_store

    con = open_store(resolve_store_path(args.store))
    try:
        report = build(con)
    finally:
        con.close()
    if args.json:
        print(json.dumps({"rows": report.rows, "seconds": round(report.seconds, 3)}))
    else:
        print(f"built {len(report.rows)} models in {report.seconds:.1f} s; all data tests passed")
        for name, rows in report.rows.items():
            print(f"  {name}: {rows} rows")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import dashboard

    store = resolve_store_path(args.store).resolve()
    if not store.exists():
        raise StoreError(f"{store}: no store here yet; run 'make demo' or 'pilot load' first")
    app = Path(dashboard.__file__).resolve().parent / "app.py"
    env = {**os.environ, "PILOT_STORE": str(store)}
    command = [sys.executable, "-m", "streamlit", "run", str(app),
               "--server.port", str(args.port), "--server.headless", "true"]
    print(f"serving the dashboard on http://localhost:{args.port} (store: {store})")
    return subprocess.call(command, env=env, cwd=app.parent.parent)


COMMANDS = {"demo": _demo, "load": _load, "build": _build, "serve": _serve}


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
