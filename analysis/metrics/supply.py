"""Supply & gaps: where suitable sessions are, who lives far from one, and a session finder.

The page's metrics, gathered under one name for the page, the export catalogue and the tests;
each part lives in the module that says what it holds:

- :mod:`analysis.metrics.supply_load` reads what the page needs for a view (one query per
  table; the filter-independent supply once per store; the people referred numbered, not by
  their keys);
- :mod:`analysis.metrics.supply_times` turns the page's controls into a suitability profile
  and a time filter;
- :mod:`analysis.metrics.supply_coverage` is pure over the loaded frames, so a changed profile
  or time filter is recomputed without touching the store (distances from
  :mod:`analysis.access`: with the default profile and no time filter they reproduce
  ``mart_area_access.nearest_suitable_km`` and ``mart_pcn_access.share_within_1km_suitable``);
- :mod:`analysis.metrics.supply_finder` is the session finder;
- :mod:`analysis.metrics.supply_disclosure` is the small-number rule: referred-people counts at
  or below :data:`SUPPRESSION_THRESHOLD` are never shown to commissioners.
"""

from __future__ import annotations

from analysis.metrics.supply_coverage import (
    DESERT_SHARE,
    area_coverage,
    area_reach,
    matching_series,
    pcn_coverage,
    pcn_reach,
    pcn_referred,
    pcn_table,
    referred_people,
)
from analysis.metrics.supply_disclosure import (
    REDACTED,
    SUPPRESSION_THRESHOLD,
    redact_counts,
    redact_share,
    suppressed,
)
from analysis.metrics.supply_finder import (
    FINDER_COLUMNS,
    Located,
    area_choices,
    locate_area,
    locate_postcode,
    nearest_sessions,
    normalise_postcode,
)
from analysis.metrics.supply_load import (
    ReferredPeople,
    StoreSupply,
    SupplyData,
    journeys_in_view,
    load_place,
    load_store_supply,
    load_supply,
    place_key,
    read_occurrences,
    read_referred_people,
    view_pcns,
    with_referred,
)
from analysis.metrics.supply_times import (
    LONDON,
    PARTS_OF_DAY,
    PRICE_CHOICES,
    SessionTimes,
    matching_occurrences,
    occurrence_slots,
    occurrence_times,
    profile_from_controls,
    timely_counts,
)

# fmt: off
__all__ = [
    "DESERT_SHARE", "FINDER_COLUMNS", "LONDON", "PARTS_OF_DAY", "PRICE_CHOICES", "REDACTED",
    "SUPPRESSION_THRESHOLD", "Located", "ReferredPeople", "SessionTimes", "StoreSupply",
    "SupplyData",
    "area_choices", "area_coverage", "area_reach", "journeys_in_view", "load_place",
    "load_store_supply", "load_supply", "locate_area", "locate_postcode", "matching_occurrences",
    "matching_series", "nearest_sessions", "normalise_postcode", "occurrence_slots",
    "occurrence_times", "pcn_coverage", "pcn_reach", "pcn_referred", "pcn_table", "place_key",
    "profile_from_controls", "read_occurrences", "read_referred_people", "redact_counts",
    "redact_share",
    "referred_people", "suppressed", "timely_counts", "view_pcns", "with_referred",
]
# fmt: on
