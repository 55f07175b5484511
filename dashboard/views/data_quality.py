"""Data quality: feed freshness and faults, SP-readiness gaps, load rejects, linkage, warnings."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analysis.export.catalogue import by_name
from analysis.export.catalogue_place import warning_counts
from analysis.figures import data_quality as figures
from analysis.filters import Filters
from analysis.metrics import data_quality as metrics
from dashboard.exhibit import Exhibit, exhibit, notice, on_screen, screened

ITEMS = by_name()


def table(frame: pd.DataFrame, spec: dict | None = None) -> None:
    """A table view, with headings and formats from a figures spec when given."""
    config = {
        c: st.column_config.NumberColumn(h, format=f) if f else h
        for c, (h, f) in (spec or {}).items()
    }
    st.dataframe(
        frame, hide_index=True, column_config=config, column_order=list(spec) if spec else None
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def figure(name: str, frame: pd.DataFrame) -> go.Figure:
    """A catalogue chart of ``frame``, drawn once per distinct frame: the store-wide charts do not
    change with the view (a shared object, never modified: shown and exported as copies)."""
    return ITEMS[name].draw(frame)


def chart(name: str, key: str, caption: str, frame: pd.DataFrame, label: str, spec=None,
          shown: pd.DataFrame | None = None) -> None:  # fmt: skip
    """A catalogue chart drawn from ``frame``; its table view is ``shown`` (default: the chart's
    own numbers)."""
    item = Exhibit.of(ITEMS[name], lambda drawn: figure(name, drawn))
    if shown is None:
        exhibit(item, frame, key=key, caption=caption, expander=label,
                table=lambda f: table(f, spec))  # fmt: skip
        return
    exhibit(item, frame, key=key, caption=caption, expander=None, table=lambda f: None)
    with st.expander(label):
        table(shown, spec)


@st.cache_data(show_spinner="Checking data quality…", max_entries=4)
def store_frames(_con, store_key: str) -> dict[str, pd.DataFrame]:
    """What covers the whole store (feeds, loads): read once per store, whatever the view."""
    with _con.cursor() as cur:
        return {
            "feeds": metrics.feed_quality(cur),
            "faults": metrics.faults_by_type(cur),
            "freshness": metrics.feed_freshness(cur),
            "organisers": metrics.organiser_readiness(cur),
            "rejects": metrics.rejects_summary(cur),
            "reject_rows": metrics.reject_rows(cur),
            "loads": metrics.load_summary(cur),
            "links": metrics.store_links(cur),
        }


@st.cache_data(show_spinner="Checking data quality…", max_entries=32)
def view_frames(
    _con, store_key: str, flt: Filters, _links: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """What follows the view's filters: linkage and warnings about the referrals in view, from
    one read of them (``_links``: the store's file links, :func:`store_frames`)."""
    with _con.cursor() as cur:
        linkage, warnings = metrics.view_checks(cur, flt, _links)
    return {"linkage": linkage, "warnings": warnings}


st.title("Data quality")
notice()
con, key = st.session_state["con"], st.session_state["store_key"]
store = store_frames(con, key)
f = store | view_frames(con, key, st.session_state["filters"], store["links"])
st.caption(
    "Can the numbers on the other pages be trusted? Feeds and loads cover the whole store; "
    "linkage and warnings cover the referrals in the sidebar's view."
)

st.subheader("Session feeds")
if f["feeds"].empty:
    st.info("No OpenActive feeds have been harvested: run `pilot harvest FEED_URL`.")
else:
    chart(
        "data_quality_freshness",
        "freshness",
        "Live session series in each "
        "feed by how long ago the publisher last updated them (as of the last build).",
        f["freshness"],
        "Feed table",
        figures.FEED_TABLE,
        shown=f["feeds"],
    )
if f["faults"].empty:
    st.info("No publisher faults were recorded while harvesting.")
else:
    chart(
        "data_quality_faults",
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
        "data_quality_readiness",
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
    counted = screened(Exhibit.of(ITEMS["data_quality_rejects"]), f["rejects"])["rows"]
    rejected = f"About {counted.sum():,.0f}" if on_screen() else f"{counted.sum():,}"
    chart(
        "data_quality_rejects",
        "rejects",
        f"{rejected} input rows were rejected at load, by file and the first field that failed.",
        f["rejects"],
        "Rejects by field",
    )
    if on_screen():
        st.caption("Rejected rows one by one are shown to the team that loads the files.")
    else:
        with st.expander(f"First {len(f['reject_rows'])} rejected rows (contents not shown)"):
            table(f["reject_rows"])
    with st.expander("Files loaded"):
        table(f["loads"])

st.subheader("Linkage")
chart(
    "data_quality_linkage",
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
    raw = f["warnings"]  # the counts, without referral ids, go to screen and downloads
    counted = warning_counts(raw)
    exhibit(
        Exhibit.of(ITEMS["data_quality_warnings"]),
        counted,
        key="warnings",
        expander=None,
        table=lambda w: table(
            w if on_screen() else raw,
            {c: s for c, s in figures.WARNING_TABLE.items() if c in w or not on_screen()},
        ),
    )
    st.caption(
        "Referral records that contradict themselves: fix them in the link-worker system "
        "and load the file again."
    )
