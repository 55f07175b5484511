"""Uptake: how far referred people get in each PCN, uptake against the pooled value, over time
and by group, and how long people wait for their first session."""

import pandas as pd
import streamlit as st

from analysis.export.catalogue import by_name
from analysis.export.catalogue_items import with_total
from analysis.export.catalogue_uptake import days_to_start, draw_funnel_plot, funnel_plot_counts
from analysis.figures import uptake as figures
from analysis.filters import Filters
from analysis.metrics import uptake as metrics
from analysis.metrics.uptake_tables import uptake_tables
from dashboard.exhibit import Exhibit, exhibit, notice, screened

ITEMS = by_name()


@st.cache_data(show_spinner="Counting the funnel…", max_entries=64)
def frames(_con, store_key: str, flt: Filters) -> tuple[pd.DataFrame, ...]:
    with _con.cursor() as cur:
        t = uptake_tables(cur, flt)
        return t.per_pcn, t.per_arm, t.monthly, t.breakdown, t.days


def column(name: str, label: str):
    if name in figures.PERCENT_COLUMNS:
        return st.column_config.NumberColumn(label, format="percent")
    if name == "month":
        return st.column_config.DateColumn(label, format="MMM YYYY")
    return label


def chart(item, key: str, caption: str, frame: pd.DataFrame, labels: dict, title: str) -> None:
    """A chart, its one-line caption, its table (labels from the figure module), downloads."""
    config = {c: column(c, label) for c, label in labels.items()}

    def table(shown: pd.DataFrame) -> None:  # only the columns shown are sent
        order = [c for c in labels if c in shown.columns]
        st.dataframe(shown[order], hide_index=True, column_order=order, column_config=config)

    exhibit(item, frame, key=key, caption=caption, expander=title, table=table)


st.title("Uptake")
notice()
per_pcn, per_arm, monthly, groups, days = frames(
    st.session_state["con"], st.session_state["store_key"], st.session_state["filters"]
)
if per_arm.empty:
    st.info("No referrals match these filters: widen the period or choose other filters.")
    st.stop()

ARM = ITEMS["uptake_by_arm"]
arms = screened(ARM, per_arm)
for col, arm in zip(st.columns(len(arms)), arms.itertuples(), strict=True):
    if pd.isna(arm.uptake):
        col.metric(f"Uptake, {arm.arm_label}", "–", border=True,
                   help="Hidden: too few referrals or starters to show.")  # fmt: skip
        continue
    ci = f"95% CI {arm.uptake_lower:.1%} to {arm.uptake_upper:.1%}"
    col.metric(
        f"Uptake, {arm.arm_label}",
        f"{arm.uptake:.1%}",
        border=True,
        help=f"{arm.first_attended:,.0f} of {arm.referrals:,.0f} referrals started; {ci}",
    )
    col.caption(f"{ci}; median {arm.days_median:.0f} days to start")

st.subheader("The funnel in each PCN")
totals = per_arm.assign(pcn_name="Total: " + per_arm["arm_label"])
wide = screened(ARM, pd.concat([per_pcn, totals], ignore_index=True))
shown_columns = [c for c in figures.FUNNEL_TABLE if c in wide]
stages = with_total(metrics.funnel_stages(per_pcn), ["arm", "pcn_code"])
exhibit(
    ITEMS["uptake_pcn_funnel"],
    stages,
    key="pcns",
    caption="The share of each PCN's referrals who were contacted, started and were still "
    "attending at 4, 12 and 26 weeks, with 95% CIs; recent referrals have not reached the later "
    "stages yet.",
    expander="Funnel table by PCN, with the totals per arm",
    table=lambda _: st.dataframe(
        wide[shown_columns], hide_index=True, column_order=shown_columns,
        column_config={c: column(c, label) for c, label in figures.FUNNEL_TABLE.items()},
    ),
)  # fmt: skip

st.subheader("Uptake across PCNs")
counted = screened(ARM, per_pcn)
plot = funnel_plot_counts(counted)
pooled = "" if plot is None else f" {plot.pooled:.1%}"
exhibit(
    Exhibit.of(  # the chart of the numbers on screen reuses their funnel limits
        ITEMS["uptake_funnel_plot"],
        lambda frame: figures.uptake_funnel_plot_figure(plot)
        if frame is counted
        else draw_funnel_plot(frame),
    ),
    per_pcn,
    key="funnel_plot",
    caption="Each PCN's uptake against its number of referrals; PCNs outside the 95% funnel "
    f"(named) differ from the pooled{pooled} by more than chance would explain.",
    expander="Funnel plot table",
    table=lambda _: st.dataframe(
        None if plot is None else plot.points[list(figures.FUNNEL_PLOT_TABLE)], hide_index=True,
        column_order=list(figures.FUNNEL_PLOT_TABLE),
        column_config={c: column(c, lb) for c, lb in figures.FUNNEL_PLOT_TABLE.items()},
    ),
)  # fmt: skip

st.subheader("Uptake by month of referral")
chart(
    ITEMS["uptake_by_month"],
    "trend",
    "The share of each month's referrals who started, with a 95% confidence band.",
    monthly,
    figures.MONTH_TABLE,
    "Monthly table",
)

BREAKDOWNS = {dim: label for dim, (label, _) in metrics.DIMENSIONS.items()}


@st.fragment
def by_group(groups: pd.DataFrame) -> None:
    """The breakdown chosen, with its chart, table and downloads; choosing another reruns only
    this part of the page."""
    dim = st.radio(
        "Break down by",
        list(BREAKDOWNS),
        format_func=BREAKDOWNS.__getitem__,
        horizontal=True,
        key="uptake_breakdown",
        help="One breakdown at a time; each has its own chart, table and downloads.",
    )
    several = "; a referral with several conditions counts under each" * (dim == "condition")
    chart(
        ITEMS[f"uptake_by_{dim}"],
        f"by_{dim}",
        f"Uptake by {figures.in_sentence(BREAKDOWNS[dim])}, with 95% CIs{several}.",
        groups[groups["dimension"] == dim].reset_index(drop=True),
        figures.GROUP_TABLE,
        "Table",
    )


st.subheader("Uptake by group")
by_group(groups)

st.subheader("Days to first attendance")
chart(
    ITEMS["uptake_days_to_start"],
    "days",
    "How long starters waited from referral to their first session, in weeks; the legend "
    "gives each arm's median and interquartile range (IQR).",
    days_to_start(days, per_arm),
    figures.DAYS_TABLE,
    "Days table",
)  # fmt: skip
