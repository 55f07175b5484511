"""Data quality: feed freshness and faults, SP-readiness gaps, load rejects, linkage, warnings."""

import pandas as pd
import streamlit as st

from analysis.figures import data_quality as figures
from analysis.filters import Filters
from analysis.metrics import data_quality as metrics


def table(frame: pd.DataFrame, spec: dict | None = None) -> None:
    """A table view, with headings and formats from a figures spec when given."""
    config = {
        c: st.column_config.NumberColumn(h, format=f) if f else h
        for c, (h, f) in (spec or {}).items()
    }
    st.dataframe(
        frame, hide_index=True, column_config=config, column_order=list(spec) if spec else None
    )


def chart(fig, key: str, caption: str, frame: pd.DataFrame, label: str, spec=None) -> None:
    st.plotly_chart(fig, theme=None, key=key)
    st.caption(caption)
    with st.expander(label):
        table(frame, spec)


@st.cache_data(show_spinner="Checking data quality…", max_entries=32)
def frames(_con, store_key: str, flt: Filters) -> dict[str, pd.DataFrame]:
    with _con.cursor() as cur:
        return {
            "feeds": metrics.feed_quality(cur),
            "faults": metrics.faults_by_type(cur),
            "freshness": metrics.feed_freshness(cur),
            "organisers": metrics.organiser_readiness(cur),
            "rejects": metrics.rejects_summary(cur),
            "reject_rows": metrics.reject_rows(cur),
            "loads": metrics.load_summary(cur),
            "linkage": metrics.linkage(cur, flt),
            "warnings": metrics.warnings(cur, flt),
        }


st.title("Data quality")
f = frames(st.session_state["con"], st.session_state["store_key"], st.session_state["filters"])
st.caption(
    "Can the numbers on the other pages be trusted? Feeds and loads cover the whole store; "
    "linkage and warnings cover the referrals in the sidebar's view."
)

st.subheader("Session feeds")
if f["feeds"].empty:
    st.info("No OpenActive feeds have been harvested: run `pilot harvest FEED_URL`.")
else:
    chart(
        figures.freshness_figure(f["freshness"]),
        "freshness",
        "Live session series in each "
        "feed by how long ago the publisher last updated them (as of the last build).",
        f["feeds"],
        "Feed table",
        figures.FEED_TABLE,
    )
if f["faults"].empty:
    st.info("No publisher faults were recorded while harvesting.")
else:
    chart(
        figures.faults_figure(f["faults"]),
        "faults",
        "Problems found in the publishers' feed "
        "pages while harvesting, by type (see docs/harvesting.md).",
        f["faults"],
        "Faults table",
    )

st.subheader("SP-readiness by organiser")
if f["organisers"].empty:
    st.info("No live session series are held, so there is nothing to check.")
else:
    chart(
        figures.readiness_figure(f["organisers"]),
        "readiness",
        "The share of each organiser's "
        "sessions missing each SP-readiness field; darker cells are the fields to ask for first.",
        f["organisers"],
        "Organiser table",
        figures.ORGANISER_TABLE,
    )

st.subheader("Rejected input rows")
if f["rejects"].empty:
    st.info("No input rows were rejected.")
else:
    chart(
        figures.rejects_figure(f["rejects"]),
        "rejects",
        f"{f['rejects']['rows'].sum():,} input "
        "rows were rejected at load, by file and the first field that failed.",
        f["rejects"],
        "Rejects by field",
    )
    with st.expander(f"First {len(f['reject_rows'])} rejected rows (row contents are not shown)"):
        table(f["reject_rows"])
    with st.expander("Files loaded"):
        table(f["loads"])

st.subheader("Linkage")
chart(
    figures.linkage_figure(f["linkage"]),
    "linkage",
    "How often referrals, sessions, follow-ups "
    "and areas join up; low rates leave the other pages less complete.",
    f["linkage"],
    "Linkage table",
    figures.LINKAGE_TABLE,
)

st.subheader("Warnings")
if f["warnings"].empty:
    st.info("No referrals match these filters: widen the period or choose other PCNs.")
else:
    if f["warnings"]["referrals"].sum() == 0:
        st.success("No referral breaks any of these checks.", icon=":material/check_circle:")
    table(f["warnings"], figures.WARNING_TABLE)
    st.caption(
        "Referral records that contradict themselves: fix them in the link-worker system "
        "and load the file again."
    )
