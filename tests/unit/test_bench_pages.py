"""bench/pages.py times pages the way a running server renders them: one compiled script per
process, not a recompile on every run as AppTest does on its own."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest, app_test, local_script_runner

BENCH = Path(__file__).resolve().parents[2] / "bench" / "pages.py"


def bench_pages():
    spec = importlib.util.spec_from_file_location("bench_pages", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_pages", module)
    spec.loader.exec_module(module)
    return module


def test_scripts_are_compiled_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (app_test, local_script_runner):  # restored after the test
        monkeypatch.setattr(module, "ScriptCache", module.ScriptCache)
    compiled: list[str] = []
    real_compile = compile

    def counting_compile(source, filename, *args, **kwargs):
        compiled.append(str(filename))
        return real_compile(source, filename, *args, **kwargs)

    monkeypatch.setattr("builtins.compile", counting_compile)

    def compiles(at: AppTest, runs: int) -> int:
        compiled.clear()
        for _ in range(runs):
            at.run()
        return compiled.count(str(Path(at._script_path).resolve()))

    once = compiles(AppTest.from_string("import streamlit as st\nst.write('w')\n"), 1)
    alone = AppTest.from_string("import streamlit as st\nst.write('x')\n")
    assert once > 0 and compiles(alone, 3) == 3 * once  # AppTest alone: on every run
    bench_pages().keep_compiled_scripts()
    at = AppTest.from_string("import streamlit as st\nst.write('y')\n")
    assert compiles(at, 3) == once and not at.exception
    assert at.markdown[0].value == "y"
