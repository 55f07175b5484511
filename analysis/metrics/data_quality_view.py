"""Data quality of the referrals in view: how well their records link up and which of them
contradict themselves (the checks of :data:`WARNINGS`).

The referrals in view are read once for both (:func:`view_checks`, what the Data quality page
shows); :func:`linkage` and :func:`warnings` give each alone (the export). The two linkage checks
about whole files (follow-ups matched to a referral, referrals matched to a practice) do not
depend on the view: :func:`store_links` counts them once per store.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analysis.filters import Filters
from analysis.metrics.overview import data_window
from analysis.metrics.supply import journeys_in_view

# fmt: off
__all__ = [
    "LINKAGE_COLUMNS", "LINK_COLUMNS", "WARNINGS", "WARNING_COLUMNS", "linkage", "store_links",
    "view_checks", "warnings",
]
# fmt: on

OPEN_AFTER_DAYS = 90
NOT_STARTED = ("declined", "did_not_attend", "unable_to_contact", "not_suitable")
# fmt: off
WARNINGS: dict[str, str] = {  # plain-English warning → SQL condition on a journey
    "Status still 'referred' or 'contacted' but a first attendance is recorded":
        "status IN ('referred', 'contacted') AND first_attended_date IS NOT NULL",
    "Status says they never started, but a first attendance is recorded":
        f"status IN {NOT_STARTED} AND first_attended_date IS NOT NULL",
    "Status 'attending' or 'completed' but no first attendance date":
        "status IN ('attending', 'completed') AND first_attended_date IS NULL",
    f"Still 'referred' with no contact more than {OPEN_AFTER_DAYS} days after referral":
        "status = 'referred' AND contacted_date IS NULL AND first_attended_date IS NULL "
        f"AND referral_date < $as_of - {OPEN_AFTER_DAYS}",
    "A follow-up after week 0 but no first attendance":
        "first_attended_date IS NULL AND referral_id IN "
        "(SELECT referral_id FROM stg_followups WHERE followup_week > 0)",
}
# fmt: on
LINKAGE_COLUMNS = ["check", "numerator", "denominator", "rate", "scope"]
WARNING_COLUMNS = ["warning", "referrals", "share", "examples"]
LINK_COLUMNS = (
    "opportunity_id, lsoa_code, home_latitude, coalesce(opportunity_id IN "
    "(SELECT series_id FROM supply_series WHERE series_id IS NOT NULL), FALSE) AS known"
)
"""What :func:`linkage` reads of each referral in view."""
FILE_LINKS = {  # input kind → the reject reason of a reference that was not loaded
    "followups": "not in the loaded referrals",
    "referrals": "not in the loaded practices",
}


def store_links(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per input kind of :data:`FILE_LINKS`: ``rows_read`` in all its files loaded and
    ``unmatched``, the rows rejected because the record they refer to was not loaded."""
    rows = []
    for kind, needle in FILE_LINKS.items():
        read = con.execute(
            "SELECT coalesce(sum(rows_read), 0) FROM load_log WHERE kind = ?", [kind]
        ).fetchone()[0]
        missing = con.execute(
            "SELECT count(*) FROM load_rejects WHERE kind = ? AND reason LIKE ?",
            [kind, f"%{needle}%"],
        ).fetchone()[0]
        rows.append((kind, int(read), int(missing)))
    return pd.DataFrame(rows, columns=["kind", "rows_read", "unmatched"]).set_index("kind")


def _linkage_of(j: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """The linkage rates of the referrals ``j`` (:data:`LINK_COLUMNS`) and the files' links."""
    named = j["opportunity_id"].notna()
    followups, orphans = (int(x) for x in links.loc["followups", ["rows_read", "unmatched"]])
    referrals, no_practice = (int(x) for x in links.loc["referrals", ["rows_read", "unmatched"]])
    view = "referrals in view"
    rows = [
        ("Referrals that name a session (opportunity)", int(named.sum()), len(j), view),
        (
            "Named sessions found in the harvested supply",
            int((named & j["known"].astype(bool)).sum()),
            int(named.sum()),
            view,
        ),
        (
            "Referrals with a known home area",
            int((j["lsoa_code"].notna() & j["home_latitude"].notna()).sum()),
            len(j),
            view,
        ),
        (
            "Follow-up rows matched to a loaded referral",
            followups - orphans,
            followups,
            "all follow-up files loaded",
        ),
        (
            "Referral rows matched to a loaded practice",
            referrals - no_practice,
            referrals,
            "all referral files loaded",
        ),
    ]
    out = pd.DataFrame(rows, columns=["check", "numerator", "denominator", "scope"])
    out["rate"] = out["numerator"] / out["denominator"].where(out["denominator"] > 0)
    return out[LINKAGE_COLUMNS]


def _warnings_of(found: pd.DataFrame, examples: int) -> pd.DataFrame:
    """Each warning's count, share and first example ids among ``found`` (flags ``w0``…)."""
    total = len(found)
    if total == 0:
        return pd.DataFrame(columns=WARNING_COLUMNS)
    rows = []
    for i, text in enumerate(WARNINGS):
        ids = sorted(found.loc[found[f"w{i}"].astype(bool), "referral_id"])
        rows.append((text, len(ids), len(ids) / total, ", ".join(ids[:examples])))
    return pd.DataFrame(rows, columns=WARNING_COLUMNS)


def _flags() -> str:
    return ", ".join(
        f"coalesce({condition}, FALSE) AS w{i}" for i, condition in enumerate(WARNINGS.values())
    )


def linkage(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """How well records join up: numerator ÷ denominator per check, with its scope."""
    return _linkage_of(journeys_in_view(con, filters, LINK_COLUMNS), store_links(con))


def warnings(con: duckdb.DuckDBPyConnection, filters: Filters, examples: int = 5) -> pd.DataFrame:
    """Each data-quality warning about the referrals in view: how many, the share of referrals
    and a few example referral ids to look up (one query: each warning a column)."""
    window = data_window(con)
    if window is None:
        return pd.DataFrame(columns=WARNING_COLUMNS)
    found = journeys_in_view(
        con, filters, f"referral_id, {_flags()}", params={"as_of": window.as_of}
    )
    return _warnings_of(found, examples)


def view_checks(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    links: pd.DataFrame | None = None,
    examples: int = 5,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`linkage` and :func:`warnings` of the view from one read of its referrals;
    ``links`` is :func:`store_links` when the caller keeps it."""
    links = store_links(con) if links is None else links
    window = data_window(con)
    if window is None:
        return _linkage_of(journeys_in_view(con, filters, LINK_COLUMNS), links), pd.DataFrame(
            columns=WARNING_COLUMNS
        )
    found = journeys_in_view(
        con,
        filters,
        f"referral_id, {LINK_COLUMNS}, {_flags()}",
        params={"as_of": window.as_of},
    )
    return _linkage_of(found, links), _warnings_of(found, examples)
