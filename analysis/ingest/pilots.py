"""Load pilot definitions (TOML): pilot PCNs, comparison PCNs, go-live date, supply feeds.

Each ``[[pilot]]`` table is one row: accepted, or rejected with every reason. ``[supply] feeds``
lists OpenActive feeds; ``[dataset]`` may mark the inputs as synthetic (the demo does), which
makes the dashboard show its "synthetic data" banner.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

import duckdb

from analysis.errors import InputError
from analysis.ingest.contract import PCN_CODE
from analysis.ingest.loaders import LoadSummary
from analysis.store import set_meta


def _parse_pilot(entry: object, known_pcns: set[str]) -> tuple[dict, list[str]]:
    if not isinstance(entry, dict):
        return {}, ["each [[pilot]] must be a table"]
    problems: list[str] = []
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append("name is missing: expected the pilot's name as text")
    go_live = entry.get("go_live")
    if isinstance(go_live, str):
        try:
            go_live = date.fromisoformat(go_live)
        except ValueError:
            problems.append(f"go_live '{go_live}' is not valid: expected a date YYYY-MM-DD")
            go_live = None
    elif not isinstance(go_live, date):
        problems.append("go_live is missing: expected a date YYYY-MM-DD")
        go_live = None
    arms: dict[str, list[str]] = {}
    for field_name, required in (("pcn_codes", True), ("comparison_pcn_codes", False)):
        codes = entry.get(field_name, [] if not required else None)
        if codes is None or (required and codes == []):
            problems.append(f"{field_name} is missing: expected a list of PCN codes like U12345")
            continue
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            problems.append(f"{field_name} must be a list of PCN codes like U12345")
            continue
        cleaned = [c.strip().upper() for c in codes]
        bad = [c for c in cleaned if not re.fullmatch(PCN_CODE, c)]
        unknown = [c for c in cleaned if c not in bad and c not in known_pcns]
        if bad:
            problems.append(f"{field_name} has invalid codes {', '.join(bad)}: expected U and 5 digits")
        if unknown:
            problems.append(f"{field_name} has PCNs not in the loaded practices: {', '.join(unknown)}")
        arms[field_name] = cleaned
    overlap = set(arms.get("pcn_codes", [])) & set(arms.get("comparison_pcn_codes", []))
    if overlap:
        problems.append(f"PCNs in both arms: {', '.join(sorted(overlap))}")
    description = entry.get("description")
    row = {
        "name": name.strip() if isinstance(name, str) else None,
        "go_live": go_live,
        "description": description if isinstance(description, str) else None,
        "pilot": arms.get("pcn_codes", []),
        "comparison": arms.get("comparison_pcn_codes", []),
    }
    return row, problems


def load_pilots(con: duckdb.DuckDBPyConnection, path: Path) -> LoadSummary:
    path = path.resolve()
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(f"{path}: is not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: is not valid TOML ({exc})") from None
    entries = doc.get("pilot", [])
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{path}: no [[pilot]] tables found; see docs/data-contract.md")
    feeds = doc.get("supply", {}).get("feeds", [])
    if not isinstance(feeds, list) or not all(isinstance(f, str) for f in feeds):
        raise InputError(f"{path}: [supply] feeds must be a list of URLs")
    known = {r[0] for r in con.execute("SELECT DISTINCT pcn_code FROM src_practices").fetchall()}
    accepted, rejected, seen = [], [], set()
    for number, entry in enumerate(entries, start=1):
        row, problems = _parse_pilot(entry, known)
        if row.get("name") in seen:
            problems.append(f"duplicate pilot name '{row['name']}'")
        if problems:
            rejected.append((number, "; ".join(problems)))
        else:
            seen.add(row["name"])
            accepted.append(row)
    dataset = doc.get("dataset", {})
    con.execute("BEGIN TRANSACTION")
    try:
        for row in accepted:
            con.execute("INSERT OR REPLACE INTO src_pilots VALUES (?, ?, ?)",
                        [row["name"], row["go_live"], row["description"]])
            con.execute("DELETE FROM src_pilot_pcns WHERE pilot_name = ?", [row["name"]])
            for arm in ("pilot", "comparison"):
                for code in row[arm]:
                    con.execute("INSERT INTO src_pilot_pcns VALUES (?, ?, ?)", [row["name"], code, arm])
        for url in feeds:
            con.execute("INSERT OR REPLACE INTO src_supply_feeds VALUES (?)", [url])
        con.execute("DELETE FROM load_rejects WHERE kind = 'pilots' AND source_file = ?", [str(path)])
        for number, reason in rejected:
            con.execute("INSERT INTO load_rejects VALUES ('pilots', ?, ?, 'pilot', ?, '{}')",
                        [str(path), number, reason])
        if isinstance(dataset, dict) and dataset.get("synthetic") is True:
            set_meta(con, "synthetic", "true")
            set_meta(con, "dataset_name", str(dataset.get("name", "synthetic demo")))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return LoadSummary(
        kind="pilots", file=str(path), rows=len(entries), accepted=len(accepted),
        rejected=len(rejected), rejects_file=None,
        rejects_by_field={"pilot": len(rejected)} if rejected else {},
    )
