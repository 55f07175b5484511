"""Who starts: a logistic regression of first attendance on deprivation, price and person.

The covariates are those the synthetic demo documents for its planted uptake model
(``truth/planted_effects.json``, effect ``uptake``), so the model is correctly specified there::

    logit P(first_attended) = b0 + b1·[home IMD decile 1–2] + b2·[referred session is free]
                              + age band (reference 45-54) + b3·[sex female]
                              + b4·[conditions include mental_health] + b5·[referral_source ≠ gp]

Fitted as a binomial GLM (statsmodels) with standard errors cluster-robust by PCN (CR1, with
statsmodels' small-sample factor) and t-based CIs with G − 1 degrees of freedom. Referrals
without a home IMD decile, or whose referred session's price is unknown (``session_is_free``
missing, which includes referrals naming no session unless ``no_session="not_free"``), are
dropped and counted. A term with no variation in the data is left out, with a note.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import duckdb
import numpy as np
import pandas as pd
import statsmodels.api as sm

from analysis.filters import Filters
from analysis.indicators import normalise_confidence
from analysis.metrics.overview import arm_pcns

__all__ = ["MODEL_COLUMNS", "TERM_LABELS", "UptakeModel", "fit_uptake_model", "uptake_model"]

MODEL_COLUMNS = ["term", "label", "odds_ratio", "lower", "upper", "p", "n"]
REFERENCE_AGE_BAND = "45-54"
TERM_LABELS = {
    "imd_decile_1_2": "Lives in IMD decile 1–2 (vs 3–10)",
    "session_is_free": "Referred session is free",
    "female": "Female (vs any other recorded sex)",
    "mental_health": "Referred for mental health",
    "source_not_gp": "Referred by someone other than a GP",
}
FRAME_COLUMNS = [
    "pcn_code", "first_attended", "imd_decile", "session_is_free", "age_band", "sex",
    "conditions", "referral_source", "opportunity_id",
]  # fmt: skip


@dataclass(frozen=True)
class UptakeModel:
    """Odds ratios (``table``, :data:`MODEL_COLUMNS`; ``n`` = referrals in the fit)."""

    table: pd.DataFrame
    n: int
    n_referrals: int
    missing_imd: int
    missing_session: int
    dropped: int
    n_pcns: int
    uptake: float  # observed uptake among the referrals in the fit
    confidence: float
    standard_errors: str
    notes: tuple[str, ...] = ()


def _has(conditions: object, name: str) -> bool:
    if conditions is None or (isinstance(conditions, float) and math.isnan(conditions)):
        return False
    if isinstance(conditions, str):
        return name in conditions.split(";")
    return isinstance(conditions, Iterable) and name in list(conditions)


def _design(frame: pd.DataFrame, reference: str) -> tuple[pd.DataFrame, list[str]]:
    """Design matrix (with ``const``) and notes on terms left out."""
    x = pd.DataFrame(index=frame.index)
    x["const"] = 1.0
    x["imd_decile_1_2"] = (frame["imd_decile"].astype(float) <= 2).astype(float)
    x["session_is_free"] = frame["session_is_free"].astype(bool).astype(float)
    age = frame["age_band"].fillna("unknown").astype(str)
    for band in sorted(set(age) - {reference}):
        x[f"age_band[{band}]"] = (age == band).astype(float)
    x["female"] = (frame["sex"].astype(str).str.lower() == "female").astype(float)
    x["mental_health"] = frame["conditions"].map(lambda c: _has(c, "mental_health")).astype(float)
    x["source_not_gp"] = (frame["referral_source"].astype(str) != "gp").astype(float)
    constant = [c for c in x.columns[1:] if x[c].nunique() < 2]
    notes = [f"{c} left out: no variation in the data" for c in constant]
    return x.drop(columns=constant), notes


def fit_uptake_model(
    frame: pd.DataFrame,
    *,
    confidence: float = 0.95,
    no_session: Literal["drop", "not_free"] = "drop",
    reference_age_band: str = REFERENCE_AGE_BAND,
) -> UptakeModel:
    """Fit the uptake model to one row per referral with :data:`FRAME_COLUMNS`.

    ``opportunity_id`` is only needed for ``no_session="not_free"``, which codes referrals that
    name no session as not free (the demo's definition) instead of dropping them. Raises
    :class:`ValueError` for missing columns, fewer than two PCNs or no outcome variation.
    """
    level = normalise_confidence(confidence)
    if no_session not in ("drop", "not_free"):
        raise ValueError(f"no_session must be 'drop' or 'not_free', got {no_session!r}")
    needed = set(FRAME_COLUMNS) - ({"opportunity_id"} if no_session == "drop" else set())
    missing = sorted(needed - set(frame.columns))
    if missing:
        raise ValueError(f"the referral frame lacks columns: {', '.join(missing)}")
    data = frame.copy()
    if no_session == "not_free":
        no_series = data["opportunity_id"].isna()
        data.loc[no_series, "session_is_free"] = False
    missing_imd = data["imd_decile"].isna()
    missing_session = data["session_is_free"].isna()
    data = data[~missing_imd & ~missing_session & data["first_attended"].notna()]
    if data["pcn_code"].nunique() < 2:
        raise ValueError("the uptake model needs referrals from at least two PCNs")
    y = data["first_attended"].astype(bool).astype(float)
    if y.nunique() < 2:
        raise ValueError("everyone (or no one) in the data attended, so uptake cannot be modelled")
    x, notes = _design(data, reference_age_band)
    if reference_age_band not in set(data["age_band"].fillna("unknown")):
        notes.append(f"no referrals in the reference age band {reference_age_band}")
    groups = pd.factorize(data["pcn_code"])[0]
    res = sm.GLM(y.to_numpy(), x, family=sm.families.Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
    )
    ci = res.conf_int(alpha=1 - level)
    terms = [c for c in x.columns if c != "const"]
    table = pd.DataFrame({
        "term": terms,
        "label": [TERM_LABELS.get(t, _age_label(t, reference_age_band)) for t in terms],
        "odds_ratio": np.exp(res.params[terms].to_numpy()),
        "lower": np.exp(ci.loc[terms, 0].to_numpy()),
        "upper": np.exp(ci.loc[terms, 1].to_numpy()),
        "p": res.pvalues[terms].to_numpy(),
        "n": len(data),
    })  # fmt: skip
    n_pcns = int(groups.max()) + 1
    return UptakeModel(
        table=table, n=len(data), n_referrals=len(frame), missing_imd=int(missing_imd.sum()),
        missing_session=int(missing_session.sum()), dropped=len(frame) - len(data),
        n_pcns=n_pcns, uptake=float(y.mean()), confidence=level,
        standard_errors=f"cluster-robust by PCN (CR1), t with {n_pcns - 1} df",
        notes=tuple(notes),
    )  # fmt: skip


def _age_label(term: str, reference: str) -> str:
    return f"Age {term.removeprefix('age_band[').removesuffix(']')} (vs {reference})"


def uptake_model(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    **options: object,
) -> UptakeModel:
    """Fit :func:`fit_uptake_model` to the referrals a filter selects in a built store.

    Needs ``journeys.session_is_free`` (added with the supply model); ``options`` are passed on.
    """
    filters = filters or Filters()
    if filters.activity_groups:
        raise ValueError("the activity group filter is not available yet (needs supply data)")
    columns = {r[0] for r in con.execute("DESCRIBE journeys").fetchall()}
    if "session_is_free" not in columns:
        raise ValueError("journeys has no session_is_free column yet: build the supply model")
    pcns: list[str] | None = None
    if filters.pilot is not None or filters.pcn_codes:
        pcns = arm_pcns(con, filters)["pcn_code"].tolist()
    sql = f"""SELECT {", ".join(FRAME_COLUMNS)} FROM journeys
        WHERE ($start IS NULL OR referral_date >= $start) AND ($end IS NULL OR referral_date <= $end)
          AND ($pcns IS NULL OR list_contains($pcns::VARCHAR[], pcn_code))
          AND (len($sources::VARCHAR[]) = 0 OR list_contains($sources::VARCHAR[], referral_source))
          AND (len($conditions::VARCHAR[]) = 0 OR list_has_any(conditions, $conditions::VARCHAR[]))
    """
    params = {
        "start": filters.start, "end": filters.end, "pcns": pcns,
        "sources": list(filters.referral_sources), "conditions": list(filters.conditions),
    }  # fmt: skip
    return fit_uptake_model(con.execute(sql, params).df(), **options)  # type: ignore[arg-type]
