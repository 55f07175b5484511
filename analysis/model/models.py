"""The models, in build order: each with its layer, grain, key and data tests.

staging = one source renamed and cast; joined = business logic across sources; marts = one
declared grain per table for pages, exports and the statistics.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

import duckdb

from analysis.access import build_area_access, build_series_located
from analysis.ingest.contract import AGE_BANDS, ETHNICITIES, REFERRAL_SOURCES, SEXES, STATUSES
from analysis.ingest.official.shares_table import build_stg_catchment_shares
from analysis.metrics.supply_times import PARTS_OF_DAY, build_series_slots
from analysis.model import evaluation_tests as ev
from analysis.model.equity_marts import SII_MEASURES, build_equity, build_equity_sii
from analysis.model.outcome_change import build_outcome_change
from analysis.model.pcn_summary import build_pcn_summary
from analysis.model.retention_km import ARMS, build_retention_km
from analysis.supply.completeness import build_completeness_table


@dataclass(frozen=True)
class Model:
    name: str
    layer: str  # staging | joined | marts
    grain: str
    key: tuple[str, ...]
    not_null: tuple[str, ...] = ()
    relationships: tuple[tuple[str, str, str], ...] = ()  # (column, to_table, to_column)
    accepted: dict[str, tuple[str, ...]] = field(default_factory=dict)
    expressions: tuple[str, ...] = ()  # SQL conditions every row must meet
    # A model computed in Python (spatial queries) instead of SQL; it creates its own table.
    builder: Callable[[duckdb.DuckDBPyConnection], None] | None = None
    # "view" for a SQL model only the build reads: nothing is written, its tests still run.
    materialized: str = "table"

    def sql(self) -> str:
        return resources.files("analysis.model").joinpath(
            "sql", self.layer, f"{self.name}.sql").read_text(encoding="utf-8")


FUNNEL = (
    "referrals >= contacted AND contacted >= first_attended AND first_attended >= retained_4w",
    "first_attended >= retained_12w AND first_attended >= retained_26w",
    "followed_up_4w >= retained_4w",
    "followed_up_12w >= retained_12w",
    "followed_up_26w >= retained_26w",
    "first_attended >= followed_up_4w",
    "first_attended >= followed_up_12w",
    "first_attended >= followed_up_26w",
)

MODELS: tuple[Model, ...] = (
    Model("stg_practices", "staging", "one row per GP practice", ("practice_code",),
          not_null=("pcn_code", "registered_patients"),
          expressions=("registered_patients >= 0",)),
    Model("stg_pcns", "staging", "one row per PCN", ("pcn_code",),
          not_null=("pcn_name", "registered_patients")),
    Model("stg_catchment_shares", "staging", "one row per practice and LSOA of residence",
          ("practice_code", "lsoa_code"), builder=build_stg_catchment_shares,
          not_null=("pcn_code", "patients"),
          expressions=("share_of_lsoa BETWEEN 0 AND 1", "share_of_practice BETWEEN 0 AND 1",
                       "patients >= 0")),
    Model("stg_areas", "staging", "one row per LSOA", ("lsoa_code",),
          not_null=("imd_decile", "imd_quintile", "pcn_code", "population"),
          expressions=("imd_decile BETWEEN 1 AND 10", "imd_quintile BETWEEN 1 AND 5")),
    Model("stg_referrals", "staging", "one row per referral", ("referral_id",),
          materialized="view",  # read only by journeys; a 1M-row copy costs seconds
          not_null=("patient_key", "referral_date", "referral_month", "practice_code", "status"),
          relationships=(("practice_code", "stg_practices", "practice_code"),
                         ("lsoa_code", "stg_areas", "lsoa_code")),
          accepted={"referral_source": REFERRAL_SOURCES, "age_band": AGE_BANDS, "sex": SEXES,
                    "ethnicity": ETHNICITIES, "status": STATUSES},
          expressions=("patient_key LIKE 'nhs:%' OR patient_key LIKE 'pid:%'",
                       "contacted_date IS NULL OR contacted_date >= referral_date",
                       "first_attended_date IS NULL OR first_attended_date >= referral_date")),
    Model("stg_followups", "staging", "one row per referral and follow-up week",
          ("referral_id", "followup_week"),
          not_null=("followup_date",),
          relationships=(("referral_id", "stg_referrals", "referral_id"),),
          expressions=("swemwbs_raw IS NULL OR swemwbs_metric IS NOT NULL",
                       "followup_week = 0 OR still_attending IS NOT NULL")),
    Model("stg_pilot_pcns", "staging", "one row per pilot and PCN", ("pilot_name", "pcn_code"),
          not_null=("go_live",),
          relationships=(("pcn_code", "stg_pcns", "pcn_code"),),
          accepted={"arm": ("pilot", "comparison")}),
    Model("series_located", "joined", "one row per session series with coordinates",
          ("series_id",), builder=build_series_located,
          expressions=("pcn_code IS NOT NULL", "km_to_area_centroid >= 0")),
    Model("area_access", "joined", "one row per LSOA", ("lsoa_code",), builder=build_area_access,
          not_null=("pcn_code",),
          expressions=(
              "nearest_free_km IS NULL OR nearest_any_km <= nearest_free_km",
              "nearest_suitable_km IS NULL OR nearest_any_km <= nearest_suitable_km",
          )),
    Model("journeys", "joined", "one row per referral journey", ("referral_id",),
          not_null=("pcn_code", "referral_month", "contacted", "first_attended"),
          relationships=(("pcn_code", "stg_pcns", "pcn_code"),),
          expressions=("NOT first_attended OR contacted",
                       "NOT retained_4w OR (first_attended AND followed_up_4w)",
                       "retention_days IS NULL OR retention_days >= 0",
                       "days_to_first_attendance IS NULL OR days_to_first_attendance >= 0")),
    Model("pcn_arms", "joined", "one row per PCN with its evaluation arm", ("pcn_code",),
          not_null=("pcn_name", "arm"),
          relationships=(("pcn_code", "stg_pcns", "pcn_code"),),
          accepted={"arm": ev.PCN_ARMS},
          expressions=ev.ARM_NAMED),
    Model("mart_pcn_month", "marts", "one row per PCN and calendar month", ("pcn_code", "month"),
          not_null=("pcn_name", "month", "registered_patients", "referrals"),
          relationships=(("pcn_code", "stg_pcns", "pcn_code"),),
          expressions=(*FUNNEL, "referrals >= 0")),
    Model("mart_pcn_supply_week", "marts", "one row per PCN and week (Monday)", ("pcn_code", "week"),
          not_null=("occurrences", "free_occurrences", "population"),
          relationships=(("pcn_code", "stg_pcns", "pcn_code"),),
          expressions=("occurrences >= free_occurrences", "free_occurrences >= 0",
                       "series <= occurrences")),
    Model("mart_series_slots", "marts",
          "one row per live series, part of the day and weekday daytime",
          ("series_id", "part", "weekday_daytime"), not_null=("occurrences",),
          relationships=(("series_id", "supply_series", "series_id"),),
          accepted={"part": tuple(PARTS_OF_DAY)}, expressions=("occurrences > 0",),
          builder=build_series_slots),
    Model("mart_area_access", "marts", "one row per LSOA", ("lsoa_code",),
          not_null=("pcn_code", "population", "referrals"),
          relationships=(("lsoa_code", "stg_areas", "lsoa_code"),),
          expressions=("referrals >= referred_people",)),
    Model("mart_pcn_access", "marts", "one row per PCN", ("pcn_code",),
          not_null=("population", "live_series"),
          relationships=(("pcn_code", "stg_pcns", "pcn_code"),),
          expressions=(
              "population >= population_within_1km_any",
              "population_within_1km_any >= population_within_1km_free",
              "population_within_1km_any >= population_within_1km_suitable",
              "referred_people_located >= referred_people_within_1km_suitable",
              "live_series >= free_series",
          )),
    Model("mart_feed_quality", "marts", "one row per harvested feed", ("feed_url",),
          not_null=("items", "status"),
          expressions=("items >= deleted_items", "occurrences >= orphan_occurrences")),
    Model("mart_organiser_completeness", "marts", "one row per publisher and organiser",
          ("publisher_name", "organiser_name"), builder=build_completeness_table,
          expressions=("mean_sp_ready_score BETWEEN 0 AND 1",)),
    Model("mart_pcn_summary", "marts", "one row per PCN over the whole data window",
          ("pcn_code",), builder=build_pcn_summary, not_null=ev.PCN_SUMMARY_NOT_NULL,
          relationships=(("pcn_code", "pcn_arms", "pcn_code"),),
          accepted={"arm": ev.PCN_ARMS}, expressions=(*FUNNEL, *ev.PCN_SUMMARY)),
    Model("mart_retention_km", "marts", "one row per arm and Kaplan-Meier curve time",
          ("arm", "time_weeks"), builder=build_retention_km, not_null=ev.RETENTION_KM_NOT_NULL,
          accepted={"arm": ARMS}, expressions=ev.RETENTION_KM),
    Model("mart_outcome_change", "marts", "one row per outcome measure and follow-up week",
          ("measure", "week"), builder=build_outcome_change,
          not_null=ev.OUTCOME_CHANGE_NOT_NULL, accepted={"measure": ev.OUTCOME_MEASURES},
          expressions=ev.OUTCOME_CHANGE),
    Model("mart_equity", "marts", "one row per equity dimension and group",
          ("dimension", "group_value"), builder=build_equity, not_null=ev.EQUITY_NOT_NULL,
          accepted={"dimension": ev.EQUITY_DIMENSIONS}, expressions=ev.EQUITY),
    Model("mart_equity_sii", "marts", "one row per inequality measure", ("measure",),
          builder=build_equity_sii, not_null=ev.EQUITY_SII_NOT_NULL,
          accepted={"measure": SII_MEASURES, "ci_method": ("simulation", "analytic")},
          expressions=ev.EQUITY_SII),
)

BY_NAME = {m.name: m for m in MODELS}
