"""Figures for the Overview page, one function per chart; the exporter draws the same ones.

Each function takes a frame from :mod:`analysis.metrics.overview` and returns a
``plotly.graph_objects.Figure``. Arms keep fixed Okabe-Ito colours (pilot blue, comparison
orange) and line dashes, so the charts stay readable with colour-vision deficiencies and in
greyscale. Confidence intervals are error bars (funnel) or shaded bands (monthly rate). Values
are passed to plotly as plain lists so the figure JSON is readable without decoding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

__all__ = [
    "ARM_COLOURS",
    "ARM_DASHES",
    "KpiCard",
    "funnel_figure",
    "kpi_cards",
    "kpi_ci_line",
    "monthly_trend_figure",
    "white_template",
]

ARM_COLOURS = {"pilot": "#0072B2", "comparison": "#E69F00", "all": "#0072B2"}
TEXT_ON = {"pilot": "#FFFFFF", "comparison": "#000000", "all": "#FFFFFF"}  # legible on the bar
ARM_DASHES = {"pilot": "solid", "comparison": "dash", "all": "solid"}
FONT = "Source Sans Pro, Arial, sans-serif"
NO_DATA = "No referrals match these filters"


def white_template(fig: go.Figure) -> go.Figure:
    """Give ``fig`` plotly's registered "plotly_white" template.

    The same as ``fig.update_layout(template="plotly_white")`` without validating the registered
    template again (as plotly does for its default template): validation rebuilds every trace
    type's defaults and took a quarter of a page's drawing time.
    """
    layout = fig.layout
    layout._validate = False
    try:
        layout.template = pio.templates["plotly_white"]
    finally:
        layout._validate = True
    return fig


def _base_layout(fig: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    white_template(fig)
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font={"family": FONT, "size": 14},
        xaxis_title={"text": x_title},
        yaxis_title={"text": y_title},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "xanchor": "left",
            "x": 0,
            "title": {"text": ""},
        },
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
        hoverlabel={"namelength": -1},
    )
    return fig


def _empty(fig: go.Figure) -> go.Figure:
    fig.add_annotation(
        text=NO_DATA, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": 16}
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def _arms(frame: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    """(arm, label, rows) in the frame's order of first appearance."""
    return [
        (str(arm), str(rows["arm_label"].iloc[0]), rows)
        for arm, rows in frame.groupby("arm", sort=False)
    ]


def funnel_figure(funnel: pd.DataFrame) -> go.Figure:
    """Share of referrals reaching each stage, per arm: horizontal bars with Wilson 95% CIs.

    Bars are labelled with the count of people; hovering shows the percentage and its CI.
    """
    fig = _base_layout(go.Figure(), "How far referred people get", "Share of referrals (%)", "")
    if funnel.empty:
        return _empty(fig)
    for arm, label, rows in _arms(funnel):
        share = (rows["share"] * 100).round(2)
        fig.add_trace(
            go.Bar(
                name=label,
                orientation="h",
                y=rows["stage_label"].tolist(),
                x=share.tolist(),
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": ((rows["share_upper"] - rows["share"]) * 100).round(2).tolist(),
                    "arrayminus": ((rows["share"] - rows["share_lower"]) * 100).round(2).tolist(),
                    "color": "#333333",
                    "thickness": 1.2,
                    "width": 3,
                },
                text=[f"{c:,}" for c in rows["count"]],
                textposition="inside",
                insidetextanchor="start",
                textangle=0,
                insidetextfont={"color": TEXT_ON.get(arm, "#000000")},
                marker={"color": ARM_COLOURS.get(arm, "#009E73")},
                customdata=list(
                    zip(
                        rows["count"].tolist(),
                        (rows["share_lower"] * 100).tolist(),
                        (rows["share_upper"] * 100).tolist(),
                        strict=True,
                    )
                ),
                hovertemplate=(
                    "%{y}: %{customdata[0]:,} people, %{x:.1f}% of referrals "
                    "(95% CI %{customdata[1]:.1f}% to %{customdata[2]:.1f}%)"
                    "<extra>%{fullData.name}</extra>"
                ),
            )
        )
    fig.update_layout(
        barmode="group", bargap=0.25, bargroupgap=0.05, uniformtext={"minsize": 11, "mode": "show"}
    )
    fig.update_yaxes(
        autorange="reversed",
        categoryorder="array",
        ticksuffix="  ",
        categoryarray=list(dict.fromkeys(funnel["stage_label"])),
    )
    fig.update_xaxes(range=[0, 105], ticksuffix="%")
    return fig


