"""``python -m analysis.demo --scale national --out DIR``: write a synthetic place.

The same generator as ``pilot demo``, reachable for every scale in ``SCALES`` (the benchmark
scripts use it). Prints one line per written file with its row or item count.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.demo.generate import DEFAULT_SEED, generate_demo
from analysis.demo.scales import SCALES


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m analysis.demo", description=__doc__)
    parser.add_argument("--scale", choices=tuple(SCALES), default="pilot")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=Path("data/demo"))
    args = parser.parse_args(argv)
    summary = generate_demo(args.scale, args.seed, args.out)
    for name, rows in summary.files.items():
        print(f"{name}\t{rows}")


if __name__ == "__main__":
    main()
