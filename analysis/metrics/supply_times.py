"""When sessions run: the Supply & gaps page's suitability controls (price, parts of the day,
weekday daytime) as a profile and a time filter, and occurrences' local times."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.access import SuitabilityProfile

# fmt: off
__all__ = [
    "LONDON", "PARTS_OF_DAY", "PRICE_CHOICES", "WEEKDAY_DAYTIME", "SessionTimes",
    "matching_occurrences", "occurrence_times", "profile_from_controls",
]
# fmt: on

LONDON = "Europe/London"
PRICE_CHOICES: dict[str, float | None] = {"Free only": 0.0, "Free or ≤ £5": 5.0, "Any price": None}
PARTS_OF_DAY = {"morning": (0, 12), "afternoon": (12, 17), "evening": (17, 24)}  # local hours
WEEKDAY_DAYTIME = (9, 17)  # Monday to Friday, starting 09:00 to 16:59 local time


@dataclass(frozen=True)
class SessionTimes:
    """When sessions must run: any of ``parts`` of the day (empty = any time) and, optionally,
    on a weekday during the day (Monday–Friday, 09:00–17:00), Europe/London time."""

    parts: tuple[str, ...] = ()
    weekday_daytime: bool = False

    def __post_init__(self) -> None:
        unknown = set(self.parts) - set(PARTS_OF_DAY)
        if unknown:
            raise ValueError(f"unknown part of the day: {', '.join(sorted(unknown))}")
        object.__setattr__(self, "parts", tuple(p for p in PARTS_OF_DAY if p in self.parts))

    @property
    def active(self) -> bool:
        return bool(self.parts) or self.weekday_daytime

    def describe(self) -> str:
        text = " or ".join(self.parts) if self.parts else "any time"
        return text + (", weekday daytime" if self.weekday_daytime else "")


def profile_from_controls(
    price: str,
    min_ready_percent: float,
    parts: list[str] | None,
    weekday_daytime: bool,
    beginner: bool,
    accessibility: bool,
) -> tuple[SuitabilityProfile, SessionTimes]:
    """The profile and time filter the page's controls describe (price as a
    :data:`PRICE_CHOICES` label, parts of the day in any case)."""
    profile = SuitabilityProfile(
        max_price=PRICE_CHOICES[price],
        beginner_or_no_level=beginner,
        accessibility=accessibility,
        min_sp_ready=min_ready_percent / 100,
    )
    return profile, SessionTimes(tuple(p.lower() for p in parts or ()), weekday_daytime)


def occurrence_times(occurrences: pd.DataFrame) -> pd.DataFrame:
    """Add ``start_local`` (Europe/London, naive), ``part`` of the day, ``weekday_daytime`` and
    ``week`` (the Monday of the UTC date, as in mart_pcn_supply_week) to occurrences."""
    out = occurrences.copy()
    utc = pd.to_datetime(out["start_utc"])
    local = utc.dt.tz_localize("UTC").dt.tz_convert(LONDON).dt.tz_localize(None)
    hour = local.dt.hour
    out["start_local"] = local
    out["part"] = pd.cut(hour, [0, 12, 17, 24], right=False, labels=list(PARTS_OF_DAY))
    out["part"] = out["part"].astype(object)
    start, end = WEEKDAY_DAYTIME
    out["weekday_daytime"] = (local.dt.dayofweek < 5) & hour.ge(start) & hour.lt(end)
    out["week"] = utc.dt.normalize() - pd.to_timedelta(utc.dt.dayofweek, unit="D")
    return out


def matching_occurrences(occurrences: pd.DataFrame, times: SessionTimes) -> pd.Series:
    """True for occurrences that run at the chosen times."""
    ok = pd.Series(True, index=occurrences.index)
    if times.parts:
        ok &= occurrences["part"].isin(times.parts)
    if times.weekday_daytime:
        ok &= occurrences["weekday_daytime"].astype(bool)
    return ok
