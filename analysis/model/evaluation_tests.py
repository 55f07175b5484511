"""The data tests of the evaluation marts (mart_pcn_summary, mart_retention_km,
mart_outcome_change, mart_equity, mart_equity_sii): SQL conditions every row must meet.

Each is an invariant of the quantity, not a restatement of the code that computes it: counts
nest (retained ≤ followed up ≤ starters ≤ referrals), an estimate lies inside its confidence
interval, proportions lie in [0, 1], a Kaplan–Meier curve never rises and its risk set shrinks by
exactly the disengagements and censorings, a mean change is the difference of the means.
"""

from __future__ import annotations

from analysis.model.equity_marts import DIMENSIONS
from analysis.model.pcn_summary import PROPORTIONS, WEEKS
from analysis.outcomes import INDICATIVE_BELOW, MEASURES

OUTCOME_MEASURES = tuple(MEASURES)
EQUITY_DIMENSIONS = DIMENSIONS
PCN_ARMS = ("pilot", "comparison", "none")
TOLERANCE = 1e-9


def interval(
    name: str,
    lower: str,
    upper: str,
    *,
    within: tuple[float, float] | None = None,
    optional: bool = False,
) -> str:
    """``name`` is NULL or lies in [lower, upper] (and the limits in ``within``). With
    ``optional``, an estimate may also have no interval at all (both limits NULL)."""
    condition = f"{lower} <= {name} AND {name} <= {upper}"
    if within is not None:
        condition += f" AND {within[0]} <= {lower} AND {upper} <= {within[1]}"
    missing = f" OR ({lower} IS NULL AND {upper} IS NULL)" if optional else ""
    return f"{name} IS NULL{missing} OR ({condition})"


def close(left: str, right: str, scale: str = "1") -> str:
    """``left`` equals ``right`` to a relative tolerance (NULL on either side passes)."""
    return (
        f"{left} IS NULL OR {right} IS NULL OR "
        f"abs(({left}) - ({right})) <= {TOLERANCE} * greatest(1, abs({scale}))"
    )


def _proportion(name: str, numerator: str, denominator: str) -> tuple[str, ...]:
    return (
        interval(name, f"{name}_lower", f"{name}_upper", within=(0, 1)),
        f"({denominator} = 0) = ({name} IS NULL)",
        close(f"{name} * {denominator}", numerator, numerator),
    )


ARM_NAMED = ("(arm = 'none') = (pilot_name IS NULL)", "(arm = 'none') = (go_live IS NULL)")
"""A PCN has a pilot name and go-live date exactly when it is in a pilot's arm."""
_NESTED = tuple(
    f"retained_due_{w}w <= followed_up_due_{w}w AND followed_up_due_{w}w <= starters_due_{w}w "
    f"AND starters_due_{w}w <= first_attended AND followed_up_due_{w}w <= followed_up_{w}w "
    f"AND retained_due_{w}w <= retained_{w}w"
    for w in WEEKS
)
PCN_SUMMARY_NOT_NULL = (
    "pcn_name", "arm", "period_start", "period_end", "as_of", "years", "registered_patients",
    "patient_years", "referrals", "contacted", "first_attended",
    *(f"{kind}_{w}w" for kind in ("followed_up", "retained", "starters_due", "followed_up_due",
                                  "retained_due") for w in WEEKS),
)  # fmt: skip
PCN_SUMMARY = (
    *_NESTED,
    *ARM_NAMED,
    "starters_due_26w <= starters_due_12w AND starters_due_12w <= starters_due_4w",
    "period_start <= period_end AND period_end <= as_of AND years > 0",
    *(c for name, num, den in PROPORTIONS for c in _proportion(name, num, den)),
    interval("referral_rate", "referral_rate_lower", "referral_rate_upper"),
    "referral_rate_lower IS NULL OR referral_rate_lower >= 0",
    "(patient_years > 0) = (referral_rate IS NOT NULL)",
    close("referral_rate * patient_years / 1000", "referrals", "referrals"),
    "(first_attended = 0) = (days_to_first_attendance_median IS NULL)",
    interval(
        "days_to_first_attendance_median",
        "days_to_first_attendance_q1",
        "days_to_first_attendance_q3",
    ),
    "days_to_first_attendance_q1 IS NULL OR days_to_first_attendance_q1 >= 0",
    "share_within_1km_suitable IS NULL OR share_within_1km_suitable BETWEEN 0 AND 1",
    "referred_share_within_1km_suitable IS NULL OR referred_share_within_1km_suitable <= 1",
    "referred_share_within_1km_suitable IS NULL OR referred_share_within_1km_suitable >= 0",
    "weekly_occurrences_per_1000 IS NULL OR weekly_occurrences_per_1000 >= 0",
)

