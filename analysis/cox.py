"""Cox proportional-hazards model of disengagement among starters (statsmodels ``PHReg``).

Time and event are as in :mod:`analysis.survival` (weeks from first attendance; event =
disengagement). Covariates (METHODS.md, "Retention"):

* age — ``age_band`` as categories (default) or, with ``age="65+"``, one indicator of age 65+
  (``age=None`` leaves age out);
* ``sex`` — categories;
* ``imd_quintile`` — categories (reference quintile 5, the least deprived, when present);
* conditions — one 0/1 indicator per named condition in the ``conditions`` list column;
* distance — km to the session (``distance_to_session_km``), continuous: the hazard ratio is
  per km.

Categorical reference levels: those in :data:`DEFAULT_REFERENCES` when present, else the most
common level (override with ``references``). A missing category becomes the level ``unknown``.
Levels with fewer than ``min_level_events`` disengagements are pooled into ``other (pooled)``;
if the pooled level is still below that its rows are left out. Rows with no distance are left
out (complete cases); ``n`` and ``events`` report what the model used.

Ties (times are whole days, so many coincide) are handled with **Efron's** approximation, closer
to the exact partial likelihood than Breslow's and the default of R's ``coxph`` and of
lifelines. Standard errors are clustered by PCN: the robust sandwich of ``PHReg.fit(groups=…)``,
``H⁻¹ (Σ_g U_g U_gᵀ) H⁻¹`` with U_g the summed score residuals of cluster g and H the Efron
information, with no small-sample (G / (G − 1)) factor. Wald 95% CIs and p-values. (statsmodels'
score residuals use Breslow-form risk-set means at tied times; without ties the sandwich equals
lifelines' ``cluster_col`` one, with ties the two differ by a few per cent, lifelines ignoring
ties in its residuals.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import norm
from statsmodels.duration.hazard_regression import PHReg

from analysis.indicators import normalise_confidence
from analysis.survival import DAYS_PER_WEEK
from analysis.survival_groups import followed_starters

__all__ = ["COX_COLUMNS", "DEFAULT_REFERENCES", "CoxDesign", "cox_design", "cox_hazard_ratios"]

COX_COLUMNS = [
    "term", "variable", "level", "reference", "hazard_ratio", "lower", "upper", "p_value",
    "log_hr", "se", "n", "events", "clusters",
]  # fmt: skip
DEFAULT_REFERENCES: dict[str, str] = {"imd_quintile": "5", "sex": "male", "age_band": "45-54"}
POOLED = "other (pooled)"
UNKNOWN = "unknown"
AGE_65_PLUS = ("65-74", "75-84", "75+", "85+")


@dataclass(frozen=True)
class CoxDesign:
    """The model's inputs: covariate matrix, time in weeks, event (0/1) and cluster labels."""

    exog: pd.DataFrame
    weeks: np.ndarray
    event: np.ndarray
    clusters: np.ndarray | None
    terms: pd.DataFrame  # term, variable, level, reference for each column of exog


def _category(values: pd.Series) -> pd.Series:
    def label(v: object) -> str:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return UNKNOWN
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    return pd.Series([label(v) for v in values], index=values.index, dtype=object)


def _has_condition(values: pd.Series, condition: str) -> np.ndarray:
    def has(v: object) -> bool:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return False
        if isinstance(v, str):
            return condition in v.split(";")
        return condition in list(v)  # type: ignore[call-overload]

    return np.asarray([has(v) for v in values], dtype=float)


