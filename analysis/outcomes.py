"""Outcome change from baseline (week 0) to week N: SWEMWBS, each ONS4 item and SIPAM days.

Scoring (``notes-evaluation.md`` §3):

* SWEMWBS — the seven items (1–5) summed to a raw score 7–35 and converted with the Warwick
  raw-to-metric table; any item missing → score missing (:func:`swemwbs_metric`). The store
  scores follow-ups the same way (``stg_followups.swemwbs_metric``).
* ONS4 — each item separately (0–10), no composite; bands from the ONS thresholds
  (:data:`ONS4_BANDS`, :func:`ons4_band`).
* SIPAM — days in the past week with ≥ 30 minutes of activity raising the breathing rate, 0–7.

Paired change (METHODS.md, "change in outcome"): week-N score − week-0 score for people with
both (:func:`paired_outcomes` lines them up; :func:`change_summary` summarises). Per measure and
group: number of pairs, baseline and follow-up means, mean change with a 95% t interval, paired
t-test p, Wilcoxon signed-rank p (scipy defaults: zero differences dropped, exact distribution for
small samples without ties or zeros, normal approximation otherwise), Cohen's d for paired data
as **d_z = mean change ÷ SD of the changes** (SD with n − 1; not d_av, which divides by the mean
of the two time points' SDs), and for SWEMWBS the share improving by ≥ 3 metric points with a
Wilson CI. Groups with fewer than 30 pairs are flagged ``indicative_only`` (Warwick's rule of
thumb). Statistics that need two or more varying changes are NaN otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import pandas as pd
from scipy import special

from analysis.indicators import normalise_confidence, proportion_ci
from analysis.model.reference_tables import SWEMWBS_RAW_TO_METRIC
from analysis.ons4_bands import BAND_COLUMNS, ONS4_BANDS, ONS4_ITEMS, band_shares, ons4_band
from analysis.paired_groups import paired_group_rows
from analysis.signed_rank import PERMUTATION_MAX_N, wilcoxon_p

# fmt: off
__all__ = [
    "ATTENDANCE", "BAND_COLUMNS", "CHANGE_COLUMNS", "INDICATIVE_BELOW", "MEASURES", "ONS4_BANDS",
    "ONS4_ITEMS", "PERMUTATION_MAX_N", "SWEMWBS_IMPROVEMENT", "attach_followups", "band_shares", "change_summary",
    "followup_table", "ons4_band", "paired_outcomes", "read_followups", "read_paired_outcomes",
    "swemwbs_metric", "wilcoxon_p",
]
# fmt: on

MEASURES: dict[str, str] = {
    "swemwbs": "SWEMWBS metric score",
    "ons4_satisfied": "ONS4 life satisfaction",
    "ons4_worthwhile": "ONS4 things done are worthwhile",
    "ons4_happy": "ONS4 happiness yesterday",
    "ons4_anxious": "ONS4 anxiety yesterday",
    "sipam_days": "SIPAM active days",
}
"""Outcome measure → label. Paired frames carry ``{measure}_baseline`` and ``{measure}_followup``."""
INDICATIVE_BELOW = 30
SWEMWBS_IMPROVEMENT = 3.0
ATTENDANCE = "attendance"
"""Paired-frame column: ``still attending`` / ``stopped`` at the week-N follow-up."""

CHANGE_COLUMNS = [
    "measure", "measure_label", "week", "group", "n_pairs", "baseline_mean", "followup_mean",
    "mean_change", "change_lower", "change_upper", "sd_change", "t_statistic", "p_ttest",
    "p_wilcoxon", "cohens_d", "improved", "improved_share", "improved_lower", "improved_upper",
    "indicative_only",
]  # fmt: skip
_FOLLOWUP_SQL = """
    SELECT referral_id, followup_week, still_attending, swemwbs_metric AS swemwbs,
           ons4_satisfied, ons4_worthwhile, ons4_happy, ons4_anxious, sipam_days
    FROM stg_followups
"""


def swemwbs_metric(items: pd.DataFrame | np.ndarray | Sequence[Sequence[float]]) -> np.ndarray:
    """SWEMWBS metric scores from an (n, 7) table of item answers 1–5 (NaN/None = missing).

    Raises :class:`ValueError` for a table without seven columns or an answer outside 1–5.
    """
    values = np.asarray(pd.DataFrame(items).apply(pd.to_numeric).astype(float))
    if values.ndim != 2 or values.shape[1] != 7:
        raise ValueError(f"SWEMWBS needs seven item columns, got shape {values.shape}")
    given = values[~np.isnan(values)]
    if ((given < 1) | (given > 5) | (given != np.round(given))).any():
        raise ValueError("SWEMWBS items must be whole numbers from 1 to 5")
    raw = values.sum(axis=1)  # NaN when any item is missing
    table = np.asarray([SWEMWBS_RAW_TO_METRIC[r] for r in range(7, 36)])
    out = np.full(len(raw), np.nan)
    ok = ~np.isnan(raw)
    out[ok] = table[raw[ok].astype(int) - 7]
    return out


def read_followups(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Follow-up outcomes from the store: referral_id, followup_week, still_attending and the
    :data:`MEASURES` columns (SWEMWBS already scored)."""
    return con.execute(_FOLLOWUP_SQL).df()


