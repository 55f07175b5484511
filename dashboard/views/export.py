"""Export: the tables, figures, methods note and data dictionary of the current view as a zip.

Files are built only when the button is clicked (``st.download_button(data=callable)``), with
disclosure control on unless the user ticks the box that turns it off — a box offered only to
users whose role may lift it (researchers and the local user; docs/access.md). The pilot choice
is limited to the user's pilots, and the zip holds the tables and figures of the user's pages
only (a commissioner's has no Uptake or Retention files). Every build appends a line to the export audit log
(:mod:`analysis.export.audit`) before any file is written or handed over.
"""

import tempfile
from dataclasses import replace
from pathlib import Path

import streamlit as st

from analysis.export.audit import ExportEvent, record_export
from analysis.export.bundle import ALL_FORMATS, export_bundle
from analysis.export.catalogue import FIGURES, TABLES, on_pages
from analysis.export.figures import FIGURE_FORMATS, BrowserMissingError, find_browser
from analysis.filters import Filters
from analysis.metrics.overview import pilot_names
from analysis.roles import LOCAL, Access

ALL = "All PCNs (no pilot)"

st.title("Export")
con = st.session_state["con"]
flt: Filters = st.session_state["filters"]
access: Access = st.session_state.get("access") or LOCAL
with con.cursor() as cur:
    pilots = [p for p in pilot_names(cur) if access.pilots is None or p in access.pilots]
tables, figures = on_pages(TABLES, access.pages), on_pages(FIGURES, access.pages)
st.markdown(
    f"Your export holds {len(tables)} tables and {len(figures)} figures — those of the pages "
    "you can open — with the data behind each figure, a methods note and a data dictionary, "
    "for the period and filters chosen in the sidebar."
)
with st.expander("What your export holds (names as in docs/exports.md)"):
    st.caption(f"Tables: {', '.join(t.name for t in tables)}. Figures: "
               f"{', '.join(f.name for f in figures) or 'none'}.")  # fmt: skip
options = [*pilots, ALL] if access.pilots is None else pilots
current = flt.pilot or ALL
chosen = st.selectbox("Pilot", options, index=options.index(current) if current in options else 0,
                      key="export_pilot")  # fmt: skip
formats = st.multiselect("Formats", list(ALL_FORMATS), default=list(ALL_FORMATS),
                         key="export_formats")  # fmt: skip
raw = access.may_lift_disclosure and st.checkbox(
    "Turn off disclosure control (raw counts, including counts of 1 to 7 people: an analyst's "
    "working copy that must never be shared)", value=False, key="export_raw",
)  # fmt: skip
if raw:
    st.warning("Disclosure control is OFF: the files will hold raw counts. The methods note "
               "records this.", icon=":material/warning:")  # fmt: skip
else:
    st.caption("Disclosure control is on: counts of 1 to 7 are redacted, others rounded to 5, "
               "rates recomputed from the rounded counts (see docs/disclosure.md)."
               + ("" if access.may_lift_disclosure else " Exports for your role are always "
                  "under disclosure control."))  # fmt: skip
if any(f in FIGURE_FORMATS for f in formats):
    try:
        find_browser()
    except BrowserMissingError as exc:
        st.warning(f"Figures cannot be drawn here: {exc}. Exporting tables only.")
        formats = [f for f in formats if f not in FIGURE_FORMATS]
view = replace(flt, pilot=None if chosen == ALL else chosen)


def build() -> bytes:
    """Write the bundle to a temporary folder and return the zip's bytes (runs on click), after
    its line in the audit log."""
    event = ExportEvent(user=access.user, role=access.role, channel="export page",
                        what="bundle", formats=tuple(formats or ["csv"]),
                        disclosure_control=not raw, pilot=view.pilot,
                        filters=dict(view.to_query_params()), destination="pilot-export.zip",
                        pages=access.pages)  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp, con.cursor() as cur:
        report = export_bundle(cur, Path(tmp) / "pilot-export", formats or ["csv"],
                               view.pilot, disclosure_control=not raw, filters=view,
                               before_writing=lambda: record_export(event),
                               pages=access.pages)  # fmt: skip
        return report.zip_path.read_bytes()


st.download_button(
    "Build and download the export (zip)", data=build, file_name="pilot-export.zip",
    mime="application/zip", on_click="ignore", type="primary", icon=":material/download:",
    disabled=not formats, key="export_download",
)  # fmt: skip
st.caption(
    "Every export is recorded in the export log (who, when, what, disclosure control). "
    "Drawing all the figures takes about half a minute; the zip downloads when ready."
)
