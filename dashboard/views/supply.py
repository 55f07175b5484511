"""Supply & gaps: where suitable sessions are, who lives far from one, and a session finder."""

import pandas as pd
import streamlit as st

from analysis.export.catalogue import NO_COUNTS, by_name
from analysis.figures import supply as figures
from analysis.filters import Filters
from analysis.metrics import supply as metrics
from dashboard.exhibit import Exhibit, exhibit, notice, screened

COVERAGE = by_name()["supply_coverage"]
AREAS = by_name()["supply_areas"]


def shown_columns(frame: pd.DataFrame, spec: dict) -> list[str]:
    """The columns a table view sends: those of ``spec`` and the row's code (hidden)."""
    return [col for col in frame.columns if col in spec or col in ("pcn_code", "lsoa_code")]


def table(frame, spec: dict) -> None:
    """A table view from a figures spec: column → (heading, number format or "link:<text>");
    only the columns shown (and the row's code) are sent to the browser."""
    config = {
        col: st.column_config.LinkColumn(label, display_text=fmt[5:])
        if fmt and fmt.startswith("link:")
        else st.column_config.NumberColumn(label, format=fmt)
        if fmt
        else label
        for col, (label, fmt) in spec.items()
    }
    if isinstance(frame, pd.DataFrame):
        frame = frame[shown_columns(frame, spec)]
    st.dataframe(frame, hide_index=True, column_order=list(spec), column_config=config)


def pcn_table(pcns: pd.DataFrame) -> None:
    """The PCN table view: counts redacted, desert rows shaded."""
    rows = metrics.pcn_table(pcns)
    styled = figures.highlight_deserts(rows, shown_columns(rows, figures.PCN_TABLE))
    table(styled, figures.PCN_TABLE)


@st.cache_resource(show_spinner="Loading session supply…", max_entries=2)
def store_supply(_con, store_key: str) -> metrics.StoreSupply:
    """The filter-independent supply, read once per store file and shared (never modified)."""
    with _con.cursor() as cur:
        return metrics.load_store_supply(cur)


@st.cache_resource(show_spinner="Loading session supply…", max_entries=8)
def place_supply(_con, store_key: str, place: tuple, _flt: Filters) -> metrics.SupplyData:
    """A view's supply, areas, PCNs and practices, shared by every view of the same place
    (``place``: :func:`metrics.place_key` of ``_flt``), so a new period reads only referrals."""
    with _con.cursor() as cur:
        return metrics.load_place(cur, _flt, store_supply(_con, store_key))


@st.cache_resource(show_spinner="Loading session supply…", max_entries=16)
def supply(_con, store_key: str, flt: Filters) -> metrics.SupplyData:
    place = place_supply(_con, store_key, metrics.place_key(flt), flt)
    with _con.cursor() as cur:
        return metrics.with_referred(cur, flt, place)


@st.cache_resource(show_spinner=False, max_entries=16)  # each holds a few MB of map JSON
def reach(_data, store_key: str, place: tuple, profile, times) -> tuple:
    """What a profile and times give for a place, whoever was referred: the suitable series,
    every area's distance to one, each PCN's population share, the map's base and legend."""
    ok = metrics.matching_series(_data, profile, times)
    areas = metrics.area_reach(_data, ok)
    pcns = metrics.pcn_reach(_data, areas, ok, times)
    shown = areas[areas["in_view"]].reset_index(drop=True)
    base = figures.map_base(shown, _data.series, ok, pcns, _data.practices)
    legend = figures.map_legend_html(
        figures.activity_colours(_data.series.loc[ok, "activity_group"])
    )
    return ok, areas, pcns, base, legend


@st.cache_resource(show_spinner=False, max_entries=64)
def coverage(_data, store_key: str, flt: Filters, profile, times) -> tuple:
    """:func:`reach` with the people referred in the view: the suitable series, the in-view
    areas, the PCN coverage rows, the map's base and its legend."""
    ok, areas, pcns, base, legend = reach(_data, store_key, metrics.place_key(flt), profile, times)
    areas = areas.assign(referred_people=metrics.referred_people(areas, _data.referred))
    shown = areas[areas["in_view"]].reset_index(drop=True)
    return ok, shown, metrics.pcn_referred(pcns, areas, _data.referred), base, legend


def controls() -> tuple:
    with st.container(border=True):
        c1, c2, c3 = st.columns(3)
        price = c1.radio("Price", list(metrics.PRICE_CHOICES), 1, horizontal=True, key="sp_price")
        ready = c1.slider("Minimum SP-readiness", 0, 100, 0, 10, format="%d%%", key="sp_ready")
        times = ["Morning", "Afternoon", "Evening"]
        parts = c2.pills(
            "Time of day (any if none)", times, selection_mode="multi", key="sp_times"
        )
        weekday = c2.toggle("Weekday daytime only (Mon–Fri, 9:00–17:00)", key="sp_weekday")
        beginner = c3.toggle("For beginners, or no level given", True, key="sp_beginner")
        access = c3.toggle("Accessibility support or information", key="sp_access")
    return metrics.profile_from_controls(price, ready, parts, weekday, beginner, access)


