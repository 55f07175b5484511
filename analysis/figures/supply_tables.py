"""The Supply & gaps page's table views and the session data's attribution.

Table views: column → (heading, number format or "link:<text>"; None for plain text). The
page turns these into Streamlit column configs; the exporter uses them as CSV/XLSX headings.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["AREA_TABLE", "FINDER_TABLE", "PCN_TABLE", "attribution_markdown"]

# fmt: off
PCN_TABLE = {
    "pcn_name": ("PCN", None), "arm": ("Arm", None), "population": ("Population", "localized"),
    "share_within_1km": ("% of people within 1 km", "percent"),
    "referred_located": ("Referred people (home known)", None),
    "referred_share_within_1km": ("% of referred people within 1 km", "percent"),
    "suitable_weekly_per_1000": ("Suitable sessions a week per 1,000", "%.2f"),
    "weekly_occurrences_per_1000": ("All sessions a week per 1,000", "%.2f"),
    "suitable_series": ("Suitable series", None), "live_series": ("Live series", None),
    "free_series": ("Free series", None), "gap": ("Supply gap", None),
}
AREA_TABLE = {
    "lsoa_code": ("Area", None), "lsoa_name": ("Name", None), "pcn_code": ("PCN", None),
    "population": ("Population", "localized"), "imd_decile": ("IMD decile", None),
    "nearest_km": ("Km to nearest", "%.2f"), "nearest_name": ("Nearest suitable session", None),
    "referred": ("Referred people", None),
}
FINDER_TABLE = {
    "distance_km": ("Km", "%.2f"), "name": ("Session", None), "activity_group": ("Activity", None),
    "next_sessions": ("Next sessions", None), "usually": ("Usually", None),
    "price": ("Price", None), "sp_ready_score": ("SP-readiness", "percent"),
    "postcode": ("Postcode", None), "source": ("Source", None),
    "dataset_url": ("Dataset site", "link:dataset site"), "url": ("Details", "link:open"),
}
# fmt: on


def attribution_markdown(sessions: pd.DataFrame) -> str:
    """ "Source: publisher" links to each dataset site, as CC BY 4.0 requires."""
    rows = sessions.drop_duplicates("source")
    links = [
        f"[{source}]({url})" if isinstance(url, str) and url else source
        for source, url in zip(rows["source"], rows["dataset_url"], strict=True)
    ]
    return "Session data: " + "; ".join(links) + " (open data, CC BY 4.0)."
