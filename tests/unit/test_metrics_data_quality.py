"""Data-quality metrics on a tiny in-memory store: faults by type, freshness bands, rejects,
linkage rates and the referral warnings, each with the numbers planted in it."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from pandas.testing import assert_frame_equal

from analysis.filters import Filters
from analysis.metrics import data_quality as dq

SCHEMA = """
CREATE TABLE meta (key VARCHAR, value VARCHAR);
INSERT INTO meta VALUES ('built_at', '2026-06-30T12:00:00');
CREATE TABLE stg_pcns (pcn_code VARCHAR, pcn_name VARCHAR, registered_patients BIGINT);
INSERT INTO stg_pcns VALUES ('P1', 'One', 1000), ('P2', 'Two', 1000);
CREATE TABLE journeys (
    referral_id VARCHAR, pcn_code VARCHAR, referral_date DATE, referral_source VARCHAR,
    conditions VARCHAR[], session_activity_group VARCHAR, age_band VARCHAR, sex VARCHAR,
    ethnicity VARCHAR, imd_quintile INTEGER, opportunity_id VARCHAR, lsoa_code VARCHAR,
    home_latitude DOUBLE, status VARCHAR, contacted_date DATE, first_attended_date DATE);
INSERT INTO journeys VALUES
    ('R1', 'P1', '2026-01-05', 'gp', [], NULL, NULL, NULL, NULL, 1, 'S1', 'A1', 52.0,
     'referred', NULL, '2026-01-20'),
    ('R2', 'P1', '2026-01-06', 'gp', [], NULL, NULL, NULL, NULL, 1, 'S9', 'A1', 52.0,
     'completed', '2026-01-07', NULL),
    ('R3', 'P1', '2026-01-07', 'gp', [], NULL, NULL, NULL, NULL, 1, NULL, NULL, NULL,
     'referred', NULL, NULL),
    ('R4', 'P2', '2026-05-30', 'self', [], NULL, NULL, NULL, NULL, 1, 'S1', 'A2', 52.1,
     'declined', NULL, '2026-06-01'),
    ('R5', 'P2', '2026-06-10', 'self', [], NULL, NULL, NULL, NULL, 1, 'S2', 'A2', 52.1,
     'referred', NULL, NULL);
CREATE TABLE stg_followups (referral_id VARCHAR, followup_week INTEGER, followup_date DATE);
INSERT INTO stg_followups VALUES ('R3', 4, '2026-06-30'), ('R1', 0, '2026-01-20');
CREATE TABLE supply_series (series_id VARCHAR, feed_url VARCHAR, deleted BOOLEAN,
                            freshness_at TIMESTAMP);
INSERT INTO supply_series VALUES
    ('S1', 'https://f.invalid/series', false, '2026-06-29 12:00'),
    ('S2', 'https://f.invalid/series', false, '2026-05-01 12:00'),
    ('S3', 'https://f.invalid/series', false, '2025-01-01 12:00'),
    ('S4', 'https://f.invalid/series', true, '2025-01-01 12:00');
CREATE TABLE rpde_feeds (feed_url VARCHAR, publisher_name VARCHAR);
INSERT INTO rpde_feeds VALUES ('https://f.invalid/series', 'Pub');
CREATE TABLE rpde_faults (feed_url VARCHAR, page_url VARCHAR, fault VARCHAR, detail VARCHAR,
                          seen_at TIMESTAMP, occurrences BIGINT);
INSERT INTO rpde_faults VALUES
    ('f1', 'p1', 'http_503', 'busy', '2026-06-01', 2),
    ('f1', 'p2', 'http_503', 'busy again', '2026-06-02', 3),
    ('f2', 'p1', 'relative_next', '?a=1', '2026-06-01', 1);
CREATE TABLE load_log (kind VARCHAR, source_file VARCHAR, rows_read BIGINT, accepted BIGINT,
                       rejected BIGINT, loaded_at TIMESTAMP);
INSERT INTO load_log VALUES
    ('referrals', '/in/referrals.csv', 10, 8, 2, '2026-06-30'),
    ('followups', '/in/followups.csv', 20, 17, 3, '2026-06-30');
CREATE TABLE load_rejects (kind VARCHAR, source_file VARCHAR, row_number BIGINT, field VARCHAR,
                           reason VARCHAR, original_row VARCHAR);
