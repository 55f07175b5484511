"""The export audit log: who exported what, when, and whether disclosure control was on.

One JSON object per line, appended to ``PILOT_AUDIT_LOG`` or, by default, ``audit/exports.jsonl``
in the store's folder (``data/audit/exports.jsonl`` for the default store). Every export writes a
line — the command line (``pilot export``), the Export page and each download button beside a
chart or table — before its files are handed over, so a failed write of the log stops the export
instead of letting it leave unrecorded. Lines are appended with ``O_APPEND`` in one ``write``, so
concurrent sessions do not interleave.
"""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from analysis.errors import InputError
from analysis.store import resolve_store_path

__all__ = ["ExportEvent", "audit_log_path", "local_user", "read_audit_log", "record_export"]

AUDIT_LOG_ENV = "PILOT_AUDIT_LOG"


@dataclass(frozen=True)
class ExportEvent:
    """One line of the audit log."""

    user: str
    role: str
    channel: str  # "cli", "export page" or "download button"
    what: str  # "bundle" or the catalogue name of one table or figure
    formats: tuple[str, ...]
    disclosure_control: bool
    pilot: str | None = None
    filters: dict[str, object] = field(default_factory=dict)
    destination: str | None = None  # where the files went: the folder (cli) or the file name
    pages: tuple[str, ...] | None = None  # a bundle of only these pages' items (None: every page)
    at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


def audit_log_path(store: str | os.PathLike[str] | None = None) -> Path:
    """Where the log lives: ``PILOT_AUDIT_LOG``, else ``audit/exports.jsonl`` beside the store."""
    configured = os.environ.get(AUDIT_LOG_ENV)
    if configured:
        return Path(configured)
    return resolve_store_path(store).resolve().parent / "audit" / "exports.jsonl"


def local_user() -> str:
    """The operating-system user, for exports made without sign-in."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return f"uid {os.getuid()}"


def record_export(event: ExportEvent, path: Path | None = None) -> Path:
    """Append ``event`` to the log (creating its folder) and return the log's path."""
    target = path or audit_log_path()
    line = json.dumps(asdict(event), default=str, ensure_ascii=False) + "\n"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)
    except OSError as exc:
        raise InputError(
            f"{target}: cannot write the export audit log ({exc.strerror or exc}); set "
            f"{AUDIT_LOG_ENV} to a writable file"
        ) from exc
    return target


def read_audit_log(path: Path | None = None) -> list[dict[str, object]]:
    """Every recorded export, oldest first (an absent log is an empty list)."""
    target = path or audit_log_path()
    if not target.exists():
        return []
    lines: Iterable[str] = target.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
