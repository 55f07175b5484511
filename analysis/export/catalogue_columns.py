"""The data dictionary's definitions: every column of every exported table and figure-data file.

:data:`COLUMNS` defines a column by its name wherever it means the same thing;
:data:`BY_TABLE` overrides that for the items where a name means something else (``share``,
``rate``, ``group`` …). A column ending ``_lower``/``_upper`` is a 95% confidence limit of the
column it extends; the Retention page's numbers at risk (``"4 weeks"`` …) and S(t) columns
(``s_4w`` …) are read from their names. :func:`define` answers ``None`` for a column it does
not know, so a test can insist that none falls back to a general pointer. The metrics behind
the columns are defined in docs/metrics.md; the items in docs/exports.md.
"""

from __future__ import annotations

import re

__all__ = ["BY_TABLE", "COLUMNS", "FALLBACK", "define"]

FALLBACK = "see docs/metrics.md and docs/exports.md"
"""What the dictionary says of a column :func:`define` does not know (a test keeps it unused)."""
_FUNNEL_RATES = {
    "contact_rate": "contacted ÷ referrals",
    "uptake": "first_attended ÷ referrals",
    **{f"followup_{w}w": f"followed_up_{w}w ÷ first_attended (starters with a week-{w} "
                         "follow-up)" for w in (4, 12, 26)},
    **{f"retention_{w}w": f"retained_{w}w ÷ first_attended (starters still attending at week "
                          f"{w}, of all starters)" for w in (4, 12, 26)},
    **{f"retention_{w}w_cc": f"retained_{w}w ÷ followed_up_{w}w (complete-case retention: of "
                             f"starters with a week-{w} follow-up)" for w in (4, 12, 26)},
}  # fmt: skip
COLUMNS: dict[str, str] = {
    # places, arms and periods
    "pcn_code": "Primary Care Network code (ALL: the total row)",
    "pcn_name": "PCN name", "arm": "pilot, comparison or all (no pilot chosen)",
    "arm_label": "the arm in words", "month": "first day of the calendar month of referral",
    "pcns": "PCNs in the arm", "go_live": "the pilot's go-live date (blank without a pilot)",
    "registered_patients": "the PCN's registered list size (sum over its practices)",
    "patient_years": "registered patients × years in the period",
    "population": "Σ population of the PCN's catchment areas",
    # the referral funnel
    "referrals": "referrals made (by referral date)", "contacted": "of those, contacted",
    "first_attended": "of those, starters (a first attendance)",
    **{f"followed_up_{w}w": f"starters with a week-{w} follow-up" for w in (4, 12, 26)},
    **{f"retained_{w}w": f"starters still attending at the week-{w} follow-up"
       for w in (4, 12, 26)},
    **_FUNNEL_RATES,
    "days_to_first_attendance_total": "Σ days from referral to first attendance over the "
    "starters (raw exports only: with the mean it gives the exact count)",
    "mean_days_to_first_attendance": "mean days from referral to first attendance of starters",
    "days_median": "median days from referral to first attendance of the starters",
    "days_q1": "lower quartile of the days from referral to first attendance",
    "days_q3": "upper quartile of the days from referral to first attendance",
    "referral_rate": "referrals ÷ patient-years × 1,000",
    "stage": "funnel stage: referrals, contacted, first_attended, retained_4w/12w/26w",
    "stage_label": "the stage in words", "count": "people reaching the stage",
    "total": "referrals (the share's denominator)",
    "share": "count ÷ total (the share of referrals reaching the stage)",
    "dimension": "the grouping: referral_source, condition, age_band, sex, ethnicity or "
    "imd_quintile", "dimension_label": "the grouping in words",
    "group": "the group within the grouping ('unknown': not recorded)",
    # supply
    "weekly_occurrences_per_1000": "mean session occurrences per week ÷ population × 1,000",
    "share_within_1km_any": "share of the population within 1 km of a live session series",
    "share_within_1km_suitable": "share of the population within 1 km of a suitable series",
    # retention
    "time_weeks": "weeks since first attendance",
    "n_at_risk": "starters still followed and still attending just before the time",
    "n_events": "starters who stopped attending at the time",
    "survival": "Kaplan–Meier share still attending",
    "starters": "starters (people with a first attendance)",
    # outcomes
    "week": "the follow-up week compared with baseline: 4, 12 or 26",
    "n_pairs": "people with the measure at both baseline and the follow-up week",
    "improved": "pairs whose SWEMWBS metric score rose by 3 points or more",
    "improved_share": "improved ÷ n_pairs",
    "indicative_only": "true when n_pairs < 30: read the result as indicative only",
    "measure": "the outcome measure: swemwbs, ons4_satisfied, ons4_worthwhile, ons4_happy, "
    "ons4_anxious or sipam_days", "measure_label": "the measure in words",
    "baseline_mean": "mean baseline score over the pairs",
    "followup_mean": "mean follow-up score over the pairs",
    "mean_change": "mean of (follow-up score − baseline score)",
    "change_lower": "lower 95% confidence limit of mean_change (t distribution, n_pairs − 1 df)",
    "change_upper": "upper 95% confidence limit of mean_change",
    "sd_change": "standard deviation of the changes (n − 1)",
    "t_statistic": "paired t statistic", "p_ttest": "two-sided p-value of the paired t-test",
    "p_wilcoxon": "two-sided p-value of the Wilcoxon signed-rank test (zero changes dropped)",
    "cohens_d": "Cohen's d for paired data: mean_change ÷ sd_change",
    # models
    "p_value": "two-sided p-value", "rate_ratio": "rate ratio (1: no change)",
    "term": "the model term", "model": "poisson or negative_binomial",
    "model_label": "the model in words", "term_label": "the term in words",
    "design": "did (difference in differences against comparison PCNs) or its (interrupted "
    "time series of the pilot PCNs alone)",
    "selected": "true for the headline model (the better-fitting of the two)",
}  # fmt: skip
_KM = {"group": "the arm (group of the curve)"}
_IN_VIEW = "referrals in view (the shares' denominator)"
BY_TABLE: dict[str, dict[str, str]] = {
    "overview_monthly_referrals": {
        "registered_patients": "registered patients of the arm's PCNs",
        "month_fraction": "share of the month inside the period (1: a whole month)",
        "patient_months": "registered_patients × month_fraction",
        "rate": "referrals ÷ patient_months × 1,000 (referrals per 1,000 patients per month)",
    },
    "uptake_pcn_funnel": {"share": "count ÷ total (the share of the PCN's referrals)"},
    "uptake_by_month": {"go_live": "the pilot's go-live date (blank without a pilot)"},
    "uptake_days_to_start": {
        "bin_start": "first day of the bin of days from referral to first attendance",
        "bin_label": "the bin in words (the last bin: that many days or more)",
        "starters": "starters of the arm whose first attendance fell in the bin",
        "arm_starters": "starters of the arm (the share's denominator)",
        "share": "starters ÷ arm_starters",
        "days_median": "the arm's median days from referral to first attendance",
        "days_q1": "the arm's lower quartile of those days",
        "days_q3": "the arm's upper quartile of those days",
    },
    "retention_km": _KM,
    "retention_at_risk": _KM,
    "retention_survival": _KM | {"starters": "starters in the arm (at risk at week 0)"},
    "retention_cohorts": {
        "referral_month": "first day of the month of referral",
        "starters": "starters referred in the month",
        "followed_up": "of those, starters with a follow-up at the week",
        "retained": "of those, still attending at the week", "share": "retained ÷ followed_up",
    },
    "retention_cox": {
        "term": "the model term (variable = level)", "variable": "the characteristic",
        "level": "its level compared with the reference",
        "reference": "the reference level (hazard ratio 1)",
        "hazard_ratio": "hazard ratio of stopping, adjusted for the other characteristics",
        "log_hr": "log of the hazard ratio", "se": "standard error of log_hr, clustered by PCN",
        "n": "starters in the model", "events": "of those, starters who stopped attending",
        "clusters": "PCNs (the clusters of the standard errors)",
    },
    "outcomes_improvement": {
        "by": "the grouping column", "by_label": "the grouping in words",
        "group": "the group: an arm, or still attending / stopped at the follow-up",
    },
    "outcomes_change_by_attendance": {"group": "still attending or stopped at the follow-up"},
    "outcomes_change_by_arm": {"group": "the arm"},
    "outcomes_ons4_bands": {
        "item": "the ONS4 question", "item_label": "the question in words",
        "group": "the arm", "band": "the ONS4 wellbeing band", "band_label": "the band in words",
        "band_order": "the band's place (low to very high wellbeing)",
        "baseline_count": "pairs in the band at baseline",
        "baseline_share": "baseline_count ÷ n_pairs",
        "followup_count": "pairs in the band at the follow-up week",
        "followup_share": "followup_count ÷ n_pairs",
        **{f"{w}_{limit}": f"{limit} 95% confidence limit of {w}_share"
           for w in ("baseline", "followup") for limit in ("lower", "upper")},
    },
    "impact_observed_counterfactual": {
        "post": "true from the go-live month on",
        "pilot_referrals": "referrals in the pilot PCNs that month",
        "pilot_registered": "patient-months of the pilot PCNs that month (registered patients "
        "× share of the month in the data)",
        "pilot_rate": "pilot_referrals ÷ pilot_registered × 1,000",
        "expected_rate": "the model's fitted rate in the pilot PCNs, per 1,000 per month",
        "counterfactual_rate": "the model's rate in the pilot PCNs without the pilot effect",
        "counterfactual_lower": "lower 95% confidence limit of counterfactual_rate",
        "counterfactual_upper": "upper 95% confidence limit of counterfactual_rate",
        "comparison_referrals": "referrals in the comparison PCNs that month",
        "comparison_registered": "patient-months of the comparison PCNs that month",
        "comparison_rate": "comparison_referrals ÷ comparison_registered × 1,000",
    },
    "impact_comparison_pcns": {"registered_patients": "the PCN's registered list size"},
    "equity_sii": {
        "measure": "referral_rate (per 1,000 residents per year) or uptake (0–1)",
        "sii": "slope index of inequality: modelled value at the least deprived end minus the "
        "most deprived end", "most_deprived_fitted": "modelled value at the most deprived end",
        "least_deprived_fitted": "modelled value at the least deprived end",
        "n_quantiles": "IMD deciles with a denominator",
        "ci_method": "simulation, or analytic when a decile has 0 events (or 100%)",
    },
    "equity_referral_rate_by_imd": {
        "basis": "residence: referrals and population by home area",
        "group": "IMD quintile of the home area (1 = most deprived)",
        "population": "residents of the quintile's areas", "years": "years in the period",
        "person_years": "population × years",
        "rate": "referrals ÷ person_years × 1,000 (per 1,000 residents per year)",
    },
    **{f"equity_uptake_by_{dim}": {
        "dimension": "the grouping", "group": "the group ('unknown': not recorded)"}
       for dim in ("imd_quintile", "age_band", "sex", "ethnicity")},
    "supply_coverage": {
        "population": "residents of the PCN's areas",
        "live_series": "live session series placed in the PCN",
        "free_series": "of those, free series",
        "population_within_1km": "residents within 1 km of a suitable series",
        "share_within_1km": "population_within_1km ÷ population",
        "referred_located": "referred people in view with a known home area",
        "referred_within_1km": "of those, living within 1 km of a suitable series",
        "referred_share_within_1km": "referred_within_1km ÷ referred_located",
        "suitable_series": "live series placed in the PCN that suit the profile",
        "suitable_weekly_per_1000": "suitable session occurrences per week ÷ population × 1,000",
        "desert": "true when share_within_1km is under 40% (a supply desert)",
    },
    "supply_areas": {
        "lsoa_code": "the area (LSOA) code", "lsoa_name": "the area's name",
        "pcn_code": "the PCN the area belongs to", "latitude": "latitude of the area's centre",
        "longitude": "longitude of the area's centre", "population": "residents of the area",
        "imd_decile": "IMD decile (1 = most deprived)",
        "imd_quintile": "IMD quintile (1 = most deprived)",
        "nearest_any_km": "km to the nearest live session series",
        "nearest_free_km": "km to the nearest free live series",
        "nearest_suitable_km": "km to the nearest series suitable by the stored default profile",
        "in_view": "true for areas of the PCNs in view (every row here)",
        "nearest_km": "km to the nearest series that suits the Supply page's default profile "
        "(blank: none)", "nearest_name": "that series' name",
        "within_1km": "true when nearest_km ≤ 1", "referred_people": "people referred in view "
        "living in the area",
    },
    "data_quality_warnings": {
        "warning": "the check a referral record breaks",
        "referrals": "referrals in view breaking it", "share": "referrals ÷ in_view",
        "in_view": _IN_VIEW,
    },
    "data_quality_linkage": {
        "check": "what is joined", "numerator": "records that join",
        "denominator": "records checked", "rate": "numerator ÷ denominator",
        "scope": "which records are checked (referrals in view, or all files loaded)",
    },
    "data_quality_freshness": {
        "feed_label": "publisher · feed", "band": "days since the series was last updated",
        "series": "live session series in the band",
    },
    "data_quality_faults": {
        "fault": "the kind of publisher fault", "occurrences": "times it was found",
        "feeds": "feeds it was found in", "pages": "feed pages it was found on",
        "last_seen": "when it was last found", "example": "the latest example",
    },
    "data_quality_readiness": {
        "publisher_name": "the publisher", "organiser_name": "the organiser",
        "series": "live session series of the organiser",
        "mean_sp_ready_score": "mean SP-readiness of those series (0–1)",
        **{f"missing_{f}": f"share of the series missing {f.replace('_', ' ')}"
           for f in ("location", "price", "age_range", "accessibility", "level", "leader",
                     "organiser_contact", "url", "description")},
        "missing_recent_update": "share not updated within 90 days",
        "fields_to_add": "the fields missing from at least half of the series, most often "
        "missing first",
    },
    "data_quality_rejects": {
        "kind": "the input file kind", "field": "the first field that failed",
        "rows": "rows rejected", "files": "files they came from", "example": "one reason given",
    },
}  # fmt: skip
_AT_RISK = re.compile(r"(\d+) weeks")
_SURVIVAL = re.compile(r"s_(\d+)w")


