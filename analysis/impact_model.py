"""The count models behind the pilot impact (:mod:`analysis.impact`): the estimate's shape, the
Poisson and negative-binomial fits with robust standard errors, and the chart's series.

A design (:class:`Design`) is fitted by :func:`fit_design`: Poisson first (from
``Design.start`` when the design supplies starting values, which changes the number of IRLS
iterations, not the estimate), then the NB2 negative binomial from the Poisson estimates with
α from the Cameron–Trivedi auxiliary regression. See :mod:`analysis.impact` for the methods.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from analysis.indicators import rate_ci

# fmt: off
__all__ = [
    "COUNTERFACTUAL_COLUMNS", "ESTIMATE_COLUMNS", "MIN_ALPHA", "OVERDISPERSION_P", "PER",
    "Design", "ImpactEstimate", "Model", "check_model", "fit_design",
]
ESTIMATE_COLUMNS = ["design", "model", "term", "rate_ratio", "lower", "upper", "p_value",
                    "selected"]
COUNTERFACTUAL_COLUMNS = [
    "month", "post", "pilot_referrals", "pilot_registered", "pilot_rate", "pilot_rate_lower",
    "pilot_rate_upper", "expected_rate", "counterfactual_rate", "counterfactual_lower",
    "counterfactual_upper", "comparison_referrals", "comparison_registered", "comparison_rate",
    "comparison_rate_lower", "comparison_rate_upper",
]
# fmt: on
Model = Literal["auto", "poisson", "negative_binomial"]
PER = 1000  # rates per 1,000 registered patients per month
OVERDISPERSION_P = 0.05
MIN_ALPHA = 1e-8  # NB2 α floor: at the floor the negative binomial is the Poisson


@dataclass(frozen=True)
class ImpactEstimate:
    """The pilot's effect on its referral rate; ``rate_ratio`` is exp(effect term).

    For a DiD the term is ``pilot_x_post``; for an ITS it is ``level_change`` (the step at
    go-live) and ``estimates`` also holds ``slope_change`` (ratio per month).
    """

    pilot_name: str
    design: Literal["did", "its"]
    model: Literal["poisson", "negative_binomial"]
    term: str
    rate_ratio: float
    lower: float
    upper: float
    p_value: float
    confidence: float
    standard_errors: str
    go_live: date
    n_pcns: int
    n_pilot_pcns: int
    n_comparison_pcns: int
    n_months: int
    n_pre_months: int
    n_post_months: int
    n_obs: int
    dispersion: float  # Pearson χ² / residual df of the Poisson fit
    overdispersion_p: float  # Cameron–Trivedi test, one-sided
    nb_alpha: float  # NB2 dispersion of the negative-binomial fit
    estimates: pd.DataFrame  # ESTIMATE_COLUMNS, both models
    counterfactual: pd.DataFrame  # COUNTERFACTUAL_COLUMNS
    notes: tuple[str, ...] = ()


def _glm(y: np.ndarray, x: pd.DataFrame, offset: np.ndarray, alpha: float | None) -> sm.GLM:
    family = sm.families.Poisson() if alpha is None else sm.families.NegativeBinomial(alpha=alpha)
    return sm.GLM(y, x, family=family, offset=offset)


def _overdispersion(y: np.ndarray, mu: np.ndarray, k: int) -> tuple[float, float, float]:
    """Pearson dispersion; Cameron–Trivedi α̂ and one-sided p (H1: Var = μ + αμ², α > 0).

    α̂ is the no-intercept OLS slope of ((y − μ)² − y)/μ on μ, a moment estimator of NB2 α.
    """
    dispersion = float(((y - mu) ** 2 / mu).sum() / max(len(y) - k, 1))
    aux = ((y - mu) ** 2 - y) / mu
    alpha = float(aux @ mu / (mu @ mu))
    resid = aux - alpha * mu
    se = math.sqrt(float(resid @ resid) / max(len(y) - 1, 1) / float(mu @ mu))
    return dispersion, alpha, float(stats.norm.sf(alpha / se)) if se > 0 else 1.0


@dataclass(frozen=True)
class Design:
    """A design ready to fit: the rows (with ``arm``, ``month``, ``post``), the design matrix and
    offset, the effect terms and the robust covariance to use."""

    design: Literal["did", "its"]
    frame: pd.DataFrame
    x: pd.DataFrame
    offset: np.ndarray
    terms: list[str]
    fit_kw: dict
    standard_errors: str
    start: np.ndarray | None = None  # Poisson starting values, in the order of ``x``


def fit_design(d: Design, model: Model, level: float, pilot_name: str, go_live: pd.Timestamp,
         notes: list[str], n_pcns: tuple[int, int]) -> ImpactEstimate:  # fmt: skip
    """Fit Poisson and negative binomial with robust SEs; choose; build the estimate."""
    y = d.frame["referrals"].to_numpy()
    poisson = _glm(y, d.x, d.offset, None).fit(start_params=d.start, use_t=True, **d.fit_kw)
    if not np.isfinite(poisson.params).all():
        raise ValueError("the count model did not converge; check the counts in each arm/period")
    dispersion, alpha, p = _overdispersion(y, poisson.fittedvalues, d.x.shape[1])
    alpha = max(alpha, MIN_ALPHA)
    fits = {
        "poisson": poisson,
        "negative_binomial": _glm(y, d.x, d.offset, alpha).fit(
            start_params=poisson.params.to_numpy(), use_t=True, **d.fit_kw
        ),
    }
    chosen = model if model != "auto" else (
        "negative_binomial" if p < OVERDISPERSION_P else "poisson")  # fmt: skip
    parts = []
    for name, res in fits.items():
        ci = np.exp(res.conf_int(alpha=1 - level).loc[d.terms].to_numpy())
        parts.append(pd.DataFrame({
            "design": d.design, "model": name, "term": d.terms,
            "rate_ratio": np.exp(res.params[d.terms].to_numpy()), "lower": ci[:, 0],
            "upper": ci[:, 1], "p_value": res.pvalues[d.terms].to_numpy(),
            "selected": name == chosen,
        }))  # fmt: skip
    estimates = pd.concat(parts, ignore_index=True)[ESTIMATE_COLUMNS]
    head = estimates[estimates["selected"]].iloc[0]
    months = d.frame.drop_duplicates("month")
    n_pilot_pcns, n_comparison = n_pcns
    return ImpactEstimate(
        pilot_name=pilot_name, design=d.design, model=chosen, term=d.terms[0],
        rate_ratio=float(head["rate_ratio"]), lower=float(head["lower"]),
        upper=float(head["upper"]), p_value=float(head["p_value"]), confidence=level,
        standard_errors=d.standard_errors, go_live=go_live.date(),
        n_pcns=int(n_pilot_pcns + n_comparison), n_pilot_pcns=int(n_pilot_pcns),
        n_comparison_pcns=int(n_comparison), n_months=len(months),
        n_pre_months=int((~months["post"]).sum()), n_post_months=int(months["post"].sum()),
        n_obs=len(d.frame), dispersion=dispersion, overdispersion_p=p, nb_alpha=alpha,
        estimates=estimates, counterfactual=_series(d, fits[chosen], level), notes=tuple(notes),
    )  # fmt: skip


def _predicted(res, x0: pd.DataFrame, offset: np.ndarray, month: np.ndarray, level: float):
    """Per month: Σ predicted counts from design ``x0`` with a delta-method CI on the log sum."""
    beta, cov = res.params.to_numpy(), np.asarray(res.cov_params())
    mu = np.exp(x0.to_numpy() @ beta + offset)
    grad = pd.DataFrame(x0.to_numpy() * mu[:, None]).groupby(month).sum().to_numpy()
    total = pd.Series(mu).groupby(month).sum()
    se = np.sqrt(np.einsum("mk,kl,ml->m", grad, cov, grad)) / total
    tail = (1 + level) / 2
    q = stats.t.ppf(tail, res.df_resid) if res.use_t else stats.norm.ppf(tail)
    return total, total * np.exp(-q * se), total * np.exp(q * se)


def _arm_rates(frame: pd.DataFrame, arm: str, level: float) -> pd.DataFrame:
    rows = frame[frame["arm"] == arm].groupby("month")[["referrals", "exposure"]].sum()
    out = rows.set_axis([f"{arm}_referrals", f"{arm}_registered"], axis=1)
    ci = rate_ci(rows["referrals"], rows["exposure"], multiplier=PER, confidence=level)
    for suffix, values in zip(("rate", "rate_lower", "rate_upper"), ci, strict=True):
        out[f"{arm}_{suffix}"] = values
    return out


def _series(d: Design, res, level: float) -> pd.DataFrame:
    """The chart series: pilot PCNs observed, expected and counterfactual; comparison observed."""
    rows = (d.frame["arm"] == "pilot").to_numpy()
    month = d.frame.loc[rows, "month"].to_numpy()
    xp = d.x[rows].reset_index(drop=True)
    fitted, _, _ = _predicted(res, xp, d.offset[rows], month, level)
    cf = _predicted(res, xp.assign(**dict.fromkeys(d.terms, 0.0)), d.offset[rows], month, level)
    out = _arm_rates(d.frame, "pilot", level)
    out["expected_rate"] = fitted / out["pilot_registered"] * PER
    for name, values in zip(("rate", "lower", "upper"), cf, strict=True):
        out[f"counterfactual_{name}"] = values / out["pilot_registered"] * PER
    if (d.frame["arm"] == "comparison").any():
        out = out.join(_arm_rates(d.frame, "comparison", level))
    out["post"] = d.frame.groupby("month")["post"].first()
    return out.reset_index().reindex(columns=COUNTERFACTUAL_COLUMNS).astype({"post": bool})


def check_model(model: str) -> None:
    if model not in ("auto", "poisson", "negative_binomial"):
        raise ValueError(f"model must be 'auto', 'poisson' or 'negative_binomial', got {model!r}")
