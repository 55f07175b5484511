"""Pilot impact: did referral rates in the pilot PCNs change at go-live beyond what the
comparison PCNs (or the pilot PCNs' own earlier trend) predict?"""

import pandas as pd
import streamlit as st

from analysis.export.catalogue import by_name
from analysis.export.catalogue_outcomes import draw_impact
from analysis.figures import impact as figures
from analysis.filters import Filters, filter_phrase
from analysis.impact import ImpactEstimate, pilot_impact
from analysis.metrics.overview import arm_pcns, data_window
from dashboard.exhibit import Exhibit, exhibit, notice

ITEMS = by_name()


@st.cache_data(show_spinner="Fitting the impact model…", max_entries=16)
def fit(_con, store_key: str, pilot: str) -> ImpactEstimate | str:
    """The model fit (seconds at london scale, so cached), or why it cannot be made."""
    with _con.cursor() as cur:
        try:
            return pilot_impact(cur, pilot)
        except ValueError as exc:
            return str(exc)


@st.cache_data(show_spinner=False, max_entries=16)
def arms(_con, store_key: str, pilot: str) -> tuple[pd.DataFrame, tuple]:
    with _con.cursor() as cur:
        window = data_window(cur)
        return arm_pcns(cur, Filters(pilot=pilot)), (window.first_referral, window.last_referral)


def table(frame: pd.DataFrame, labels: dict, **formats: str) -> None:
    config = {
        c: st.column_config.NumberColumn(label, format=formats[c]) if c in formats else label
        for c, label in labels.items()
    }
    st.dataframe(frame, hide_index=True, column_order=list(labels), column_config=config)


st.title("Pilot impact")
notice()
flt: Filters = st.session_state["filters"]
con, store_key = st.session_state["con"], st.session_state["store_key"]
if flt.pilot is None:
    st.info(
        "Choose a pilot in the sidebar: the impact compares a pilot's PCNs before and after "
        "its go-live date."
    )
    st.stop()
est = fit(con, store_key, flt.pilot)
if isinstance(est, str):
    st.info(f"The impact of “{flt.pilot}” cannot be estimated from these data: {est}.")
    st.stop()
pcns, window = arms(con, store_key, flt.pilot)
ignored = [*flt.narrowed_by(), *["period"] * ((flt.start, flt.end) != window)]
if ignored:
    st.info(
        f"This page estimates the whole pilot, so {filter_phrase(ignored)} "
        f"{'does' if len(ignored) == 1 else 'do'} not apply here; the other pages use them."
    )

label, value, ci = figures.headline(est)
left, middle, right = st.columns(3)
left.metric(label, value, help=ci, border=True)
left.caption(ci)
middle.metric(
    "Change in referral rate",
    f"{est.rate_ratio - 1:+.0%}",
    border=True,
    help=f"95% CI {est.lower - 1:+.0%} to {est.upper - 1:+.0%}",
)
middle.caption(f"95% CI {est.lower - 1:+.0%} to {est.upper - 1:+.0%}")
right.metric(
    "Go-live",
    f"{est.go_live:%-d %b %Y}",
    border=True,
    help=f"{est.n_pre_months} months before, {est.n_post_months} after",
)
st.markdown(f"{figures.summary_sentence(est)} Rate ratio {value}, {ci}, p = {est.p_value:.3f}.")

st.subheader("Observed and counterfactual referral rates")
rates = dict.fromkeys([c for c in figures.SERIES_TABLE if "rate" in c], "%.3f")
exhibit(
    Exhibit.of(ITEMS["impact_observed_counterfactual"], draw_impact),
    est.counterfactual.assign(go_live=pd.Timestamp(est.go_live)),
    key="impact",
    caption="Monthly referrals per 1,000 registered patients in the pilot PCNs (dots with 95% "
    "CIs) against what the model expects without the pilot (dashed, with its 95% band).",
    expander="Monthly table",
    table=lambda f: table(f, figures.SERIES_TABLE, **rates),
)

st.subheader("The comparison group")
if est.design == "did":
    st.caption(
        f"{est.n_comparison_pcns} comparison PCNs stand for what would have happened in "
        f"the {est.n_pilot_pcns} pilot PCNs without the live feed."
    )
else:
    st.info(
        "No comparison PCNs are defined for this pilot, so the pilot PCNs' own trend before "
        "go-live is the comparison (an interrupted time series)."
    )
pcns = pcns.assign(arm_label=pcns["arm"].astype(str).str.capitalize())
exhibit(
    Exhibit.of(ITEMS["impact_comparison_pcns"]),  # list sizes, not counts of referred people
    pcns,
    key="comparison",
    expander=None,
    table=lambda f: table(f, figures.COMPARISON_TABLE, registered_patients="localized"),
)

st.subheader("How this was estimated")
st.markdown("\n".join(f"- {note}" for note in figures.model_notes(est)))
exhibit(
    ITEMS["impact_estimates"],
    figures.estimate_rows(est),
    key="estimates",
    expander="Estimates from both models",
    table=lambda f: table(f, figures.ESTIMATE_TABLE, rate_ratio="%.3f", lower="%.3f",
                          upper="%.3f", p_value="%.4f"),
)  # fmt: skip
