"""Overview: headline numbers, the referral funnel and the monthly trend for the chosen view."""

import pandas as pd
import streamlit as st

from analysis.disclosure import REDACTED, Derived, TableSpec, apply_to_export
from analysis.export.catalogue import by_name
from analysis.export.catalogue_items import prop, with_total
from analysis.figures import overview as figures
from analysis.filters import Filters
from analysis.metrics import overview as metrics
from dashboard.exhibit import exhibit, notice, on_screen

ITEMS = by_name()
KPI_SPEC = TableSpec(
    ["referrals", "first_attended", "starters_due_12w", "retained_12w", "followed_up_12w"],
    {
        "referral_rate": Derived("referrals", "person_years", 1000, "rate",
                                 ("referral_rate_lower", "referral_rate_upper")),
        "uptake": prop("first_attended", "referrals", "uptake"),
        "retention_12w": prop("retained_12w", "starters_due_12w", "retention_12w"),
        "retention_12w_cc": prop("retained_12w", "followed_up_12w", "retention_12w_cc"),
    },
)  # fmt: skip


class Hidden(str):
    """A hidden value in a headline card: shown as the marker whatever the number format."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        return str(self)


def headline(kpis: pd.DataFrame) -> pd.DataFrame:
    """The headline numbers as this user may see them: under disclosure control, counts rounded
    (or hidden) and rates recomputed from the rounded counts."""
    if not on_screen():
        return kpis
    years = kpis["registered_patients"].astype(float) * kpis["years"]
    shown = apply_to_export("kpis", kpis.assign(person_years=years), KPI_SPEC).frame
    return shown.map(lambda v: Hidden(v) if isinstance(v, str) and v == REDACTED else v)


def hidden(row: pd.Series) -> bool:
    return any(isinstance(v, Hidden) for v in row)


PERCENT, RATE = {"format": "percent"}, {"format": "%.2f"}
FUNNEL_TABLE = {
    "arm_label": "Arm",
    "stage_label": "Stage",
    "count": "People",
    "share": st.column_config.NumberColumn("% of referrals", **PERCENT),
    "share_lower": st.column_config.NumberColumn("95% CI lower", **PERCENT),
    "share_upper": st.column_config.NumberColumn("95% CI upper", **PERCENT),
}
MONTHLY_TABLE = {
    "arm_label": "Arm",
    "month": st.column_config.DateColumn("Month", format="MMM YYYY"),
    "referrals": "Referrals",
    "registered_patients": "Registered patients",
    "month_fraction": st.column_config.NumberColumn("Share of month in period", **RATE),
    "rate": st.column_config.NumberColumn("Rate per 1,000", **RATE),
    "rate_lower": st.column_config.NumberColumn("95% CI lower", **RATE),
    "rate_upper": st.column_config.NumberColumn("95% CI upper", **RATE),
}


@st.cache_data(show_spinner="Counting referrals…", max_entries=64)
def frames(_con, store_key: str, flt: Filters) -> tuple[pd.DataFrame, ...]:
    with _con.cursor() as cur:
        return metrics.overview_frames(cur, flt)


st.title("Overview")
notice()
flt: Filters = st.session_state["filters"]
kpis, funnel, monthly = frames(st.session_state["con"], st.session_state["store_key"], flt)
if kpis.empty:
    st.info("No referrals match these filters: widen the period or choose other PCNs.")
    st.stop()
kpis = headline(kpis)

k0, arms = kpis.iloc[0], kpis.set_index("arm", drop=False)
st.caption(
    f"Referrals made {k0.period_start:%-d %b %Y} to {k0.period_end:%-d %b %Y}"
    + (f"; go-live {k0.go_live:%-d %b %Y}." if pd.notna(k0.go_live) else ".")
)
for _, k in kpis.iterrows():
    st.subheader(k.arm_label)
    vs = arms.loc["comparison"] if k.arm == "pilot" and "comparison" in arms.index else None
    vs = None if vs is None or hidden(k) or hidden(vs) else vs  # no difference from a hidden
    for col, card in zip(st.columns(5), figures.kpi_cards(k, vs), strict=True):
        arrow = "off" if card.delta_color == "off" else "auto"
        style = {"delta_color": card.delta_color, "delta_arrow": arrow, "border": True}
        col.metric(card.label, card.value, card.delta, help=card.help, **style)
    arrows = "Arrows: difference from the comparison PCNs. " if vs is not None else ""
    st.caption(arrows + figures.kpi_ci_line(k))

st.subheader("Referral funnel")
exhibit(
    ITEMS["overview_funnel"],
    with_total(funnel, ["arm"]),
    key="funnel",
    caption="The share of referred people who were contacted, started and were still attending "
    "at each follow-up (numbers are people; black lines are 95% CIs). Recent referrals have not "
    "reached the later follow-ups yet.",
    expander="Funnel table",
    table=lambda f: st.dataframe(
        f, hide_index=True, column_order=list(FUNNEL_TABLE), column_config=FUNNEL_TABLE
    ),
)

st.subheader("Referrals over time")
exhibit(
    ITEMS["overview_monthly_referrals"],
    monthly.assign(patient_months=monthly["registered_patients"] * monthly["month_fraction"]),
    key="trend",
    caption="Referrals per 1,000 registered patients each month, with 95% confidence bands"
    + ("; the dotted line marks go-live." if monthly["go_live"].notna().any() else "."),
    expander="Monthly table",
    table=lambda f: st.dataframe(
        f, hide_index=True, column_order=list(MONTHLY_TABLE), column_config=MONTHLY_TABLE
    ),
)
