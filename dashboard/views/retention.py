"""Retention: how long starters keep attending. Kaplan–Meier curves by arm or by group with the
numbers at risk, S(4), S(12) and S(26), the log-rank test, cohorts by month of referral and the
adjusted (Cox) model, fitted when the user switches it on (it takes seconds per filter set,
more than a filter change may; docs/performance.md)."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from analysis.disclosure import protect_km, redact_and_round
from analysis.export.catalogue import by_name
from analysis.export.catalogue_outcomes import km_at_risk
from analysis.figures import retention as figures
from analysis.filters import Filters
from analysis.metrics import retention as metrics
from analysis.survival import survival_at
from dashboard.exhibit import Exhibit, exhibit, notice, on_screen
from dashboard.journeys import journeys

ITEMS = by_name()
KM = ITEMS["retention_km"]


@st.cache_data(show_spinner="Estimating retention…", max_entries=64)
def curves(_journeys: pd.DataFrame, store_key: str, flt: Filters, by: str) -> metrics.Retention:
    """The curves of the journeys in view (``_journeys``: those of ``flt`` in that store)."""
    return metrics.retention(_journeys, by)


@st.cache_data(show_spinner="Fitting the adjusted model…", max_entries=32)
def cox(_journeys: pd.DataFrame, store_key: str, flt: Filters) -> tuple[pd.DataFrame, str | None]:
    """The Cox model of the journeys in view (``_journeys``: those of ``flt`` in that store)."""
    return metrics.cox_model(_journeys)


def table(frame: pd.DataFrame, labels: dict[str, str], formats: dict | None = None) -> None:
    """A table view: columns in the figure module's order and words, proportions as %."""
    formats = dict.fromkeys(figures.PERCENT_COLUMNS, "percent") if formats is None else formats
    config: dict = {
        c: st.column_config.NumberColumn(label, format=formats[c]) if c in formats else label
        for c, label in labels.items()
    }
    if "referral_month" in labels:
        config["referral_month"] = st.column_config.DateColumn("Referred in", format="MMM YYYY")
    order = [c for c in labels if c in frame.columns]
    st.dataframe(frame, hide_index=True, column_order=order, column_config=config)


def count(x: int) -> str:
    """A count of people as this user may see it."""
    shown = redact_and_round([x]).iloc[0] if on_screen() else x
    return shown if isinstance(shown, str) else f"{int(shown):,}"


st.title("Retention")
notice()
con, key, flt = (st.session_state[k] for k in ("con", "store_key", "filters"))
in_view = journeys(con, key, flt)
if in_view.empty:
    st.info("No referrals match these filters: widen the period or choose other filters.")
    st.stop()
by = st.segmented_control(
    "Compare retention by", list(metrics.GROUPINGS), default="arm_label", required=True,
    format_func=metrics.GROUPINGS.get, key="retention_by",
)  # fmt: skip
result = curves(in_view, key, flt, by or "arm_label")
grouping = metrics.GROUPINGS[result.by]

st.subheader("Still attending after starting")
if result.km.empty:
    few = "" if not result.starters else f" (groups of fewer than {metrics.MIN_STARTERS})"
    st.info(f"Too few starters with a follow-up in this view to draw retention curves{few}.")
else:
    curve = Exhibit.of(KM, lambda km: figures.km_figure(km, km_at_risk(km), grouping))
    km = exhibit(
        curve,
        result.km,
        key="km",
        caption="The share of starters still attending each week after their first session "
        "(Kaplan–Meier), with 95% confidence bands; under the chart, the number still followed "
        "at each week.",
        expander="Curve table",
        table=lambda k: table(k, figures.KM_TABLE),
    )
    if result.left_out:
        small = ", ".join(f"{g} ({n})" for g, n in result.left_out.items())
        st.caption(f"Not drawn, fewer than {metrics.MIN_STARTERS} starters: {small}.")
    safe_km = km if on_screen() else protect_km(result.km).frame  # what downloads hold
    safe = replace(result, km=safe_km, at_risk=km_at_risk(safe_km), survival=survival_at(safe_km))
    seen = safe if on_screen() else result
    st.markdown("**Numbers at risk** (starters still followed, by weeks since starting)")
    exhibit(
        Exhibit.of(ITEMS["retention_at_risk"]),
        metrics.at_risk_table(safe.at_risk),
        key="at_risk",
        expander=None,
        table=lambda _: table(metrics.at_risk_table(seen.at_risk), figures.AT_RISK_TABLE),
    )
    st.markdown("**Still attending at 4, 12 and 26 weeks**, with 95% CIs")
    exhibit(
        Exhibit.of(ITEMS["retention_survival"]),
        metrics.survival_table(safe),
        key="survival",
        expander=None,
        table=lambda _: table(metrics.survival_table(seen), figures.SURVIVAL_TABLE),
    )
    st.markdown(metrics.describe_logrank(result.logrank, grouping))

st.subheader("Cohorts by month of referral")
exhibit(
    ITEMS["retention_cohorts"],
    metrics.cohort_retention(in_view),
    key="cohorts",
    caption="Of each month's starters who had a follow-up at 4, 12 or 26 weeks, the share still "
    f"attending (cell: share of the number followed up; blank: fewer than {figures.MIN_CELL} "
    "followed up, or not yet due).",
    expander="Cohort table",
    table=lambda t: table(t, figures.COHORT_TABLE),
)

st.subheader("What goes with stopping: the adjusted model")
fitted = st.toggle(
    "Fit the adjusted model for this view", key="retention_cox",
    help="The Cox model takes a few seconds to fit for each new set of filters, so it is fitted "
    "only when asked; once on, it is refitted whenever the filters change.",
)  # fmt: skip
rows, reason = cox(in_view, key, flt) if fitted else (pd.DataFrame(), None)
if not fitted:
    st.caption(
        "Hazard ratios of stopping by age band, sex, IMD quintile, a mental-health referral and "
        "distance to the session, each adjusted for the others: switch on the model above to "
        "fit it to the referrals in view (a few seconds)."
    )
elif reason:
    st.info(reason)
else:
    first = rows.iloc[0]
    n, events = (count(x) for x in (first.n, first.events))
    few = " (few PCNs, so treat the intervals as approximate)" if first.clusters < 30 else ""
    exhibit(
        ITEMS["retention_cox"],
        rows.assign(label=figures.term_labels(rows)),
        key="cox",
        caption="Hazard ratios of stopping from a Cox model of age band, sex, IMD quintile, a "
        f"mental-health referral and distance to the session, each adjusted for the others "
        f"({n} starters, {events} stopped); 95% CIs use standard errors clustered "
        f"by PCN, {first.clusters} PCNs{few}. Above 1: more likely to stop.",
        expander="Model table",
        table=lambda t: table(t, figures.COX_TABLE, figures.COX_FORMATS),
    )
