"""`pilot serve` starts the dashboard on the demo store and answers over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode("utf-8", "replace")


def loaded_libraries(pid: int) -> str:
    """The shared objects mapped by the server process or its children (Linux /proc)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return "".join(Path(f"/proc/{p}/maps").read_text() for p in (str(pid), *children))


def stop(process: subprocess.Popen) -> None:
    """End the server and its streamlit child (the whole process group we started)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def test_pilot_serve_answers_health_and_the_page(demo_store: Path, tmp_path: Path) -> None:
    port = free_port()
    pilot = Path(sys.executable).with_name("pilot")
    log = (tmp_path / "serve.log").open("w+")
    # PYTHONPATH: the repo's packages win over a stale editable install of them.
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p
        ),
    }
    process = subprocess.Popen(
        [str(pilot), "serve", "--store", str(demo_store), "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline, status = time.monotonic() + STARTUP_TIMEOUT, None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status, body = get(f"http://127.0.0.1:{port}/_stcore/health")
                if status == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        log.seek(0)
        output = log.read()
        assert status == 200, (
            f"no healthy server on port {port} within {STARTUP_TIMEOUT}s:\n{output}"
        )
        assert body.strip() == "ok"
        status, page = get(f"http://127.0.0.1:{port}/")
        assert status == 200 and "<html" in page.lower()
        # the statistics modules are loaded before any page has run (dashboard/preload.py)
        assert "statsmodels" in loaded_libraries(process.pid)
    finally:
        stop(process)
        log.close()
    assert process.returncode is not None
