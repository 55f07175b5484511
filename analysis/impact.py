"""Pilot impact on referral rates: difference-in-differences, or an interrupted time series.

**Difference-in-differences** (a pilot with comparison PCNs). One row per PCN × month, pilot and
comparison PCNs only; a GLM for the monthly referral count with PCN and calendar-month fixed
effects, offset log(registered patients × share of the month covered by the data) and a
``pilot × post-go-live`` term whose exponential is the rate ratio. Standard errors are
cluster-robust by PCN (CR1: statsmodels ``cov_type="cluster"`` with its small-sample factor
G/(G−1)·(N−1)/(N−K)) and inference uses Student's t with G − 1 degrees of freedom, which is the
safer choice with few PCNs.

**Interrupted time series** (no comparison PCNs). Segmented Poisson regression on the pilot
PCNs' summed monthly counts (offset log of their summed registered patients): intercept, time
(months), a level change and a slope change from the go-live month, and calendar-month
seasonality (month-of-year dummies by default, or Fourier terms). Summing over PCNs makes the
month the unit, so standard errors are Newey–West HAC (Bartlett kernel,
⌊4(T/100)^(2/9)⌋ lags) rather than clustered by PCN, which would ignore that a month's shocks
are shared by every PCN (Bernal, Cummins & Gasparrini 2017).

**Poisson or negative binomial.** Both are fitted and reported (``ImpactEstimate.estimates``).
The negative binomial's NB2 dispersion α is the moment estimator from the Cameron–Trivedi
auxiliary regression on the Poisson fit (floored at 1e-8, where NB equals Poisson). With
``model="auto"`` the headline uses the negative binomial when the Cameron–Trivedi (1990)
auxiliary-regression test rejects equidispersion of the Poisson fit (one-sided p < 0.05), and
the Poisson otherwise; both use the robust standard errors above, so either is valid under
overdispersion and the choice is one of efficiency.

**Counterfactual.** Per month, the pilot PCNs' observed referrals per 1,000 registered
patients, the model's prediction, and the prediction with the effect terms set to zero (what
the pilot PCNs would have had without the pilot), with a delta-method CI band from the robust
covariance; for a DiD also the comparison PCNs' observed rate. Observed rates carry exact
Poisson / Byar's CIs as everywhere else. Months cut by the data's first or last referral date
are scaled by the share of the month covered (as on the Overview page). When go-live is not
the 1st of a month, that month is partly treated and is left out of the model.
"""

from __future__ import annotations

import math
from typing import Literal

import duckdb
import numpy as np
import pandas as pd

from analysis.fixed_effects import two_way_poisson_start
from analysis.impact_model import (
    COUNTERFACTUAL_COLUMNS,
    ESTIMATE_COLUMNS,
    Design,
    ImpactEstimate,
    Model,
    check_model,
    fit_design,
)
from analysis.indicators import normalise_confidence

# fmt: off
__all__ = [
    "COUNTERFACTUAL_COLUMNS", "ESTIMATE_COLUMNS", "PANEL_COLUMNS", "ImpactEstimate", "Model",
    "difference_in_differences", "interrupted_time_series", "load_pilot_panel", "pilot_impact",
]
PANEL_COLUMNS = ["pcn_code", "arm", "month", "registered_patients", "month_fraction",
                 "referrals", "go_live"]
# fmt: on
MIN_DID_PCNS = 2  # per arm: cluster-robust SEs need several clusters in each arm
MIN_ITS_MONTHS = 3  # per segment: a slope needs at least three points


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------
def load_pilot_panel(con: duckdb.DuckDBPyConnection, pilot_name: str) -> pd.DataFrame:
    """``mart_pcn_month`` rows of a pilot's PCNs with their arm (columns :data:`PANEL_COLUMNS`)."""
    names = [
        r[0] for r in con.execute("SELECT DISTINCT pilot_name FROM stg_pilot_pcns").fetchall()
    ]
    if pilot_name not in names:
        known = ", ".join(sorted(names)) or "none"
        raise ValueError(f"no pilot named {pilot_name!r} (defined pilots: {known})")
    first, last = con.execute(
        "SELECT min(referral_date), max(referral_date) FROM journeys"
    ).fetchone()
    if first is None:
        raise ValueError("the store holds no referrals, so there is no series to analyse")
    panel = con.execute(
        "SELECT m.pcn_code, pp.arm, m.month, m.registered_patients, m.referrals, pp.go_live "
        "FROM mart_pcn_month AS m JOIN stg_pilot_pcns AS pp "
        "ON pp.pcn_code = m.pcn_code AND pp.pilot_name = ? ORDER BY pp.arm, m.pcn_code, m.month",
        [pilot_name],
    ).df()
    panel["month"] = pd.to_datetime(panel["month"])
    start, end = pd.Timestamp(first), pd.Timestamp(last)
    month_end = panel["month"] + pd.offsets.MonthEnd(0)
    covered = (month_end.clip(upper=end) - panel["month"].clip(lower=start)).dt.days + 1
    panel["month_fraction"] = covered.clip(lower=0) / panel["month"].dt.days_in_month
    return panel[PANEL_COLUMNS]


