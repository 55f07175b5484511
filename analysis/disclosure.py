"""Statistical disclosure control for exported tables and the commissioner view.

Policy (``docs/disclosure.md``): the OpenSAFELY output rules (``opensafely/documentation``
``docs/outputs/sdc.md``), which NHS Digital's HES/ECDS rule from September 2018 matches for
counts. Counts of people at PCN × month level can identify them, so by default:

* a count of 1 to :data:`REDACT_AT_OR_BELOW` (7) is replaced by :data:`REDACTED`; 0 stays 0;
* every other count is rounded to the nearest :data:`ROUND_TO` (5), halves up;
* a total is recomputed as the sum of the cells shown, never rounded from the raw total;
* where a row or column with a total has exactly one hidden cell, a second cell is hidden
  (complementary suppression: one that also completes another line, else the smallest), until
  every such line has 0 or ≥ 2 hidden cells;
* a proportion or rate is recomputed (with its CI) from the rounded counts, and blanked when a
  count it is made from is hidden — a figure from raw counts beside a rounded denominator gives
  the raw numerator back; a mean is kept (a rounded count would distort it) but its sum
  column is withheld, since sum ÷ mean is the exact count;
* retention (Kaplan–Meier) tables use midpoint-6 rounding, ``ceil(x/6)·6 − 3·(x ≠ 0)``, on
  cumulative counts, and survival is recomputed from the rounded counts (:func:`protect_km`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd

from analysis.indicators import proportion_ci, rate_ci, z_value

REDACT_AT_OR_BELOW = 7
ROUND_TO = 5
MIDPOINT_WIDTH = 6
REDACTED = "[REDACTED]"
"""What a hidden cell shows (OpenSAFELY's marker); ``marker=None`` leaves it missing instead."""

Method = Literal["round5", "midpoint6"]
Kind = Literal["proportion", "rate", "mean"]
Cell = tuple[int, str]  # (row position, column)


@dataclass(frozen=True)
class Derived:
    """A value made from count columns: ``numerator ÷ denominator × multiplier``.

    ``proportion`` and ``rate`` are recomputed from the protected counts (CI: Wilson, or exact
    Poisson below 10 and Byar's above, into the ``interval`` columns). A ``mean`` keeps its value
    (its numerator is a sum, not a count) and is blanked when its denominator count is hidden.
    A denominator that is not a count column (a population, a list size) is used as given.
    """

    numerator: str
    denominator: str
    multiplier: float = 1.0
    kind: Kind = "proportion"
    interval: tuple[str, str] | None = None


@dataclass(frozen=True)
class TableSpec:
    """How one table is protected: its count columns, derived values and totals.

    ``total_row`` is ``(column, value)``: the one row whose ``column`` equals ``value`` holds
    column totals. ``total_column`` is the row total of the other count columns.
    """

    counts: Sequence[str]
    derived: Mapping[str, Derived | tuple[Any, ...]] = field(default_factory=dict)
    total_row: tuple[str, Hashable] | None = None
    total_column: str | None = None
    method: Method = "round5"


@dataclass(frozen=True)
class DisclosureReport:
    """What disclosure control did to one table, for the export's methods note."""

    table: str
    method: str  # "round5", "midpoint6" or "off"
    redacted: tuple[Cell, ...] = ()
    suppressed: tuple[Cell, ...] = ()
    rounded: int = 0
    totals_recomputed: int = 0
    derived_recomputed: int = 0
    derived_blanked: int = 0
    withheld_columns: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line for the methods note."""
        if self.method == "off":
            return f"{self.table}: disclosure control turned off; raw counts shown."
        withheld = f", columns withheld: {', '.join(self.withheld_columns)}"
        return (
            f"{self.table} ({self.method}): {len(self.redacted)} cells redacted, "
            f"{len(self.suppressed)} suppressed as complements, {self.rounded} rounded, "
            f"{self.totals_recomputed} totals and {self.derived_recomputed} derived values "
            f"recomputed, {self.derived_blanked} derived values blanked"
            f"{withheld if self.withheld_columns else ''}."
        )


class Protected(NamedTuple):
    """A protected copy of a table and the report of what was done to it."""

    frame: pd.DataFrame
    report: DisclosureReport


# ---- single counts ---------------------------------------------------------------------------
def _counts(values: Any) -> pd.Series:
    """Counts as a float Series (missing → NaN); negative or fractional counts raise."""
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    x = pd.to_numeric(series, errors="raise").astype(float)
    bad = x.notna() & ((x < 0) | (x != np.floor(x)))
    if bad.any():
        raise ValueError(f"counts must be whole numbers ≥ 0; got {x[bad].iloc[0]!r}")
    return x


def _mark(values: pd.Series, hidden: pd.Series, marker: str | None, whole: bool) -> pd.Series:
    """Int64 (``whole``) or float values; hidden cells as ``marker`` (then an object column)."""
    out = values.where(~hidden)
    out = out.round().astype("Int64") if whole else out.astype(float)
    if marker is None or not hidden.any():
        return out
    cells = [marker if h else v for v, h in zip(out.astype(object), hidden, strict=True)]
    return pd.Series(cells, index=out.index, dtype=object)


def _round5(x: pd.Series) -> pd.Series:
    rounded = np.floor(x / ROUND_TO + 0.5) * ROUND_TO
    return rounded.where((x == 0) | (x > REDACT_AT_OR_BELOW))


def redact_and_round(counts: Any, *, marker: str | None = REDACTED) -> pd.Series:
    """0 → 0; 1–7 → ``marker`` (or missing); others to the nearest 5, halves up."""
    x = _counts(counts)
    rounded = _round5(x)
    return _mark(rounded, rounded.isna() & x.notna(), marker, whole=True)


def midpoint6(counts: Any) -> pd.Series:
    """``ceil(x/6)·6 − 3·(x ≠ 0)``: 0 → 0, 1–6 → 3, 7–12 → 9, 13–18 → 15 (Int64)."""
    x = _counts(counts)
    return (np.ceil(x / MIDPOINT_WIDTH) * MIDPOINT_WIDTH - 3 * (x != 0)).astype("Int64")


# ---- tables ----------------------------------------------------------------------------------
Line = tuple[list[tuple[int, int]], tuple[int, int]]  # parts, total (row, column positions)


def _complementary(raw: np.ndarray, hidden: np.ndarray, lines: list[Line]) -> np.ndarray:
    """Until no line has exactly one hidden cell, hide another cell of such a line: one that
    completes another line first, then the smallest (zeros last); its total if none is left."""
    hidden = hidden.copy()
    member: dict[tuple[int, int], list[int]] = {}
    for i, (parts, total) in enumerate(lines):
        for cell in [*parts, total]:
            member.setdefault(cell, []).append(i)
    n_hidden = [int(sum(hidden[c] for c in [*parts, total])) for parts, total in lines]

    def key(cell: tuple[int, int], line: int) -> tuple[int, bool, float, tuple[int, int]]:
        others = [n_hidden[k] for k in member[cell] if k != line]
        cost = sum(int(n == 0) - int(n == 1) for n in others)  # lines opened − lines completed
        return (cost, raw[cell] == 0, raw[cell], cell)

    while 1 in n_hidden:
        i = n_hidden.index(1)
        parts, total = lines[i]
        free = [p for p in parts if not (hidden[p] or np.isnan(raw[p]))]
        pick = min(free, key=lambda p: key(p, i)) if free else total
        if hidden[pick]:  # a total hidden with no parts left to hide: nothing more can be done
            n_hidden[i] = -1
            continue
        hidden[pick] = True
        for k in member[pick]:
            n_hidden[k] += 1
    return hidden


def protect_table(
    frame: pd.DataFrame,
    *,
    count_columns: Sequence[str],
    total_row: tuple[str, Hashable] | None = None,
    total_column: str | None = None,
    derived: Mapping[str, Derived | tuple[Any, ...]] | None = None,
    method: Method = "round5",
    marker: str | None = REDACTED,
    table: str = "table",
) -> Protected:
    """A protected copy of ``frame`` and the report of what was done (rules: module docstring)."""
    counts = list(dict.fromkeys([*count_columns, *([total_column] if total_column else [])]))
    missing = [c for c in counts if c not in frame.columns]
    if missing or method not in ("round5", "midpoint6"):
        raise ValueError(f"unknown count column(s) {missing} or method {method!r}")
    is_total = np.zeros(len(frame), dtype=bool)
    if total_row is not None:
        is_total = (frame[total_row[0]] == total_row[1]).to_numpy()
        if is_total.sum() != 1:
            raise ValueError(f"total_row {total_row!r} must match exactly one row")
    raw = np.empty((len(frame), len(counts)))
    for j, column in enumerate(counts):
        raw[:, j] = _counts(frame[column]).to_numpy()
    rounder = _round5 if method == "round5" else midpoint6
    shown = rounder(pd.Series(raw.ravel())).astype(float).to_numpy().reshape(raw.shape)
    rows = [int(r) for r in np.flatnonzero(~is_total)]
    total_r = int(np.flatnonzero(is_total)[0]) if total_row is not None else None
    total_c = counts.index(total_column) if total_column else None
    parts = [j for j in range(len(counts)) if j != total_c]
    hidden = np.zeros(raw.shape, dtype=bool)
    hidden[rows] = np.isnan(shown[rows]) & ~np.isnan(raw[rows])
    hidden[:, [total_c] if total_c is not None else []] = False
    primary = hidden.copy()
    lines: list[Line] = []  # rows and columns with a total: (inner cells, total cell)
    if total_c is not None:
        lines += [([(r, c) for c in parts], (r, total_c)) for r in rows]
    if total_r is not None:
        lines += [([(r, c) for r in rows], (total_r, c)) for c in parts]
    hidden = _complementary(raw, hidden, lines)
    values = np.where(hidden, np.nan, shown)
    is_sum = np.zeros(raw.shape, dtype=bool)  # total cells: sums of the cells shown
    if total_r is not None:
        is_sum[total_r] = True
        values[total_r] = np.where(hidden[total_r], np.nan, np.nansum(values[rows], axis=0))
    if total_c is not None:
        is_sum[:, total_c] = True
        values[:, total_c] = np.nansum(values[:, parts], axis=1)
    values[hidden] = np.nan
    out = frame.copy()
    hidden_frame = pd.DataFrame(hidden, columns=counts, index=frame.index)
    protected = pd.DataFrame(values, columns=counts, index=frame.index)
    for column in counts:
        out[column] = _mark(protected[column], hidden_frame[column], marker, whole=True)
    recomputed, blanked, withheld = _derived(
        out, frame, protected, hidden_frame, derived or {}, marker
    )
    report = DisclosureReport(
        table=table,
        method=method,
        redacted=_cells(primary, counts),
        suppressed=_cells(hidden & ~primary, counts),
        rounded=int((~hidden & ~is_sum & ~np.isnan(raw)).sum()),
        totals_recomputed=int((is_sum & ~hidden).sum()),
        derived_recomputed=recomputed,
        derived_blanked=blanked,
        withheld_columns=withheld,
    )
    return Protected(out.drop(columns=list(withheld)), report)


def _cells(mask: np.ndarray, columns: Sequence[str]) -> tuple[Cell, ...]:
    return tuple((int(r), columns[c]) for r, c in zip(*np.nonzero(mask), strict=True))


def _derived(
    out: pd.DataFrame,
    raw: pd.DataFrame,
    protected: pd.DataFrame,
    hidden: pd.DataFrame,
    derived: Mapping[str, Derived | tuple[Any, ...]],
    marker: str | None,
) -> tuple[int, int, tuple[str, ...]]:
    """Recompute or blank each derived column of ``out`` in place; return the tallies."""
    recomputed = blanked = 0
    withheld: list[str] = []
    none = pd.Series(False, index=raw.index)
    for name, spec in derived.items():
        d = spec if isinstance(spec, Derived) else Derived(*spec)
        blank = hidden.get(d.numerator, none) | hidden.get(d.denominator, none)
        columns = [name, *(d.interval or ())]
        values = [raw[c] if d.kind == "mean" else pd.Series(np.nan, raw.index) for c in columns]
        if d.kind == "mean":  # a sum beside its mean gives the exact count: withhold it
            withheld += [d.numerator] if d.numerator not in protected else []
        elif d.numerator not in protected:
            raise ValueError(f"{name}: numerator {d.numerator!r} is not a count column")
        else:
            num = protected[d.numerator]
            den = (protected if d.denominator in protected else raw)[d.denominator].astype(float)
            ok = ~blank & num.notna() & (den > 0) & ((num <= den) | (d.kind == "rate"))
            if ok.any():
                if d.kind == "proportion":
                    stats = [np.asarray(v) * d.multiplier for v in proportion_ci(num[ok], den[ok])]
                else:
                    stats = list(rate_ci(num[ok], den[ok], multiplier=d.multiplier))
                for series, stat in zip(values, stats, strict=False):
                    series[ok] = stat
            recomputed += int(ok.sum())
        blanked += int(blank.sum())
        for column, series in zip(columns, values, strict=True):
            out[column] = _mark(series, blank, marker, whole=False)
    return recomputed, blanked, tuple(withheld)


def apply_to_export(
    table_name: str, frame: pd.DataFrame, spec: TableSpec, *, disclosure_control: bool = True
) -> Protected:
    """Protect one export table by its spec; ``disclosure_control=False`` (the explicit
    ``--no-disclosure-control`` flag) returns it unchanged with a report saying so."""
    if not disclosure_control:
        return Protected(frame.copy(), DisclosureReport(table=table_name, method="off"))
    return protect_table(frame, count_columns=spec.counts, total_row=spec.total_row,
                         total_column=spec.total_column, derived=spec.derived,
                         method=spec.method, table=table_name)  # fmt: skip


def methods_note(reports: Iterable[DisclosureReport]) -> str:
    """The disclosure-control paragraph of an export's methods note."""
    policy = (
        "Disclosure control (OpenSAFELY rules; see docs/disclosure.md): counts of 1 to "
        f"{REDACT_AT_OR_BELOW} are shown as {REDACTED}, other counts are rounded to the nearest "
        f"{ROUND_TO}, totals are sums of the cells shown, a second cell is hidden wherever one "
        "hidden cell could be recovered from a total, rates and percentages are recomputed from "
        "the rounded counts, and retention tables use midpoint-6 rounding."
    )
    return "\n".join([policy, *(f"- {r.summary()}" for r in reports)])


# ---- Kaplan–Meier / retention ----------------------------------------------------------------
def protect_km(
    curve: pd.DataFrame, *, confidence: float = 0.95, table: str = "retention_curve"
) -> Protected:
    """A Kaplan–Meier frame (:func:`analysis.survival.kaplan_meier`: ``group``, ``time_weeks``,
    ``n_at_risk``, ``n_events``, ``survival``, ``lower``, ``upper``) with midpoint-6 counts and
    the curve recomputed from them; rows keep their order.

    As OpenSAFELY's ``kaplan-meier-function``: the starting number N, the number who left before
    each time (events and censored) and the cumulative events are rounded by midpoint-6; then
    ``n_at_risk = m6(N) − m6(left before)``, ``n_events`` = the step in m6(cumulative events),
    ``S = Π(1 − d/n)`` and log(−log) Greenwood limits from those rounded counts.
    """
    z = z_value(confidence)
    pieces: list[pd.DataFrame] = []
    for _, rows in curve.groupby("group", sort=False, dropna=False):
        rows = rows.sort_values("time_weeks", kind="stable")
        n = _counts(rows["n_at_risk"]).to_numpy()
        start = float(n.max())
        n_r = _m6(start) - _m6(start - n)
        d_r = np.diff(_m6(np.cumsum(_counts(rows["n_events"]).to_numpy())), prepend=0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(n_r > 0, np.minimum(d_r / n_r, 1.0), (d_r > 0).astype(float))
            surv = np.cumprod(1.0 - share)
            greenwood = np.cumsum(np.where(d_r > 0, d_r / (n_r * (n_r - d_r)), 0.0))
            log_s = np.log(surv)
            half = z * np.sqrt(greenwood) / log_s
            lower = np.exp(-np.exp(np.log(-log_s) - half))
            upper = np.exp(-np.exp(np.log(-log_s) + half))
        lower[surv >= 1.0], upper[surv >= 1.0] = 1.0, 1.0
        lower[surv <= 0.0], upper[surv <= 0.0] = 0.0, 0.0
        columns = {"n_at_risk": n_r, "n_events": d_r, "survival": surv, "lower": lower}
        pieces.append(pd.DataFrame(columns | {"upper": upper}, index=rows.index))
    out = curve.copy()
    if pieces:
        rounded = pd.concat(pieces).reindex(curve.index)
        for column in rounded.columns:
            out[column] = rounded[column].astype("Int64" if column[:2] == "n_" else float)
    report = DisclosureReport(
        table=table, method="midpoint6", rounded=2 * len(curve), derived_recomputed=len(curve)
    )
    return Protected(out, report)


def _m6(x: Any) -> np.ndarray:
    return midpoint6(np.atleast_1d(np.asarray(x, dtype=float))).to_numpy(dtype=float)
