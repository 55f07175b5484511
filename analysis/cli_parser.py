"""The ``pilot`` command line's arguments: every subcommand, option and its help.

Kept apart from the commands so ``pilot --help`` and a usage error import nothing heavy (no
pandas, SciPy, statsmodels or plotly).
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import NoReturn

DEMO_SCALES = ("pilot", "london", "national")
"""The named demo scales (analysis.demo.scales.SCALES), listed here to keep the parser light."""

DESCRIPTION = "The ``pilot`` command line."

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


def _horizon_arguments(command: argparse.ArgumentParser) -> None:
    """The horizon full schedules are flattened over: the same for harvest and build, so a
    build keeps what the harvest flattened."""
    command.add_argument("--supply-start", type=date.fromisoformat, metavar="YYYY-MM-DD",
                         help="first day over which full OpenActive schedules are expanded "
                              "(default: today)")
    command.add_argument("--supply-weeks", type=_positive_int, default=12,
                         help="weeks of schedules to expand (default 12)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pilot", description=DESCRIPTION)
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
    _horizon_arguments(harvest)
    harvest.add_argument("--json", action="store_true", help="print a JSON summary")

    feeds = sub.add_parser("feeds", help="list a dataset site's feeds, or the datasets in "
                           "the OpenActive catalogue")
    feeds.add_argument("source", nargs="?", metavar="DATASET_SITE_URL_OR_FILE")
    feeds.add_argument("--catalogue", nargs="?", const="default", metavar="URL_OR_FILE",
                       help="list datasets from a catalogue collection (default: OpenActive's)")
    feeds.add_argument("--json", action="store_true", help="print JSON")

    build = sub.add_parser("build", help="rebuild the joined tables and marts")
    build.add_argument("--store")
    _horizon_arguments(build)
    build.add_argument("--reflatten", action="store_true",
                       help="flatten the harvested items again even when they, the horizon and "
                            "the code are unchanged since they were last flattened")
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
