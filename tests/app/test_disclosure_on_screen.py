"""Commissioners see every page under disclosure control; local users see the true counts; the
download buttons beside a chart hand over protected, audited files.

The commissioner's access is injected where the entrypoint reads it without sign-in configured
(``analysis.roles.LOCAL``, and its copy in ``dashboard.auth`` where sign-in is resolved), so the
page receives it in ``st.session_state["access"]`` through the ordinary app flow.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

import analysis.roles
from analysis.disclosure import REDACTED
from analysis.export.audit import read_audit_log
from analysis.export.catalogue import by_name
from analysis.export.figures import BrowserMissingError, find_browser
from analysis.filters import Filters
from analysis.metrics.overview import arm_pcns, pilot_names
from analysis.roles import LOCAL, Access
from tests.app.conftest import page_opener

COMMISSIONER = replace(LOCAL, user="commissioner@example.nhs.uk", role="commissioner",
                       disclosure_on_screen=True, may_lift_disclosure=False)  # fmt: skip
KM_TITLE = "Still attending, by weeks since first attendance"  # the Kaplan–Meier chart
PAGES = ["overview", "supply", "uptake", "retention", "outcomes", "impact", "equity",
         "data_quality"]  # fmt: skip
COUNTS = {c for item in by_name().values() for c in item.spec.counts if item.protect != "km"}
COUNTS |= {"referred_people", "referred", "in_view", "arm_starters", "starters"}
MIDPOINT6 = re.compile(r"^(\d+ weeks|n_at_risk|n_events)$")  # retention: midpoint-6


def as_number(value: object) -> float | None:
    """A displayed count as a number (``"1,230"`` → 1230); None for blanks and markers."""
    if value is None or value is pd.NA or value == REDACTED or str(value).startswith("≤"):
        return None
    try:
        number = float(str(value).replace(",", ""))
    except ValueError:
        return None
    return None if pd.isna(number) else number


def safe_round5(value: float) -> bool:
    return value == 0 or (value > 7 and value % 5 == 0)


def safe_midpoint6(value: float) -> bool:
    """At risk = m6(starters) − m6(left before), both ``6k − 3`` or 0: a multiple of 3."""
    return value % 3 == 0


BINDING_LOCAL = ("dashboard.auth", "dashboard.exhibit")
"""Modules that import ``LOCAL`` by name (the Export page script is run fresh each time)."""


@pytest.fixture
def as_user(demo_store: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    def open_as(access: Access, page: str, **params: str) -> AppTest:
        # Import the modules that bind LOCAL before patching it, so each keeps (and gets back
        # after the test) the true local user rather than this test's.
        for name in BINDING_LOCAL:
            monkeypatch.setattr(importlib.import_module(name), "LOCAL", access)
        monkeypatch.setattr(analysis.roles, "LOCAL", access)
        return page_opener(f"views/{page}.py", demo_store, monkeypatch, run_entry_first=True)(
            **params
        )

    return open_as


def figure_counts(at: AppTest) -> Iterator[tuple[str, float]]:
    """Counts of people drawn in the charts: bar labels and hover values formatted as counts."""
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        title = str(spec["layout"].get("title", {}).get("text", ""))
        if any(w in title.lower() for w in ("series", "fault", "organiser", "sp-ready")):
            continue  # sessions, feeds and publishers, not people
        for trace in spec["data"]:
            hover = str(trace.get("hovertemplate", ""))
            data = trace.get("customdata") or []
            if "customdata[0]:," in hover or "customdata:," in hover:
                for entry in data:
                    first = entry[0] if isinstance(entry, list) else entry
                    if (n := as_number(first)) is not None:
                        yield title, n
            for text in trace.get("text") or []:
                if isinstance(text, str) and re.fullmatch(r"[\d,]+(\.0)?", text):
                    yield title, float(text.replace(",", ""))


@pytest.mark.parametrize("page", PAGES)
def test_commissioner_sees_no_small_or_unrounded_count(as_user, demo, page: str) -> None:
    at = as_user(COMMISSIONER, page, pilot=pilot_names(demo)[0])
    assert not at.exception, at.exception
    assert any("Disclosure control is on" in c.value for c in at.caption)
    checked = 0
    for frame in (d.value for d in at.dataframe):
        for column in frame.columns:
            rule = safe_midpoint6 if MIDPOINT6.match(str(column)) else safe_round5
            if column not in COUNTS and rule is safe_round5:
                continue
            for value in frame[column]:
                if (n := as_number(value)) is not None:
                    checked += 1
                    assert rule(n), (page, column, value)
    for metric in at.metric:
        if metric.label == "Referrals" and (n := as_number(metric.value)) is not None:
            checked += 1
            assert safe_round5(n), (page, metric.label, metric.value)
    for title, n in figure_counts(at):
        checked += 1
        rule = safe_midpoint6 if title == KM_TITLE else safe_round5
        assert rule(n), (page, title, n)
    assert checked > 0, f"no counts found on the {page} page"


def test_local_user_sees_true_counts_commissioner_rounded(as_user, demo) -> None:
    pilot = pilot_names(demo)[0]
    arms = arm_pcns(demo, Filters(pilot=pilot))
    mart = demo.execute("SELECT pcn_code, sum(referrals) AS n FROM mart_pcn_month GROUP BY ALL")
    per_pcn = mart.df().set_index("pcn_code")["n"]
    pilot_pcns = arms.loc[arms["arm"] == "pilot", "pcn_code"]
    true = int(per_pcn.reindex(pilot_pcns).fillna(0).sum())
    local = as_user(LOCAL, "overview", pilot=pilot)
    assert local.metric[0].label == "Referrals" and local.metric[0].value == f"{true:,}"
    shown = as_user(COMMISSIONER, "overview", pilot=pilot)
    assert shown.metric[0].value == f"{int(5 * ((true + 2.5) // 5)):,}"
    assert true % 5 == 0 or shown.metric[0].value != local.metric[0].value


@pytest.fixture
def deferred(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], bytes]]:
    """Every deferred download registered during a run, by file name."""
    found: dict[str, Callable[[], bytes]] = {}
    original = MediaFileManager.add_deferred

    def capture(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        found[str(file_name)] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", capture)
    return found


def test_download_buttons_return_protected_files_and_audit(
    as_user, demo, deferred, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv("PILOT_AUDIT_LOG", str(log))
    at = as_user(COMMISSIONER, "overview", pilot=pilot_names(demo)[0])
    assert not at.exception
    keys = {b.proto.id.split("-")[-1] for b in at.get("download_button")}
    assert {"download_funnel_csv", "download_funnel_xlsx"} <= keys
    shown = next(d.value for d in at.dataframe if "stage_label" in d.value.columns)
    csv = pd.read_csv(io.BytesIO(deferred["overview_funnel.csv"]()), keep_default_na=False)
    assert list(csv.columns) == list(shown.columns)
    for column in ("count", "total"):
        cells = csv[column].astype(str)
        assert (cells == REDACTED).tolist() == shown[column].isna().tolist()
        kept = shown[column].notna()
        assert pd.to_numeric(cells[kept]).tolist() == shown.loc[kept, column].tolist()
    assert pd.to_numeric(csv["share"]).tolist() == pytest.approx(shown["share"].tolist())
    lines = read_audit_log(log)
    assert lines[-1]["what"] == "overview_funnel" and lines[-1]["formats"] == ["csv"]
    assert lines[-1]["role"] == "commissioner" and lines[-1]["disclosure_control"] is True
    assert lines[-1]["channel"] == "download button"
    try:
        find_browser()
    except BrowserMissingError:
        assert any("Only the numbers can be downloaded" in c.value for c in at.caption)
        return
    assert deferred["overview_funnel.png"]()[:8] == b"\x89PNG\r\n\x1a\n"
    assert read_audit_log(log)[-1]["formats"] == ["png"]
