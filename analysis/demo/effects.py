"""``truth/planted_effects.json``: each planted effect, its parameters and exact model.

Alongside the planted values it records what this run realised (for example the empirical
S(12) of the drawn disengagement times), so a test can tell a generator problem from an
analysis problem.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from analysis.demo import dates, outcomes, referral_counts, retention, uptake
from analysis.demo.access import ACCESS_KM
from analysis.demo.followups import ChangeTally
from analysis.demo.geography import Geography
from analysis.demo.people import AGE_BANDS
from analysis.demo.referrals import Referrals
from analysis.demo.scales import Scale
from analysis.demo.session_choice import CANDIDATES, DISTANCE_SCALE_KM
from analysis.demo.supply import DESERT_PRICE_RANGE, Series
from analysis.demo.truth import pcn_access


def _r(x: float) -> float:
    return round(float(x), 6)


def _referral_rate(geo: Geography, ref: Referrals) -> dict[str, Any]:
    c = ref.counts
    pilot, comp = c.pilot, np.isin(np.arange(geo.n_pcns), geo.comparison_pcns)
    realised = {
        f"{name}_{period}": int(c.counts[rows][:, cols].sum())
        for name, rows in (("pilot", pilot), ("comparison", comp))
        for period, cols in (("pre", ~c.post), ("post", c.post))
    }
    return {
        "planted_value": referral_counts.RATE_RATIO,
        "parameter": "referral rate ratio, pilot PCNs after go-live relative to comparison "
        "PCNs (difference-in-differences with PCN and month fixed effects and a "
        "log(registered patients) offset)",
        "model": "count[p,m] ~ Poisson(list_size[p] * base_rate * seasonality[calendar month "
        "of m] * u[p] * 1.30 ** (p in pilot_pcn_codes and m >= go_live)); "
        "u[p] ~ Gamma(shape=20, scale=1/20); practice within PCN by list share; "
        "referral_date uniform within the month",
        "base_rate_per_patient_month": float(c.base_rate),
        "seasonality": {str(m + 1): _r(v) for m, v in enumerate(referral_counts.SEASONALITY)},
        "pcn_random_effect": {
            "distribution": "gamma",
            "shape": referral_counts.PCN_EFFECT_SHAPE,
            "scale": _r(1 / referral_counts.PCN_EFFECT_SHAPE),
        },
        "go_live": dates.GO_LIVE.isoformat(),
        "pilot_pcn_codes": [str(geo.pcn_code[p]) for p in geo.pilot_pcns],
        "comparison_pcn_codes": [str(geo.pcn_code[p]) for p in geo.comparison_pcns],
        "realised": {"referrals": int(c.counts.sum()), **realised},
    }


def _uptake(ref: Referrals) -> dict[str, Any]:
    started = ref.uptake.started
    return {
        "planted_value": {
            "odds_ratio_imd_decile_1_2": uptake.ODDS_RATIOS["imd_decile_1_2"],
            "odds_ratio_referred_series_free": uptake.ODDS_RATIOS["referred_series_free"],
        },
        "parameter": "odds ratios of first attendance (logistic regression)",
        "model": "started ~ Bernoulli(expit(intercept + ln(0.60)*[home IMD decile 1-2] + "
        "ln(1.50)*[referred series is free] + age_band_log_odds[age_band] + "
        "ln(1.15)*[sex female] + ln(0.80)*[conditions include mental_health] + "
        "ln(0.85)*[referral_source != gp])); the uniforms compared with the probabilities "
        "are stratified in blocks of 20 within cells of (IMD 1-2, free) ordered by "
        "probability (each still Uniform(0, 1))",
        "definitions": {
            "home IMD decile": "imd_decile of the referral's home area (lsoa_code; blank for "
            "2% of referrals, missing at random)",
            "referred series is free": "opportunity_id names a live series that is free "
            "(isAccessibleForFree, or every offer price 0, "
            "including the string '0.00'); 0 when no opportunity_id",
        },
        "intercept": _r(ref.uptake.intercept),
        "odds_ratios": dict(uptake.ODDS_RATIOS),
        "age_band_log_odds": {b: uptake.AGE_LOG_ODDS[b] for b in AGE_BANDS},
        "target_mean_uptake": uptake.TARGET_UPTAKE,
        "realised": {
            "referrals": len(ref),
            "starters": int(started.sum()),
            "uptake": _r(started.mean()),
        },
    }


def _retention(ref: Referrals) -> dict[str, Any]:
    t = ref.retention.weeks[ref.uptake.started]
    k, eta = retention.WEIBULL_SHAPE, retention.WEIBULL_SCALE_WEEKS
    return {
        "planted_value": {"hazard_ratio_per_km": retention.HAZARD_RATIOS["distance_per_km"]},
        "parameter": "hazard ratio of disengagement per km between the home area centroid and "
        "the referred series' location (Cox proportional hazards)",
        "model": "S(t|x) = exp(-(t/23.41)**0.547 * exp(lp)), t in weeks from "
        "first_attended_date; lp = ln(1.10)*(distance_km - centre.distance_km) + "
        "ln(0.85)*([age 65+] - centre.age_65_plus) + ln(1.15)*([female] - "
        "centre.female); distance_km = great-circle km (R = 6371.0088) from the home "
        "area centroid to the series geo, both as written (6 decimals); "
        "T = 23.41 * (E * exp(-lp)) ** (1 / 0.547), E = -ln(1 - U), U stratified in blocks of "
        "20 starters ordered by distance (each U still Uniform(0, 1))",
        "weibull_shape": k,
        "weibull_scale_weeks": eta,
        "hazard_ratios": dict(retention.HAZARD_RATIOS),
        "centres": {key: _r(v) for key, v in ref.retention.centres.items()},
        "session_choice": {
            "candidates": CANDIDATES,
            "weight": f"exp(-distance_km / {DISTANCE_SCALE_KM})",
            "no_series_share": 0.05,
        },
        "observation": "follow-ups at weeks 0/4/12/26; still_attending = yes iff T > days "
        "since first attendance / 7; first 'no' row carries last_attended_date "
        "= first_attended_date + floor(7T) days in 95% of cases",
        "realised": {
            "starters": len(t),
            **{f"S{w}": _r((t > w).mean()) for w in (4, 12, 26)},
            **{f"weibull_S{w}": _r(math.exp(-((w / eta) ** k))) for w in (4, 12, 26)},
            "mean_distance_km": _r(ref.retention.centres["distance_km"]),
        },
    }


def _wellbeing(tally: ChangeTally) -> dict[str, Any]:
    means = tally.means()
    return {
        "planted_value": {
            "swemwbs_change_week12_still_attending": outcomes.CHANGE[12][0],
            "swemwbs_change_week12_stopped": outcomes.CHANGE[12][1],
        },
        "parameter": "mean SWEMWBS metric change, week 12 minus week 0, by still_attending at "
        "the week-12 follow-up (people with both scores complete)",
        "model": "t0 ~ N(20, 4) truncated to [11.5, 28.5]; t_w = t0 + change[w][still] + e, "
        "e ~ N(0, 2.5) truncated to +-4; raw = stochastic interpolation on the "
        "Warwick raw-to-metric table so E[metric(raw)] = t_w; items = raw split into "
        "seven answers 1-5",
        "changes_by_week": {
            str(w): {"still_attending": a, "stopped": b}
            for w, (a, b) in outcomes.CHANGE.items()
            if w
        },
        "missing": {
            "item_blank_share": outcomes.ITEM_MISSING_SHARE,
            "no_questionnaire_share": outcomes.NO_QUESTIONNAIRE_SHARE,
        },
        "realised": {
            "mean_change_still_attending": None if means["yes"] is None else _r(means["yes"]),
            "pairs_still_attending": tally.count["yes"],
            "mean_change_stopped": None if means["no"] is None else _r(means["no"]),
            "pairs_stopped": tally.count["no"],
        },
    }


def _supply_gap(geo: Geography, series: Series, buffer_km: float) -> dict[str, Any]:
    total, within = pcn_access(geo, series)
    share = within / total
    others = np.delete(share, geo.desert_pcns)
    return {
        "planted_value": {
            "desert_pcn_codes": [str(geo.pcn_code[p]) for p in geo.desert_pcns],
            "max_share_within_1km_free": 0.40,
        },
        "parameter": "share of a PCN's population whose area centroid is within 1 km "
        "(great-circle) of a free, live session series with coordinates",
        "model": f"fewer venues in desert PCNs (x0.3); every series within {buffer_km} km of a "
        f"desert PCN's area centroids is paid, priced {DESERT_PRICE_RANGE[0]:.2f}-"
        f"{DESERT_PRICE_RANGE[1]:.2f} GBP",
        "access_km": ACCESS_KM,
        "desert_buffer_km": buffer_km,
        "desert_shares": {str(geo.pcn_code[p]): _r(share[p]) for p in geo.desert_pcns},
        "realised": {
            "min_share_other_pcns": _r(others.min()),
            "median_share_other_pcns": _r(np.median(others)),
        },
    }


def planted_effects(
    scale: Scale,
    seed: int,
    geo: Geography,
    series: Series,
    ref: Referrals,
    tally: ChangeTally,
    buffer_km: float,
) -> dict[str, Any]:
    return {
        "dataset": {
            "name": f"{scale.place_name} (synthetic)",
            "scale": scale.name,
            "seed": seed,
            "extracted": dates.EXTRACTION_DATE.isoformat(),
            "referral_period": [dates.REFERRAL_START.isoformat(), dates.REFERRAL_END.isoformat()],
            "go_live": dates.GO_LIVE.isoformat(),
            "supply_window": [
                dates.SUPPLY_START.isoformat(),
                str(dates.day(dates.SUPPLY_START) + 7 * dates.SUPPLY_WEEKS - 1),
            ],
        },
        "effects": {
            "referral_rate_ratio": _referral_rate(geo, ref),
            "uptake": _uptake(ref),
            "retention": _retention(ref),
            "wellbeing": _wellbeing(tally),
            "supply_gap": _supply_gap(geo, series, buffer_km),
        },
    }
