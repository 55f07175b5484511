"""Who is looking: the signed-in user's role, the pilots and pages they may see, and the
disclosure state of what they see.

Roles (docs/access.md):

* ``manager`` — a pilot manager: the operational pages for their pilots, true counts on screen;
  exports always under disclosure control.
* ``researcher`` — every page and pilot; may turn disclosure control off for an export (recorded
  in the audit log and the methods note).
* ``commissioner`` — place coverage: disclosure control on screen and in every export, and it
  cannot be lifted.
* ``local`` — no sign-in configured: one person on their own machine, with a researcher's view.

Who has which role is the role map, the ``[access]`` section of ``.streamlit/secrets.toml``
(docs/access.md): a role (and, for a manager, the pilots) by email address under
``[access.users]`` and by email domain under ``[access.domains]``; an address listed by itself
wins over its domain. :func:`parse_role_map` checks it (a malformed entry is one line naming
its key) and :meth:`RoleMap.access_for` answers for one signed-in user, or ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

from analysis.errors import InputError

__all__ = [
    "LOCAL", "ROLE_PAGES", "SECRETS_FILE", "Access", "Grant", "Role", "RoleMap", "RoleMapError",
    "access_of", "parse_role_map",
]  # fmt: skip

Role = Literal["local", "manager", "researcher", "commissioner"]
SignedInRole = Literal["manager", "researcher", "commissioner"]
SIGNED_IN_ROLES: tuple[str, ...] = get_args(SignedInRole)
SECRETS_FILE = ".streamlit/secrets.toml"
ALL_PAGES = (
    "overview.py", "supply.py", "uptake.py", "retention.py", "outcomes.py", "impact.py",
    "equity.py", "data_quality.py", "export.py",
)  # fmt: skip
ROLE_PAGES: dict[Role, tuple[str, ...]] = {
    "local": ALL_PAGES,
    "researcher": ALL_PAGES,
    "manager": ("overview.py", "supply.py", "uptake.py", "retention.py", "outcomes.py",
                "data_quality.py", "export.py"),
    "commissioner": ("overview.py", "supply.py", "impact.py", "equity.py", "export.py"),
}  # fmt: skip
"""The pages (scripts in ``dashboard/views/``) each role sees, in menu order."""


@dataclass(frozen=True)
class Access:
    """What the current user may see and do.

    ``pilots`` is ``None`` for every pilot; ``pages`` lists page scripts (``dashboard/views/``)
    in menu order. ``disclosure_on_screen`` applies disclosure control to every table and chart
    shown; ``may_lift_disclosure`` allows an export without it.
    """

    user: str
    role: Role
    pages: tuple[str, ...]
    pilots: tuple[str, ...] | None = None
    disclosure_on_screen: bool = False
    may_lift_disclosure: bool = False


LOCAL = Access(
    user="local user",
    role="local",
    pages=ROLE_PAGES["local"],
    disclosure_on_screen=False,
    may_lift_disclosure=True,
)
"""Access without sign-in: every page and pilot, true counts on screen."""


class RoleMapError(InputError):
    """The role map in secrets.toml is malformed; the message names the key."""


@dataclass(frozen=True)
class Grant:
    """One role-map entry: a role and the pilots it opens (``None``: every pilot)."""

    role: SignedInRole
    pilots: tuple[str, ...] | None = None


def access_of(user: str, grant: Grant) -> Access:
    """What a signed-in ``user`` with ``grant`` may see and do."""
    return Access(
        user=user,
        role=grant.role,
        pages=ROLE_PAGES[grant.role],
        pilots=grant.pilots,
        disclosure_on_screen=grant.role == "commissioner",
        may_lift_disclosure=grant.role == "researcher",
    )


@dataclass(frozen=True)
class RoleMap:
    """Grants by lower-case email address and by lower-case email domain."""

    users: Mapping[str, Grant] = field(default_factory=dict)
    domains: Mapping[str, Grant] = field(default_factory=dict)

    def access_for(self, email: str) -> Access | None:
        """The access of the user signed in as ``email``; ``None`` when the map has no entry
        for the address or its domain."""
        address = email.strip().lower()
        grant = self.users.get(address)
        if grant is None and "@" in address:
            grant = self.domains.get(address.rsplit("@", 1)[1])
        return access_of(address, grant) if grant else None


def _error(key: str, problem: str) -> RoleMapError:
    return RoleMapError(f"{SECRETS_FILE}: [access] {key}: {problem}")


def _grant(key: str, entry: object) -> Grant:
    if isinstance(entry, str):  # "researcher" is short for { role = "researcher" }
        entry = {"role": entry}
    if not isinstance(entry, Mapping):
        raise _error(key, 'expected a role or a table such as { role = "manager", pilots = '
                     '["..."] }')  # fmt: skip
    unknown = sorted(set(entry) - {"role", "pilots"})
    if unknown:
        raise _error(key, f"unknown field {unknown[0]!r} (fields: role, pilots)")
    role = entry.get("role")
    if role not in SIGNED_IN_ROLES:
        raise _error(key, f"role {role!r} is not one of {', '.join(SIGNED_IN_ROLES)}")
    pilots = entry.get("pilots")
    if pilots is None or pilots == "*":
        if role == "manager":
            raise _error(key, "a manager needs pilots = [...], the pilots they manage")
        return Grant(role)
    if role == "researcher":
        raise _error(key, "a researcher sees every pilot; remove pilots")
    if isinstance(pilots, str) or not isinstance(pilots, (list, tuple)) or not pilots:
        raise _error(key, 'pilots must be a non-empty list of pilot names, or "*" for all')
    if not all(isinstance(p, str) and p.strip() for p in pilots):
        raise _error(key, "every pilot must be a pilot's name (text)")
    return Grant(role, tuple(dict.fromkeys(p.strip() for p in pilots)))


def _entries(section: Mapping[str, object], part: str) -> dict[str, Grant]:
    table = section.get(part, {})
    if not isinstance(table, Mapping):
        raise _error(part, "expected a table of entries")
    grants: dict[str, Grant] = {}
    for raw_key, entry in table.items():
        key = str(raw_key).strip().lower()
        label = f"{part}.{raw_key!r}" if part else repr(raw_key)
        looks_right = ("@" in key) if part == "users" else ("@" not in key and "." in key)
        if not looks_right:
            expected = "an email address" if part == "users" else "a domain such as nhs.net"
            raise _error(label, f"expected {expected}")
        if key in grants:
            raise _error(label, "listed twice (addresses and domains ignore case)")
        grants[key] = _grant(label, entry)
    return grants


def parse_role_map(section: Mapping[str, object]) -> RoleMap:
    """Check the ``[access]`` section of secrets.toml and return its :class:`RoleMap`.

    ``[access.users]`` maps an email address, and ``[access.domains]`` an email domain, to a
    role (``"researcher"``) or a table ``{ role = "manager", pilots = ["Eastbrook pilot"] }``;
    ``pilots = "*"`` or no pilots means every pilot (not allowed for a manager).
    """
    unknown = sorted(set(section) - {"users", "domains"})
    if unknown:
        raise _error(unknown[0], "unknown key (expected users and domains tables)")
    role_map = RoleMap(_entries(section, "users"), _entries(section, "domains"))
    if not role_map.users and not role_map.domains:
        raise _error("users", "no one is listed: add [access.users] or [access.domains]")
    return role_map
