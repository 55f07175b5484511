"""The command line's choices match what the code behind them offers."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis.cli import main
from analysis.cli_parser import DEMO_SCALES
from analysis.demo.scales import SCALES
from analysis.ingest.official.run import SOURCES


def test_every_named_demo_scale_is_offered() -> None:
    assert DEMO_SCALES == tuple(SCALES)


def test_every_reference_kind_is_offered(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["reference", "bogus=file.csv"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert all(kind in err for kind in SOURCES)


def test_the_parser_does_not_import_the_statistics_stack() -> None:
    """`pilot --help` and a usage error stay quick: no SciPy, statsmodels or plotly import."""
    code = (
        "import sys\nfrom analysis.cli_parser import build_parser\nbuild_parser()\n"
        "print(sorted(m for m in ('scipy', 'statsmodels', 'plotly') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
