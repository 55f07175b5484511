"""The journeys in view, kept for the Retention and Outcomes pages (and shared between them).

Every journey of a pilot's PCNs is read once per store file and pilot; a filter change then
reads only the referral ids it selects and keeps their positions in that frame
(:func:`analysis.metrics.retention.rows_within`). The pilot's frame is a shared object
(``st.cache_resource``): no copy is pickled or unpickled on a rerun, so no page may modify it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from analysis.filters import Filters
from analysis.metrics import retention as metrics
from analysis.outcomes import read_followup_table

__all__ = ["followups_for_week", "journeys", "pilot_journeys", "rows_in_view"]


@st.cache_resource(show_spinner="Reading the pilot's referrals…", max_entries=4)
def pilot_journeys(_con, store_key: str, pilot: str | None) -> pd.DataFrame:
    """Every journey of the pilot's PCNs (all PCNs without a pilot), over the whole period."""
    with _con.cursor() as cur:
        return metrics.journeys_in_view(cur, Filters(pilot=pilot))


@st.cache_resource(show_spinner="Selecting referrals…", max_entries=64)
def rows_in_view(_con, store_key: str, flt: Filters) -> np.ndarray:
    """Where the journeys in view are in :func:`pilot_journeys` (positions: small to keep)."""
    with _con.cursor() as cur:
        return metrics.rows_within(cur, flt, pilot_journeys(_con, store_key, flt.pilot))


def journeys(con, store_key: str, flt: Filters) -> pd.DataFrame:
    """The journeys in view (:func:`analysis.metrics.retention.journeys_in_view` of ``flt``),
    taken from the pilot's journeys on each run rather than kept, so memory holds one frame per
    pilot whatever the number of filter sets."""
    wider = pilot_journeys(con, store_key, flt.pilot)
    return metrics.journeys_at(wider, rows_in_view(con, store_key, flt))


@st.cache_resource(show_spinner="Reading questionnaires…", max_entries=6)
def followups_for_week(_con, store_key: str, week: int, pilot: str | None) -> pd.DataFrame:
    """The follow-ups of the pilot's referrals (every referral without a pilot) placed beside
    baseline for ``week`` (:func:`analysis.outcomes.followup_table`, joined in the store), read
    once per store, week and pilot."""
    with _con.cursor() as cur:
        return read_followup_table(cur, week, pilot)
