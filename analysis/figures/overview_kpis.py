"""The Overview's headline numbers as text: the page's metric cards and the line of 95% CIs (the
export's KPI table uses the same text)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["KpiCard", "kpi_cards", "kpi_ci_line"]


@dataclass(frozen=True)
class KpiCard:
    """One headline number: its label, formatted value, difference from the comparison arm
    (``None`` when there is none) and a help text carrying the 95% CI."""

    label: str
    value: str
    delta: str | None
    help: str
    lower_is_better: bool = False

    @property
    def delta_color(self) -> str:
        """ "normal" (up is good), "inverse" (down is good) or "off" for no difference."""
        if self.delta is not None and not self.delta.startswith(("+", "-")):
            return "off"
        return "inverse" if self.lower_is_better else "normal"


def _pct(x: float) -> str:
    return "–" if pd.isna(x) else f"{x:.1%}"


def kpi_cards(k: pd.Series, vs: pd.Series | None = None) -> list[KpiCard]:
    """Cards for one arm's row of :func:`analysis.metrics.overview.kpis`; deltas against ``vs``
    (the comparison arm's row) in the value's own units, percentage points for proportions."""

    def delta(col: str, scale: float, unit: str) -> str | None:
        diff = None if vs is None else (k[col] - vs[col]) * scale
        if diff is None or pd.isna(diff):
            return None
        return f"{abs(diff):.1f}{unit}" if round(diff, 1) == 0 else f"{diff:+.1f}{unit}"

    days = "–" if pd.isna(k.days_median) else f"{k.days_median:.0f}"
    iqr = "" if pd.isna(k.days_median) else f"; IQR {k.days_q1:.0f} to {k.days_q3:.0f}"
    return [
        KpiCard(
            "Referrals",
            f"{k.referrals:,}",
            None,
            f"{k.pcns} PCNs with {k.registered_patients:,} registered patients",
        ),
        KpiCard(
            "Rate per 1,000/year",
            f"{k.referral_rate:.1f}",
            delta("referral_rate", 1, ""),
            f"Referrals per 1,000 registered patients a year; 95% CI "
            f"{k.referral_rate_lower:.1f} to {k.referral_rate_upper:.1f}",
        ),
        KpiCard(
            "Uptake",
            _pct(k.uptake),
            delta("uptake", 100, " pp"),
            f"First attendance: {k.first_attended:,} of {k.referrals:,} referrals; 95% CI "
            f"{_pct(k.uptake_lower)} to {_pct(k.uptake_upper)}",
        ),
        KpiCard(
            "12-week retention",
            _pct(k.retention_12w),
            delta("retention_12w", 100, " pp"),
            f"Still attending at 12 weeks: {k.retained_12w:,} of {k.starters_due_12w:,} "
            f"starters due a week-12 follow-up; 95% CI {_pct(k.retention_12w_lower)} to "
            f"{_pct(k.retention_12w_upper)}. Of the {k.followed_up_12w:,} followed up: "
            f"{_pct(k.retention_12w_cc)}",
        ),
        KpiCard(
            "Median days to start",
            days,
            delta("days_median", 1, " days"),
            f"Days from referral to first attendance{iqr}",
            lower_is_better=True,
        ),
    ]


def kpi_ci_line(k: pd.Series) -> str:
    """The 95% CIs of one arm's headline numbers on one line."""
    iqr = (
        ""
        if pd.isna(k.days_median)
        else (f" · days to start IQR {k.days_q1:.0f} to {k.days_q3:.0f}")
    )
    return (
        f"95% CIs: rate {k.referral_rate_lower:.1f} to {k.referral_rate_upper:.1f} · uptake "
        f"{_pct(k.uptake_lower)} to {_pct(k.uptake_upper)} · 12-week retention "
        f"{_pct(k.retention_12w_lower)} to {_pct(k.retention_12w_upper)} "
        f"({_pct(k.retention_12w_cc)} of those followed up){iqr}"
    )
