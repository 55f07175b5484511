"""Static figure export (PNG, SVG, PDF) through plotly + kaleido 1.x, which drives a Chromium.

Kaleido needs a Chromium-family browser on the machine. :func:`find_browser` looks for one as
kaleido does: the ``BROWSER_PATH`` environment variable first, then ``chromium``,
``chromium-browser``, ``google-chrome`` (and a few more) on ``PATH``. :class:`FigureWriter`
opens ONE browser for a whole batch, with up to :func:`default_tabs` tabs drawing images side by
side, and closes it when the batch ends::

    with FigureWriter() as writer:
        writer.write_all([(fig, Path("out/funnel.png")), (fig, Path("out/funnel.svg"))])

Where the time goes (docs/performance.md): starting the browser costs a few seconds, once per
batch. Stock kaleido then reloads its page after every image, which re-parses the 4.6 MB
plotly.js bundle — about half a second an image, more than most images take to draw. The page
keeps no state between images except its ``<img>`` element and page style, which each PDF
overwrites, so the writer reloads a tab only every :data:`RELOAD_EVERY` images (to
bound the tab's memory); the files are the same bytes either way, apart from the random
element ids inside SVGs and the creation date inside PDFs.

Each writer has its own browser (kaleido's process-wide sync server is not used), so writers in
different threads — two dashboard sessions downloading at once — do not wait for each other.
No browser → :class:`BrowserMissingError`, a one-line :class:`~analysis.errors.InputError`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import plotly.graph_objects as go

from analysis.errors import InputError

__all__ = [
    "BROWSER_NAMES",
    "FIGURE_FORMATS",
    "BrowserMissingError",
    "FigureWriter",
    "default_tabs",
    "find_browser",
]

FIGURE_FORMATS = ("png", "svg", "pdf")
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome",
                 "chromium-headless-shell")  # fmt: skip
WIDTH, HEIGHT, SCALE = 1000, 600, 2
"""Exported size in CSS pixels; PNGs are drawn at twice that for print."""
RELOAD_EVERY = 25
"""Images a tab draws between page reloads."""
TABS_ENV = "PILOT_FIGURE_TABS"
TIMEOUT = 90.0
"""Seconds one image may take before the batch fails."""


class BrowserMissingError(InputError):
    """No Chromium to draw static figures with."""


def _missing(detail: str) -> BrowserMissingError:
    return BrowserMissingError(
        f"{detail}; figure export (PNG/SVG/PDF) needs Chromium: run 'apt-get install -y "
        "chromium' or set BROWSER_PATH to a Chrome/Chromium binary (tables-only: "
        "--format csv,xlsx)"
    )


def _line(exc: BaseException) -> str:
    """An error's message on one line, at most 200 characters."""
    first = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
    return " ".join(first.split())[:200] or type(exc).__name__


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


def default_tabs() -> int:
    """Tabs drawing at once: ``PILOT_FIGURE_TABS`` if set, else one per CPU core, 1 to 4."""
    configured = os.environ.get(TABS_ENV, "").strip()
    if configured:
        if not configured.isdigit() or int(configured) < 1:
            raise InputError(
                f"{TABS_ENV}={configured}: expected a whole number of tabs, 1 or more"
            )
        return int(configured)
    return max(1, min(4, os.cpu_count() or 1))


@cache
def _steady_kaleido() -> type[Any]:
    """Kaleido that reloads a tab every :data:`RELOAD_EVERY` images instead of after each
    (imported on first use: kaleido takes a noticeable time to import)."""
    import kaleido

    class SteadyKaleido(kaleido.Kaleido):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._drawn: dict[int, int] = {}
            self._opened = int(kwargs.get("n", 1))

        async def _return_kaleido_tab(self, tab: Any) -> None:
            drawn = self._drawn.get(id(tab), 0) + 1
            if drawn >= RELOAD_EVERY:
                await super()._return_kaleido_tab(tab)  # reloads, then queues the tab
                drawn = 0
            else:
                await self.tabs_ready.put(tab)
            self._drawn[id(tab)] = drawn

        async def grow(self, tabs: int) -> None:
            """Open tabs until there are ``tabs``."""
            more = max(0, tabs - self._opened)
            self._opened += more  # counted now: batches submitted together open no extra tabs
            await asyncio.gather(*(self._create_kaleido_tab() for _ in range(more)))

    return SteadyKaleido


