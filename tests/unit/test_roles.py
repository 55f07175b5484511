"""The role map in secrets.toml: what each role may see, and a one-line error naming the key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from analysis.roles import LOCAL, ROLE_PAGES, Grant, RoleMapError, access_of, parse_role_map

GOOD = tomllib.loads("""
[users]
"Ana.Analyst@Uni.ac.uk" = "researcher"
"pat.manager@nhs.net" = { role = "manager", pilots = ["Eastbrook live-feed pilot"] }
"sam.commissioner@nhs.net" = { role = "commissioner", pilots = "*" }

[domains]
"eastbrook-icb.nhs.uk" = { role = "commissioner", pilots = ["Eastbrook live-feed pilot"] }
"nhs.net" = { role = "manager", pilots = ["Westmoor pilot", "Westmoor pilot"] }
""")


@pytest.mark.parametrize(
    ("email", "role", "pilots"),
    [
        ("ana.analyst@uni.ac.uk", "researcher", None),  # address matched whatever its case
        (" PAT.MANAGER@nhs.net ", "manager", ("Eastbrook live-feed pilot",)),
        ("sam.commissioner@nhs.net", "commissioner", None),  # the address wins over its domain
        ("lee@eastbrook-icb.nhs.uk", "commissioner", ("Eastbrook live-feed pilot",)),
        ("kim@NHS.net", "manager", ("Westmoor pilot",)),  # by domain; duplicates dropped
    ],
)
def test_who_gets_which_role(email: str, role: str, pilots: tuple[str, ...] | None) -> None:
    access = parse_role_map(GOOD).access_for(email)
    assert access is not None
    assert (access.role, access.pilots, access.user) == (role, pilots, email.strip().lower())


@pytest.mark.parametrize(
    "email", ["stranger@gmail.com", "ana.analyst@uni.ac.uk.evil.com", "no-at-sign", ""]
)
def test_anyone_else_gets_nothing(email: str) -> None:
    assert parse_role_map(GOOD).access_for(email) is None


@pytest.mark.parametrize(
    ("role", "pages", "on_screen", "may_lift"),
    [
        ("manager", ["overview.py", "supply.py", "uptake.py", "retention.py", "outcomes.py",
                     "data_quality.py", "export.py"], False, False),
        ("researcher", list(LOCAL.pages), False, True),
        ("commissioner", ["overview.py", "supply.py", "impact.py", "equity.py", "export.py"],
         True, False),
    ],
)  # fmt: skip
def test_what_each_role_may_see(
    role: str, pages: list[str], on_screen: bool, may_lift: bool
) -> None:
    access = access_of("x@nhs.net", Grant(role))  # type: ignore[arg-type]
    assert list(access.pages) == pages == list(ROLE_PAGES[role])  # type: ignore[index]
    assert (access.disclosure_on_screen, access.may_lift_disclosure) == (on_screen, may_lift)


def test_local_user_sees_everything_with_true_counts() -> None:
    assert LOCAL.pilots is None and len(LOCAL.pages) == 9
    assert not LOCAL.disclosure_on_screen and LOCAL.may_lift_disclosure


MALFORMED = [
    ("[users]\n'a@x.org' = 'admin'", "users.'a@x.org': role 'admin' is not one of manager"),
    ("[users]\n'a@x.org' = { pilots = ['P'] }", "users.'a@x.org': role None is not one of"),
    ("[users]\n'a@x.org' = 'manager'", "users.'a@x.org': a manager needs pilots"),
    ("[users]\n'a@x.org' = { role = 'manager', pilots = [] }", "users.'a@x.org': pilots must be"),
    ("[users]\n'a@x.org' = { role = 'manager', pilots = 'P' }", "users.'a@x.org': pilots must be"),
    ("[users]\n'a@x.org' = { role = 'manager', pilots = [1] }", "every pilot must be a pilot"),
    ("[users]\n'a@x.org' = { role = 'researcher', pilots = ['P'] }", "remove pilots"),
    ("[users]\n'a@x.org' = { role = 'researcher', pilot = 'P' }", "unknown field 'pilot'"),
    ("[users]\n'a@x.org' = 3", "users.'a@x.org': expected a role or a table"),
    ("[users]\n'nhs.net' = 'researcher'", "users.'nhs.net': expected an email address"),
    ("[domains]\n'a@nhs.net' = 'researcher'", "domains.'a@nhs.net': expected a domain"),
    ("[users]\n'A@x.org' = 'researcher'\n'a@x.org' = 'researcher'", "users.'a@x.org': listed twice"),
    ("users = 'everyone'", "[access] users: expected a table of entries"),
    ("[admins]\n'a@x.org' = 'researcher'", "[access] admins: unknown key"),
    ("", "[access] users: no one is listed"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "message"), MALFORMED)
def test_a_malformed_role_map_is_one_line_naming_the_key(text: str, message: str) -> None:
    with pytest.raises(RoleMapError) as caught:
        parse_role_map(tomllib.loads(text))
    assert message in str(caught.value)
    assert str(caught.value).startswith(".streamlit/secrets.toml: [access] ")
    assert "\n" not in str(caught.value)


def test_the_committed_secrets_example_is_a_valid_role_map() -> None:
    example = Path(__file__).resolve().parents[2] / ".streamlit" / "secrets.toml.example"
    secrets = tomllib.loads(example.read_text(encoding="utf-8"))
    assert {"redirect_uri", "cookie_secret", "client_id"} <= set(secrets["auth"])
    role_map = parse_role_map(secrets["access"])
    assert {g.role for g in (*role_map.users.values(), *role_map.domains.values())} == {
        "manager",
        "researcher",
        "commissioner",
    }
