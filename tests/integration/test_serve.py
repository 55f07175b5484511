"""`pilot serve` starts the dashboard on the demo store and answers over HTTP."""

from __future__ import annotations

import urllib.request
from pathlib import Path

from tests.serving import served

STARTUP_TIMEOUT = 60


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode("utf-8", "replace")


def loaded_libraries(pid: int) -> str:
    """The shared objects mapped by the server process or its children (Linux /proc)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return "".join(Path(f"/proc/{p}/maps").read_text() for p in (str(pid), *children))


def server_environment(pid: int) -> list[str]:
    """The environment of the server process that `pilot serve` started (its child)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return Path(f"/proc/{children[0]}/environ").read_bytes().decode().split("\0")


def test_pilot_serve_answers_health_and_the_page(demo_store: Path, tmp_path: Path) -> None:
    with served(demo_store, tmp_path / "serve.log", STARTUP_TIMEOUT) as running:
        status, body = get(f"{running.base}/_stcore/health")
        assert status == 200 and body.strip() == "ok"
        status, page = get(f"{running.base}/")
        assert status == 200 and "<html" in page.lower()
        # the statistics modules are loaded before any page has run (dashboard/preload.py)
        assert "statsmodels" in loaded_libraries(running.process.pid)
        # the server runs with one BLAS thread unless the environment says otherwise
        assert "OPENBLAS_NUM_THREADS=1" in server_environment(running.process.pid)
    assert running.process.returncode is not None
