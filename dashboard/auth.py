"""Who is using the dashboard: optional sign-in (OIDC through ``st.login``) and the role map.

Sign-in is on when ``.streamlit/secrets.toml`` has an ``[auth]`` section (docs/access.md);
without one the dashboard is a local, single-user tool (:data:`analysis.roles.LOCAL`). With it:

* signed out — only the sign-in page (``dashboard/views/sign_in.py``) is offered;
* signed in and in the role map (``[access]``) — the :class:`~analysis.roles.Access` of the
  user's role: the pages, pilots and disclosure state they are allowed;
* signed in but not in the role map — a "no access" message and no data.

OIDC only says who someone is; what they may see is decided here, from the role map.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import streamlit as st

from analysis.roles import LOCAL, SECRETS_FILE, Access, RoleMap, RoleMapError, parse_role_map

__all__ = ["Visitor", "identify", "login_providers", "sign_out_button"]

State = Literal["local", "signed out", "no access", "signed in"]


@dataclass(frozen=True)
class Visitor:
    """The outcome of :func:`identify`: the state, the access (``None`` unless allowed in) and
    the signed-in address, if any."""

    state: State
    access: Access | None = None
    email: str | None = None


def _secrets() -> Mapping[str, object]:
    try:
        return {key: st.secrets[key] for key in st.secrets}
    except FileNotFoundError:  # no secrets.toml at all
        return {}


def login_providers(auth: Mapping[str, object]) -> list[str | None]:
    """The providers to offer: ``[None]`` for one provider configured directly in ``[auth]``,
    else the names of the ``[auth.<name>]`` tables."""
    if "client_id" in auth:
        return [None]
    return [name for name, value in auth.items() if isinstance(value, Mapping)] or [None]


def _role_map(secrets: Mapping[str, object]) -> RoleMap:
    section = secrets.get("access")
    if not isinstance(section, Mapping):
        raise RoleMapError(f"{SECRETS_FILE}: sign-in is configured ([auth]) but there is no "
                           "[access] role map, so no one could be let in")  # fmt: skip
    return parse_role_map(section)


def _signed_in_email() -> str | None:
    user = st.user.to_dict()
    for claim in ("email", "preferred_username", "upn"):  # Entra ID may send only the last two
        value = user.get(claim)
        if isinstance(value, str) and "@" in value:
            return value.strip().lower()
    return None


def identify() -> Visitor:
    """Who is here and what they may see. A malformed role map stops the run with its one-line
    error (shown to the visitor; no data is read)."""
    secrets = _secrets()
    if "auth" not in secrets:
        return Visitor("local", LOCAL)
    try:
        role_map = _role_map(secrets)
    except RoleMapError as exc:
        st.error(f"The dashboard's access settings need fixing: {exc}", icon=":material/lock:")
        st.stop()
    if not st.user.get("is_logged_in"):
        return Visitor("signed out")
    email = _signed_in_email()
    found = role_map.access_for(email) if email else None
    return Visitor("signed in", found, email) if found else Visitor("no access", None, email)


def sign_out_button(visitor: Visitor) -> None:
    """The signed-in address, role and a sign-out button, in the sidebar (the "no access" page
    has its own)."""
    if visitor.state == "signed in" and visitor.access is not None:
        with st.sidebar:
            st.caption(f"Signed in as {visitor.email} ({visitor.access.role})")
            st.button("Sign out", on_click=st.logout, icon=":material/logout:", key="sign_out")
