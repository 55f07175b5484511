"""Tiny official files in their published layouts, written by the tests into a folder.

A hand-built place: two PCNs. U00001 has practice A00001 at the west end; U00002 has
A00002 (east) and A00003 (closed in epraccur). LSOA E01000002 sits nearest A00001 but most of
its registered patients are with U00002's practice A00002, so the two rules disagree there.
"""

from __future__ import annotations

import csv
from pathlib import Path

MAP_HEADER = [
    "PUBLICATION",
    "EXTRACT_DATE",
    "PRACTICE_CODE",
    "PRACTICE_NAME",
    "PRACTICE_POSTCODE",
    "ONS_SUB_ICB_LOCATION_CODE",
    "SUB_ICB_LOCATION_CODE",
    "SUB_ICB_LOCATION_NAME",
    "ONS_ICB_CODE",
    "ICB_CODE",
    "ICB_NAME",
    "ONS_COMM_REGION_CODE",
    "COMM_REGION_CODE",
    "COMM_REGION_NAME",
    "PCN_CODE",
    "PCN_NAME",
    "SUPPLIER_NAME",
]
TOTALS_HEADER = [
    "PUBLICATION",
    "EXTRACT_DATE",
    "TYPE",
    "CODE",
    "POSTCODE",
    "SEX",
    "AGE",
    "NUMBER_OF_PATIENTS",
]
LSOA_HEADER = [
    "PUBLICATION",
    "EXTRACT_DATE",
    "PRACTICE_CODE",
    "PRACTICE_NAME",
    "LSOA_CODE",
    "SEX",
    "NUMBER_OF_PATIENTS",
]
NSPL_HEADER = [
    "pcd",
    "pcd2",
    "pcds",
    "dointr",
    "doterm",
    "usertype",
    "oseast1m",
    "osnrth1m",
    "osgrdind",
    "oa21",
    "cty",
    "ced",
    "laua",
    "ward",
    "nhser",
    "ctry",
    "rgn",
    "pcon",
    "ttwa",
    "itl",
    "park",
    "lsoa21",
    "msoa21",
    "wz11",
    "sicbl",
    "bua24",
    "ruc21ind",
    "oac11",
    "lat",
    "long",
    "lep1",
    "lep2",
    "pfa",
    "imd",
    "icb",
]
IOD2025_HEADER = [
    "LSOA code (2021)",
    "LSOA name (2021)",
    "Local Authority District code (2024)",
    "Local Authority District name (2024)",
    "Index of Multiple Deprivation (IMD) Rank",
    "Index of Multiple Deprivation (IMD) Decile",
]
IOD2019_HEADER = [
    "LSOA code (2011)",
    "LSOA name (2011)",
    "Local Authority District code (2019)",
    "Local Authority District name (2019)",
    "Index of Multiple Deprivation (IMD) Score",
    "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
    "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
]

# (postcode, latitude, longitude, easting, northing) – eastings/northings are illustrative.
POSTCODES = {
    "AB1 1AA": (52.000, -1.100, 0, 0),
    "AB1 2BB": (52.000, -1.000, 0, 0),
    "AB1 3CC": (52.010, -1.020, 0, 0),
}
CENTROIDS = {  # LSOA → (lat, long); E01000002 is nearest A00001 (west)
    "E01000001": (52.000, -1.105),
    "E01000002": (52.000, -1.085),
    "E01000003": (52.000, -0.995),
    "E01000004": (52.050, -1.100),
}


def write_csv(
    path: Path, header: list[str] | None, rows: list[list[object]], encoding: str = "utf-8"
) -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        if header is not None:
            writer.writerow(header)
        writer.writerows(rows)
    return path


def practice_map(folder: Path, name: str = "gp-reg-pat-prac-map.csv") -> Path:
    def row(code: str, pname: str, postcode: str, pcn: str, pcn_name: str) -> list[str]:
        return [
            "GP_PRAC_PAT_LIST",
            "01APR2025",
            code,
            pname,
            postcode,
            "E38000001",
            "00A",
            "NHS TEST SUB ICB",
            "E54000001",
            "QAA",
            "NHS TEST ICB",
            "E40000001",
            "Y01",
            "NORTH",
            pcn,
            pcn_name,
            "EMIS",
        ]

    return write_csv(
        folder / name,
        MAP_HEADER,
        [
            row("A00001", "WEST END SURGERY", "AB1 1AA", "U00001", "WEST PCN"),
            row("A00002", "EAST END SURGERY", "AB1 2BB", "U00002", "EAST PCN"),
            row("A00003", "OLD MILL SURGERY", "AB1 3CC", "U00002", "EAST PCN"),
            row("A0004", "BAD CODE SURGERY", "AB1 3CC", "U00002", "EAST PCN"),
        ],
    )


