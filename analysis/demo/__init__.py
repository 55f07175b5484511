"""Deterministic synthetic demo place: input files, OpenActive feed pages and ground truth.

    from analysis.demo import generate_demo, SCALES
    summary = generate_demo(scale="pilot", seed=20250301, out=Path("data/demo"))

See ``docs/demo-data.md`` for what is written and every planted effect and fault.
"""

from analysis.demo.generate import DEFAULT_SEED, DemoSummary, generate_demo
from analysis.demo.scales import SCALES, Scale

__all__ = ["DEFAULT_SEED", "SCALES", "DemoSummary", "Scale", "generate_demo"]