def define(table: str, column: str) -> str | None:
    """The definition of ``column`` in the item ``table`` (a figure's data may be given as
    ``figure-data/<name>``), or ``None`` when it is not defined here."""
    item = table.removeprefix("figure-data/")
    found = BY_TABLE.get(item, {}).get(column) or COLUMNS.get(column)
    if found:
        return found
    if at_risk := _AT_RISK.fullmatch(column):
        return (f"starters still followed and attending {at_risk.group(1)} weeks after their "
                "first attendance, read off the protected curve")  # fmt: skip
    if survival := _SURVIVAL.fullmatch(column):
        return f"Kaplan–Meier share still attending {survival.group(1)} weeks after starting"
    for suffix, limit in (("_lower", "lower"), ("_upper", "upper")):
        base = column.removesuffix(suffix)
        if base != column and define(item, base):
            return f"{limit} 95% confidence limit of {base}"
    if column in ("lower", "upper") and item in _BARE_LIMITS:
        return f"{column} 95% confidence limit of {_BARE_LIMITS[item]}"
    return None


_BARE_LIMITS = {"retention_km": "survival", "retention_cohorts": "share",
                "retention_cox": "hazard_ratio", "impact_estimates": "rate_ratio"}  # fmt: skip
"""What an item's bare ``lower``/``upper`` columns are the limits of."""
