"""Cost of a series: price range and whether it is free.

``offers`` is a list of Offers; publishers also send one Offer, or ``offer`` (singular), and
prices as strings (``"0.00"``). A series is free when ``isAccessibleForFree`` is true, or when it
has offers and every priced offer costs 0. ``beta:isFirstSessionAccessibleForFree`` marks a free
taster session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analysis.supply.items import as_list, to_bool, to_float

OFFER_KEYS = ("offers", "offer")


@dataclass(frozen=True)
class Cost:
    """Price range and free flags of one series."""

    price_min: float | None
    price_max: float | None
    is_free: bool | None
    first_session_free: bool | None
    price_given: bool


def offers_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Offer object under ``offers`` or ``offer``."""
    found: list[dict[str, Any]] = []
    for key in OFFER_KEYS:
        found.extend(o for o in as_list(data.get(key)) if isinstance(o, dict))
    return found


def cost(data: dict[str, Any]) -> Cost:
    """Price min/max over priced offers; ``is_free`` True/False, or ``None`` when nothing says."""
    prices = [
        p for p in (to_float(o.get("price")) for o in offers_of(data)) if p is not None and p >= 0
    ]
    flag = to_bool(data.get("isAccessibleForFree"))
    first_free = to_bool(data.get("beta:isFirstSessionAccessibleForFree"))
    if first_free is None:
        first_free = to_bool(data.get("isFirstSessionAccessibleForFree"))
    if flag is True:
        is_free: bool | None = True
    elif prices:
        is_free = max(prices) == 0
    else:
        is_free = flag
    return Cost(
        price_min=min(prices) if prices else None,
        price_max=max(prices) if prices else None,
        is_free=is_free,
        first_session_free=first_free,
        price_given=bool(prices) or flag is not None,
    )