RETENTION_KM_NOT_NULL = (
    "n_at_risk", "n_events", "n_censored", "survival", "survival_lower", "survival_upper",
)  # fmt: skip
_LATER = "FROM mart_retention_km AS k WHERE k.arm = mart_retention_km.arm AND k.time_weeks"
RETENTION_KM = (
    "time_weeks >= 0 AND n_events >= 0 AND n_censored >= 0",
    "n_events + n_censored <= n_at_risk",
    interval("survival", "survival_lower", "survival_upper", within=(0, 1)),
    # The curve never rises: no earlier time has a lower survival.
    f"survival <= coalesce((SELECT min(k.survival) {_LATER} < mart_retention_km.time_weeks), 1)",
    # The risk set at the next time is this one less its disengagements and censorings.
    (
        "n_at_risk - n_events - n_censored = coalesce((SELECT arg_min(k.n_at_risk, k.time_weeks) "
        f"{_LATER} > mart_retention_km.time_weeks), 0)"
    ),
)

OUTCOME_CHANGE_NOT_NULL = (
    "measure_label", "n_pairs", "baseline_mean", "followup_mean", "mean_change", "indicative_only",
)  # fmt: skip
OUTCOME_CHANGE = (
    "week IN (4, 12, 26) AND n_pairs > 0",
    close("mean_change", "followup_mean - baseline_mean", "mean_change"),
    interval("mean_change", "change_lower", "change_upper", optional=True),
    "p_ttest IS NULL OR p_ttest BETWEEN 0 AND 1",
    "p_wilcoxon IS NULL OR p_wilcoxon BETWEEN 0 AND 1",
    "sd_change IS NULL OR sd_change >= 0",
    close("cohens_d * sd_change", "mean_change", "mean_change"),
    f"indicative_only = (n_pairs < {INDICATIVE_BELOW})",
    "(measure = 'swemwbs') = (improved IS NOT NULL)",
    "improved IS NULL OR improved BETWEEN 0 AND n_pairs",
    interval("improved_share", "improved_lower", "improved_upper", within=(0, 1)),
    close("improved_share * n_pairs", "improved", "improved"),
)

EQUITY_NOT_NULL = ("group_order", "referrals", "first_attended", "uptake")
EQUITY = (
    "referrals > 0 AND first_attended <= referrals",
    interval("uptake", "uptake_lower", "uptake_upper", within=(0, 1)),
    close("uptake * referrals", "first_attended", "first_attended"),
    "population IS NULL OR dimension = 'imd_quintile'",
    "(population IS NULL) = (referral_rate IS NULL)",
    interval("referral_rate", "referral_rate_lower", "referral_rate_upper"),
    close("referral_rate * person_years / 1000", "referrals", "referrals"),
)

EQUITY_SII_NOT_NULL = (
    "sii", "sii_lower", "sii_upper", "most_deprived_fitted", "least_deprived_fitted",
    "n_quantiles", "ci_method",
)  # fmt: skip
EQUITY_SII = (
    "sii_lower <= sii_upper",
    close("least_deprived_fitted - most_deprived_fitted", "sii", "sii"),
    "n_quantiles BETWEEN 5 AND 10",
)
