"""The journeys in view, kept for the Retention and Outcomes pages (and shared between them).

Every journey of a pilot's PCNs is read once per store file and pilot; a filter change then
reads only the referral ids it selects and takes their rows from that frame
(:func:`analysis.metrics.retention.journeys_within`). The frames are shared objects
(``st.cache_resource``): no copy is pickled or unpickled on a rerun, so no page may modify them.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.filters import Filters
from analysis.metrics import retention as metrics
from analysis.outcomes import followup_table, read_followups

__all__ = ["followups_for_week", "journeys", "pilot_journeys"]


@st.cache_resource(show_spinner="Reading the pilot's referrals…", max_entries=4)
def pilot_journeys(_con, store_key: str, pilot: str | None) -> pd.DataFrame:
    """Every journey of the pilot's PCNs (all PCNs without a pilot), over the whole period."""
    with _con.cursor() as cur:
        return metrics.journeys_in_view(cur, Filters(pilot=pilot))


@st.cache_resource(show_spinner="Selecting referrals…", max_entries=32)
def journeys(_con, store_key: str, flt: Filters) -> pd.DataFrame:
    """The journeys in view (:func:`analysis.metrics.retention.journeys_in_view` of ``flt``)."""
    with _con.cursor() as cur:
        return metrics.journeys_within(cur, flt, pilot_journeys(_con, store_key, flt.pilot))


@st.cache_resource(show_spinner="Reading questionnaires…", max_entries=6)
def followups_for_week(_con, store_key: str, week: int) -> pd.DataFrame:
    """The store's follow-ups placed beside baseline for ``week``
    (:func:`analysis.outcomes.followup_table`), read once per store and week."""
    with _con.cursor() as cur:
        return followup_table(read_followups(cur), week)
