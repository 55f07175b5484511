"""Small published lookup tables the models join to, written into the store at build time."""

from __future__ import annotations

# SWEMWBS raw score (sum of the seven items, 7-35) → metric score, from the Warwick conversion
# table (© NHS Health Scotland, University of Warwick and University of Edinburgh, 2008).
SWEMWBS_RAW_TO_METRIC: dict[int, float] = {
    7: 7.00, 8: 9.51, 9: 11.25, 10: 12.40, 11: 13.33, 12: 14.08, 13: 14.75, 14: 15.32,
    15: 15.84, 16: 16.36, 17: 16.88, 18: 17.43, 19: 17.98, 20: 18.59, 21: 19.25, 22: 19.98,
    23: 20.73, 24: 21.54, 25: 22.35, 26: 23.21, 27: 24.11, 28: 25.03, 29: 26.02, 30: 27.03,
    31: 28.13, 32: 29.31, 33: 30.70, 34: 32.55, 35: 35.00,
}
