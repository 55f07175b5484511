"""Fetching feed pages and discovery documents over HTTP(S), politely and with bounded retries.

Standard library only (``http.client``), so connect and read time-outs are separate. Per
response:

- 200: the body goes to the caller's ``parse``; a truncated, non-JSON or malformed body
  (``BadContent``) is retried like a server error.
- 301/302/303/307/308: followed (at most 5 hops); the cursor stays the URL as received.
- 429 and 503: wait as long as ``Retry-After`` says (seconds or an HTTP date); without it, back
  off exponentially. A wait longer than ``max_retry_after`` stops the feed for this run.
- 404 and 410: the feed is gone; stop at once (no retry).
- other 5xx, 408, time-outs, refused or reset connections: exponential back-off with jitter.
- other 4xx: stop at once.

After ``tries`` attempts the feed stops with a one-line message. Every retried problem is added
to the caller's ``FaultLog`` under its type (``http_500``, ``http_429``, ``timeout``,
``truncated``, ``non_json``, ...). Settings come from ``FetchPolicy`` (environment variables
``PILOT_HTTP_*`` override the defaults; tests use tiny delays).
"""

from __future__ import annotations

import email.utils
import gzip
import http.client
import ipaddress
import os
import random
import ssl
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import TypeVar
from urllib.parse import quote, urljoin, urlsplit
from urllib.request import getproxies, proxy_bypass

from analysis.errors import InputError
from analysis.supply.rpde import BadContent, FaultLog, FeedStopped

T = TypeVar("T")
REDIRECTS = (301, 302, 303, 307, 308)
RATE_LIMITED = (429, 503)
GONE = (404, 410)
MAX_BODY_BYTES = 256 * 1024 * 1024
MAX_REDIRECTS = 5
CONTACT_ENV = "PILOT_HARVEST_CONTACT"
ENV = {
    "connect_timeout": "PILOT_HTTP_CONNECT_TIMEOUT",
    "read_timeout": "PILOT_HTTP_READ_TIMEOUT",
    "tries": "PILOT_HTTP_TRIES",
    "backoff": "PILOT_HTTP_BACKOFF",
    "max_backoff": "PILOT_HTTP_MAX_BACKOFF",
    "max_retry_after": "PILOT_HTTP_MAX_RETRY_AFTER",
}


