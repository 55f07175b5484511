"""Start `pilot serve` on a store for a test, wait until it answers, and stop it afterwards."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Served:
    process: subprocess.Popen[bytes]
    base: str
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the server and its streamlit child (the whole process group started)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@contextmanager
def served(store: Path, log: Path, timeout: float) -> Iterator[Served]:
    """`pilot serve --store STORE` on a free port, once its health check answers 200 (else
    RuntimeError with the end of its log); stopped on leaving."""
    port = free_port()
    pilot = Path(sys.executable).with_name("pilot")
    # PYTHONPATH: the repo's packages win over a stale editable install of them.
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(pilot), "serve", "--store", str(store), "--port", str(port)],
            cwd=REPO, env={**os.environ, "PYTHONPATH": path}, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as reply:
                        if reply.status == 200:
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"no healthy server on port {port} within {timeout:.0f} s:\n"
                        f"{log.read_text()[-2000:]}"
                    )
                time.sleep(0.5)
            yield Served(process, base, log)
        finally:
            _stop(process)