def practice_totals(folder: Path) -> Path:
    def row(code: str, postcode: str, sex: str, number: object) -> list[object]:
        return ["GP_PRAC_PAT_LIST", "01APR2025", "GP", code, postcode, sex, "ALL", number]

    return write_csv(
        folder / "gp-reg-pat-prac-all.csv",
        TOTALS_HEADER,
        [
            row("A00001", "AB1 1AA", "ALL", 5000),
            row("A00002", "AB1 2BB", "ALL", 8000),
            row("A00003", "AB1 3CC", "ALL", 1200),
            row("A00001", "AB1 1AA", "MALE", 2400),
            row("A00009", "AB1 9ZZ", "ALL", "many"),
        ],
    )


def practice_lsoa(folder: Path) -> Path:
    def row(code: str, lsoa: str, number: object) -> list[object]:
        return ["GP_PRAC_PAT_LIST", "01APR2025", code, "X", lsoa, "ALL", number]

    return write_csv(
        folder / "gp-reg-pat-prac-lsoa-all.csv",
        LSOA_HEADER,
        [
            row("A00001", "E01000001", 900),
            row("A00001", "E01000002", 300),
            row("A00002", "E01000002", 700),  # majority of E01000002 is with U00002
            row("A00002", "E01000003", 1000),
            row("A00003", "E01000001", 50),
            row("A00001", "NO2011", 12),
        ],
    )


def epraccur(folder: Path) -> Path:
    def row(code: str, name: str, postcode: str, opened: str, closed: str, status: str) -> list:
        fields = [
            code,
            name,
            "Y60",
            "QAA",
            "1 HIGH ST",
            "",
            "TOWN",
            "",
            "",
            postcode,
            opened,
            closed,
            status,
            "B",
            "00A",
            opened,
            "",
            "01234 567890",
            "",
            "",
            "",
            "0",
            "",
            "00A",
            "",
            "4",
            "",
        ]
        assert len(fields) == 27
        return fields

    return write_csv(
        folder / "epraccur.csv",
        None,
        [
            row("A00001", "WEST END SURGERY", "AB1 1AA", "19740401", "", "A"),
            row("A00002", "EAST END SURGERY", "AB1 2BB", "19740401", "", "A"),
            row("A00003", "OLD MILL SURGERY", "AB1 3CC", "19740401", "20240331", "C"),
            row("A00004", "GONE SURGERY", "AB1 4DD", "19740401", "20200331", "C"),
            row("A00005", "ODD DATES SURGERY", "AB1 5EE", "1974-04-01", "", "A"),
        ],
    )


def nspl(folder: Path, name: str = "NSPL_FEB_2025_UK.csv") -> Path:
    rows = []
    for postcode, (lat, lon, east, north) in POSTCODES.items():
        compact = postcode.replace(" ", "")
        row = dict.fromkeys(NSPL_HEADER, "")
        row.update(
            pcd=compact.ljust(7),
            pcd2=postcode,
            pcds=postcode,
            oseast1m=east,
            osnrth1m=north,
            lat=lat,
            long=lon,
            lsoa21="E01000001",
        )
        rows.append([row[h] for h in NSPL_HEADER])
    rows.append(["ZZ9 9ZZ"] + [""] * (len(NSPL_HEADER) - 1))
    return write_csv(folder / name, NSPL_HEADER, rows)


def centroids(folder: Path) -> Path:
    rows = [
        [i + 1, code, f"{{guid-{i}}}", lon, lat]
        for i, (code, (lat, lon)) in enumerate(CENTROIDS.items())
    ]
    return write_csv(
        folder / "LSOA_PopCentroids_EW_2021_V4.csv",
        ["FID", "LSOA21CD", "GlobalID", "x", "y"],
        rows,
    )


def population(folder: Path) -> Path:
    title = [
        ["Mid-2022 population estimates for 2021 LSOAs in England and Wales"],
        ["Source: Office for National Statistics"],
        [],
    ]
    header = [
        "LAD 2021 Code",
        "LAD 2021 Name",
        "LSOA 2021 Code",
        "LSOA 2021 Name",
        "Total",
        "F0",
        "F1",
    ]
    rows = [
        ["E06000001", "Testshire", code, f"Testshire 00{i}A", 1500 + i, 10, 11]
        for i, code in enumerate(CENTROIDS)
    ]
    rows.append(["W06000001", "Wales", "W01000001", "Wales 001A", 1400, 9, 9])
    path = folder / "sapelsoasyoa20222024.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerows(title)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def iod(folder: Path, release: str = "2025") -> Path:
    header = IOD2025_HEADER if release == "2025" else IOD2019_HEADER
    rows = []
    for i, code in enumerate(CENTROIDS):
        base = [code, f"Testshire 00{i}A", "E06000001", "Testshire"]
        rows.append(base + ([100 + i, i + 1] if release == "2025" else [30.5, 100 + i, i + 1]))
    name = (
        "File_1_IoD2025_Index_of_Multiple_Deprivation.csv"
        if release == "2025"
        else "File_7_-_All_IoD2019_Scores.csv"
    )
    return write_csv(folder / name, header, rows, encoding="utf-8-sig")


def all_files(folder: Path) -> list[Path]:
    return [
        practice_map(folder),
        practice_totals(folder),
        practice_lsoa(folder),
        epraccur(folder),
        nspl(folder),
        centroids(folder),
        population(folder),
        iod(folder),
    ]