@dataclass(frozen=True)
class FetchPolicy:
    """Time-outs (s), attempts per page and back-off: ``backoff * 2**(attempt-1)`` seconds,
    at most ``max_backoff``, times a random factor in [0.5, 1]."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    tries: int = 5
    backoff: float = 2.0
    max_backoff: float = 60.0
    max_retry_after: float = 900.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> FetchPolicy:
        env = os.environ if environ is None else environ
        values: dict[str, float | int] = {}
        for name, var in ENV.items():
            text = env.get(var)
            if text is None or text == "":
                continue
            try:
                number = int(text) if name == "tries" else float(text)
            except ValueError:
                raise InputError(f"{var}={text!r} is not a number") from None
            if number < (1 if name == "tries" else 0):
                raise InputError(f"{var}={text!r} is out of range")
            values[name] = number
        return cls(**values)  # type: ignore[arg-type]

    def delay(self, attempt: int) -> float:
        """Back-off before attempt ``attempt + 1`` (attempt counts from 1)."""
        return min(self.max_backoff, self.backoff * 2 ** (attempt - 1)) * random.uniform(0.5, 1)


def user_agent() -> str:
    try:
        ver = version("pilot-evaluation")
    except PackageNotFoundError:
        ver = "0"
    contact = os.environ.get(CONTACT_ENV, "").strip()
    tail = f"; contact: {contact}" if contact else ""
    return (
        f"pilot-evaluation/{ver} (OpenActive RPDE harvester for social-prescribing "
        f"pilot evaluation{tail})"
    )


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP date), else None."""
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(int(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


class Retry(Exception):
    """One failed attempt worth repeating: the fault type, a message, an optional wait."""

    def __init__(self, fault: str, message: str, wait: float | None = None) -> None:
        super().__init__(message)
        self.fault, self.message, self.wait = fault, message, wait


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def request_target(parts_path: str, query: str) -> str:
    """The request line's path and query, byte for byte, except characters HTTP cannot carry
    (spaces, non-ASCII), which are percent-encoded; existing escapes are left alone."""
    target = (parts_path or "/") + (f"?{query}" if query else "")
    return quote(target, safe="/?&=%:@!$'()*+,;[]~-._")


class HttpClient:
    """GETs with separate connect/read time-outs, redirects, retries and a polite User-Agent."""

    def __init__(
        self, policy: FetchPolicy | None = None, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.policy = policy or FetchPolicy.from_env()
        self.sleep = sleep
        self.agent = user_agent()
        self._ssl = ssl.create_default_context()
        self.requests = 0

    def fetch(
        self,
        url: str,
        parse: Callable[[str, bytes], T],
        faults: FaultLog,
        accept: str = "application/json",
    ) -> T:
        """GET ``url`` and ``parse(url, body)``, retrying as the module docstring says."""
        last = ""
        for attempt in range(1, self.policy.tries + 1):
            try:
                response = self._get(url, accept)
                return parse(url, response.body)
            except BadContent as exc:
                faults.add(url, exc.fault, exc.detail)
                last, wait = f"{exc.fault.replace('_', '-')} page ({exc.detail})", None
            except Retry as exc:
                faults.add(url, exc.fault, exc.message)
                last, wait = exc.message, exc.wait
            if attempt == self.policy.tries:
                break
            if wait is not None and wait > self.policy.max_retry_after:
                raise FeedStopped(
                    "rate_limited",
                    f"{last}; the server asked to wait "
                    f"{wait:.0f} s, so stopped; harvest again later",
                )
            self.sleep(self.policy.delay(attempt) if wait is None else wait)
        raise FeedStopped(
            "retries_exhausted", f"gave up after {self.policy.tries} attempts: {last}"
        )

    def _get(self, url: str, accept: str) -> Response:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            response = self._once(current, accept)
            status = response.status
            if status == 200:
                return response
            if status in REDIRECTS and response.headers.get("Location"):
                current = urljoin(current, response.headers["Location"])
                continue
            if status in GONE:
                raise FeedStopped(
                    f"http_{status}",
                    f"HTTP {status} for {current}: gone; check the URL with the publisher",
                )
            if status in RATE_LIMITED:
                wait = parse_retry_after(response.headers.get("Retry-After"))
                raise Retry(f"http_{status}", f"HTTP {status} (rate limited or busy)", wait)
            if status >= 500 or status == 408:
                raise Retry(f"http_{status}", f"HTTP {status} from the server")
            raise FeedStopped(f"http_{status}", f"HTTP {status} for {current}")
        raise FeedStopped("too_many_redirects", f"more than {MAX_REDIRECTS} redirects from {url}")

    def _connection(
        self, scheme: str, host: str, port: int | None
    ) -> tuple[http.client.HTTPConnection, bool]:
        """A connection for ``host`` (through a configured proxy unless bypassed) and whether
        requests must carry the absolute URL (plain HTTP through a proxy)."""
        timeout = self.policy.connect_timeout
        proxy = None if _is_loopback(host) or proxy_bypass(host) else getproxies().get(scheme)
        if proxy:
            p = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
            if scheme == "http":
                return http.client.HTTPConnection(p.hostname or "", p.port, timeout=timeout), True
            conn = http.client.HTTPSConnection(
                p.hostname or "", p.port, timeout=timeout, context=self._ssl
            )
            conn.set_tunnel(host, port)
            return conn, False
        if scheme == "https":
            return http.client.HTTPSConnection(
                host, port, timeout=timeout, context=self._ssl
            ), False
        return http.client.HTTPConnection(host, port, timeout=timeout), False

    def _once(self, url: str, accept: str) -> Response:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FeedStopped("invalid_url", f"not an http(s) URL: {url[:200]}")
        conn, absolute = self._connection(parts.scheme, parts.hostname, parts.port)
        target = request_target(parts.path, parts.query)
        if absolute:
            target = f"{parts.scheme}://{parts.netloc}{target}"
        headers = {
            "User-Agent": self.agent,
            "Accept": f"{accept}, */*;q=0.5",
            "Accept-Encoding": "gzip",
        }
        self.requests += 1
        try:
            try:
                conn.connect()
            except TimeoutError:
                raise Retry(
                    "timeout",
                    f"could not connect to {parts.netloc} within "
                    f"{self.policy.connect_timeout:g} s",
                ) from None
            if conn.sock is not None:
                conn.sock.settimeout(self.policy.read_timeout)
            conn.request("GET", target, headers=headers)
            resp = conn.getresponse()
            body = self._read_body(resp)
            return Response(resp.status, resp.headers, body)
        except TimeoutError:
            raise Retry(
                "timeout", f"no response from {parts.netloc} within {self.policy.read_timeout:g} s"
            ) from None
        except http.client.IncompleteRead as exc:
            raise Retry("truncated", f"response cut short ({len(exc.partial)} bytes)") from None
        except ssl.SSLCertVerificationError as exc:
            raise FeedStopped(
                "tls_error",
                f"TLS certificate not trusted for {parts.hostname}: {exc.verify_message}",
            ) from None
        except (ConnectionError, http.client.HTTPException, OSError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise Retry(
                "network_error", f"network error talking to {parts.netloc}: {reason}"
            ) from None
        finally:
            conn.close()

    def _read_body(self, resp: http.client.HTTPResponse) -> bytes:
        chunks, total = [], 0
        while chunk := resp.read(1 << 20):
            chunks.append(chunk)
            total += len(chunk)
            if total > MAX_BODY_BYTES:
                raise FeedStopped("page_too_large", f"response larger than {MAX_BODY_BYTES} bytes")
        body = b"".join(chunks)
        length = resp.getheader("Content-Length")
        if resp.status == 200 and length and length.isdigit() and len(body) < int(length):
            raise Retry("truncated", f"response cut short ({len(body)} of {length} bytes)")
        if (resp.getheader("Content-Encoding") or "").lower() == "gzip":
            try:
                body = gzip.decompress(body)
            except (EOFError, OSError, zlib.error):
                raise Retry("truncated", "compressed response cut short or corrupt") from None
        return body
