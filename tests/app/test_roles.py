"""Sign-in and roles through the entrypoint, headless (AppTest), on the demo store.

Sign-in is configured through ``at.secrets`` ([auth] and the [access] role map) and the user
through ``at.user``, as Streamlit's ``st.user`` would report them after an OIDC sign-in.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from analysis.roles import LOCAL
from dashboard.page_order import PAGE_ORDER

ENTRY = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
PILOT = "Eastbrook live-feed pilot"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret",
    "client_id": "test-client",
    "client_secret": "test-client-secret",
    "server_metadata_url": "https://login.example.org/.well-known/openid-configuration",
}
ACCESS = {
    "users": {
        "ana.analyst@uni.ac.uk": "researcher",
        "pat.manager@nhs.net": {"role": "manager", "pilots": [PILOT]},
        "max.manager@nhs.net": {"role": "manager", "pilots": ["Some other pilot"]},
    },
    "domains": {"eastbrook-icb.nhs.uk": {"role": "commissioner"}},
}
SECRETS = {"auth": AUTH, "access": ACCESS}
USERS = {
    "researcher": "ana.analyst@uni.ac.uk",
    "manager": "pat.manager@nhs.net",
    "commissioner": "sam@eastbrook-icb.nhs.uk",
}
PAGES = {
    "researcher": [script for script, _, _ in PAGE_ORDER],
    "manager": ["overview.py", "supply.py", "uptake.py", "retention.py", "outcomes.py",
                "data_quality.py", "export.py"],
    "commissioner": ["overview.py", "supply.py", "impact.py", "equity.py", "export.py"],
}  # fmt: skip


@pytest.fixture
def app(demo_store: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A function opening the dashboard with the given secrets and user."""
    monkeypatch.setenv("PILOT_STORE", str(demo_store))

    def open_app(user: dict[str, Any], secrets: dict[str, Any] | None = None,
                 **params: str) -> AppTest:  # fmt: skip
        at = AppTest.from_file(str(ENTRY), default_timeout=60)
        at.secrets.update(SECRETS if secrets is None else secrets)
        at.user = user
        at.query_params.update(params)
        return at.run()

    return open_app


def signed_in(email: str) -> dict[str, Any]:
    return {"is_logged_in": True, "email": email, "name": email.split("@")[0]}


def navigable(at: AppTest) -> list[str]:
    """The page scripts st.navigation offers (switch_page refuses any other)."""
    found = []
    for script, _, _ in PAGE_ORDER:
        try:
            at.switch_page(f"views/{script}")
        except ValueError:
            continue
        found.append(script)
    return found


@pytest.mark.parametrize("role", ["researcher", "manager", "commissioner"])
def test_each_role_sees_its_pages_and_disclosure_state(app: Any, role: str) -> None:
    at = app(signed_in(USERS[role]))
    assert not at.exception
    access = at.session_state["access"]
    assert (access.role, access.user) == (role, USERS[role])
    assert list(access.pages) == PAGES[role]
    assert navigable(at) == PAGES[role]
    assert access.disclosure_on_screen == (role == "commissioner")
    assert access.may_lift_disclosure == (role == "researcher")
    assert any(f"Signed in as {USERS[role]} ({role})" in c.value for c in at.sidebar.caption)


@pytest.mark.parametrize(("role", "offered"), [("researcher", True), ("manager", False),
                                               ("commissioner", False)])  # fmt: skip
def test_only_a_researcher_may_turn_disclosure_control_off(
    app: Any, role: str, offered: bool
) -> None:
    at = app(signed_in(USERS[role]))
    at.switch_page("views/export.py").run()
    assert not at.exception
    assert any(box.key == "export_raw" for box in at.checkbox) is offered
    assert len(at.download_button) == 1


def test_a_manager_chooses_only_among_their_pilots(app: Any) -> None:
    at = app(signed_in(USERS["manager"]), pilot="A pilot they do not manage")
    assert not at.exception
    assert at.sidebar.selectbox[0].options == [PILOT]  # no all-PCNs view either
    assert at.session_state["filters"].pilot == PILOT
    at.switch_page("views/export.py").run()
    assert at.selectbox(key="export_pilot").options == [PILOT]


def test_a_manager_whose_pilots_are_not_in_the_store_sees_no_data(app: Any) -> None:
    at = app(signed_in("max.manager@nhs.net"))
    assert not at.exception
    assert "holds none of those pilots" in at.error[0].value
    assert "filters" not in at.session_state and not at.metric


def test_signed_out_sees_only_the_sign_in_page(app: Any) -> None:
    at = app({"is_logged_in": False})
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    if find_spec("authlib") is None:  # st.login would fail: say how to fix it, no traceback
        assert at.button[0].disabled and "streamlit[auth]" in at.error[0].value
    else:
        assert not at.button[0].disabled and not at.error
    assert "Sign in with your work account" in at.info[0].value
    assert navigable(at) == []
    assert "access" not in at.session_state and "con" not in at.session_state


def test_several_providers_each_get_a_button(app: Any) -> None:
    auth = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": "s",
            "microsoft": {k: AUTH[k] for k in ("client_id", "client_secret",
                                               "server_metadata_url")},
            "okta": {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}}  # fmt: skip
    at = app({"is_logged_in": False}, {"auth": auth, "access": ACCESS})
    assert [b.label for b in at.button] == ["Sign in with microsoft", "Sign in with okta"]


def test_a_user_not_in_the_role_map_gets_no_access_and_no_data(app: Any) -> None:
    at = app(signed_in("stranger@gmail.com"))
    assert not at.exception
    assert "stranger@gmail.com" in at.error[0].value and "no access" in at.error[0].value
    assert [b.label for b in at.button] == ["Sign out"]
    assert navigable(at) == []
    assert "con" not in at.session_state and not at.metric and not at.dataframe


def test_a_malformed_role_map_is_one_line_and_shows_no_data(app: Any) -> None:
    bad = {"auth": AUTH, "access": {"users": {"ana.analyst@uni.ac.uk": "admin"}}}
    at = app(signed_in("ana.analyst@uni.ac.uk"), bad)
    assert not at.exception
    message = at.error[0].value
    assert "[access] users.'ana.analyst@uni.ac.uk': role 'admin' is not one of" in message
    assert "\n" not in message and "con" not in at.session_state


def test_without_sign_in_configured_the_local_user_sees_everything(app: Any) -> None:
    if (
        Path(".streamlit/secrets.toml").exists()
        or Path.home().joinpath(".streamlit/secrets.toml").exists()
    ):
        pytest.skip("a secrets.toml on this machine would configure sign-in")
    at = app({}, secrets={})
    assert not at.exception
    assert at.session_state["access"] == LOCAL
    assert navigable(at) == [script for script, _, _ in PAGE_ORDER]
    assert [b.label for b in at.button if b.label in ("Sign in", "Sign out")] == []
