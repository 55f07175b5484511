"""`pilot export` on the demo: files, numbers, disclosure control, zip, a missing Chromium."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.disclosure import REDACTED
from analysis.export.bundle import export_bundle
from analysis.export.catalogue import FIGURES, PCN_MONTH_COUNTS, PCN_SUMMARY_SPEC, TABLES
from analysis.export.catalogue_columns import FALLBACK
from analysis.export.figures import BrowserMissingError, find_browser
from analysis.roles import ROLE_PAGES
from analysis.store import open_store

PILOT = "Eastbrook live-feed pilot"


def _has_browser() -> bool:
    try:
        find_browser()
    except BrowserMissingError:
        return False
    return True


needs_browser = pytest.mark.skipif(not _has_browser(), reason="no Chromium on this machine "
                                   "(apt-get install -y chromium or set BROWSER_PATH)")  # fmt: skip


@pytest.fixture(scope="module")
def tables_raw(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("raw") / "bundle"
    code = main(["export", "--out", str(out), "--store", str(demo_store),
                 "--format", "csv,xlsx", "--no-disclosure-control"])  # fmt: skip
    assert code == 0
    return out


@pytest.fixture(scope="module")
def tables_safe(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("safe") / "bundle"
    assert main(["export", "--out", str(out), "--store", str(demo_store), "--format", "csv"]) == 0
    return out


def test_raw_tables_equal_the_marts(tables_raw: Path, demo_store: Path) -> None:
    con = open_store(demo_store, read_only=True)
    mart = con.cursor().execute("SELECT * FROM mart_pcn_month").df()
    con.close()
    for frame in (pd.read_csv(tables_raw / "tables" / "pcn_month.csv"),
                  pd.read_excel(tables_raw / "tables" / "pcn_month.xlsx")):  # fmt: skip
        key = ["pcn_code", "month"]
        got = frame.assign(month=pd.to_datetime(frame["month"])).sort_values(key)
        want = mart.assign(month=pd.to_datetime(mart["month"])).sort_values(key)
        for column in [*PCN_MONTH_COUNTS, "days_to_first_attendance_total"]:
            assert got[column].tolist() == want[column].tolist(), column
    summary = pd.read_csv(tables_raw / "tables" / "pcn_summary.csv")
    body = summary[summary["pcn_code"] != "ALL"].set_index("pcn_code").sort_index()
    sums = mart.groupby("pcn_code")[PCN_MONTH_COUNTS].sum().sort_index()
    for column in ["referrals", "contacted", "first_attended", "retained_12w"]:
        assert body[column].tolist() == sums.loc[body.index, column].tolist()
    methods = (tables_raw / "methods.md").read_text()
    assert "Disclosure control: **OFF**" in methods and "turned off" in methods


def test_disclosure_control_on_by_default(tables_safe: Path) -> None:
    checks = {"pcn_summary": list(PCN_SUMMARY_SPEC.counts), "pcn_month": PCN_MONTH_COUNTS}
    for name, counts in checks.items():
        frame = pd.read_csv(tables_safe / "tables" / f"{name}.csv", dtype=str)
        for column in counts:
            cells = frame[column].dropna()
            values = pd.to_numeric(cells[cells != REDACTED])
            assert not values.between(1, 7).any(), (name, column)
            assert (values % 5 == 0).all(), (name, column)
    month = pd.read_csv(tables_safe / "tables" / "pcn_month.csv", dtype=str)
    assert "days_to_first_attendance_total" not in month.columns
    assert (month[PCN_MONTH_COUNTS] == REDACTED).any().any()
    methods = (tables_safe / "methods.md").read_text()
    assert "Disclosure control: **ON**" in methods and "OpenSAFELY" in methods
    dictionary = pd.read_csv(tables_safe / "data-dictionary.csv")
    assert {"pcn_summary", "pcn_month"} <= set(dictionary["table"])


def test_zip_holds_every_file(tables_safe: Path) -> None:
    files = {p.relative_to(tables_safe.parent).as_posix()
             for p in tables_safe.rglob("*") if p.is_file()}  # fmt: skip
    with zipfile.ZipFile(tables_safe.with_name("bundle.zip")) as archive:
        assert set(archive.namelist()) == files
    assert "bundle/methods.md" in files and "bundle/data-dictionary.csv" in files


@pytest.mark.browser
@needs_browser
def test_figures_png_svg_pdf(demo_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "figs"
    code = main(["export", "--out", str(out), "--store", str(demo_store), "--format",
                 "png,svg,pdf", "--pilot", "Eastbrook live-feed pilot"])  # fmt: skip
    assert code == 0
    for item in FIGURES:
        png = (out / "figures" / f"{item.name}.png").read_bytes()
        assert png[:4] == b"\x89PNG"
        width, height = struct.unpack(">II", png[16:24])
        assert width > 0 and height > 0
        assert b"<svg" in (out / "figures" / f"{item.name}.svg").read_bytes()[:2000]
        assert (out / "figures" / f"{item.name}.pdf").read_bytes()[:4] == b"%PDF"


def test_missing_chromium_is_one_line_exit_1(demo_store: Path, tmp_path: Path) -> None:
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "BROWSER_PATH": "/nonexistent", "PATH": str(bin_dir)}
    env.pop("PILOT_DEBUG", None)
    result = subprocess.run(
        [str(bin_dir / "pilot"), "export", "--out", str(tmp_path / "x"), "--store",
         str(demo_store), "--format", "png"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "apt-get install -y chromium" in lines[0] and "BROWSER_PATH" in lines[0]
    assert not (tmp_path / "x").exists()


def test_unknown_format_and_pilot(demo_store: Path, tmp_path: Path, capsys) -> None:
    assert main(["export", "--out", str(tmp_path / "a"), "--store", str(demo_store),
                 "--format", "gif"]) == 1  # fmt: skip
    assert main(["export", "--out", str(tmp_path / "b"), "--store", str(demo_store),
                 "--format", "csv", "--pilot", "Nowhere"]) == 1  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "gif" in err[0] and "Nowhere" in err[1]


def test_raw_figure_data_of_new_charts_equal_the_marts(tables_raw: Path, demo_store: Path) -> None:
    con = open_store(demo_store, read_only=True)
    mart = con.cursor().execute("SELECT pcn_code, sum(referrals) AS referrals, "
                                "sum(first_attended) AS first_attended FROM mart_pcn_month "
                                "GROUP BY ALL").df().set_index("pcn_code")  # fmt: skip
    con.close()
    plot = pd.read_csv(tables_raw / "figure-data" / "uptake_funnel_plot.csv").set_index("pcn_code")
    for column in ("referrals", "first_attended"):
        assert plot[column].to_dict() == mart.loc[plot.index, column].to_dict()
    for name in ("supply_coverage", "retention_cox", "outcomes_change_by_arm",
                 "outcomes_ons4_bands", "data_quality_rejects", "data_quality_freshness"):  # fmt: skip
        assert (tables_raw / "figure-data" / f"{name}.csv").exists(), name
    assert (tables_raw / "tables" / "impact_estimates.csv").exists()


def test_pilot_impact_exported_with_a_pilot(demo_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "impact"
    assert main(["export", "--out", str(out), "--store", str(demo_store), "--format", "csv",
                 "--pilot", "Eastbrook live-feed pilot"]) == 0  # fmt: skip
    estimates = pd.read_csv(out / "tables" / "impact_estimates.csv")
    assert set(estimates["model"]) == {"poisson", "negative_binomial"}
    assert estimates["selected"].sum() >= 1
    series = pd.read_csv(out / "figure-data" / "impact_observed_counterfactual.csv", dtype=str)
    cells = series["pilot_referrals"].dropna()
    values = pd.to_numeric(cells[cells != REDACTED])
    assert len(values) and (values % 5 == 0).all()


@pytest.fixture(scope="module")
def pilot_safe(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pilot") / "bundle"
    assert main(["export", "--out", str(out), "--store", str(demo_store), "--format", "csv",
                 "--pilot", PILOT]) == 0  # fmt: skip
    return out


def _written(out: Path) -> dict[str, list[str]]:
    """Every table and figure-data file of a bundle with its columns, as the dictionary names
    them (``pcn_summary``, ``figure-data/uptake_by_month``)."""
    files = {f"{p.stem}": p for p in (out / "tables").glob("*.csv")}
    files |= {f"figure-data/{p.stem}": p for p in (out / "figure-data").glob("*.csv")}
    return {name: list(pd.read_csv(path, nrows=0).columns) for name, path in files.items()}


@pytest.mark.parametrize("bundle", ["tables_raw", "pilot_safe"])
def test_data_dictionary_defines_every_exported_column(bundle: str, request) -> None:
    out: Path = request.getfixturevalue(bundle)
    dictionary = pd.read_csv(out / "data-dictionary.csv")
    written = {(t, c) for t, columns in _written(out).items() for c in columns}
    assert set(zip(dictionary["table"], dictionary["column"], strict=True)) == written
    vague = dictionary[dictionary["definition"] == FALLBACK]
    assert vague.empty, vague[["table", "column"]].to_string()
    assert dictionary["definition"].str.len().min() > 5


def test_every_item_is_in_the_bundle(pilot_safe: Path) -> None:
    assert {p.stem for p in (pilot_safe / "tables").glob("*.csv")} == {t.name for t in TABLES}
    assert {p.stem for p in (pilot_safe / "figure-data").glob("*.csv")} == {
        f.name for f in FIGURES
    }
    comparison = pd.read_csv(pilot_safe / "tables" / "impact_comparison_pcns.csv")
    assert set(comparison["arm"]) == {"pilot", "comparison"}


def test_a_commissioners_pages_hold_no_uptake_or_retention(demo_store: Path, tmp_path: Path
                                                           ) -> None:  # fmt: skip
    con = open_store(demo_store, read_only=True)
    try:
        report = export_bundle(con, tmp_path / "c", ["csv"], PILOT,
                               pages=ROLE_PAGES["commissioner"])  # fmt: skip
    finally:
        con.close()
    names = {p.stem for p in report.files if p.parent.name in ("tables", "figure-data")}
    assert {"pcn_summary", "pcn_month", "supply_coverage", "supply_areas", "overview_funnel",
            "impact_estimates", "equity_sii"} <= names  # fmt: skip
    assert not any(n.startswith(("uptake_", "retention_", "outcomes_", "data_quality_"))
                   for n in names)  # fmt: skip
    with zipfile.ZipFile(report.zip_path) as archive:
        assert not any("/uptake_" in n or "/retention_" in n for n in archive.namelist())
    dictionary = pd.read_csv(tmp_path / "c" / "data-dictionary.csv")
    assert not dictionary["table"].str.contains(r"(?:^|/)(?:uptake|retention)_").any()
    assert "Pages: the tables and figures of overview.py" in (tmp_path / "c" / "methods.md"
                                                              ).read_text()  # fmt: skip
