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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["LOCAL", "Access", "Role"]

Role = Literal["local", "manager", "researcher", "commissioner"]


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
    pages=(
        "overview.py", "supply.py", "uptake.py", "retention.py", "outcomes.py", "impact.py",
        "equity.py", "data_quality.py", "export.py",
    ),
    disclosure_on_screen=False,
    may_lift_disclosure=True,
)  # fmt: skip
"""Access without sign-in: every page and pilot, true counts on screen."""
