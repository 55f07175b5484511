"""Spreadsheet safety: stop a cell from being read as a formula when a CSV or XLSX is opened.

Cells that begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are prefixed with a
single quote (the OWASP "CSV injection" advice). Numbers are left alone: a negative number is
data, not a formula, and is written as a number.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?")


def neutralise_cell(value: str) -> str:
    if value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value
