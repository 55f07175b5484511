"""The figure writer draws many images in one browser without one image leaking into the next."""

from __future__ import annotations

import re
from pathlib import Path

import plotly.graph_objects as go
import pytest

from analysis.errors import InputError
from analysis.export.figures import BrowserMissingError, FigureWriter, default_tabs, find_browser


def _has_browser() -> bool:
    try:
        find_browser()
    except BrowserMissingError:
        return False
    return True


needs_browser = pytest.mark.skipif(not _has_browser(), reason="no Chromium on this machine "
                                   "(apt-get install -y chromium or set BROWSER_PATH)")  # fmt: skip
DATES = re.compile(rb"/(CreationDate|ModDate) \(D:[^)]*\)")


def _bar(title: str, heights: list[int]) -> go.Figure:
    return go.Figure(go.Bar(x=["a", "b", "c"], y=heights), layout_title_text=title)


def _pdf(path: Path) -> bytes:
    return DATES.sub(b"", path.read_bytes())


@pytest.mark.browser
@needs_browser
def test_images_drawn_in_a_reused_tab_equal_fresh_ones(tmp_path: Path) -> None:
    first, second = _bar("First", [1, 5, 2]), _bar("Second figure, longer title", [9, 1, 4])
    with FigureWriter(tabs=1) as writer:
        writer.write(second, tmp_path / "fresh.pdf")
    with FigureWriter(tabs=1) as writer:  # one tab draws every image, in this order
        written = writer.write_all([
            (first, tmp_path / "first.pdf"), (first, tmp_path / "first-again.pdf"),
            (second, tmp_path / "second.pdf"), (first, tmp_path / "first.svg"),
            (second, tmp_path / "second.png"),
        ])  # fmt: skip
    assert [p.name for p in written] == ["first.pdf", "first-again.pdf", "second.pdf",
                                         "first.svg", "second.png"]  # fmt: skip
    assert _pdf(tmp_path / "second.pdf") == _pdf(tmp_path / "fresh.pdf")
    assert _pdf(tmp_path / "first.pdf") == _pdf(tmp_path / "first-again.pdf")
    assert _pdf(tmp_path / "first.pdf") != _pdf(tmp_path / "second.pdf")
    assert b"First" in (tmp_path / "first.svg").read_bytes()
    assert (tmp_path / "second.png").read_bytes()[:4] == b"\x89PNG"
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.browser
@needs_browser
def test_batches_submitted_together_all_finish(tmp_path: Path) -> None:
    figures = [_bar(f"Figure {i}", [i, i + 1, 1]) for i in range(6)]
    with FigureWriter(tabs=2) as writer:
        batches = [writer.submit([(fig, tmp_path / f"f{i}.svg")]) for i, fig in enumerate(figures)]
        done = [path for batch in batches for path in batch.result()]
    assert [p.name for p in done] == [f"f{i}.svg" for i in range(6)]
    for i in range(6):
        assert f"Figure {i}".encode() in (tmp_path / f"f{i}.svg").read_bytes()


def test_unknown_suffix_is_refused_before_drawing(tmp_path: Path) -> None:
    writer = FigureWriter(browser=Path("/bin/true"), tabs=1)
    with pytest.raises(ValueError, match="unknown figure format 'gif'"):
        writer.submit([(_bar("x", [1, 2, 3]), tmp_path / "x.gif")])


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("3", 3), ("", None)])
def test_tab_count_from_the_environment(
    value: str, expected: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PILOT_FIGURE_TABS", value)
    tabs = default_tabs()
    assert tabs == expected if expected else 1 <= tabs <= 4


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_tab_count_is_one_line(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PILOT_FIGURE_TABS", value)
    with pytest.raises(InputError, match=f"PILOT_FIGURE_TABS={value}: expected a whole number"):
        default_tabs()
