"""Uptake: how far referred people get in each PCN, uptake against the pooled value, over time
and by group, and how long people wait for their first session."""

import pandas as pd
import streamlit as st

from analysis.figures import uptake as figures
from analysis.filters import Filters
from analysis.metrics import uptake as metrics


@st.cache_data(show_spinner="Counting the funnel…", max_entries=64)
def frames(_con, store_key: str, flt: Filters) -> tuple[pd.DataFrame, ...]:
    with _con.cursor() as cur:
        by = [metrics.uptake_funnel(cur, flt, by) for by in ("pcn", "arm", "month")]
        return *by, metrics.breakdown(cur, flt), metrics.days_to_first_attendance(cur, flt)


def column(name: str, label: str):
    if name in figures.PERCENT_COLUMNS:
        return st.column_config.NumberColumn(label, format="percent")
    if name == "month":
        return st.column_config.DateColumn(label, format="MMM YYYY")
    return label


def chart(fig, key: str, caption: str, frame: pd.DataFrame, labels: dict, title: str) -> None:
    """A chart, its one-line caption and its table (labels from the figure module)."""
    st.plotly_chart(fig, theme=None, key=key)
    st.caption(caption)
    with st.expander(title):
        config = {c: column(c, label) for c, label in labels.items()}
        order = [c for c in labels if c in frame.columns]
        st.dataframe(frame, hide_index=True, column_order=order, column_config=config)


st.title("Uptake")
per_pcn, per_arm, monthly, groups, days = frames(
    st.session_state["con"], st.session_state["store_key"], st.session_state["filters"]
)
if per_arm.empty:
    st.info("No referrals match these filters: widen the period or choose other filters.")
    st.stop()

for col, arm in zip(st.columns(len(per_arm)), per_arm.itertuples(), strict=True):
    ci = f"95% CI {arm.uptake_lower:.1%} to {arm.uptake_upper:.1%}"
    col.metric(
        f"Uptake, {arm.arm_label}",
        f"{arm.uptake:.1%}",
        border=True,
        help=f"{arm.first_attended:,} of {arm.referrals:,} referrals started; {ci}",
    )
    col.caption(f"{ci}; median {arm.days_median:.0f} days to start")

st.subheader("The funnel in each PCN")
totals = per_arm.assign(pcn_name="Total: " + per_arm["arm_label"])
chart(
    figures.pcn_funnel_figure(metrics.funnel_stages(per_pcn)),
    "pcns",
    "The share of each PCN's referrals who were contacted, started and were still attending at "
    "4, 12 and 26 weeks, with 95% CIs; recent referrals have not reached the later stages yet.",
    pd.concat([per_pcn, totals], ignore_index=True),
    figures.FUNNEL_TABLE,
    "Funnel table by PCN, with the totals per arm",
)

st.subheader("Uptake across PCNs")
plot = metrics.uptake_funnel_plot(per_pcn)
chart(
    figures.uptake_funnel_plot_figure(plot),
    "funnel_plot",
    f"Each PCN's uptake against its number of referrals; PCNs outside the 95% funnel (named) "
    f"differ from the pooled {plot.pooled:.1%} by more than chance would explain.",
    plot.points,
    figures.FUNNEL_PLOT_TABLE,
    "Funnel plot table",
)

st.subheader("Uptake by month of referral")
chart(
    figures.uptake_trend_figure(monthly),
    "trend",
    "The share of each month's referrals who started, with a 95% confidence band.",
    monthly,
    figures.MONTH_TABLE,
    "Monthly table",
)

st.subheader("Uptake by group")
tabs = st.tabs([label for label, _ in metrics.DIMENSIONS.values()])
for tab, (dim, (label, _)) in zip(tabs, metrics.DIMENSIONS.items(), strict=True):
    with tab:
        several = "; a referral with several conditions counts under each" * (dim == "condition")
        chart(
            figures.breakdown_figure(groups, dim),
            f"by_{dim}",
            f"Uptake by {figures.in_sentence(label)}, with 95% CIs{several}.",
            groups[groups["dimension"] == dim],
            figures.GROUP_TABLE,
            "Table",
        )

st.subheader("Days to first attendance")
chart(
    figures.days_to_start_figure(days, per_arm),
    "days",
    "How long starters waited from referral to their first session, in weeks; the legend "
    "gives each arm's median and interquartile range (IQR).",
    days,
    figures.DAYS_TABLE,
    "Days table",
)
