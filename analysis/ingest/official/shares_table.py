"""The practice × LSOA registered-patient shares in the store: ``src_catchment_shares`` (a full
snapshot, replaced on each reference load) and its staging model ``stg_catchment_shares``."""

from __future__ import annotations

import duckdb
import pandas as pd

DDL = """
CREATE TABLE IF NOT EXISTS src_catchment_shares (
    practice_code VARCHAR NOT NULL,
    lsoa_code VARCHAR NOT NULL,
    patients BIGINT NOT NULL,
    share_of_lsoa DOUBLE NOT NULL,
    share_of_practice DOUBLE NOT NULL,
    PRIMARY KEY (practice_code, lsoa_code)
)
"""


def replace_shares(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> None:
    """Replace the stored shares with this snapshot, in one transaction."""
    con.execute(DDL)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM src_catchment_shares")
        con.register("incoming_shares", frame)
        con.execute(
            "INSERT INTO src_catchment_shares SELECT practice_code, lsoa_code, "
            "patients, share_of_lsoa, share_of_practice FROM incoming_shares"
        )
        con.unregister("incoming_shares")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def build_stg_catchment_shares(con: duckdb.DuckDBPyConnection) -> None:
    """Shares of loaded practices and areas, with the practice's PCN (empty without a load)."""
    con.execute(DDL)
    con.execute("""
        CREATE OR REPLACE TABLE stg_catchment_shares AS
        SELECT s.practice_code, p.pcn_code, s.lsoa_code, s.patients,
               s.share_of_lsoa, s.share_of_practice
        FROM src_catchment_shares AS s
        JOIN src_practices AS p USING (practice_code)
        JOIN src_areas AS a USING (lsoa_code)
    """)
