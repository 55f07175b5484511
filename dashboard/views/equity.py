"""Equity: who is referred and who starts, by deprivation, age, sex and ethnicity, with the
slope index of inequality across IMD deciles per arm."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from analysis import equity
from analysis.export.catalogue import by_name
from analysis.figures import equity as figures
from analysis.filters import PERSON_FIELDS, Filters, filter_phrase
from dashboard.exhibit import exhibit, notice

ITEMS = by_name()

NOT_APPLIED = ("activity_groups", *PERSON_FIELDS)  # analysis.equity does not filter on these
DIMENSIONS = ("imd_quintile", "age_band", "sex", "ethnicity")


@st.cache_data(show_spinner="Comparing groups…", max_entries=64)
def frames(_con, store_key: str, flt: Filters) -> tuple[pd.DataFrame, ...]:
    with _con.cursor() as cur:
        return equity.page_tables(cur, flt, DIMENSIONS)


def chart(item, key: str, caption: str, frame: pd.DataFrame, labels: dict) -> None:
    """A chart, its one-line caption, its table and downloads."""
    config = {
        c: st.column_config.NumberColumn(label, format="percent")
        if c in figures.PERCENT_COLUMNS
        else label
        for c, label in labels.items()
    }
    exhibit(item, frame, key=key, caption=caption, table=lambda shown: st.dataframe(
        shown, hide_index=True, column_order=list(labels), column_config=config))  # fmt: skip


st.title("Equity")
notice()
flt: Filters = st.session_state["filters"]
skipped = [f for f in NOT_APPLIED if getattr(flt, f)]
if skipped:
    st.info(
        f"This page compares groups of people, so {filter_phrase(skipped)} "
        f"{'does' if len(skipped) == 1 else 'do'} not apply here; the pilot, period, PCN, "
        "source and condition filters do."
    )
rates, uptake, sii = frames(
    st.session_state["con"],
    st.session_state["store_key"],
    replace(flt, **dict.fromkeys(NOT_APPLIED, ())),
)
if uptake.empty:
    st.info("No referrals match these filters: widen the period or choose other filters.")
    st.stop()

st.subheader("Slope index of inequality")
shown = figures.sii_rows(sii)
for col, (_, part) in zip(st.columns(2), shown.groupby("measure", sort=False), strict=False):
    col.markdown(f"**{part['measure_label'].iloc[0]}** ({part['unit'].iloc[0]})")
    for sub, row in zip(col.columns(len(part)), part.itertuples(), strict=True):
        ci = f"95% CI {row.sii_lower:+.2f} to {row.sii_upper:+.2f}"
        sub.metric(row.arm_label, f"{row.sii:+.2f}", help=f"{ci} {row.unit}", border=True)
        sub.caption(ci)
exhibit(
    ITEMS["equity_sii"],
    sii,
    key="sii",
    caption="The modelled gap from the most to the least deprived end of the IMD deciles, with "
    "95% CIs; below zero means higher in more deprived areas.",
    table=lambda _: st.dataframe(
        shown, hide_index=True, column_order=list(figures.SII_TABLE),
        column_config=figures.SII_TABLE,
    ),
)  # fmt: skip

st.subheader("Referral rate by deprivation")
chart(
    ITEMS["equity_referral_rate_by_imd"],
    "rates",
    "Referrals per 1,000 residents a year by the deprivation of their home area, with 95% CIs.",
    rates.assign(person_years=rates["population"] * rates["years"]),
    figures.RATE_TABLE,
)

st.subheader("Uptake by group")
dim = st.radio(
    "Compare by",
    DIMENSIONS,
    format_func=lambda d: figures.DIMENSION_LABELS[d].split(" (")[0],
    horizontal=True,
    key="equity_uptake_by",
    help="One comparison at a time; each has its own chart, table and downloads.",
)
chart(
    ITEMS[f"equity_uptake_by_{dim}"],
    f"uptake_{dim}",
    "The share of referred people who started, by "
    f"{figures.in_sentence(figures.DIMENSION_LABELS[dim])}, with 95% CIs.",
    uptake[uptake["dimension"] == dim].reset_index(drop=True),
    figures.UPTAKE_TABLE,
)