def monthly_trend_figure(
    monthly: pd.DataFrame, value: Literal["rate", "referrals"] = "rate"
) -> go.Figure:
    """Referrals per month per arm, as a rate per 1,000 registered patients (with a 95% CI
    band) or as counts, with the pilot's go-live date as a dotted vertical line."""
    y_title = "Referrals per 1,000 patients" if value == "rate" else "Referrals"
    title = (
        "Referrals each month per 1,000 registered patients"
        if value == "rate"
        else "Referrals each month"
    )
    fig = _base_layout(go.Figure(), title, "Month of referral", y_title)
    if monthly.empty:
        return _empty(fig)
    for arm, label, rows in _arms(monthly):
        colour = ARM_COLOURS.get(arm, "#009E73")
        months = rows["month"].dt.strftime("%Y-%m-%d").tolist()
        if value == "rate":
            fig.add_trace(
                go.Scatter(
                    name=f"{label} 95% CI",
                    x=months + months[::-1],
                    y=rows["rate_upper"].round(4).tolist()
                    + rows["rate_lower"].round(4).tolist()[::-1],
                    fill="toself",
                    fillcolor=_rgba(colour, 0.18),
                    line={"width": 0},
                    hoverinfo="skip",
                    showlegend=False,
                    legendgroup=arm,
                )
            )
        ys = rows["rate"].round(4) if value == "rate" else rows["referrals"]
        fig.add_trace(
            go.Scatter(
                name=label,
                x=months,
                y=ys.tolist(),
                mode="lines+markers",
                legendgroup=arm,
                line={"color": colour, "width": 2.5, "dash": ARM_DASHES.get(arm, "solid")},
                marker={"size": 6},
                customdata=list(
                    zip(
                        rows["referrals"].tolist(),
                        rows["rate_lower"].round(2).tolist(),
                        rows["rate_upper"].round(2).tolist(),
                        strict=True,
                    )
                ),
                hovertemplate=(
                    "%{x|%b %Y}: %{customdata[0]:,} referrals, "
                    "%{y:.2f} per 1,000 (95% CI %{customdata[1]} to %{customdata[2]})"
                    "<extra>%{fullData.name}</extra>"
                )
                if value == "rate"
                else "%{x|%b %Y}: %{y:,} referrals<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_xaxes(
        tickformat="%b %Y", dtick="M3" if len(monthly["month"].unique()) > 12 else "M1"
    )
    fig.update_yaxes(rangemode="tozero")
    go_live = monthly["go_live"].dropna()
    if not go_live.empty:
        _go_live_line(fig, pd.Timestamp(go_live.iloc[0]))
    return fig


def _go_live_line(fig: go.Figure, go_live: pd.Timestamp) -> None:
    when = go_live.strftime("%Y-%m-%d")
    fig.add_shape(
        type="line",
        x0=when,
        x1=when,
        xref="x",
        y0=0,
        y1=1,
        yref="paper",
        line={"color": "#333333", "width": 1.5, "dash": "dot"},
        name="go-live",
    )
    fig.add_annotation(
        x=when,
        y=1,
        xref="x",
        yref="paper",
        yanchor="bottom",
        xanchor="left",
        text=f"Go-live {go_live.strftime('%-d %b %Y')}",
        showarrow=False,
        font={"size": 12, "color": "#333333"},
    )


# ---------------------------------------------------------------------------------------------
# Headline numbers as text (the page's metric cards; the export's KPI table uses the same text)
# ---------------------------------------------------------------------------------------------
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
