"""CSV that is safe to open in Excel, WPS or LibreOffice (no formula injection).

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and,
in some, a tab or carriage return) as a formula, which can leak other cells or
start programs (OWASP "CSV injection"). :func:`safe_cell` prefixes such text
with a single quote so it shows as typed. Numbers are written as numbers.
:func:`write_csv` adds a UTF-8 byte-order mark so Excel reads Chinese text
correctly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value: object) -> str:
    """One cell's text: ``None`` is empty, dicts and lists JSON, risky text quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)  # a negative number is a number, not a formula
    if isinstance(value, dt.datetime | dt.date):
        text = value.isoformat()
    elif isinstance(value, dict | list | tuple):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def write_csv(rows: Iterable[Sequence[object]], header: Sequence[str]) -> bytes:
    """The whole file: UTF-8 with a BOM, CRLF line ends, every cell through ``safe_cell``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return (BOM + buffer.getvalue()).encode("utf-8")
