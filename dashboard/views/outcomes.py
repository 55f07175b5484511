"""Outcomes: wellbeing (SWEMWBS, each ONS4 item) and activity days (SIPAM) at baseline and at a
follow-up week, for the same people: mean change by attendance and by arm, the share improving
by 3 or more SWEMWBS points and the ONS4 bands before and after."""

import pandas as pd
import streamlit as st

from analysis.export.catalogue import by_name
from analysis.export.catalogue_outcomes import CHANGE_SPEC
from analysis.figures import outcomes as figures
from analysis.filters import Filters
from analysis.metrics import outcomes as metrics
from analysis.outcomes import ATTENDANCE, INDICATIVE_BELOW
from dashboard.exhibit import Exhibit, exhibit, notice
from dashboard.journeys import followups_for_week, journeys

ITEMS = by_name()


@st.cache_data(show_spinner="Pairing questionnaires…", max_entries=64)
def frames(_con, store_key: str, flt: Filters, week: int) -> tuple[int, metrics.Outcomes]:
    in_view = journeys(_con, store_key, flt)[list(metrics.JOURNEY_COLUMNS)]
    placed = followups_for_week(_con, store_key, week, flt.pilot)
    with _con.cursor() as cur:
        paired = metrics.paired_in_view(cur, flt, week, journeys=in_view, followups=placed)
    return len(paired), metrics.outcomes(paired, week)


def chart(item, key: str, caption: str, frame: pd.DataFrame, labels: dict) -> None:
    """A chart, its one-line caption, its table (labels from the figure module), downloads."""
    config = {
        c: st.column_config.NumberColumn(label, format=figures.FORMATS[c])
        if c in figures.FORMATS
        else label
        for c, label in labels.items()
    }

    def table(shown: pd.DataFrame) -> None:
        order = [c for c in labels if c in shown.columns]
        st.dataframe(shown, hide_index=True, column_order=order, column_config=config)

    exhibit(item, frame, key=key, caption=caption, table=table)


def change(name: str, by: str) -> Exhibit:
    return Exhibit(name, CHANGE_SPEC, lambda f: figures.change_figure(f, metrics.BY[by]))


st.title("Outcomes")
notice()
con, key, flt = (st.session_state[k] for k in ("con", "store_key", "filters"))
week = st.segmented_control(
    "Follow-up compared with baseline", metrics.WEEKS, default=12, required=True,
    format_func=lambda w: f"Week {w}", key="outcomes_week",
)  # fmt: skip
referrals, result = frames(con, key, flt, int(week or 12))
if referrals == 0:
    st.info("No referrals match these filters: widen the period or choose other filters.")
    st.stop()
if result.by_attendance.empty and result.by_arm.empty:
    st.info(
        f"None of the {referrals:,} referrals in view has both a baseline and a week-"
        f"{result.week} questionnaire yet: choose an earlier week or widen the period."
    )
    st.stop()
indicative = metrics.indicative_groups(result)
if indicative:
    st.warning(
        f"**Indicative only:** some groups have fewer than {INDICATIVE_BELOW} people with both "
        f"questionnaires: {'; '.join(indicative)}. Read their estimates with caution (hollow "
        "markers, hatched bars and the 'Indicative only' column).",
        icon=":material/warning:",
    )
st.caption(
    f"{result.pairs:,} people with a SWEMWBS score at both baseline and week {result.week}. "
    "Change is week-N score minus baseline for people with both; anxiety is better when lower."
)

st.subheader(f"Change by attendance at week {result.week}")
chart(
    change("outcomes_change_by_attendance", ATTENDANCE),
    "by_attendance",
    "Mean change from baseline with 95% CIs, for people still attending at the follow-up and "
    "for those who had stopped.",
    result.by_attendance,
    figures.CHANGE_TABLE,
)
st.subheader("Change by arm")
chart(
    change("outcomes_change_by_arm", "arm_label"),
    "by_arm",
    "Mean change from baseline with 95% CIs, in the pilot and comparison PCNs.",
    result.by_arm,
    figures.CHANGE_TABLE,
)
st.subheader("Improving by 3 or more SWEMWBS points")
chart(
    ITEMS["outcomes_improvement"],
    "improved",
    "The share of people whose SWEMWBS score rose by at least 3 points (about the smallest "
    "change that is meaningful for one person), with 95% CIs.",
    result.improvement,
    figures.IMPROVEMENT_TABLE,
)
st.subheader("ONS4 wellbeing bands before and after")
chart(
    ITEMS["outcomes_ons4_bands"],
    "bands",
    "The share of the same people in each ONS wellbeing band at baseline and at the follow-up, "
    "with 95% CIs.",
    result.bands,
    figures.BAND_TABLE,
)
st.caption(f"SWEMWBS (Short Warwick-Edinburgh Mental Wellbeing Scale) {metrics.ATTRIBUTION}.")