def _prepare(panel: pd.DataFrame) -> tuple[pd.DataFrame, pd.Timestamp, list[str]]:
    """Validated copy with ``post`` and ``exposure``; the go-live date; notes."""
    missing = sorted(set(PANEL_COLUMNS) - {"month_fraction"} - set(panel.columns))
    if missing:
        raise ValueError(f"panel lacks columns: {', '.join(missing)}")
    if panel.empty:
        raise ValueError("the pilot has no PCN-months to analyse")
    go = pd.to_datetime(panel["go_live"]).dropna().unique()
    if len(go) != 1:
        raise ValueError(f"the panel must carry exactly one go-live date, found {len(go)}")
    go_live = pd.Timestamp(go[0])
    frame = panel.copy()
    frame["month"] = pd.to_datetime(frame["month"]).dt.to_period("M").dt.to_timestamp()
    if "month_fraction" not in frame:
        frame["month_fraction"] = 1.0
    values = frame[["registered_patients", "referrals", "month_fraction"]].astype(float)
    if values.isna().any().any():
        raise ValueError("registered_patients, referrals and month_fraction must not be missing")
    if (values["registered_patients"] <= 0).any():
        raise ValueError("registered_patients must be greater than zero in every PCN-month")
    if (values["referrals"] < 0).any():
        raise ValueError("referrals must not be negative")
    frame["exposure"] = values["registered_patients"] * values["month_fraction"]
    frame["referrals"] = values["referrals"]
    frame = frame[frame["exposure"] > 0]
    notes: list[str] = []
    if go_live.day != 1:
        frame = frame[frame["month"] != go_live.to_period("M").to_timestamp()]
        notes.append(f"go-live {go_live.date()} is mid-month, so that month is left out")
    frame["post"] = frame["month"] >= go_live
    for label, rows in (("before", ~frame["post"]), ("after", frame["post"])):
        if not rows.any():
            raise ValueError(f"no months {label} go-live ({go_live.date()}) in the data")
    return frame.reset_index(drop=True), go_live, notes


# ---------------------------------------------------------------------------------------------
# Fitting
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# Designs
# ---------------------------------------------------------------------------------------------
def difference_in_differences(
    panel: pd.DataFrame, *, pilot_name: str = "", model: Model = "auto", confidence: float = 0.95
) -> ImpactEstimate:
    """DiD rate ratio for pilot vs comparison PCNs after go-live (see the module docstring).

    ``panel`` has :data:`PANEL_COLUMNS` (``month_fraction`` optional, default 1); rows of PCNs
    in neither arm are ignored. Raises :class:`ValueError` for unusable input: fewer than
    two PCNs in either arm, no months before or after go-live, or no referrals in an arm and
    period.
    """
    level = normalise_confidence(confidence)
    check_model(model)
    frame, go_live, notes = _prepare(panel)
    frame = frame[frame["arm"].isin(["pilot", "comparison"])].reset_index(drop=True)
    n_arm = frame.groupby("arm")["pcn_code"].nunique()
    for arm in ("pilot", "comparison"):
        if n_arm.get(arm, 0) < MIN_DID_PCNS:
            hint = "; without comparison PCNs use design='its'" if arm == "comparison" else ""
            raise ValueError(
                f"difference-in-differences needs at least {MIN_DID_PCNS} {arm} PCNs with data, "
                f"found {n_arm.get(arm, 0)}{hint}"
            )
    for (arm, post), total in frame.groupby(["arm", "post"])["referrals"].sum().items():
        if total == 0:
            raise ValueError(f"no referrals in the {arm} PCNs {'after' if post else 'before'} "
                             "go-live")  # fmt: skip
    month = frame["month"].dt.strftime("%Y-%m")
    x = pd.concat([
        pd.Series(1.0, index=frame.index, name="const"),
        pd.get_dummies(frame["pcn_code"], prefix="pcn", drop_first=True, dtype=float),
        pd.get_dummies(month, prefix="month", drop_first=True, dtype=float),
        ((frame["arm"] == "pilot") & frame["post"]).astype(float).rename("pilot_x_post"),
    ], axis=1)  # fmt: skip
    groups = pd.factorize(frame["pcn_code"])[0]
    n_clusters = int(groups.max()) + 1
    if n_clusters < 10:
        notes.append(f"only {n_clusters} PCNs: cluster-robust CIs are approximate")
    offset = np.log(frame["exposure"].to_numpy())
    start = two_way_poisson_start(x, frame["referrals"].to_numpy(), offset, frame["pcn_code"],
                                  month, "pilot_x_post", ("pcn", "month"))  # fmt: skip
    design = Design(
        "did", frame, x, offset, ["pilot_x_post"],
        {"cov_type": "cluster", "cov_kwds": {"groups": groups}},
        f"cluster-robust by PCN (CR1), t with {n_clusters - 1} df", start,
    )  # fmt: skip
    return fit_design(
        design, model, level, pilot_name, go_live, notes, (n_arm["pilot"], n_arm["comparison"])
    )


