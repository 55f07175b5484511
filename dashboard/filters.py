"""The sidebar filters every page shares, mirrored in the URL so a view can be shared as a link.

Pilot, period and PCNs, then the activity group referred into, the referral source and the
condition, and (in "Who was referred") age band, sex, ethnicity and home IMD quintile. Each
widget is bound to a query parameter (``bind="query-params"``; the names are
:data:`analysis.filters.QUERY_KEYS`), so the browser's address always describes the view and
opening that address restores it. Options are the stored codes themselves (``link_worker``,
``mental_health``), because a bound widget writes its displayed option into the URL and the URL
must carry what :meth:`analysis.filters.Filters.from_query_params` reads. The widgets live in
the entrypoint, which renders them once per run and hands the resulting
:class:`~analysis.filters.Filters` to the page through ``st.session_state``.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import streamlit as st

from analysis.filters import PERSON_FIELDS, QUERY_KEYS, Filters
from analysis.metrics.overview import DataWindow, arm_pcns, filter_values, pilot_names

ALL_PCNS = "All PCNs (no pilot)"
BIND = "query-params"
REFERRAL_WIDGETS = {  # Filters field → (label, help)
    "activity_groups": (
        "Activity group",
        (
            "Referrals into a session of these activity groups. Referrals naming no known "
            "session are left out once any group is chosen."
        ),
    ),
    "referral_sources": ("Referral source", "Who made the referral."),
    "conditions": (
        "Condition",
        "Referrals recording any of these conditions or needs among their reasons.",
    ),
}
PERSON_WIDGETS = {
    "age_bands": ("Age band", "Age at referral."),
    "sexes": ("Sex", "Recorded sex."),
    "ethnicities": ("Ethnicity", "Recorded ethnic group (broad)."),
    "imd_quintiles": (
        "IMD quintile",
        (
            "Deprivation of the home area: 1 = the most deprived fifth of areas in England, "
            "5 = the least deprived; 'unknown' = no home area recorded."
        ),
    ),
}


@st.cache_data(show_spinner=False, max_entries=8)
def filter_options(
    _con: duckdb.DuckDBPyConnection, store_key: str
) -> tuple[list[str], pd.DataFrame, dict[str, list[str]]]:
    """Pilot names; every PCN with the pilots and arm it belongs to; the values each
    referral-level filter can take (cached per store)."""
    with _con.cursor() as cur:
        pcns = arm_pcns(cur, Filters())[["pcn_code", "pcn_name"]]
        arms = cur.execute("SELECT pilot_name, pcn_code, arm FROM stg_pilot_pcns").df()
        return pilot_names(cur), pcns.merge(arms, on="pcn_code", how="left"), filter_values(cur)


def sidebar_filters(
    con: duckdb.DuckDBPyConnection,
    store_key: str,
    window: DataWindow,
    pilots: tuple[str, ...] | None = None,
) -> Filters:
    """Draw the shared filters in the sidebar and return the view they describe.

    ``pilots`` (the user's :attr:`~analysis.roles.Access.pilots`) limits the pilot choice to
    those pilots and drops the all-PCNs view, which would show other pilots' PCNs.
    """
    held, pcns, values = filter_options(con, store_key)
    allowed = [p for p in held if pilots is None or p in pilots]
    with st.sidebar:
        st.header("Filters")
        choice = st.selectbox(
            "Pilot",
            [*allowed, ALL_PCNS] if pilots is None else allowed,
            key=QUERY_KEYS["pilot"],
            bind=BIND,
            help="A pilot compares its pilot PCNs with its comparison PCNs. "
            f"'{ALL_PCNS}' treats every PCN as one group.",
        )
        pilot = None if choice in (None, ALL_PCNS) else str(choice)
        if pilots is not None and pilot not in allowed:  # never an unlisted pilot's PCNs
            pilot = allowed[0]
        bounds = {
            "min_value": window.first_referral,
            "max_value": window.last_referral,
            "format": "DD/MM/YYYY",
            "bind": BIND,
        }
        # one above the other, each the sidebar's full width: side by side, a date is cut off
        start = st.date_input(
            "Referred from", value=window.first_referral, key=QUERY_KEYS["start"], **bounds
        )
        end = st.date_input(
            "Referred up to", value=window.last_referral, key=QUERY_KEYS["end"], **bounds
        )
        start, end = _ordered(start, end)
        in_view = pcns[pcns["pilot_name"] == pilot] if pilot else pcns
        in_view = in_view.drop_duplicates("pcn_code").sort_values("pcn_code")
        names = dict(zip(in_view["pcn_code"], in_view["pcn_name"], strict=True))
        chosen = st.multiselect(
            "PCNs",
            list(names),
            key=QUERY_KEYS["pcn_codes"],
            bind=BIND,
            placeholder="All PCNs in the pilot" if pilot else "All PCNs",
            help="Leave empty for all. " + "; ".join(f"{c}: {n}" for c, n in names.items()),
        )
        picked = {field: _pick(field, values, REFERRAL_WIDGETS) for field in REFERRAL_WIDGETS}
        active = any(st.session_state.get(QUERY_KEYS[f]) for f in PERSON_FIELDS)
        with st.expander("Who was referred", expanded=active):
            picked |= {field: _pick(field, values, PERSON_WIDGETS) for field in PERSON_WIDGETS}
        st.caption(
            f"Referrals held: {window.first_referral:%-d %b %Y} to "
            f"{window.last_referral:%-d %b %Y}; data up to {window.as_of:%-d %b %Y}."
        )
    return Filters(
        pilot=pilot,
        start=start,
        end=end,
        pcn_codes=tuple(c for c in chosen if c in names),
        **picked,
    )


def _pick(
    field: str, values: dict[str, list[str]], widgets: dict[str, tuple[str, str]]
) -> tuple[str, ...]:
    """A multiselect bound to the field's query parameter; empty means all."""
    label, help_text = widgets[field]
    options = values.get(field, [])
    chosen = st.multiselect(
        label,
        options,
        key=QUERY_KEYS[field],
        bind=BIND,
        placeholder="All",
        help=f"{help_text} Leave empty for all.",
        disabled=not options,
    )
    return tuple(v for v in chosen if v in options)


def _ordered(start: date | None, end: date | None) -> tuple[date | None, date | None]:
    """The two period ends in order (a reversed choice is swapped with a note, not an error)."""
    if start and end and start > end:
        st.caption("'Referred from' was after 'Referred up to', so the two dates were swapped.")
        return end, start
    return start, end
