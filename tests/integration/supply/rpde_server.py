"""A loopback RPDE server for tests: real HTTP on 127.0.0.1, a random port, in a thread.

Routes map a path to a handler ``(raw query) -> Reply``. One-shot faults queued for an exact
request target (path and query as sent) are served before the normal reply: an HTTP status
(with headers), a sleep past the client's read time-out, a truncated body, a non-JSON body or
a different page. Every request target is logged; past ``limit`` requests the server answers
410 so a runaway client stops, and ``over_limit`` says so.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, quote, urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    truncate: bool = False  # announce the full length, send half, close
    sleep: float = 0.0  # before answering


Handler = Callable[[str], Reply]


def json_reply(doc: Any) -> Reply:
    return Reply(body=json.dumps(doc).encode(), headers={"Content-Type": "application/json"})


class FeedServer:
    def __init__(self, limit: int = 2000, page_delay: float = 0.0) -> None:
        self.routes: dict[str, Handler] = {}
        self.faults: dict[str, list[Reply]] = {}
        self.log: list[str] = []
        self.user_agents: set[str] = set()
        self.limit = limit
        self.page_delay = page_delay
        self.over_limit = False
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                reply = server._reply(self.path, self.headers.get("User-Agent", ""))
                try:
                    if reply.sleep:
                        time.sleep(reply.sleep)
                    self.send_response(reply.status)
                    body = reply.body
                    self.send_header("Content-Length", str(len(body)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    if reply.truncate:
                        self.send_header("Connection", "close")
                        body = body[: len(body) // 2]
                    self.end_headers()
                    self.wfile.write(body)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its read time-out): expected in fault tests
                if reply.truncate:
                    self.close_connection = True

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)

    def url(self, target: str) -> str:
        return self.origin + target

    def fault(self, target: str, *replies: Reply) -> None:
        """Queue one-shot replies for a request target (path with its query, as sent)."""
        self.faults.setdefault(target, []).extend(replies)

    def _reply(self, target: str, agent: str) -> Reply:
        with self._lock:
            self.log.append(target)
            self.user_agents.add(agent)
            if len(self.log) > self.limit:
                self.over_limit = True
                return Reply(410, b"request limit reached")
            queued = self.faults.get(target)
            if queued:
                return queued.pop(0)
        if self.page_delay:
            time.sleep(self.page_delay)
        parts = urlsplit(target)
        handler = self.routes.get(parts.path)
        if handler is None:
            return Reply(404, b"not found")
        return handler(parts.query)


class RpdeFeed:
    """A live change-number feed: ``items`` in change order; a page is the ``size`` items after
    ``afterChangeNumber``; the last page is empty with ``next`` equal to its own URL. Appending
    items makes them appear after the old last page, as on a real feed."""

    def __init__(
        self, server: FeedServer, path: str, items: list[dict[str, Any]], size: int = 5
    ) -> None:
        self.server, self.path, self.size = server, path, size
        self.items = list(items)
        server.routes[path] = self.handle

    @property
    def first_url(self) -> str:
        return self.server.url(self.path)

    def target(self, after: int | None) -> str:
        return self.path if after is None else f"{self.path}?afterChangeNumber={after}"

    def page_targets(self) -> list[str]:
        """Every page's request target, first to last (the last one is the empty page)."""
        out, after = [self.target(None)], None
        while True:
            start = 0 if after is None else after
            if start >= len(self.items):
                return out
            after = min(start + self.size, len(self.items))
            out.append(self.target(after))

    def page(self, after: int | None) -> dict[str, Any]:
        start = after or 0
        chunk = self.items[start : start + self.size]
        nxt = self.server.url(self.target(start + len(chunk) if chunk else after))
        return {
            "next": nxt,
            "items": chunk,
            "license": "https://creativecommons.org/licenses/by/4.0/",
        }

    def handle(self, query: str) -> Reply:
        values = parse_qs(query).get("afterChangeNumber")
        return json_reply(self.page(int(values[0]) if values else None))


class ManifestSite:
    """Serves a demo ``feeds/`` folder: the manifest's page URLs moved to this server."""

    def __init__(self, server: FeedServer, feeds_dir: Path) -> None:
        manifest = json.loads((feeds_dir / "manifest.json").read_text(encoding="utf-8"))
        old_base = manifest["base_url"]
        new_base = server.origin + urlsplit(old_base).path
        self.first_urls: dict[str, str] = {}
        self.pages: dict[str, bytes] = {}
        for name, feed in manifest["feeds"].items():
            self.first_urls[name] = feed["first_url"].replace(old_base, new_base, 1)
            for url, file in feed["pages"].items():
                body = (
                    (feeds_dir / file).read_bytes().replace(old_base.encode(), new_base.encode())
                )
                parts = urlsplit(url.replace(old_base, new_base, 1))
                self.pages[parts.path + (f"?{parts.query}" if parts.query else "")] = body
                server.routes[parts.path] = self._handle_for(parts.path)

    def _handle_for(self, path: str) -> Handler:
        def handle(query: str) -> Reply:
            body = self.pages.get(path + (f"?{query}" if query else ""))
            if body is None:
                return Reply(404, b"no such page")
            return Reply(body=body, headers={"Content-Type": "application/json"})

        return handle


def encoded(value: str) -> str:
    return quote(value, safe="")