def cox_design(
    journeys: pd.DataFrame,
    *,
    distance: str | None = "distance_to_session_km",
    conditions: Sequence[str] = ("mental_health",),
    age: Literal["band", "65+"] | None = "band",
    categorical: Sequence[str] = ("sex", "imd_quintile"),
    cluster: str | None = "pcn_code",
    references: Mapping[str, str] | None = None,
    min_level_events: int = 5,
) -> CoxDesign:
    """Build the covariate matrix for :func:`cox_hazard_ratios` (see the module notes)."""
    needed = ["first_attended_date", "retention_days", "disengaged", *categorical]
    needed += (["age_band"] if age else []) + (["conditions"] if conditions else [])
    needed += [c for c in (distance, cluster) if c is not None]
    missing = [c for c in dict.fromkeys(needed) if c not in journeys.columns]
    if missing:
        raise ValueError(f"journeys frame lacks column(s): {', '.join(missing)}")
    keep = followed_starters(journeys)
    if distance is not None:
        keep &= journeys[distance].notna()
    if cluster is not None:
        keep &= journeys[cluster].notna()
    rows = journeys.loc[keep]
    event = rows["disengaged"].astype(bool).to_numpy()
    refs = DEFAULT_REFERENCES | dict(references or {})

    columns: dict[str, np.ndarray] = {}
    terms: list[dict[str, object]] = []
    drop = np.zeros(len(rows), dtype=bool)
    cats = list(categorical)
    if age == "band":
        cats.insert(0, "age_band")
    elif age == "65+":
        columns["age_65_plus"] = rows["age_band"].isin(AGE_65_PLUS).to_numpy(dtype=float)
        terms.append({"term": "age_65_plus", "variable": "age_band", "level": "65+",
                      "reference": "under 65"})  # fmt: skip
    elif age is not None:
        raise ValueError(f"age must be 'band', '65+' or None, got {age!r}")
    for name in cats:
        levels = _category(rows[name])
        counts = pd.Series(event).groupby(levels.to_numpy()).sum()
        rare = counts.index[counts < min_level_events]
        if len(rare) >= 1 and len(counts) > len(rare):
            levels = levels.where(~levels.isin(rare), POOLED)
            if counts[rare].sum() < min_level_events:
                drop |= (levels == POOLED).to_numpy()
        present = levels[~drop].value_counts()
        ref = refs.get(name)
        if ref not in present.index:
            ref = str(present.sort_index().idxmax()) if len(present) else None
        for level in sorted(present.index):
            if level != ref:
                columns[f"{name}[{level}]"] = (levels == level).to_numpy(dtype=float)
                terms.append({"term": f"{name}[{level}]", "variable": name, "level": level,
                              "reference": ref})  # fmt: skip
    if conditions:
        for condition in conditions:
            columns[f"condition[{condition}]"] = _has_condition(rows["conditions"], condition)
            terms.append({"term": f"condition[{condition}]", "variable": "conditions",
                          "level": condition, "reference": "not recorded"})  # fmt: skip
    if distance is not None:
        columns[distance] = rows[distance].to_numpy(dtype=float)
        terms.append({"term": distance, "variable": distance, "level": "per km"})

    exog = pd.DataFrame(columns, index=rows.index).loc[~drop]
    term_frame = pd.DataFrame(terms, columns=["term", "variable", "level", "reference"])
    constant = [c for c in exog.columns if exog[c].nunique() < 2]  # e.g. a condition nobody has
    exog = exog.drop(columns=constant)
    term_frame = term_frame[~term_frame["term"].isin(constant)].reset_index(drop=True)
    return CoxDesign(
        exog=exog,
        weeks=rows["retention_days"].to_numpy(dtype=float)[~drop] / DAYS_PER_WEEK,
        event=event[~drop].astype(np.int64),
        clusters=None if cluster is None else rows[cluster].astype(str).to_numpy()[~drop],
        terms=term_frame,
    )


def cox_hazard_ratios(
    journeys: pd.DataFrame,
    *,
    distance: str | None = "distance_to_session_km",
    conditions: Sequence[str] = ("mental_health",),
    age: Literal["band", "65+"] | None = "band",
    categorical: Sequence[str] = ("sex", "imd_quintile"),
    cluster: str | None = "pcn_code",
    references: Mapping[str, str] | None = None,
    min_level_events: int = 5,
    ties: Literal["efron", "breslow"] = "efron",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Hazard ratios of disengagement with Wald CIs, one row per model term (forest-plot rows).

    Columns :data:`COX_COLUMNS`: ``term`` (e.g. ``age_band[65-74]``, ``condition[mental_health]``,
    ``distance_to_session_km``), the ``variable`` and ``level`` it belongs to, the categorical
    ``reference`` level, ``hazard_ratio`` with ``lower``/``upper``, the Wald ``p_value``, the log
    hazard ratio and its (cluster-robust when ``cluster`` is set) standard error, and the model's
    ``n``, ``events`` and number of ``clusters``. ``cluster=None`` gives model-based SEs.

    Raises :class:`ValueError` with no starters, no events, fewer than two clusters, no usable
    covariate or collinear covariates.
    """
    level = normalise_confidence(confidence)
    design = cox_design(
        journeys,
        distance=distance,
        conditions=conditions,
        age=age,
        categorical=categorical,
        cluster=cluster,
        references=references,
        min_level_events=min_level_events,
    )
    n, events = len(design.weeks), int(design.event.sum())
    if n == 0:
        raise ValueError("no starters with a retention time (and the covariates) to model")
    if events == 0:
        raise ValueError("no disengagement events: the Cox model cannot be fitted")
    if design.exog.shape[1] == 0:
        raise ValueError("no covariate varies among the starters; nothing to model")
    x = design.exog.to_numpy(dtype=float)
    if np.linalg.matrix_rank(x - x.mean(axis=0)) < x.shape[1]:
        raise ValueError(f"collinear covariates: {', '.join(design.exog.columns)}")
    n_clusters = 0
    if design.clusters is not None:
        n_clusters = len(np.unique(design.clusters))
        if n_clusters < 2:
            raise ValueError(f"clustered standard errors need at least two {cluster} values")
    model = PHReg(design.weeks, x, status=design.event.astype(float), ties=ties)
    # Newton–Raphson to a parameter change below 1e-10 (statsmodels' default stops at 1e-8).
    result = model.fit(groups=design.clusters, tol=1e-10, maxiter=100)
    beta = np.asarray(result.params, dtype=float)
    se = np.sqrt(np.diag(np.asarray(result.cov_params(), dtype=float)))
    z = float(norm.ppf(0.5 + level / 2))
    out = design.terms.copy()
    out["hazard_ratio"] = np.exp(beta)
    out["lower"] = np.exp(beta - z * se)
    out["upper"] = np.exp(beta + z * se)
    out["p_value"] = 2 * norm.sf(np.abs(beta / se))
    out["log_hr"] = beta
    out["se"] = se
    out["n"] = n
    out["events"] = events
    out["clusters"] = n_clusters
    return out[COX_COLUMNS]
