"""Overview metrics against counts made independently in the test, with plain Python.

A small place is written as CSVs from a seed (5 PCNs, a pilot of 2 PCNs against 2 comparison
PCNs, one PCN outside the pilot, ~600 referrals over 2024) and loaded through the real loaders,
so the expected numbers come from the raw rows, never from the SQL under test.
"""

from __future__ import annotations

import csv
import math
import random
import statistics
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from analysis.filters import Filters
from analysis.metrics import overview as m
from analysis.store import open_store

PILOT = "Tiny live-feed pilot"
GO_LIVE = date(2024, 7, 1)
ARMS = {"U10001": "pilot", "U10002": "pilot", "U10003": "comparison", "U10004": "comparison"}
PCN_PATIENTS = {"U10001": 21000, "U10002": 9000, "U10003": 15000, "U10004": 12000, "U10005": 8000}
FIRST, LAST = date(2024, 1, 1), date(2024, 12, 31)
SOURCES = ("gp", "link_worker", "self")
CONDITIONS = ("mental_health", "diabetes", "msk", "loneliness")


def _write(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def write_place(folder: Path, seed: int = 7) -> tuple[list[dict], list[dict]]:
    """CSV inputs for a small place; returns the referral and follow-up rows as written."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    practices, areas = [], []
    for i, (pcn, patients) in enumerate(PCN_PATIENTS.items()):
        for j in range(2):
            practices.append(
                {
                    "practice_code": f"F8{i}00{j}",
                    "practice_name": f"Practice {i}{j}",
                    "pcn_code": pcn,
                    "pcn_name": f"PCN {pcn[-1]}",
                    "latitude": 51.5 + i / 100,
                    "longitude": -0.1 - j / 100,
                    "registered_patients": patients // 2,
                }
            )
        areas.append(
            {
                "lsoa_code": f"E0100000{i}",
                "latitude": 51.5 + i / 100,
                "longitude": -0.1,
                "population": 1500,
                "imd_decile": i + 1,
                "pcn_code": pcn,
            }
        )
    referrals, followups = [], []
    for n in range(600):
        practice = rng.choice(practices)
        referred = FIRST + timedelta(days=rng.randrange((LAST - FIRST).days + 1))
        contacted = rng.random() < 0.85
        started = contacted and rng.random() < 0.75
        first = referred + timedelta(days=rng.randrange(1, 40)) if started else None
        if first and first > LAST:
            first = None
        row = {
            "referral_id": f"R{n:04d}",
            "patient_id": f"P{n:04d}",
            "referral_date": referred.isoformat(),
            "practice_code": practice["practice_code"],
            "referral_source": rng.choice(SOURCES),
            "age_band": "45-54",
            "sex": "female",
            "ethnicity": "white",
            "lsoa_code": f"E0100000{practice['practice_code'][2]}",
            "conditions": ";".join(rng.sample(CONDITIONS, rng.randrange(0, 3))),
            "contacted_date": (referred + timedelta(days=1)).isoformat() if contacted else "",
            "first_attended_date": first.isoformat() if first else "",
            "status": "attending" if first else ("contacted" if contacted else "referred"),
        }
        referrals.append(row)
        if not first:
            continue
        attending = True
        for week in (0, 4, 12, 26):
            when = first + timedelta(weeks=week, days=rng.randrange(-3, 4) if week else 0)
            if when > LAST or (week and rng.random() < 0.15):  # not due yet, or missed
                continue
            attending = attending and (week == 0 or rng.random() < 0.8)
            followups.append(
                {
                    "referral_id": row["referral_id"],
                    "followup_date": when.isoformat(),
                    "followup_week": week,
                    "still_attending": "" if week == 0 else ("yes" if attending else "no"),
                }
            )
    _write(folder / "practices.csv", practices)
    _write(folder / "areas.csv", areas)
    _write(folder / "referrals.csv", referrals)
    _write(folder / "followups.csv", followups)
    (folder / "pilots.toml").write_text(
        f'[dataset]\nsynthetic = true\nname = "Tiny test place"\n\n[[pilot]]\nname = "{PILOT}"\n'
        f'pcn_codes = ["U10001", "U10002"]\ncomparison_pcn_codes = ["U10003", "U10004"]\n'
        f"go_live = {GO_LIVE.isoformat()}\n",
        encoding="utf-8",
    )
    return referrals, followups


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory):
    from analysis.pipeline import load_folder

    folder = tmp_path_factory.mktemp("tiny")
    referrals, followups = write_place(folder / "inputs")
    store = folder / "pilot.duckdb"
    load_folder(folder / "inputs", store)
    con = open_store(store, read_only=True)
    yield con, referrals, followups
    con.close()


# ---------------------------------------------------------------------------------------------
# Independent reckoning from the raw rows
# ---------------------------------------------------------------------------------------------
def wilson(x: float, n: float, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval, written out from Wilson (1927)."""
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def arm_of(row: dict, pilot: bool = True) -> str | None:
    pcn = f"U1000{int(row['practice_code'][2]) + 1}"
    return ARMS.get(pcn) if pilot else "all"


def in_period(row: dict, start: date = FIRST, end: date = LAST) -> bool:
    return start <= date.fromisoformat(row["referral_date"]) <= end


def as_of(referrals: list[dict], followups: list[dict]) -> date:
    return max(
        date.fromisoformat(r[k])
        for rows, k in ((referrals, "referral_date"), (followups, "followup_date"))
        for r in rows
    )


def test_kpis_match_raw_counts(place) -> None:
    con, referrals, followups = place
    got = m.kpis(con, Filters(pilot=PILOT)).set_index("arm")
    assert list(got.index) == ["pilot", "comparison"]
    week12 = {
        f["referral_id"]: f["still_attending"] for f in followups if f["followup_week"] == 12
    }
    cutoff = as_of(referrals, followups)
    for arm in ("pilot", "comparison"):
        rows = [r for r in referrals if arm_of(r) == arm]
        starters = [r for r in rows if r["first_attended_date"]]
        due = [
            r
            for r in starters
            if date.fromisoformat(r["first_attended_date"]) + timedelta(days=84) <= cutoff
        ]
        retained = [r for r in due if week12.get(r["referral_id"]) == "yes"]
        followed = [r for r in due if r["referral_id"] in week12]
        days = [
            (
                date.fromisoformat(r["first_attended_date"])
                - date.fromisoformat(r["referral_date"])
            ).days
            for r in starters
        ]
        k = got.loc[arm]
        assert k["referrals"] == len(rows)
        assert k["first_attended"] == len(starters)
        assert k["starters_due_12w"] == len(due) and k["retained_12w"] == len(retained)
        assert k["followed_up_12w"] == len(followed)
        assert k["uptake"] == pytest.approx(len(starters) / len(rows))
        assert (k["uptake_lower"], k["uptake_upper"]) == pytest.approx(
            wilson(len(starters), len(rows)), rel=1e-9
        )
        assert k["retention_12w"] == pytest.approx(len(retained) / len(due))
        assert (k["retention_12w_lower"], k["retention_12w_upper"]) == pytest.approx(
            wilson(len(retained), len(due)), rel=1e-9
        )
        assert k["retention_12w_cc"] == pytest.approx(len(retained) / len(followed))
        assert k["days_median"] == pytest.approx(statistics.median(days))
        q1, _, q3 = statistics.quantiles(days, n=4, method="inclusive")
        assert (k["days_q1"], k["days_q3"]) == pytest.approx((q1, q3))
        patients = sum(PCN_PATIENTS[p] for p, a in ARMS.items() if a == arm)
        held = [date.fromisoformat(r["referral_date"]) for r in referrals]
        years = ((max(held) - min(held)).days + 1) / 365.25  # the period is the dates held
        assert k["referral_rate"] == pytest.approx(len(rows) / (patients * years) * 1000)
        assert k["referral_rate_lower"] < k["referral_rate"] < k["referral_rate_upper"]
        assert k["go_live"] == pd.Timestamp(GO_LIVE)


def test_retention_counts_only_starters_whose_week_12_is_due(place) -> None:
    con, referrals, _ = place
    k = m.kpis(con, Filters(pilot=PILOT)).set_index("arm")
    starters = sum(1 for r in referrals if r["first_attended_date"] and arm_of(r) == "pilot")
    assert 0 < k.loc["pilot", "starters_due_12w"] < starters
    # Dividing by every starter would be lower: recent starters cannot have been retained yet.
    naive = k.loc["pilot", "retained_12w"] / starters
    assert k.loc["pilot", "retention_12w"] > naive


def test_no_pilot_treats_all_pcns_as_one_group(place) -> None:
    con, referrals, _ = place
    got = m.kpis(con, Filters())
    assert got["arm"].tolist() == ["all"] and got["arm_label"].tolist() == ["All PCNs"]
    assert got.loc[0, "referrals"] == len(referrals)
    assert got.loc[0, "registered_patients"] == sum(PCN_PATIENTS.values())
    assert pd.isna(got.loc[0, "go_live"])


@pytest.mark.parametrize(
    ("filters", "keep"),
    [
        (
            Filters(pilot=PILOT, start=date(2024, 3, 1), end=date(2024, 5, 31)),
            lambda r: in_period(r, date(2024, 3, 1), date(2024, 5, 31)),
        ),
        (
            Filters(pilot=PILOT, pcn_codes=("U10001", "U10003")),
            lambda r: r["practice_code"][2] in "02",
        ),
        (
            Filters(pilot=PILOT, referral_sources=("self",)),
            lambda r: r["referral_source"] == "self",
        ),
        (
            Filters(pilot=PILOT, conditions=("msk", "diabetes")),
            lambda r: bool({"msk", "diabetes"} & set(r["conditions"].split(";"))),
        ),
    ],
)
def test_filters_restrict_referrals(place, filters: Filters, keep) -> None:
    con, referrals, _ = place
    got = m.kpis(con, filters).set_index("arm")["referrals"].to_dict()
    expected: dict[str, int] = {}
    for r in referrals:
        if arm_of(r) and keep(r):
            expected[arm_of(r)] = expected.get(arm_of(r), 0) + 1
    assert got == expected


def test_rate_uses_the_years_in_the_period(place) -> None:
    con, referrals, _ = place
    start, end = date(2024, 4, 1), date(2024, 6, 30)
    k = m.kpis(con, Filters(pilot=PILOT, start=start, end=end)).set_index("arm")
    count = sum(1 for r in referrals if arm_of(r) == "comparison" and in_period(r, start, end))
    assert k.loc["comparison", "years"] == pytest.approx(91 / 365.25)
    assert k.loc["comparison", "referral_rate"] == pytest.approx(
        count / (27000 * 91 / 365.25) * 1000
    )


def test_funnel_counts_each_stage(place) -> None:
    con, referrals, followups = place
    got = m.funnel(con, Filters(pilot=PILOT))
    assert got["stage_label"].unique().tolist() == list(m.FUNNEL_STAGES.values())
    stills = {(f["referral_id"], f["followup_week"]): f["still_attending"] for f in followups}
    for arm in ("pilot", "comparison"):
        rows = [r for r in referrals if arm_of(r) == arm]
        expected = [
            len(rows),
            sum(1 for r in rows if r["contacted_date"] or r["first_attended_date"]),
            sum(1 for r in rows if r["first_attended_date"]),
            *(
                sum(1 for r in rows if stills.get((r["referral_id"], w)) == "yes")
                for w in (4, 12, 26)
            ),
        ]
        counts = got[got["arm"] == arm]["count"].tolist()
        assert counts == expected
        assert counts == sorted(counts, reverse=True)
        share = got[got["arm"] == arm]["share"].tolist()
        assert share == pytest.approx([c / len(rows) for c in expected])


def test_monthly_series_counts_and_rates(place) -> None:
    con, referrals, _ = place
    got = m.monthly_series(con, Filters(pilot=PILOT))
    assert len(got) == 2 * 12
    assert set(got["go_live"]) == {pd.Timestamp(GO_LIVE)}
    march = got[(got["arm"] == "pilot") & (got["month"] == pd.Timestamp("2024-03-01"))].iloc[0]
    count = sum(
        1 for r in referrals if arm_of(r) == "pilot" and r["referral_date"][:7] == "2024-03"
    )
    assert march["referrals"] == count
    assert march["rate"] == pytest.approx(count / 30000 * 1000)
    assert got.groupby("arm")["referrals"].sum().to_dict() == {
        arm: sum(1 for r in referrals if arm_of(r) == arm) for arm in ("pilot", "comparison")
    }


def test_monthly_rate_scales_part_months(place) -> None:
    con, referrals, _ = place
    got = m.monthly_series(
        con, Filters(pilot=PILOT, start=date(2024, 3, 16), end=date(2024, 5, 10))
    )
    first = got[got["arm"] == "comparison"].iloc[0]
    assert first["month"] == pd.Timestamp("2024-03-01")
    assert first["month_fraction"] == pytest.approx(16 / 31)
    count = sum(
        1
        for r in referrals
        if arm_of(r) == "comparison" and in_period(r, date(2024, 3, 16), date(2024, 3, 31))
    )
    assert first["rate"] == pytest.approx(count / (27000 * 16 / 31) * 1000)


def test_monthly_series_matches_the_mart_without_referral_filters(place) -> None:
    con, _, _ = place
    got = m.monthly_series(con, Filters())
    mart = con.execute(
        "SELECT month, sum(referrals) AS referrals FROM mart_pcn_month "
        "GROUP BY month ORDER BY month"
    ).df()
    assert got["referrals"].tolist() == mart["referrals"].tolist()


@pytest.mark.parametrize(
    "filters",
    [
        Filters(pilot="No such pilot"),
        Filters(pilot=PILOT, pcn_codes=("U10005",)),  # a PCN outside the pilot
        Filters(start=date(2030, 1, 1)),
        Filters(end=date(2019, 1, 1)),
        Filters(referral_sources=("nurse",)),
    ],
)
def test_a_filter_matching_nothing_gives_empty_frames(place, filters: Filters) -> None:
    con, _, _ = place
    for fn, columns in (
        (m.kpis, m.KPI_COLUMNS),
        (m.funnel, m.FUNNEL_COLUMNS),
        (m.monthly_series, m.MONTHLY_COLUMNS),
    ):
        got = fn(con, filters)
        assert got.empty and list(got.columns) == columns


def test_one_arm_filtered_out_leaves_the_other(place) -> None:
    con, _, _ = place
    got = m.kpis(con, Filters(pilot=PILOT, pcn_codes=("U10002",)))
    assert got["arm"].tolist() == ["pilot"]
    assert got.loc[0, "registered_patients"] == PCN_PATIENTS["U10002"]


def test_pilot_names_and_window(place) -> None:
    con, referrals, followups = place
    assert m.pilot_names(con) == [PILOT]
    window = m.data_window(con)
    assert window.first_referral == min(date.fromisoformat(r["referral_date"]) for r in referrals)
    assert window.as_of == as_of(referrals, followups)


def test_metrics_agree_with_the_demo_store(demo_store: Path) -> None:
    """On the demo place: referral totals per arm equal plain counts of the journeys table."""
    con = open_store(demo_store, read_only=True)
    try:
        pilot = m.pilot_names(con)[0]
        got = m.kpis(con, Filters(pilot=pilot)).set_index("arm")
        journeys = con.execute("SELECT pcn_code, first_attended FROM journeys").df()
        arms = con.execute(
            "SELECT pcn_code, arm FROM stg_pilot_pcns WHERE pilot_name = ?", [pilot]
        ).df()
        joined = journeys.merge(arms, on="pcn_code")
        for arm, rows in joined.groupby("arm"):
            assert got.loc[arm, "referrals"] == len(rows)
            assert got.loc[arm, "first_attended"] == int(rows["first_attended"].sum())
    finally:
        con.close()