def _spec(fig: go.Figure, fmt: str) -> tuple[dict[str, Any], dict[str, Any]]:
    opts = {"format": fmt, "width": WIDTH, "height": fig.layout.height or HEIGHT,
            "scale": SCALE if fmt == "png" else 1}  # fmt: skip
    return fig.to_dict(), opts


def _format(path: Path) -> str:
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in FIGURE_FORMATS:
        raise ValueError(f"unknown figure format {fmt!r}; use one of {FIGURE_FORMATS}")
    return fmt


def _replace(path: Path, image: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(image)
    tmp.replace(path)


class FigureWriter:
    """Writes figures with one browser kept open from ``__enter__`` to ``__exit__``.

    The browser runs on an event loop in a thread of its own, so the writer can be used from
    any thread, including one that already runs an event loop (Streamlit's download callables).
    It starts in the background: ``__enter__`` returns at once, and the first images wait for
    it. :meth:`submit` queues images and returns at once, so a caller can compute the next
    figure's numbers while the browser draws the last one's.
    """

    def __init__(self, browser: Path | None = None, tabs: int | None = None) -> None:
        self.browser = browser or find_browser()
        self.tabs = tabs or default_tabs()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._opening: Future[Any] | None = None
        self._pending: list[Future[list[Path]]] = []

    def __enter__(self) -> Self:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="figure-writer",
                                        daemon=True)  # fmt: skip
        self._thread.start()
        self._opening = asyncio.run_coroutine_threadsafe(self._open(), self._loop)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for batch in self._pending:  # left behind by an error: stop drawing
            batch.cancel()
        try:
            if self._opening is not None and self._loop is not None:
                asyncio.run_coroutine_threadsafe(self._close(), self._loop).result()
        finally:
            self._opening = None
            if self._loop is not None and self._thread is not None:
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._thread.join()
                self._loop.close()
            self._loop = self._thread = None

    async def _open(self) -> Any:
        """The browser with one tab; :meth:`submit` opens more when a batch needs them."""
        try:
            browser = _steady_kaleido()(n=1, timeout=TIMEOUT, path=str(self.browser),
                                        mathjax=False)  # fmt: skip
        except Exception as exc:  # kaleido's own "requires Chrome" error
            raise _missing(f"Chromium at {self.browser} could not be used ({_line(exc)})") from exc
        try:
            await browser.open()
        except Exception as exc:
            await browser.close()
            raise _missing(
                f"Chromium at {self.browser} could not be started ({_line(exc)})"
            ) from exc
        return browser

    async def _browser(self) -> Any:
        if self._opening is None:
            raise RuntimeError("FigureWriter used outside its 'with' block")
        return await asyncio.wrap_future(self._opening)

    async def _close(self) -> None:
        try:
            browser = await self._browser()
        except InputError:
            return  # never started: nothing to close
        await browser.close()

    def write(self, fig: go.Figure, path: Path) -> Path:
        """Write ``fig`` to ``path``; the format is the suffix (png, svg or pdf)."""
        return self.write_all([(fig, path)])[0]

    def write_all(self, jobs: Iterable[tuple[go.Figure, Path]]) -> list[Path]:
        """Write every ``(figure, path)``, up to :attr:`tabs` at a time; the paths, in order.

        A failed image stops the batch with its error; files already written stay.
        """
        return self.submit(jobs).result()

    def submit(self, jobs: Iterable[tuple[go.Figure, Path]]) -> Future[list[Path]]:
        """Queue ``jobs`` and return at once; the future's result is :meth:`write_all`'s."""
        todo = [(fig, Path(path), _format(Path(path))) for fig, path in jobs]
        if self._loop is None:
            raise RuntimeError("FigureWriter used outside its 'with' block")
        batch = asyncio.run_coroutine_threadsafe(self._draw_all(todo), self._loop)
        self._pending = [b for b in self._pending if not b.done()] + [batch]
        return batch

    async def _draw_all(self, todo: list[tuple[go.Figure, Path, str]]) -> list[Path]:
        browser = await self._browser()

        async def draw(fig: go.Figure, path: Path, fmt: str) -> None:
            figure, opts = _spec(fig, fmt)
            image = await browser.calc_fig(figure, opts=opts)
            await asyncio.to_thread(_replace, path, image)

        # more tabs load while the first draws; each joins the queue when ready
        tasks = [asyncio.ensure_future(browser.grow(min(self.tabs, len(todo))))]
        tasks += [asyncio.ensure_future(draw(*job)) for job in todo]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
        return [path for _, path, _ in todo]
