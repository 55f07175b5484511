"""Figures and plain-English text for the Pilot impact page; the exporter uses the same ones.

:func:`impact_figure` draws :attr:`analysis.impact.ImpactEstimate.counterfactual`: the pilot
PCNs' observed monthly referral rate (with exact Poisson / Byar's 95% CIs), the model's fit,
the counterfactual (the fit with the pilot's effect removed, with its 95% band) and, for a
difference-in-differences, the comparison PCNs' observed rate; the go-live date is a dotted
line. :func:`headline`, :func:`summary_sentence` and :func:`model_notes` say what the estimate
means and how it was made, without jargon where it can be avoided.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.figures.overview import ARM_COLOURS, _base_layout, _empty, _go_live_line, _rgba
from analysis.impact import ImpactEstimate

# fmt: off
__all__ = [
    "COMPARISON_TABLE", "ESTIMATE_TABLE", "SERIES_TABLE", "estimate_rows", "headline",
    "impact_figure", "model_notes", "summary_sentence",
]
# fmt: on

COUNTERFACTUAL_COLOUR = "#555555"
TERMS = {
    "pilot_x_post": "Pilot PCNs after go-live, relative to comparison PCNs",
    "level_change": "Step change at go-live",
    "slope_change": "Change in monthly trend after go-live (per month)",
}
MODELS = {"poisson": "Poisson", "negative_binomial": "Negative binomial"}
IN_TEXT = {"poisson": "Poisson", "negative_binomial": "negative binomial"}
SERIES_TABLE = {
    "month": "Month",
    "pilot_referrals": "Pilot referrals",
    "pilot_rate": "Pilot rate per 1,000",
    "pilot_rate_lower": "95% CI from",
    "pilot_rate_upper": "to",
    "expected_rate": "Model fit",
    "counterfactual_rate": "Without the pilot (counterfactual)",
    "counterfactual_lower": "95% CI from",
    "counterfactual_upper": "to",
    "comparison_referrals": "Comparison referrals",
    "comparison_rate": "Comparison rate per 1,000",
    "comparison_rate_lower": "95% CI from",
    "comparison_rate_upper": "to",
}
"""Table view of the chart (column → label); rates are per 1,000 registered patients a month."""
ESTIMATE_TABLE = {
    "model_label": "Model",
    "term_label": "Effect",
    "rate_ratio": "Rate ratio",
    "lower": "95% CI from",
    "upper": "to",
    "p_value": "p",
    "selected": "Headline model",
}
COMPARISON_TABLE = {
    "arm_label": "Arm",
    "pcn_code": "PCN code",
    "pcn_name": "PCN",
    "registered_patients": "Registered patients",
}


def _round(values: pd.Series, digits: int = 4) -> list[float | None]:
    return [None if pd.isna(v) else round(float(v), digits) for v in values]


def _band(
    fig: go.Figure,
    x: list[str],
    lower: pd.Series,
    upper: pd.Series,
    colour: str,
    name: str,
    group: str,
) -> None:
    fig.add_trace(
        go.Scatter(
            name=name,
            x=x + x[::-1],
            y=_round(upper) + _round(lower)[::-1],
            fill="toself",
            fillcolor=_rgba(colour, 0.18),
            line={"width": 0},
            hoverinfo="skip",
            legendgroup=group,
            showlegend=False,
        )
    )


def impact_figure(est: ImpactEstimate) -> go.Figure:
    """Observed vs counterfactual monthly referral rates of the pilot PCNs (see the module)."""
    fig = _base_layout(
        go.Figure(),
        "Referral rate in the pilot PCNs: observed and without the pilot",
        "Month",
        "Referrals per 1,000 patients a month",
    )
    cf = est.counterfactual
    if cf.empty:
        return _empty(fig)
    x = pd.to_datetime(cf["month"]).dt.strftime("%Y-%m-%d").tolist()
    post = cf["post"].astype(bool)
    _band(
        fig,
        [m for m, p in zip(x, post, strict=True) if p],
        cf.loc[post, "counterfactual_lower"],
        cf.loc[post, "counterfactual_upper"],
        COUNTERFACTUAL_COLOUR,
        "Counterfactual 95% CI",
        "cf",
    )
    fig.add_trace(
        go.Scatter(
            name="Without the pilot (counterfactual)",
            x=[m for m, p in zip(x, post, strict=True) if p],
            y=_round(cf.loc[post, "counterfactual_rate"]),
            mode="lines",
            line={"color": COUNTERFACTUAL_COLOUR, "width": 2.5, "dash": "dash"},
            legendgroup="cf",
            hovertemplate="%{x|%b %Y}: %{y:.3f} per 1,000 expected without the pilot"
            "<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            name="Model fit",
            x=x,
            y=_round(cf["expected_rate"]),
            mode="lines",
            line={"color": ARM_COLOURS["pilot"], "width": 1.5},
            opacity=0.6,
            hovertemplate="%{x|%b %Y}: model fit %{y:.3f} per 1,000<extra></extra>",
        )
    )
    arms = [("pilot", "Pilot PCNs (observed)", "circle")]
    if cf["comparison_rate"].notna().any():
        arms.append(("comparison", "Comparison PCNs (observed)", "diamond"))
    for arm, name, symbol in arms:
        rate = cf[f"{arm}_rate"]
        fig.add_trace(
            go.Scatter(
                name=name,
                x=x,
                y=_round(rate),
                mode="markers",
                marker={"color": ARM_COLOURS[arm], "size": 8, "symbol": symbol},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": _round(cf[f"{arm}_rate_upper"] - rate),
                    "arrayminus": _round(rate - cf[f"{arm}_rate_lower"]),
                    "color": ARM_COLOURS[arm],
                    "thickness": 1,
                    "width": 2,
                },
                customdata=_round(cf[f"{arm}_referrals"], 0),
                hovertemplate="%{x|%b %Y}: %{customdata:,} referrals, %{y:.3f} per 1,000"
                "<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_yaxes(rangemode="tozero")
    fig.update_xaxes(tickformat="%b %Y")
    fig.update_layout(  # the legend below, clear of the go-live label
        height=520, legend={"y": -0.18, "yanchor": "top"}, margin={"b": 60}
    )
    _go_live_line(fig, pd.Timestamp(est.go_live))
    return fig


def _change(ratio: float) -> str:
    """A rate ratio as a plain change: 1.28 → "28% higher", 0.9 → "10% lower"."""
    if round(ratio, 3) == 1:
        return "no different"
    return f"{abs(ratio - 1):.0%} {'higher' if ratio > 1 else 'lower'}"


def headline(est: ImpactEstimate) -> tuple[str, str, str]:
    """(label, value, 95% CI) of the headline estimate, e.g. ("Rate ratio", "1.28",
    "95% CI 1.10 to 1.49")."""
    label = "Rate ratio (DiD)" if est.design == "did" else "Step at go-live (rate ratio)"
    return label, f"{est.rate_ratio:.2f}", f"95% CI {est.lower:.2f} to {est.upper:.2f}"


def summary_sentence(est: ImpactEstimate) -> str:
    """The estimate in one plain-English sentence, with its interval and what it excludes."""
    if est.design == "did":
        what = (
            f"After go-live, referral rates in the {est.n_pilot_pcns} pilot PCNs were "
            f"{_change(est.rate_ratio)} than the change in the {est.n_comparison_pcns} "
            "comparison PCNs predicts"
        )
    else:
        what = (
            f"At go-live, referral rates in the {est.n_pilot_pcns} pilot PCNs stepped to "
            f"{_change(est.rate_ratio)} than their earlier trend predicts"
        )
    ci = f"95% CI from {_change(est.lower)} to {_change(est.upper)}"
    if est.lower > 1 or est.upper < 1:
        verdict = "the interval excludes no change."
    else:
        verdict = "the interval includes no change, so the data are consistent with no effect."
    return f"{what} ({ci}); {verdict}"


def model_notes(est: ImpactEstimate) -> list[str]:
    """How the estimate was made, and its caveats, as short plain-English notes."""
    model = IN_TEXT[est.model]
    if est.design == "did":
        design = (
            f"Difference-in-differences: monthly referral counts of {est.n_pilot_pcns} pilot "
            f"and {est.n_comparison_pcns} comparison PCNs over {est.n_months} months "
            f"({est.n_pre_months} before go-live, {est.n_post_months} after), in a {model} "
            "regression with a term for each PCN and each month and the PCN's registered "
            "patients as the exposure. The comparison PCNs show what would have happened "
            "anyway; the rate ratio is the pilot PCNs' change beyond theirs."
        )
    else:
        design = (
            "Interrupted time series: no comparison PCNs are defined, so the pilot PCNs' own "
            f"trend over the {est.n_pre_months} months before go-live (with calendar-month "
            f"seasonality) is projected over the {est.n_post_months} months after, in a "
            f"{model} regression with registered patients as the exposure. The step at go-live "
            "is the headline; without a comparison group, anything else that changed at the "
            "same time would be mistaken for the pilot."
        )
    chosen = (
        "The counts vary more than a Poisson model allows, so the negative binomial is used"
        if est.model == "negative_binomial"
        else "The counts vary no more than a Poisson model allows, so the Poisson is used"
    )
    dispersion = (
        f"{chosen} (dispersion {est.dispersion:.2f}; overdispersion test p = "
        f"{est.overdispersion_p:.2f}). Both models are in the table."
    )
    scope = (
        "The estimate covers every referral and month of the pilot's PCNs; the sidebar's "
        "other filters do not change it."
    )
    robust = f"The 95% intervals use robust standard errors: {est.standard_errors}."
    notes = [design, dispersion, robust, scope]
    return notes + [f"Note: {n[0].upper()}{n[1:]}." for n in est.notes]


def estimate_rows(est: ImpactEstimate) -> pd.DataFrame:
    """:attr:`ImpactEstimate.estimates` with plain-English model and effect labels."""
    return est.estimates.assign(
        model_label=est.estimates["model"].map(MODELS),
        term_label=est.estimates["term"].map(TERMS).fillna(est.estimates["term"]),
    )
