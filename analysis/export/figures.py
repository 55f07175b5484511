"""Static figure export (PNG, SVG, PDF) through plotly + kaleido 1.x, which drives a Chromium.

Kaleido needs a Chromium-family browser on the machine. :func:`find_browser` looks for one as
kaleido does: the ``BROWSER_PATH`` environment variable first, then ``chromium``,
``chromium-browser``, ``google-chrome`` (and a few more) on ``PATH``. :class:`FigureWriter`
starts ONE kaleido server for a whole batch (a cold browser per figure costs ~5 s; a warm one
~0.6 s) and stops it when the batch ends::

    with FigureWriter() as writer:
        writer.write(fig, Path("out/funnel.png"))
        writer.write(fig, Path("out/funnel.svg"))

No browser → :class:`BrowserMissingError`, a one-line :class:`~analysis.errors.InputError`.
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path
from types import TracebackType
from typing import Self

import plotly.graph_objects as go

from analysis.errors import InputError

__all__ = [
    "BROWSER_NAMES",
    "FIGURE_FORMATS",
    "BrowserMissingError",
    "FigureWriter",
    "find_browser",
]

FIGURE_FORMATS = ("png", "svg", "pdf")
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome",
                 "chromium-headless-shell")  # fmt: skip
WIDTH, HEIGHT, SCALE = 1000, 600, 2
"""Exported size in CSS pixels; PNGs are drawn at twice that for print."""


class BrowserMissingError(InputError):
    """No Chromium to draw static figures with."""


def _missing(detail: str) -> BrowserMissingError:
    return BrowserMissingError(
        f"{detail}; figure export (PNG/SVG/PDF) needs Chromium: run 'apt-get install -y "
        "chromium' or set BROWSER_PATH to a Chrome/Chromium binary (tables-only: "
        "--format csv,xlsx)"
    )


def find_browser() -> Path:
    """The Chromium kaleido will use: ``BROWSER_PATH`` if set, else the first on ``PATH``."""
    configured = os.environ.get("BROWSER_PATH", "").strip()
    if configured:
        path = Path(configured)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise _missing(f"BROWSER_PATH={configured} is not an executable file")
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise _missing("no Chromium found on PATH")


class FigureWriter:
    """Writes figures with one kaleido browser kept open from ``__enter__`` to ``__exit__``."""

    def __init__(self, browser: Path | None = None) -> None:
        self.browser = browser or find_browser()
        self._started = False

    def __enter__(self) -> Self:
        import kaleido

        try:
            kaleido.start_sync_server(path=str(self.browser), mathjax=False, silence_warnings=True)
        except RuntimeError as exc:  # a server is already running in this process: reuse it
            if "already" not in str(exc).lower():
                raise _missing(f"Chromium at {self.browser} could not be started") from exc
        else:
            self._started = True
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._started:
            import kaleido

            kaleido.stop_sync_server(silence_warnings=True)
            self._started = False

    def write(self, fig: go.Figure, path: Path) -> Path:
        """Write ``fig`` to ``path``; the format is the suffix (png, svg or pdf)."""
        fmt = path.suffix.lstrip(".").lower()
        if fmt not in FIGURE_FORMATS:
            raise ValueError(f"unknown figure format {fmt!r}; use one of {FIGURE_FORMATS}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "kopts ignored if using a server"
            image = fig.to_image(format=fmt, width=WIDTH, height=fig.layout.height or HEIGHT,
                                 scale=SCALE if fmt == "png" else 1)  # fmt: skip
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(image)
        tmp.replace(path)
        return path
