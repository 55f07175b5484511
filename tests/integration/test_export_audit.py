"""Every export leaves a line in the audit log — who, when, what, formats, disclosure state —
written before any file: `pilot export` and the Export page's build."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from analysis.cli import main
from analysis.export.audit import audit_log_path, local_user, read_audit_log
from analysis.roles import LOCAL

ENTRY = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
PILOT = "Eastbrook live-feed pilot"


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "audit" / "exports.jsonl"
    monkeypatch.setenv("PILOT_AUDIT_LOG", str(path))
    return path


def _recent(stamp: object) -> bool:
    at = datetime.fromisoformat(str(stamp))
    return timedelta(0) <= datetime.now(UTC) - at < timedelta(minutes=10)


@pytest.mark.parametrize("raw", [False, True])
def test_pilot_export_records_who_when_what(
    demo_store: Path, tmp_path: Path, log: Path, raw: bool
) -> None:
    out = tmp_path / "bundle"
    args = ["export", "--out", str(out), "--store", str(demo_store), "--format", "csv",
            "--pilot", PILOT] + (["--no-disclosure-control"] if raw else [])  # fmt: skip
    assert main(args) == 0
    (line,) = read_audit_log(log)
    assert line["user"] == local_user() and line["role"] == "local"
    assert line["channel"] == "cli" and line["what"] == "bundle"
    assert line["formats"] == ["csv"] and line["pilot"] == PILOT
    assert line["disclosure_control"] is (not raw)
    assert line["destination"] == str(out.resolve())
    assert _recent(line["at"])


def test_a_refused_export_records_nothing(demo_store: Path, tmp_path: Path, log: Path) -> None:
    for args in (["--format", "gif"], ["--format", "csv", "--pilot", "No such pilot"]):
        assert (
            main(["export", "--out", str(tmp_path / "x"), "--store", str(demo_store), *args]) == 1
        )
    assert read_audit_log(log) == []
    assert not (tmp_path / "x").exists()


def test_an_unwritable_log_stops_the_export_before_any_file(
    demo_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the log's folder should be")
    monkeypatch.setenv("PILOT_AUDIT_LOG", str(blocker / "exports.jsonl"))
    out = tmp_path / "bundle"
    assert main(["export", "--out", str(out), "--store", str(demo_store), "--format", "csv"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot write the export audit log" in err[0]
    assert not out.exists() and not out.with_name("bundle.zip").exists()


def test_the_log_lives_beside_the_store_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PILOT_AUDIT_LOG", raising=False)
    store = tmp_path / "data" / "pilot.duckdb"
    assert audit_log_path(store) == (tmp_path / "data" / "audit" / "exports.jsonl").resolve()


def test_the_export_pages_build_records_a_line_before_the_zip(
    demo_store: Path, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds: dict[str, Callable[[], bytes]] = {}
    original = MediaFileManager.add_deferred

    def capture(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        builds[str(file_name)] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", capture)
    monkeypatch.setenv("PILOT_STORE", str(demo_store))
    at = AppTest.from_file(str(ENTRY), default_timeout=60).switch_page("views/export.py").run()
    at.multiselect(key="export_formats").set_value(["csv"]).run()
    at.checkbox(key="export_raw").check().run()
    assert not at.exception
    assert read_audit_log(log) == []  # nothing is built (or logged) until the click
    data = builds["pilot-export.zip"]()
    (line,) = read_audit_log(log)
    assert line["channel"] == "export page" and line["what"] == "bundle"
    assert line["user"] == "local user" and line["role"] == "local"
    assert line["formats"] == ["csv"] and line["disclosure_control"] is False
    assert line["pilot"] == PILOT and line["destination"] == "pilot-export.zip"
    assert line["pages"] == list(LOCAL.pages)  # the pages whose items the bundle holds
    assert _recent(line["at"])
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "pilot-export/methods.md" in names
