"""Sign in: the only page offered while sign-in is configured and nobody is signed in, and the
page a signed-in user without a role sees (no data either way)."""

from collections.abc import Mapping
from importlib.util import find_spec

import streamlit as st

from dashboard.auth import login_providers

st.title("Activity referral pilots")
email = st.session_state.get("signed_in_email")
if email:
    st.error(
        f"You are signed in as **{email}**, but this address has no access to the dashboard. "
        "Ask the pilot's evaluation lead to add you to the access list, then sign in again.",
        icon=":material/block:",
    )
    st.button("Sign out", on_click=st.logout, icon=":material/logout:", key="no_access_sign_out")
    st.stop()
st.info(
    "This dashboard holds information about people referred to the pilots, so it is open only "
    "to the pilot teams, evaluators and commissioners given access. Sign in with your work "
    "account to continue.",
    icon=":material/lock:",
)
missing = find_spec("authlib") is None  # st.login needs the auth extra
if missing:
    st.error("Sign-in cannot start on this server: install the sign-in support with "
             "`pip install \"streamlit[auth]\"` and restart the dashboard (docs/access.md).")  # fmt: skip
auth = st.secrets.get("auth", {})
for provider in login_providers(auth if isinstance(auth, Mapping) else {}):
    label = "Sign in" if provider is None else f"Sign in with {provider.replace('_', ' ')}"
    st.button(label, type="primary", icon=":material/login:", key=f"sign_in_{provider or 'oidc'}",
              on_click=st.login, args=(provider,) if provider else (), disabled=missing)  # fmt: skip