def interrupted_time_series(
    panel: pd.DataFrame,
    *,
    pilot_name: str = "",
    model: Model = "auto",
    seasonality: Literal["month", "fourier", "none"] = "month",
    harmonics: int = 2,
    confidence: float = 0.95,
) -> ImpactEstimate:
    """Segmented regression on the pilot PCNs' summed monthly counts (see the module docstring).

    ``rate_ratio`` is the level change at go-live; ``estimates`` also has the slope change
    (ratio per month). ``seasonality`` is month-of-year dummies (``"month"``, needs about 18+
    months), ``"fourier"`` (``harmonics`` sine/cosine pairs) or ``"none"``. Raises
    :class:`ValueError` when there are no pilot PCNs, fewer than three months on either side
    of go-live, or too few months to identify the parameters.
    """
    level = normalise_confidence(confidence)
    check_model(model)
    frame, go_live, notes = _prepare(panel)
    pilot = frame[frame["arm"] == "pilot"]
    if pilot.empty:
        raise ValueError("the pilot has no pilot PCNs with data")
    series = pilot.groupby("month", as_index=False).agg(
        referrals=("referrals", "sum"), exposure=("exposure", "sum"), post=("post", "first")
    )
    series["arm"] = "pilot"
    n_pre, n_post = int((~series["post"]).sum()), int(series["post"].sum())
    if min(n_pre, n_post) < MIN_ITS_MONTHS:
        raise ValueError(
            f"an interrupted time series needs at least {MIN_ITS_MONTHS} months before and after "
            f"go-live, found {n_pre} before and {n_post} after"
        )
    if min(n_pre, n_post) < 8:
        notes.append("fewer than 8 months on one side of go-live: the trend estimates are weak")
    if series.groupby("post")["referrals"].sum().min() == 0:
        raise ValueError("no referrals in the pilot PCNs before or after go-live")
    index = series["month"].dt.year * 12 + series["month"].dt.month
    x = pd.DataFrame({"const": 1.0, "time": (index - index[series["post"]].min()).astype(float)})
    x["level_change"] = series["post"].astype(float)
    x["slope_change"] = x["level_change"] * x["time"]
    x = pd.concat([x, _seasonal_terms(series["month"], seasonality, harmonics)], axis=1)
    if len(series) < x.shape[1] + 2 or np.linalg.matrix_rank(x.to_numpy()) < x.shape[1]:
        raise ValueError(
            f"{len(series)} months cannot identify the {x.shape[1]} parameters of the trend, "
            f"level and slope changes and seasonality={seasonality!r}; try 'fourier' or 'none'"
        )
    lags = math.floor(4 * (len(series) / 100) ** (2 / 9))
    design = Design(
        "its", series, x, np.log(series["exposure"].to_numpy()), ["level_change", "slope_change"],
        {"cov_type": "HAC", "cov_kwds": {"maxlags": lags, "use_correction": True}},
        f"HAC (Newey-West, {lags} lags), t with {len(series) - x.shape[1]} df",
    )  # fmt: skip
    return fit_design(
        design, model, level, pilot_name, go_live, notes, (pilot["pcn_code"].nunique(), 0)
    )


def _seasonal_terms(month: pd.Series, kind: str, harmonics: int) -> pd.DataFrame:
    moy = month.dt.month
    if kind == "month":
        return pd.get_dummies(moy, prefix="moy", drop_first=True, dtype=float)
    if kind == "fourier":
        if not 1 <= harmonics <= 6:
            raise ValueError(f"harmonics must be 1 to 6, got {harmonics}")
        return pd.DataFrame({
            f"{fn.__name__}{k}": fn(2 * math.pi * k * moy / 12)
            for k in range(1, harmonics + 1) for fn in (np.sin, np.cos)
            if not (k == 6 and fn is np.sin)  # sin(πm) is identically zero
        })  # fmt: skip
    if kind == "none":
        return pd.DataFrame(index=month.index)
    raise ValueError(f"seasonality must be 'month', 'fourier' or 'none', got {kind!r}")


def pilot_impact(
    con: duckdb.DuckDBPyConnection,
    pilot_name: str,
    *,
    design: Literal["auto", "did", "its"] = "auto",
    model: Model = "auto",
    confidence: float = 0.95,
) -> ImpactEstimate:
    """The pilot's impact from a built store: DiD when it has comparison PCNs, else ITS."""
    if design not in ("auto", "did", "its"):
        raise ValueError(f"design must be 'auto', 'did' or 'its', got {design!r}")
    panel = load_pilot_panel(con, pilot_name)
    if design == "auto":
        design = "did" if (panel["arm"] == "comparison").any() else "its"
    fit = difference_in_differences if design == "did" else interrupted_time_series
    return fit(panel, pilot_name=pilot_name, model=model, confidence=confidence)
