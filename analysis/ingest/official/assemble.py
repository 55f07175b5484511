"""Combine the official sources into the contract ``practices`` and ``areas`` frames.

practices: the practice mapping file's practices (each with its PCN), list size from the
practice totals (else the sum of the practice-by-LSOA rows), status from epraccur (a closed or
dormant practice keeps its row for history but counts 0 registered patients), coordinates from
the practice's postcode in the postcode directory (else, approximately, the centroid of the LSOA
where most of its patients live). Closed practices that are already in the store but no longer
in the mapping file keep their stored row with 0 registered patients.
areas: LSOAs found in all three of centroids, population and IoD; an LSOA missing from one is
rejected with the reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from analysis.ingest.contract import AREAS, PRACTICES
from analysis.ingest.official.records import REJECT_COLUMNS


@dataclass
class Assembled:
    frame: pd.DataFrame
    rejects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REJECT_COLUMNS))
    notes: dict[str, object] = field(default_factory=dict)


def practices(
    mapping: pd.DataFrame,
    totals: pd.DataFrame | None,
    practice_lsoa: pd.DataFrame | None,
    epraccur: pd.DataFrame | None,
    postcodes: pd.DataFrame | None,
    centroids: pd.DataFrame | None,
    stored: pd.DataFrame,
) -> Assembled:
    """The contract practices frame plus a ``current`` flag (dropped before writing)."""
    out = mapping.set_index("practice_code")[
        ["practice_name", "pcn_code", "pcn_name", "sub_icb_code", "postcode"]
    ].copy()
    notes: dict[str, object] = {}
    if epraccur is not None:
        ods = epraccur.drop_duplicates("practice_code").set_index("practice_code")
        out["postcode"] = out["postcode"].where(out["postcode"] != "", ods["postcode"])
        out["current"] = ods["current"].reindex(out.index).fillna(True).astype(bool)
    else:
        out["current"] = True
    if totals is not None:
        out["registered_patients"] = totals.set_index("practice_code")["registered_patients"]
        notes["list_size_from"] = "practice-totals"
    elif practice_lsoa is not None:
        out["registered_patients"] = practice_lsoa.groupby("practice_code")["patients"].sum()
        notes["list_size_from"] = "practice-lsoa"
    else:
        out["registered_patients"] = pd.NA
    out.loc[~out["current"], "registered_patients"] = 0
    out["latitude"], out["longitude"] = float("nan"), float("nan")
    if postcodes is not None:
        where = postcodes.set_index("postcode")
        out["latitude"] = out["postcode"].map(where["latitude"])
        out["longitude"] = out["postcode"].map(where["longitude"])
    by_postcode = int(out["latitude"].notna().sum())
    if practice_lsoa is not None and centroids is not None:
        home = (
            practice_lsoa.sort_values("patients", ascending=False)
            .drop_duplicates("practice_code")
            .set_index("practice_code")["lsoa_code"]
        )
        spot = centroids.set_index("lsoa_code")
        missing = out["latitude"].isna()
        lsoa = out.index.to_series().map(home)
        out.loc[missing, "latitude"] = lsoa[missing].map(spot["latitude"])
        out.loc[missing, "longitude"] = lsoa[missing].map(spot["longitude"])
    notes["located_by_postcode"] = by_postcode
    notes["located_by_main_lsoa"] = int(out["latitude"].notna().sum()) - by_postcode
    notes["closed"] = int((~out["current"]).sum())
    frame = out.reset_index()
    kept = _closed_from_store(stored, epraccur, set(frame["practice_code"]))
    notes["closed_kept_from_store"] = len(kept)
    frame = pd.concat([frame, kept], ignore_index=True) if len(kept) else frame
    return Assembled(frame[[*PRACTICES.names, "current"]], notes=notes)


def _closed_from_store(
    stored: pd.DataFrame, epraccur: pd.DataFrame | None, present: set[str]
) -> pd.DataFrame:
    if epraccur is None or stored.empty:
        return pd.DataFrame(columns=[*PRACTICES.names, "current"])
    closed = set(epraccur.loc[~epraccur["current"], "practice_code"])
    kept = stored.loc[stored["practice_code"].isin(closed - present)].copy()
    kept["registered_patients"] = 0
    kept["current"] = False
    return kept


def areas(
    centroids: pd.DataFrame,
    population: pd.DataFrame,
    imd: pd.DataFrame,
    imd_release: str,
    assigned: pd.DataFrame | None,
) -> Assembled:
    """LSOAs present in all three files, with the catchment PCN when one was assigned."""
    parts = {
        "centroids": centroids.set_index("lsoa_code"),
        "population estimates": population.set_index("lsoa_code"),
        f"{imd_release} file": imd.set_index("lsoa_code"),
    }
    universe = sorted(set().union(*(p.index for p in parts.values())))
    frame = pd.DataFrame(index=pd.Index(universe, name="lsoa_code"))
    frame["latitude"] = parts["centroids"]["latitude"]
    frame["longitude"] = parts["centroids"]["longitude"]
    frame["population"] = parts["population estimates"]["population"]
    frame["imd_decile"] = parts[f"{imd_release} file"]["imd_decile"]
    names = parts["population estimates"]["lsoa_name"].replace("", pd.NA)
    frame["lsoa_name"] = names.reindex(frame.index)
    missing = {label: ~frame.index.isin(p.index) for label, p in parts.items()}
    reasons = []
    for code in frame.index[pd.DataFrame(missing, index=frame.index).any(axis=1)]:
        absent = [label for label, m in missing.items() if m[frame.index.get_loc(code)]]
        hint = (
            " (IoD2019 uses LSOA 2011 codes and this area changed in 2021: use IoD2025)"
            if imd_release == "IoD2019"
            and f"{imd_release} file" in absent
            and not code.startswith("W")
            else ""
        )
        reasons.append((code, f"LSOA {code} is not in the {' or the '.join(absent)}{hint}"))
    rejects = pd.DataFrame(
        {
            "field": "lsoa_code",
            "reason": [r for _, r in reasons],
            "original_row": [json.dumps({"lsoa_code": c}) for c, _ in reasons],
        },
        columns=REJECT_COLUMNS,
    )
    complete = frame.drop(index=[c for c, _ in reasons])
    if assigned is not None and len(assigned):
        complete["pcn_code"] = assigned.set_index("lsoa_code")["pcn_code"]
        methods = assigned["pcn_method"].value_counts().to_dict()
    else:
        complete["pcn_code"] = None
        methods = {}
    rejects.index = pd.RangeIndex(1, len(rejects) + 1, name="row_number")
    notes = {
        "lsoas_seen": len(universe),
        "complete": len(complete),
        "incomplete": len(rejects),
        "pcn_assignment": methods,
    }
    return Assembled(complete.reset_index()[list(AREAS.names)], rejects, notes)