def paired_outcomes(journeys: pd.DataFrame, followups: pd.DataFrame, week: int) -> pd.DataFrame:
    """``journeys`` with each measure at baseline and week ``week`` beside it.

    Adds ``{measure}_baseline``, ``{measure}_followup`` (floats, NaN when missing), ``week`` and
    :data:`ATTENDANCE` (``still attending`` / ``stopped`` from the week-N follow-up; missing
    when there is none or it does not say). One row per journeys row, in the same order.
    """
    return attach_followups(journeys, followup_table(followups, week), week)


_WEEK_TABLE_SQL = """
SELECT coalesce(b.referral_id, f.referral_id) AS referral_id, {columns},
       CASE f.still_attending WHEN true THEN 'still attending' WHEN false THEN 'stopped' END
           AS {attendance}
FROM (SELECT * FROM stg_followups WHERE followup_week = 0 {only}) AS b
FULL OUTER JOIN (SELECT * FROM stg_followups WHERE followup_week = $week {only}) AS f
    ON f.referral_id = b.referral_id
"""
_OF_PILOT = """AND referral_id IN (
    SELECT referral_id FROM journeys
    WHERE pcn_code IN (SELECT pcn_code FROM stg_pilot_pcns WHERE pilot_name = $pilot))"""


def read_followup_table(
    con: duckdb.DuckDBPyConnection, week: int, pilot: str | None = None
) -> pd.DataFrame:
    """:func:`followup_table` of the store's follow-ups, joined in the store: only baseline and
    week-``week`` rows are read (at national scale about 1.3M of 2M follow-ups), and with
    ``pilot`` only those of referrals from its PCNs (pilot and comparison: every journey a view
    of that pilot can hold)."""
    if int(week) != week or week <= 0:
        raise ValueError(f"week must be a positive whole number of weeks, got {week!r}")
    score = {m: "swemwbs_metric" if m == "swemwbs" else m for m in MEASURES}
    columns = ", ".join(
        f"CAST({side}.{score[m]} AS DOUBLE) AS {m}_{when}"
        for side, when in (("b", "baseline"), ("f", "followup"))
        for m in MEASURES
    )
    only = "" if pilot is None else _OF_PILOT
    sql = _WEEK_TABLE_SQL.format(columns=columns, attendance=ATTENDANCE, only=only)
    params = {"week": int(week)} | ({} if pilot is None else {"pilot": pilot})
    table = con.execute(sql, params).df().set_index("referral_id")
    table[ATTENDANCE] = table[ATTENDANCE].astype(object).where(table[ATTENDANCE].notna(), np.nan)
    return table


def followup_table(followups: pd.DataFrame, week: int) -> pd.DataFrame:
    """The follow-ups as :func:`paired_outcomes` places them: one row per referral id (the
    index) with ``{measure}_baseline``, ``{measure}_followup`` and :data:`ATTENDANCE`. It does
    not depend on which referrals are in view, so a page can keep it per store and week."""
    if int(week) != week or week <= 0:
        raise ValueError(f"week must be a positive whole number of weeks, got {week!r}")
    needed = ["referral_id", "followup_week", "still_attending", *MEASURES]
    missing = [c for c in needed if c not in followups.columns]
    if missing:
        raise ValueError(f"missing column(s): {', '.join(missing)}")
    if followups.duplicated(["referral_id", "followup_week"]).any():
        raise ValueError("followups must have one row per referral_id and followup_week")
    parts = []
    for when, wk in (("baseline", 0), ("followup", int(week))):
        rows = followups[followups["followup_week"] == wk].set_index("referral_id")
        part = rows[list(MEASURES)].astype(float).add_suffix(f"_{when}")
        if when == "followup":
            status = rows["still_attending"].map({True: "still attending", False: "stopped"})
            part[ATTENDANCE] = status.astype(object)
        parts.append(part)
    table = pd.concat(parts, axis=1)
    table.index.name = "referral_id"
    return table


