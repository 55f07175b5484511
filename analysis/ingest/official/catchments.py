"""Catchments: which PCN each LSOA belongs to, from where registered patients actually live.

shares(): for every practice × LSOA, the practice's registered patients living there, as a share
of all registered patients living in the LSOA and of the practice's list.
assign_pcns(): an LSOA's PCN is the PCN with most of its registered patients (open practices
only); a tie goes to the tied PCN with the nearest practice; an LSOA with no registered
patients goes to the PCN of its nearest open practice. See docs/metrics.md "Catchments".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.access import great_circle_km, nearest

SHARE_COLUMNS = ["practice_code", "lsoa_code", "patients", "share_of_lsoa", "share_of_practice"]
ASSIGN_COLUMNS = ["lsoa_code", "pcn_code", "pcn_method"]


def shares(practice_lsoa: pd.DataFrame) -> pd.DataFrame:
    """Add share_of_lsoa and share_of_practice to practice_code, lsoa_code, patients rows."""
    frame = practice_lsoa[["practice_code", "lsoa_code", "patients"]].copy()
    frame["patients"] = frame["patients"].astype("int64")
    per_lsoa = frame.groupby("lsoa_code")["patients"].transform("sum")
    per_practice = frame.groupby("practice_code")["patients"].transform("sum")
    frame["share_of_lsoa"] = (frame["patients"] / per_lsoa.replace(0, np.nan)).fillna(0.0)
    frame["share_of_practice"] = (frame["patients"] / per_practice.replace(0, np.nan)).fillna(0.0)
    return frame[SHARE_COLUMNS].reset_index(drop=True)


def assign_pcns(
    areas: pd.DataFrame, practices: pd.DataFrame, catchment: pd.DataFrame
) -> pd.DataFrame:
    """areas: lsoa_code, latitude, longitude; practices: practice_code, pcn_code, latitude,
    longitude, current; catchment: shares(). Returns lsoa_code, pcn_code, pcn_method."""
    open_practices = practices.loc[practices["current"].astype(bool)]
    located = open_practices.dropna(subset=["latitude", "longitude"]).reset_index(drop=True)
    votes = catchment.merge(open_practices[["practice_code", "pcn_code"]], on="practice_code")
    by_pcn = votes.groupby(["lsoa_code", "pcn_code"], as_index=False)["patients"].sum()
    by_pcn = by_pcn.loc[by_pcn["patients"] > 0]
    top = by_pcn.groupby("lsoa_code")["patients"].transform("max")
    leaders = by_pcn.loc[by_pcn["patients"] == top]
    count = leaders.groupby("lsoa_code")["pcn_code"].transform("size")
    clear = leaders.loc[count == 1, ["lsoa_code", "pcn_code"]].assign(
        pcn_method="registered_patients"
    )
    tied = leaders.loc[count > 1]
    where = areas.set_index("lsoa_code")[["latitude", "longitude"]]
    tie_rows = []
    for lsoa, group in tied.groupby("lsoa_code"):
        candidates = located.loc[located["pcn_code"].isin(group["pcn_code"])]
        if lsoa not in where.index or candidates.empty:
            pcn = min(group["pcn_code"])
        else:
            lat, lon = where.loc[lsoa]
            km = great_circle_km(
                lat, lon, candidates["latitude"].to_numpy(), candidates["longitude"].to_numpy()
            )
            pcn = candidates["pcn_code"].iloc[int(np.argmin(km))]
        tie_rows.append((lsoa, pcn, "registered_patients_tie_nearest"))
    ties = pd.DataFrame(tie_rows, columns=ASSIGN_COLUMNS)
    decided = set(clear["lsoa_code"]) | set(ties["lsoa_code"])
    rest = areas.loc[~areas["lsoa_code"].isin(decided)]
    _km, index = nearest(
        rest["latitude"].to_numpy(float),
        rest["longitude"].to_numpy(float),
        located["latitude"].to_numpy(float),
        located["longitude"].to_numpy(float),
    )
    pcn_codes = located["pcn_code"].to_numpy()
    fallback = pd.DataFrame(
        {
            "lsoa_code": rest["lsoa_code"].to_numpy(),
            "pcn_code": [pcn_codes[i] if i >= 0 else None for i in index],
            "pcn_method": "nearest_practice",
        }
    )
    parts = [p for p in (clear, ties, fallback) if len(p)]
    if not parts:
        return pd.DataFrame(columns=ASSIGN_COLUMNS)
    return pd.concat(parts, ignore_index=True)[ASSIGN_COLUMNS]
