"""The dashboard entrypoint: `pilot serve` (or `streamlit run dashboard/app.py`) runs this file.

Each run it first settles who is looking (:func:`dashboard.auth.identify`: without sign-in
configured, the local user; signed out, only the sign-in page; signed in without a role, a "no
access" page), then opens the store (read-only, cached for all sessions), shows the
synthetic-data banner when the store holds the demo place, draws the shared sidebar filters
(only the user's pilots) and runs the chosen page among the user's pages. Pages are scripts in
``dashboard/views/``; they read the connection, the filters and the user's
:class:`~analysis.roles.Access` from ``st.session_state`` (keys ``con``, ``store_key``,
``filters`` and ``access``). ``dashboard/page_order.py`` lists every page in menu order; a page
is shown once its script exists and the user's role includes it (docs/access.md).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import streamlit as st

from analysis.errors import StoreError
from analysis.metrics.overview import data_window, pilot_names
from analysis.roles import Access
from analysis.store import get_meta, open_store, resolve_store_path
from dashboard.auth import identify, sign_out_button
from dashboard.filters import sidebar_filters
from dashboard.page_order import PAGE_ORDER

VIEWS = Path(__file__).resolve().parent / "views"
SIGN_IN = st.Page(VIEWS / "sign_in.py", title="Sign in", icon=":material/login:", default=True)


def pages_for(access: Access) -> list[st.Page]:
    """The user's pages in menu order (those whose script exists), the first the default."""
    scripts = [row for row in PAGE_ORDER if row[0] in access.pages and (VIEWS / row[0]).exists()]
    return [st.Page(VIEWS / script, title=title, icon=icon, default=i == 0)
            for i, (script, title, icon) in enumerate(scripts)]  # fmt: skip


st.set_page_config(
    layout="wide", page_title="Activity referral pilots", page_icon=":material/directions_walk:"
)


@st.cache_resource(show_spinner=False, max_entries=4, on_release=lambda con: con.close())
def connect(path: str, store_key: str) -> duckdb.DuckDBPyConnection:
    """One read-only connection per store file version, shared by every session."""
    return open_store(Path(path), read_only=True)


def open_or_stop() -> tuple[duckdb.DuckDBPyConnection, str]:
    """The store's connection and a key that changes when the file does; or a clear error."""
    path = resolve_store_path().resolve()
    if not path.exists():
        st.error(
            f"No data store found at `{path}`. Create the demo store with `make demo` "
            "(or load your own files with `pilot load` and `pilot build`), then reload "
            "this page. Set `PILOT_STORE` to use a store somewhere else."
        )
        st.stop()
    store_key = f"{path}:{path.stat().st_mtime_ns}"
    try:
        con = connect(str(path), store_key)
        with con.cursor() as cur:
            cur.execute("SELECT 1 FROM journeys LIMIT 0")
    except StoreError as exc:
        st.error(f"The data store cannot be used: {exc}. Recreate it with `make demo`.")
        st.stop()
    except duckdb.CatalogException:
        st.error(
            f"The store `{path}` has no built models yet. Run `pilot build --store {path}` "
            "(or `make demo`), then reload this page."
        )
        st.stop()
    return con, store_key


visitor = identify()
sign_out_button(visitor)
access = visitor.access
if access is None:  # signed out, or signed in without a role: the sign-in page and no data
    st.session_state.pop("access", None)
    st.session_state["signed_in_email"] = visitor.email
    st.navigation([SIGN_IN]).run()
    st.stop()
con, store_key = open_or_stop()
with con.cursor() as cur:  # a cursor per run: the shared connection is not thread-safe
    synthetic, dataset, window = (
        get_meta(cur, "synthetic"),
        get_meta(cur, "dataset_name"),
        data_window(cur),
    )
    held = pilot_names(cur)
if synthetic == "true":
    st.warning(
        f"**Synthetic data.** Everything shown comes from the fictional demo place "
        f"“{dataset or 'synthetic demo'}”: no real people, practices or services.",
        icon=":material/science:",
    )
if window is None:
    st.info(
        "The store holds no referrals yet. Load them with `pilot load referrals FILE` and "
        "`pilot build`, then reload this page."
    )
    st.stop()
if access.pilots is not None and not set(access.pilots) & set(held):
    st.error(
        f"Your access covers {', '.join(access.pilots)}, and this data store holds none of "
        "those pilots. Ask the evaluation lead to check the access list.",
        icon=":material/block:",
    )
    st.stop()
filters = sidebar_filters(con, store_key, window, pilots=access.pilots)
st.session_state.update(con=con, store_key=store_key, filters=filters, access=access)
st.navigation(pages_for(access)).run()