def attach_followups(journeys: pd.DataFrame, table: pd.DataFrame, week: int) -> pd.DataFrame:
    """:func:`paired_outcomes` with the follow-ups already placed by :func:`followup_table`."""
    if "referral_id" not in journeys.columns:
        raise ValueError("missing column(s): journeys.referral_id")
    placed = table.reindex(journeys["referral_id"].to_numpy())
    added = {"week": int(week)} | {c: placed[c].to_numpy() for c in table.columns}
    if journeys.columns.intersection(list(added)).empty:
        # One new block of columns beside a copy of the journeys, not one insert per column.
        return pd.concat([journeys, pd.DataFrame(added, index=journeys.index)], axis=1)
    out = journeys.copy()
    for column, values in added.items():
        out[column] = values
    return out


def read_paired_outcomes(con: duckdb.DuckDBPyConnection, week: int) -> pd.DataFrame:
    """:func:`paired_outcomes` for every referral in the store's ``journeys``."""
    return paired_outcomes(con.execute("SELECT * FROM journeys").df(), read_followups(con), week)


def _change_row(base: np.ndarray, follow: np.ndarray, measure: str, level: float) -> dict:
    change = follow - base
    n = len(change)
    mean = float(change.mean())
    sd = float(change.std(ddof=1)) if n > 1 else np.nan
    row = {
        "n_pairs": n,
        "baseline_mean": float(base.mean()),
        "followup_mean": float(follow.mean()),
    }
    row |= {"mean_change": mean, "sd_change": sd, "change_lower": np.nan, "change_upper": np.nan}
    row |= {"t_statistic": np.nan, "p_ttest": np.nan, "p_wilcoxon": np.nan, "cohens_d": np.nan}
    if n > 1 and sd > 0:
        # stats.t.ppf(0.5 + level / 2, n - 1), without its per-call argument handling
        half = float(special.stdtrit(n - 1, 0.5 + level / 2)) * sd / np.sqrt(n)
        # The paired t-test, step by step as scipy.stats.ttest_rel(follow, base) computes it
        # (without its per-call argument handling, which cost more than the test).
        centred = change - np.mean(change)
        variance = np.mean(centred * centred) * (n / (n - 1))
        t = float(np.mean(change) / np.sqrt(variance / n))
        row |= {"change_lower": mean - half, "change_upper": mean + half}
        row |= {"t_statistic": t, "p_ttest": float(2 * special.stdtr(n - 1, -abs(t)))}
        row["cohens_d"] = mean / sd
    if np.any(change != 0):
        row["p_wilcoxon"] = wilcoxon_p(change)
    if measure == "swemwbs":
        improved = int((change >= SWEMWBS_IMPROVEMENT).sum())
        share, lower, upper = proportion_ci(improved, n, level)
        row |= {"improved": improved, "improved_share": share}
        row |= {"improved_lower": lower, "improved_upper": upper}
    else:
        row |= dict.fromkeys(("improved", "improved_share", "improved_lower", "improved_upper"))
    row["indicative_only"] = n < INDICATIVE_BELOW
    return row


def change_summary(
    paired: pd.DataFrame,
    by: str | None = None,
    measures: Sequence[str] = tuple(MEASURES),
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Paired change per measure and group (columns :data:`CHANGE_COLUMNS`).

    ``paired`` comes from :func:`paired_outcomes`; ``by`` is any column of it (for example
    :data:`ATTENDANCE`, ``sex``, ``pcn_code``), rows with a missing group value left out.
    ``improved*`` columns are for SWEMWBS only (≥ 3 metric points, Wilson CI) and empty for the
    other measures. A group with no pairs for a measure has no row; no pairs at all → an empty
    frame with the same columns.
    """
    level = normalise_confidence(confidence)
    unknown = [m for m in measures if m not in MEASURES]
    if unknown:
        raise ValueError(f"unknown measure(s): {', '.join(unknown)}")
    week = int(paired["week"].iloc[0]) if "week" in paired.columns and len(paired) else None
    out = []
    needed = [c for m in measures for c in (f"{m}_baseline", f"{m}_followup")]
    values = paired[needed].to_numpy(dtype=float)  # one copy of the measures, not one a group
    groups = [(name, values[rows]) for name, rows in paired_group_rows(paired, by)]
    for i, measure in enumerate(measures):
        for name, part in groups:
            base, follow = part[:, 2 * i], part[:, 2 * i + 1]
            both = ~np.isnan(base) & ~np.isnan(follow)
            if both.any():
                row = _change_row(base[both], follow[both], measure, level)
                head = {"measure": measure, "measure_label": MEASURES[measure], "week": week}
                out.append(head | {"group": name} | row)
    return pd.DataFrame(out, columns=CHANGE_COLUMNS)