INSERT INTO load_rejects VALUES
    ('followups', '/in/followups.csv', 9, 'referral_id',
     'referral_id ''R9'' is not in the loaded referrals (load referrals first?)', '{}'),
    ('followups', '/in/followups.csv', 3, 'followup_date',
     'followup_date ''x'' is not valid; referral_id ''R8'' is not in the loaded referrals', '{}'),
    ('followups', '/in/followups.csv', 5, 'sipam_days', 'sipam_days ''9'' is out of range', '{}'),
    ('referrals', '/in/referrals.csv', 2, 'practice_code',
     'practice_code ''Z1'' is not in the loaded practices (load practices first?)', '{}'),
    ('referrals', '/in/referrals.csv', 4, 'referral_date', 'referral_date ''x'' is not valid', '{}');
"""


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute(SCHEMA)
    yield con
    con.close()


def test_faults_summed_by_type(con) -> None:
    faults = dq.faults_by_type(con).set_index("fault")
    assert faults["occurrences"].to_dict() == {"http_503": 5, "relative_next": 1}
    assert (
        faults.loc["http_503", "pages"] == 2 and faults.loc["http_503", "example"] == "busy again"
    )


def test_freshness_bands_count_live_series_at_build_time(con) -> None:
    bands = dq.feed_freshness(con).set_index("band")["series"]
    assert bands.to_dict() == {
        "within 7 days": 1,
        "8 to 30 days": 0,
        "31 to 90 days": 1,
        "over 90 days": 1,
    }
    assert dq.feed_freshness(con)["feed_label"].unique().tolist() == ["Pub · series"]


def test_rejects_summary_rows_and_load_summary(con) -> None:
    summary = dq.rejects_summary(con)
    assert summary[["kind", "field", "rows"]].values.tolist() == [
        ["referrals", "practice_code", 1],
        ["referrals", "referral_date", 1],
        ["followups", "followup_date", 1],
        ["followups", "referral_id", 1],
        ["followups", "sipam_days", 1],
    ]
    rows = dq.reject_rows(con, limit=3)
    assert rows.columns.tolist() == ["kind", "file", "row_number", "field", "reason"]
    assert rows[["kind", "row_number"]].values.tolist() == [
        ["referrals", 2],
        ["referrals", 4],
        ["followups", 3],
    ]
    assert rows["file"].iloc[0] == "referrals.csv"
    loads = dq.load_summary(con).set_index("kind")
    assert loads.loc["followups", "rejected_share"] == pytest.approx(3 / 20)


def test_linkage_rates(con) -> None:
    rates = dq.linkage(con, Filters()).set_index("check")
    assert rates["numerator"].tolist() == [4, 3, 4, 18, 9]
    assert rates["denominator"].tolist() == [5, 4, 5, 20, 10]
    assert rates["rate"].iloc[1] == pytest.approx(0.75)  # S9 is not a known series
    only_p2 = dq.linkage(con, Filters(pcn_codes=("P2",))).set_index("check")
    assert only_p2["denominator"].tolist()[:3] == [2, 2, 2]


def test_warnings(con) -> None:
    found = dq.warnings(con, Filters()).set_index("warning")["examples"]
    assert found.tolist() == ["R1", "R4", "R2", "R3", "R3"]
    counts = dq.warnings(con, Filters()).set_index("warning")
    assert counts["referrals"].tolist() == [1, 1, 1, 1, 1]
    assert counts["share"].iloc[0] == pytest.approx(1 / 5)
    late = dq.warnings(con, Filters(start=date(2026, 6, 1)))
    assert late["referrals"].tolist() == [0, 0, 0, 0, 0]  # R5 is recent: not yet a warning
    assert dq.warnings(con, Filters(start=date(2026, 6, 20))).empty  # no referrals in view


@pytest.mark.parametrize(
    "flt",
    [
        Filters(),
        Filters(pcn_codes=("P2",)),
        Filters(start=date(2026, 6, 1)),
        Filters(start=date(2026, 6, 20)),
        Filters(referral_sources=("gp",)),
    ],
)
def test_one_read_of_the_view_gives_the_linkage_and_warnings(con, flt: Filters) -> None:
    linkage, warnings = dq.view_checks(con, flt, dq.store_links(con))
    assert_frame_equal(linkage, dq.linkage(con, flt), check_exact=True)
    assert_frame_equal(warnings, dq.warnings(con, flt), check_exact=True)
    assert_frame_equal(dq.view_checks(con, flt)[0], linkage, check_exact=True)
