"""What the Uptake charts and tables call things: each table view's column labels (shared with
the exporter, so a table is exported as shown), which columns hold proportions, and how a stored
code or a label reads on a chart or mid-sentence."""

from __future__ import annotations

from analysis.metrics.uptake import RATES

# fmt: off
__all__ = [
    "DAYS_TABLE", "FUNNEL_PLOT_TABLE", "FUNNEL_TABLE", "GROUP_TABLE", "MONTH_TABLE",
    "PERCENT_COLUMNS", "display_label", "in_sentence",
]
# fmt: on


def _with_ci(**labels: str) -> dict[str, str]:
    """Column → label for a table; a rate of :data:`RATES` brings its 95% CI columns."""
    out = {"arm_label": "Arm"}
    for name, label in labels.items():
        out[name] = label
        if name in RATES:
            out |= {f"{name}_lower": f"{label}: 95% CI from", f"{name}_upper": "to"}
    return out


# Table views (column → label), shared with the exporter so a table is exported as shown.
FUNNEL_TABLE = _with_ci(
    pcn_name="PCN", referrals="Referrals", contacted="Contacted", first_attended="Started",
    uptake="Uptake", days_median="Median days to start", days_q1="IQR from", days_q3="to",
    followed_up_4w="Followed up at 4 weeks", retained_4w="Attending at 4 weeks",
    retention_4w="4-week retention", retention_4w_cc="of those followed up",
    followed_up_12w="Followed up at 12 weeks", retained_12w="Attending at 12 weeks",
    retention_12w="12-week retention", retention_12w_cc="of those followed up",
    followed_up_26w="Followed up at 26 weeks", retained_26w="Attending at 26 weeks",
    retention_26w="26-week retention", retention_26w_cc="of those followed up",
)  # fmt: skip
FUNNEL_PLOT_TABLE = _with_ci(
    pcn_name="PCN", referrals="Referrals", first_attended="Started", uptake="Uptake",
    significance="Against the pooled uptake",
)  # fmt: skip
GROUP_TABLE = _with_ci(
    dimension_label="Breakdown", group="Group", referrals="Referrals", first_attended="Started",
    uptake="Uptake", days_median="Median days to start", days_q1="IQR from", days_q3="to",
)  # fmt: skip
MONTH_TABLE = {"month": "Month"} | GROUP_TABLE
DAYS_TABLE = {"arm_label": "Arm", "bin_label": "Days from referral", "starters": "Starters",
              "share": "Share of starters"}  # fmt: skip
PERCENT_COLUMNS = frozenset(
    [c for r in RATES for c in (r, f"{r}_lower", f"{r}_upper")] + ["share"]
)
"""Table columns holding proportions (shown as percentages)."""


ACRONYMS = {"gp": "GP", "msk": "MSK", "imd": "IMD"}


def display_label(code: object) -> str:
    """A stored code as shown on a chart: "link_worker" → "Link worker", "gp" → "GP"."""
    text = str(code)
    if text in ACRONYMS:
        return ACRONYMS[text]
    return text[:1].upper() + text[1:].replace("_", " ") if text.islower() else text


def in_sentence(label: str) -> str:
    """A label as it reads mid-sentence: "Age band" → "age band", "IMD quintile" unchanged."""
    return label if label[:2].isupper() else label[0].lower() + label[1:]
