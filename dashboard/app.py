"""The dashboard entrypoint: `pilot serve` (or `streamlit run dashboard/app.py`) runs this file.

Each run it opens the store (read-only, cached for all sessions), shows the synthetic-data banner
when the store holds the demo place, draws the shared sidebar filters and runs the chosen page.
Pages are scripts in ``dashboard/views/``; they read the connection and the filters from
``st.session_state`` (keys ``con``, ``store_key`` and ``filters``). ``dashboard/page_order.py``
lists every page in menu order; a page is shown once its script exists.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import streamlit as st

from analysis.errors import StoreError
from analysis.metrics.overview import data_window
from analysis.roles import LOCAL
from analysis.store import get_meta, open_store, resolve_store_path
from dashboard.filters import sidebar_filters
from dashboard.page_order import PAGE_ORDER

VIEWS = Path(__file__).resolve().parent / "views"
PAGES = [
    st.Page(VIEWS / script, title=title, icon=icon, default=(script == "overview.py"))
    for script, title, icon in PAGE_ORDER
    if (VIEWS / script).exists()
]

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


con, store_key = open_or_stop()
with con.cursor() as cur:  # a cursor per run: the shared connection is not thread-safe
    synthetic, dataset, window = (
        get_meta(cur, "synthetic"),
        get_meta(cur, "dataset_name"),
        data_window(cur),
    )
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
st.session_state.update(
    con=con, store_key=store_key, filters=sidebar_filters(con, store_key, window), access=LOCAL
)
st.navigation(PAGES).run()