@st.cache_data(show_spinner=False, max_entries=64)
def occurrences_of(_con, store_key: str, series_ids: tuple[str, ...]) -> pd.DataFrame:
    """A few series' occurrences with local times, for the session finder."""
    with _con.cursor() as cur:
        return metrics.read_occurrences(cur, list(series_ids))


def finder(data: metrics.SupplyData, ok, areas: pd.DataFrame, times) -> None:
    st.subheader("Find sessions near a place")
    text = ""
    by = st.radio("Search from", ["An area", "A postcode"], horizontal=True, key="sp_by")
    if by == "An area":
        names = metrics.area_choices(areas)
        code = st.selectbox(
            "Area", list(names), None, names.get, key="sp_area", placeholder="Choose an area"
        )
        where = metrics.locate_area(areas, code)
    else:
        text = st.text_input("Postcode", key="sp_postcode", placeholder="e.g. EB9 8WJ").strip()
        where = metrics.locate_postcode(text, data.places) if text else None
    if text and where is None:
        st.warning(
            f"“{text}” cannot be located: it is not a postcode (or postcode sector) of any "
            "session place held. Choose an area instead."
        )
    if where is None:
        return
    con, key = st.session_state["con"], st.session_state["store_key"]
    found = metrics.nearest_sessions(
        data, ok, where, pd.Timestamp.now(tz=metrics.LONDON), times,
        read=lambda ids: occurrences_of(con, key, tuple(ids)),
    )  # fmt: skip
    if found.empty:
        st.info("No sessions match this profile: relax a control above to find some.")
        return
    st.caption(
        f"The {len(found)} suitable sessions nearest {where.label}, nearest first "
        "(straight-line km); times are UK local time."
    )
    exhibit(Exhibit("supply_nearest_sessions", NO_COUNTS), found, key="finder", expander=None,
            table=lambda f: table(f, figures.FINDER_TABLE))  # fmt: skip
    st.markdown(figures.attribution_markdown(found))


@st.fragment
def explorer(data: metrics.SupplyData, key: str, flt: Filters) -> None:
    profile, times = controls()
    ok, shown, pcns, base, legend = coverage(data, key, flt, profile, times)
    # referred people per area as this user may see them, before the map is drawn
    people = screened(AREAS, shown)["referred_people"].fillna(0).astype("int64")
    if data.referred.empty:
        st.info("No referrals match these filters, so only supply and population are shown.")
    if not ok.any():
        st.info(
            f"No sessions match this profile ({profile.describe()}; {times.describe()}), so "
            "every area shows as having no suitable session. Relax a control above."
        )
    st.caption(
        f"Suitable: {profile.describe()}; {times.describe()}. {int(ok.sum()):,} of "
        f"{len(ok):,} live series suit this profile."
    )
    st.subheader("Where suitable sessions are, and who is far from one")
    left, right = st.columns([4, 1])
    deck = figures.deck_for(base, people)
    left.pydeck_chart(deck, height=580, alt="Map of areas by distance to a suitable session")
    right.html(legend)
    st.caption(
        "Darker areas are further from a suitable session; rings show where referred people "
        f"live (areas with {metrics.SUPPRESSION_THRESHOLD} or fewer are not shown). Hover for "
        "details."
    )
    exhibit(
        AREAS,
        shown,
        key="areas",
        expander="Map table",
        table=lambda f: table(
            f.assign(referred=metrics.redact_counts(f["referred_people"])), figures.AREA_TABLE
        ),
    )

    st.subheader("Coverage by PCN")
    exhibit(
        COVERAGE,
        pcns,
        key="coverage",
        caption="Share of each PCN's population (bars) and referred people (diamonds) living "
        f"within 1 km of a suitable session; PCNs under {metrics.DESERT_SHARE:.0%} (red) are "
        "supply deserts.",
        expander="PCN table",
        expanded=True,
        table=pcn_table,
    )
    finder(data, ok, shown, times)


st.title("Supply & gaps")
notice()
flt: Filters = st.session_state["filters"]
data = supply(st.session_state["con"], st.session_state["store_key"], flt)
if data.pcns.empty or not data.areas["in_view"].any():
    st.info("No PCNs or areas match these filters: choose another pilot or other PCNs.")
    st.stop()
st.caption(
    "Where sessions suitable for referred adults run, how far people live from one, and "
    "the nearest sessions to any area or postcode. Choose what counts as suitable:"
)
explorer(data, st.session_state["store_key"], flt)
