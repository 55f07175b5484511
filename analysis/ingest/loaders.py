"""Load one input file into the store: read, check, pseudonymise, then write atomically.

The rules every load keeps:
- every row read is either accepted or rejected with a reason (``accepted + rejected == rows``);
- rejected rows go to a rejects CSV and to ``load_rejects`` in the store, NHS numbers masked;
- the whole load is one transaction: a refused or failed load changes nothing;
- loading the same file again changes nothing (upsert on the key; rejects and the load log are
  keyed by the file, so they are replaced, not added to).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from analysis.errors import InputError, StoreError
from analysis.ingest import nhs_number
from analysis.ingest.contract import CONTRACTS, Contract
from analysis.ingest.read import TEXT, RawTable, read_table
from analysis.ingest.validate import References, check
from analysis.spreadsheet import neutralise_cell
from analysis.store import get_meta, set_meta


@dataclass
class LoadSummary:
    """What a load did; ``pilot load --json`` prints this."""

    kind: str
    file: str
    rows: int
    accepted: int
    rejected: int
    rejects_file: str | None
    unknown_columns: list[str] = field(default_factory=list)
    blank_lines: int = 0
    rejects_by_field: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self))


def default_rejects_dir(store_path: Path) -> Path:
    return store_path.parent / "rejects"


def load_file(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    path: Path,
    *,
    rejects_dir: Path,
    today: date | None = None,
) -> LoadSummary:
    """Load a practices, areas, referrals or followups file (CSV or Parquet)."""
    contract = CONTRACTS[kind]
    path = path.resolve()
    raw = read_table(path, contract)
    checked = check(raw.cells, contract, _references(con, kind), today or date.today())
    accepted = checked.values
    if kind == "referrals":
        accepted = _with_patient_key(con, raw, accepted)
    rejects = _reject_rows(raw, checked.problems)
    rejects_file = rejects_dir / f"{kind}-{path.stem}.rejects.csv"
    summary = LoadSummary(
        kind=kind,
        file=str(path),
        rows=raw.rows_read,
        accepted=len(accepted),
        rejected=len(rejects),
        rejects_file=str(rejects_file) if len(rejects) else None,
        unknown_columns=raw.unknown_columns,
        blank_lines=raw.blank_lines,
        rejects_by_field=rejects["field"].value_counts().sort_index().to_dict(),
    )
    if summary.accepted + summary.rejected != summary.rows:  # the loaders' one promise
        raise AssertionError(f"{path}: {summary.accepted} + {summary.rejected} != {summary.rows}")
    tmp = _write_rejects_csv(rejects, contract, rejects_file) if len(rejects) else None
    try:
        _write(con, contract, path, accepted, rejects, summary)
    except BaseException:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise
    if tmp is not None:
        os.replace(tmp, rejects_file)
    else:
        rejects_file.unlink(missing_ok=True)
    return summary


def _references(con: duckdb.DuckDBPyConnection, kind: str) -> References:
    refs = References()
    if kind == "referrals":
        refs.practice_codes = {r[0] for r in con.execute("SELECT practice_code FROM src_practices").fetchall()}
        refs.lsoa_codes = {r[0] for r in con.execute("SELECT lsoa_code FROM src_areas").fetchall()}
    elif kind == "followups":
        frame = con.execute("SELECT referral_id, referral_date FROM src_referrals").df()
        refs.referral_dates = pd.Series(
            pd.to_datetime(frame["referral_date"]).values, index=frame["referral_id"]
        )
    return refs


def _with_patient_key(
    con: duckdb.DuckDBPyConnection, raw: RawTable, accepted: pd.DataFrame
) -> pd.DataFrame:
    """Replace the NHS number by its keyed pseudonym; fall back to the supplied patient_id."""
    key = nhs_number.load_key()
    fingerprint = nhs_number.key_fingerprint(key)
    stored = get_meta(con, "pseudonym_key_fingerprint")
    if stored is not None and stored != fingerprint:
        raise StoreError(
            "the pseudonymisation key differs from the one this store was built with "
            f"(set {nhs_number.KEY_ENV} or {nhs_number.KEY_FILE_ENV} to the original key)"
        )
    accepted = accepted.copy(deep=False)
    nhs = nhs_number.normalise(raw.cells.loc[accepted.index, "nhs_number"])
    has_nhs = nhs != ""
    patient_key = "pid:" + raw.cells.loc[accepted.index, "patient_id"]
    patient_key[has_nhs] = "nhs:" + nhs_number.pseudonymise(nhs[has_nhs], key)
    accepted["patient_key"] = patient_key
    accepted = accepted.drop(columns=["nhs_number", "patient_id"])
    accepted.attrs["key_fingerprint"] = fingerprint
    return accepted


def _reject_rows(raw: RawTable, problems: pd.DataFrame) -> pd.DataFrame:
    """One row per rejected input row: the first failing field, every reason, the masked cells."""
    parts = []
    if len(problems):
        grouped = problems.groupby("row", sort=True)
        per_row = pd.DataFrame({
            "field": grouped["field"].first(),
            "reason": grouped["reason"].agg(lambda r: "; ".join(dict.fromkeys(r))),
        })
        cells = raw.cells.loc[per_row.index].copy()
        if "nhs_number" in cells:
            cells["nhs_number"] = cells["nhs_number"].map(lambda v: "[NHS number removed]" if v else "")
        per_row["original_row"] = [
            nhs_number.mask_nhs_like(json.dumps(rec, ensure_ascii=False))
            for rec in cells.to_dict(orient="records")
        ]
        per_row["unsplit_row"] = ""
        parts.append(pd.concat([per_row, cells], axis=1))
    if raw.malformed:
        rows = sorted(raw.malformed)
        masked = [nhs_number.mask_nhs_like(json.dumps(raw.malformed[r][1], ensure_ascii=False)) for r in rows]
        parts.append(pd.DataFrame(
            {"field": "(row)", "reason": [raw.malformed[r][0] for r in rows],
             "original_row": masked, "unsplit_row": masked},
            index=rows,
        ))
    if not parts:
        return pd.DataFrame(columns=["field", "reason", "original_row", "unsplit_row"])
    out = pd.concat(parts).sort_index()
    out.index.name = "row_number"
    return out


def _write_rejects_csv(rejects: pd.DataFrame, contract: Contract, target: Path) -> Path:
    """Write the rejects CSV beside its final name; the caller renames it after the commit."""
    target.parent.mkdir(parents=True, exist_ok=True)
    columns = ["field", "reason", *contract.names, "unsplit_row"]
    frame = rejects.reindex(columns=columns).fillna("").reset_index()
    frame = frame.map(lambda v: neutralise_cell(v) if isinstance(v, str) else v)
    tmp = target.with_name(target.name + ".tmp")
    frame.to_csv(tmp, index=False)
    return tmp


def _write(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    path: Path,
    accepted: pd.DataFrame,
    rejects: pd.DataFrame,
    summary: LoadSummary,
) -> None:
    table_columns = [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position", [contract.table]).fetchall()]
    frame = accepted.reindex(columns=table_columns)
    for name in frame.columns:
        if frame[name].dtype == object:
            frame[name] = frame[name].astype(TEXT)
    # DuckDB reads an Arrow table column by column without touching Python objects; pandas
    # holds text as Arrow large_string, which DuckDB scans three times slower than string.
    incoming = _small_strings(pa.Table.from_pandas(frame, preserve_index=False))
    reject_frame = pd.DataFrame({
        "kind": contract.kind,
        "source_file": str(path),
        "row_number": rejects.index.astype("int64"),
        "field": rejects["field"].astype("string"),
        "reason": rejects["reason"].astype("string"),
        "original_row": rejects["original_row"].astype("string"),
    })
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("incoming", incoming)
        con.execute(f"INSERT OR REPLACE INTO {contract.table} SELECT * FROM incoming")
        con.unregister("incoming")
        con.execute("DELETE FROM load_rejects WHERE kind = ? AND source_file = ?",
                    [contract.kind, str(path)])
        if len(reject_frame):
            con.register("incoming_rejects", reject_frame)
            con.execute("INSERT INTO load_rejects SELECT * FROM incoming_rejects")
            con.unregister("incoming_rejects")
        con.execute(
            "INSERT OR REPLACE INTO load_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [contract.kind, str(path), digest, summary.rows, summary.accepted, summary.rejected,
             ", ".join(summary.unknown_columns) or None, datetime.now()],
        )
        fingerprint = accepted.attrs.get("key_fingerprint")
        if fingerprint and get_meta(con, "pseudonym_key_fingerprint") is None:
            set_meta(con, "pseudonym_key_fingerprint", fingerprint)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _small_strings(table: pa.Table) -> pa.Table:
    fields = [
        pa.field(f.name, pa.string()) if f.type == pa.large_string() else f for f in table.schema
    ]
    return table.cast(pa.schema(fields))


def check_known_kind(kind: str) -> Contract:
    if kind not in CONTRACTS:
        raise InputError(f"unknown input kind '{kind}': expected one of {', '.join(CONTRACTS)}, pilots")
    return CONTRACTS[kind]
